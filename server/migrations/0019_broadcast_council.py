from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

# Each broadcast row carries its referral's placing council (issue 17): the contract figures count a quarter's
# broadcasts per council from one covering index, without reading each referral. The rows written before are
# filled from their referrals.

class Migration(migrations.Migration):
    dependencies = [('models', '0018_dashboard_indexes')]

    initial = False

    operations = [
        ops.RemoveIndex(
            model_name='BroadcastRecipient',
            name='broadcast_recipient_sent_covering',
            fields=None,
        ),
        ops.AddField(
            model_name='BroadcastRecipient',
            name='council',
            field=fields.ForeignKeyField('models.Council', source_field='council_id', null=True, db_constraint=True, to_field='id', related_name='broadcasts_sent', on_delete=OnDelete.RESTRICT),
        ),
        ops.RunSQL(
            'UPDATE broadcast_recipient SET council_id = '
            '(SELECT r.council_id FROM referral r WHERE r.id = broadcast_recipient.referral_id)',
            reverse_sql='UPDATE broadcast_recipient SET council_id = NULL',
        ),
        ops.AddIndex(
            model_name='BroadcastRecipient',
            index=Index(fields=['sent_at', 'council_id', 'provider_id', 'responded_at', 'decline_reason'], name='broadcast_recipient_council_sent_covering'),
        ),
    ]
