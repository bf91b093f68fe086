from tortoise import migrations
from tortoise.migrations import operations as ops
from server.domain.vocabulary import CulturalNeedsCategory, LegalStatus, ReasonEpisodeCeased, YesNoNotSpecified
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0015_block_contracts')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PlacementLegalStatusChange',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('placement', fields.ForeignKeyField('models.Placement', source_field='placement_id', db_constraint=True, to_field='id', related_name='legal_status_changes', on_delete=OnDelete.CASCADE)),
                ('legal_status', fields.CharEnumField(description='C1: C1\nC2: C2\nE1: E1\nV2: V2\nL1: L1\nL2: L2\nJ1: J1\nJ2: J2\nJ3: J3', enum_type=LegalStatus, max_length=2)),
                ('effective_from', fields.DateField()),
                ('recorded_by', fields.ForeignKeyField('models.User', source_field='recorded_by_id', db_constraint=True, to_field='id', related_name='legal_status_changes', on_delete=OnDelete.RESTRICT)),
                ('recorded_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'placement_legal_status_change', 'app': 'models', 'unique_together': (('placement', 'effective_from'),), 'pk_attr': 'id', 'table_description': "The child's legal status changed during a placement, from a day: a new SSDA903 episode (RNE L)."},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Placement',
            name='care_ceased_reason',
            field=fields.CharEnumField(null=True, description='X1: X1\nE11: E11\nE12: E12\nE13: E13\nE14: E14\nE15: E15\nE16: E16\nE17: E17\nE2: E2\nE3: E3\nE41: E41\nE45: E45\nE46: E46\nE47: E47\nE48: E48\nE4A: E4A\nE4B: E4B\nE5: E5\nE6: E6\nE7: E7\nE8: E8\nE9: E9', enum_type=ReasonEpisodeCeased, max_length=3),
        ),
        ops.AddField(
            model_name='Placement',
            name='cost_date',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='Placement',
            name='cost_officer_name',
            field=fields.CharField(default='', max_length=120),
        ),
        ops.AddField(
            model_name='Placement',
            name='education_continuity',
            field=fields.BooleanField(null=True),
        ),
        ops.AddField(
            model_name='Placement',
            name='location_preferred',
            field=fields.BooleanField(null=True),
        ),
        ops.AddField(
            model_name='Placement',
            name='placement_date',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='Placement',
            name='placement_officer_name',
            field=fields.CharField(default='', max_length=120),
        ),
        ops.AddField(
            model_name='Placement',
            name='siblings_placed_together',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='Referral',
            name='additional_support_other',
            field=fields.TextField(default='', unique=False),
        ),
        ops.AddField(
            model_name='Referral',
            name='communication_needs_stated',
            field=fields.CharEnumField(default=YesNoNotSpecified.NOT_SPECIFIED, description='YES: yes\nNO: no\nNOT_SPECIFIED: not_specified', enum_type=YesNoNotSpecified, max_length=13),
        ),
        ops.AddField(
            model_name='Referral',
            name='cultural_needs_category',
            field=fields.CharEnumField(default=CulturalNeedsCategory.NOT_KNOWN, description='REQUIRED: required\nNOT_REQUIRED: not_required\nNOT_KNOWN: not_known\nOTHER: other', enum_type=CulturalNeedsCategory, max_length=12),
        ),
        ops.AddField(
            model_name='Referral',
            name='referral_date',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='Referral',
            name='referral_officer_name',
            field=fields.CharField(default='', max_length=120),
        ),
        ops.AddField(
            model_name='Referral',
            name='risk_to_child_other',
            field=fields.TextField(default='', unique=False),
        ),
        ops.AddField(
            model_name='Referral',
            name='risk_to_others_other',
            field=fields.TextField(default='', unique=False),
        ),
    ]
