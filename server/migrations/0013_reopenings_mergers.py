from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from server.domain.vocabulary import JoinApplicationStatus, MergedUsers, ProviderStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0012_framework_life')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ProviderMerger',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('merged_provider', fields.OneToOneField('models.Provider', source_field='merged_provider_id', db_constraint=True, to_field='id', related_name='merger', on_delete=OnDelete.RESTRICT)),
                ('into_provider', fields.ForeignKeyField('models.Provider', source_field='into_provider_id', db_constraint=True, to_field='id', related_name='mergers_received', on_delete=OnDelete.RESTRICT)),
                ('merged_on', fields.DateField()),
                ('users', fields.CharEnumField(description='MOVE: move\nDEACTIVATE: deactivate', enum_type=MergedUsers, max_length=10)),
                ('moved', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('made_by', fields.ForeignKeyField('models.User', source_field='made_by_id', null=True, db_constraint=True, to_field='id', related_name='provider_mergers_made', on_delete=OnDelete.SET_NULL)),
                ('made_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'provider_merger', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The record of a merger. Offers and placements that passed to the surviving provider keep the merged'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Reopening',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('framework', fields.ForeignKeyField('models.Framework', source_field='framework_id', db_constraint=True, to_field='id', related_name='reopenings', on_delete=OnDelete.CASCADE)),
                ('opens_on', fields.DateField()),
                ('closes_on', fields.DateField()),
                ('lots', fields.ManyToManyField('models.Lot', unique=True, db_constraint=True, through='reopening_lot', forward_key='lot_id', backward_key='reopening_id', related_name='reopenings', on_delete=OnDelete.CASCADE)),
                ('opened_by', fields.ForeignKeyField('models.User', source_field='opened_by_id', null=True, db_constraint=True, to_field='id', related_name='reopenings_opened', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'reopening', 'app': 'models', 'indexes': [Index(fields=['framework_id', 'closes_on'])], 'pk_attr': 'id', 'table_description': 'A window, from `opens_on` to `closes_on` (both days included), in which providers apply to join the lots.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='JoinApplication',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('reopening', fields.ForeignKeyField('models.Reopening', source_field='reopening_id', db_constraint=True, to_field='id', related_name='applications', on_delete=OnDelete.CASCADE)),
                ('lot', fields.ForeignKeyField('models.Lot', source_field='lot_id', db_constraint=True, to_field='id', related_name='join_applications', on_delete=OnDelete.CASCADE)),
                ('provider', fields.ForeignKeyField('models.Provider', source_field='provider_id', db_constraint=True, to_field='id', related_name='join_applications', on_delete=OnDelete.CASCADE)),
                ('statement', fields.TextField(default='', unique=False)),
                ('status', fields.CharEnumField(default=JoinApplicationStatus.PENDING, description='PENDING: pending\nAPPROVED: approved\nREFUSED: refused', enum_type=JoinApplicationStatus, max_length=10)),
                ('applied_by', fields.ForeignKeyField('models.User', source_field='applied_by_id', null=True, db_constraint=True, to_field='id', related_name='join_applications_made', on_delete=OnDelete.SET_NULL)),
                ('applied_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('decided_by', fields.ForeignKeyField('models.User', source_field='decided_by_id', null=True, db_constraint=True, to_field='id', related_name='join_applications_decided', on_delete=OnDelete.SET_NULL)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('refusal_reason', fields.TextField(default='', unique=False)),
                ('membership', fields.ForeignKeyField('models.LotMembership', source_field='membership_id', null=True, db_constraint=True, to_field='id', related_name='join_applications', on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'join_application', 'app': 'models', 'unique_together': (('reopening', 'lot', 'provider'),), 'indexes': [Index(fields=['provider_id', 'status'])], 'pk_attr': 'id', 'table_description': "A provider's application to join one lot in a re-opening, and the lead commissioner's decision."},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Offer',
            name='original_provider',
            field=fields.ForeignKeyField('models.Provider', source_field='original_provider_id', null=True, db_constraint=True, to_field='id', related_name='original_offers', on_delete=OnDelete.RESTRICT),
        ),
        ops.AddField(
            model_name='Placement',
            name='original_provider',
            field=fields.ForeignKeyField('models.Provider', source_field='original_provider_id', null=True, db_constraint=True, to_field='id', related_name='original_placements', on_delete=OnDelete.RESTRICT),
        ),
        ops.AlterField(
            model_name='Provider',
            name='status',
            field=fields.CharEnumField(default=ProviderStatus.ACTIVE, description='ACTIVE: active\nSUSPENDED: suspended\nCLOSED: closed\nMERGED: merged', enum_type=ProviderStatus, max_length=12),
        ),
    ]
