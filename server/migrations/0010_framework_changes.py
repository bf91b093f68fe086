from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0009_placement_life')]

    initial = False

    operations = [
        ops.CreateModel(
            name='FrameworkChange',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('framework', fields.ForeignKeyField('models.Framework', source_field='framework_id', null=True, db_constraint=True, to_field='id', related_name='changes', on_delete=OnDelete.CASCADE)),
                ('provider', fields.ForeignKeyField('models.Provider', source_field='provider_id', null=True, db_constraint=True, to_field='id', related_name='framework_changes', on_delete=OnDelete.CASCADE)),
                ('action', fields.CharField(max_length=40)),
                ('subject', fields.CharField(default='', max_length=120)),
                ('actor', fields.ForeignKeyField('models.User', source_field='actor_id', null=True, db_constraint=True, to_field='id', related_name='framework_changes', on_delete=OnDelete.SET_NULL)),
                ('made_by', fields.CharField(default='', max_length=80)),
                ('before', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('after', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('made_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'framework_change', 'app': 'models', 'indexes': [Index(fields=['framework_id', 'made_at']), Index(fields=['provider_id', 'made_at'])], 'pk_attr': 'id', 'table_description': "One change to a framework, a lot, a membership, a provider's place on the register or a block contract."},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Framework',
            name='predecessor',
            field=fields.ForeignKeyField('models.Framework', source_field='predecessor_id', null=True, db_constraint=True, to_field='id', related_name='successors', on_delete=OnDelete.SET_NULL),
        ),
    ]
