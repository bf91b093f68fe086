from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from server.domain.vocabulary import PlacementSide
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0008_referral_questions')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PlacementFeeChange',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('placement', fields.ForeignKeyField('models.Placement', source_field='placement_id', db_constraint=True, to_field='id', related_name='fee_changes', on_delete=OnDelete.CASCADE)),
                ('weekly_fee_pence', fields.IntField()),
                ('effective_from', fields.DateField()),
                ('reason', fields.TextField(unique=False)),
                ('proposed_by_side', fields.CharEnumField(description='COUNCIL: council\nPROVIDER: provider', enum_type=PlacementSide, max_length=8)),
                ('proposed_by', fields.ForeignKeyField('models.User', source_field='proposed_by_id', db_constraint=True, to_field='id', related_name='fee_changes_proposed', on_delete=OnDelete.RESTRICT)),
                ('proposed_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('agreed_by', fields.ForeignKeyField('models.User', source_field='agreed_by_id', null=True, db_constraint=True, to_field='id', related_name='fee_changes_agreed', on_delete=OnDelete.RESTRICT)),
                ('agreed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'placement_fee_change', 'app': 'models', 'indexes': [Index(fields=['placement_id', 'effective_from'])], 'pk_attr': 'id', 'table_description': "A change of a placement's weekly fee from a date: proposed by one side, in force once the other agrees."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PlacementReview',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('placement', fields.ForeignKeyField('models.Placement', source_field='placement_id', db_constraint=True, to_field='id', related_name='reviews', on_delete=OnDelete.CASCADE)),
                ('held_on', fields.DateField()),
                ('attendance', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('sdq_total', fields.IntField(null=True)),
                ('notes', fields.TextField(default='', unique=False)),
                ('recorded_by', fields.ForeignKeyField('models.User', source_field='recorded_by_id', db_constraint=True, to_field='id', related_name='placement_reviews', on_delete=OnDelete.RESTRICT)),
                ('recorded_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'placement_review', 'app': 'models', 'indexes': [Index(fields=['placement_id', 'held_on'])], 'pk_attr': 'id', 'table_description': "A looked-after child's review of the placement: when, who attended, the SDQ total and notes."},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Placement',
            name='actual_start_date',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='Placement',
            name='council_confirmed_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Placement',
            name='council_confirmed_by',
            field=fields.ForeignKeyField('models.User', source_field='council_confirmed_by_id', null=True, db_constraint=True, to_field='id', related_name='placements_confirmed_for_council', on_delete=OnDelete.RESTRICT),
        ),
        ops.AddField(
            model_name='Placement',
            name='notice_given_by',
            field=fields.CharEnumField(null=True, description='COUNCIL: council\nPROVIDER: provider', enum_type=PlacementSide, max_length=8),
        ),
        ops.AddField(
            model_name='Placement',
            name='notice_given_by_user',
            field=fields.ForeignKeyField('models.User', source_field='notice_given_by_user_id', null=True, db_constraint=True, to_field='id', related_name='placement_notices_given', on_delete=OnDelete.RESTRICT),
        ),
        ops.AddField(
            model_name='Placement',
            name='notice_intended_end',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='Placement',
            name='provider_confirmed_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Placement',
            name='provider_confirmed_by',
            field=fields.ForeignKeyField('models.User', source_field='provider_confirmed_by_id', null=True, db_constraint=True, to_field='id', related_name='placements_confirmed_for_provider', on_delete=OnDelete.RESTRICT),
        ),
        ops.AddField(
            model_name='Placement',
            name='step_across_referral',
            field=fields.ForeignKeyField('models.Referral', source_field='step_across_referral_id', null=True, db_constraint=True, to_field='id', related_name='stepped_across_from_placements', on_delete=OnDelete.SET_NULL),
        ),
    ]
