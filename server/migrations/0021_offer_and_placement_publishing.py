from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

# The contract figures (issue 17) count a quarter's offers, and time its placements from publishing, without
# reading each referral: each offer carries its referral's placing council and when it was published, and each
# placement when its referral was published, in covering indexes. The rows written before are filled from their
# referrals.

class Migration(migrations.Migration):
    dependencies = [('models', '0020_provider_track_records')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Offer',
            name='council',
            field=fields.ForeignKeyField('models.Council', source_field='council_id', null=True, db_constraint=True, to_field='id', related_name='offers_received', on_delete=OnDelete.RESTRICT),
        ),
        ops.AddField(
            model_name='Offer',
            name='referral_published_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.RunSQL(
            'UPDATE offer SET '
            'council_id = (SELECT r.council_id FROM referral r WHERE r.id = offer.referral_id), '
            'referral_published_at = (SELECT r.published_at FROM referral r WHERE r.id = offer.referral_id)',
            reverse_sql='UPDATE offer SET council_id = NULL, referral_published_at = NULL',
        ),
        ops.AddIndex(
            model_name='Offer',
            index=Index(fields=['referral_published_at', 'referral_id', 'council_id', 'provider_id', 'submitted_at'], name='offer_referral_published_covering'),
        ),
        ops.AddField(
            model_name='Placement',
            name='referral_published_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.RunSQL(
            'UPDATE placement SET referral_published_at = '
            '(SELECT r.published_at FROM referral r WHERE r.id = placement.referral_id)',
            reverse_sql='UPDATE placement SET referral_published_at = NULL',
        ),
        ops.AddIndex(
            model_name='Placement',
            index=Index(fields=['council_id', 'referral_published_at', 'provider_id', 'created_at'], name='placement_referral_published_covering'),
        ),
    ]
