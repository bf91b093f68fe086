from tortoise import migrations
from tortoise.migrations import operations as ops
from server.domain.vocabulary import PlacementKind
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

# The contract figures (issue 17) read a quarter's broadcasts and placements without their referrals: each
# broadcast row carries its referral's placing council, and each placement its referral's placement kind, the
# child's age and the framework it was called off under (none for spot purchase), in the covering indexes. The
# rows written before are filled from their referrals.

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
        ops.RemoveIndex(
            model_name='Placement',
            name='placement_figures_covering',
            fields=None,
        ),
        ops.AddField(
            model_name='Placement',
            name='age_years',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='Placement',
            name='framework',
            field=fields.ForeignKeyField('models.Framework', source_field='framework_id', null=True, db_constraint=True, to_field='id', related_name='placements_called_off', on_delete=OnDelete.RESTRICT),
        ),
        ops.AddField(
            model_name='Placement',
            name='placement_kind',
            field=fields.CharEnumField(null=True, description='CORE_FOSTERING: core_fostering\nENHANCED_FOSTERING: enhanced_fostering\nSPECIALIST_FOSTERING: specialist_fostering\nPARENT_AND_CHILD: parent_and_child\nSIBLING_GROUP: sibling_group\nSOLO: solo\nDISABLED_CHILDREN: disabled_children\nSTEP_DOWN: step_down\nCHILDRENS_HOME: childrens_home', enum_type=PlacementKind, max_length=24),
        ),
        ops.RunSQL(
            'UPDATE placement SET '
            'placement_kind = (SELECT r.placement_kind FROM referral r WHERE r.id = placement.referral_id), '
            'age_years = (SELECT r.age_years FROM referral r WHERE r.id = placement.referral_id), '
            'framework_id = (SELECT CASE WHEN r.escalated_to_spot THEN NULL ELSE r.framework_id END '
            'FROM referral r WHERE r.id = placement.referral_id)',
            reverse_sql='UPDATE placement SET placement_kind = NULL, age_years = NULL, framework_id = NULL',
        ),
        ops.AddIndex(
            model_name='Placement',
            index=Index(fields=['council_id', 'provider_id', 'start_date', 'actual_start_date', 'end_date', 'planned_ending', 'notice_given_on', 'inside_council_area', 'distance_miles', 'weekly_fee_pence', 'referral_id', 'placement_kind', 'age_years', 'framework_id'], name='placement_figures_covering'),
        ),
    ]
