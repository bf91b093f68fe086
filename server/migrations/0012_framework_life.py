from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0011_contract_management')]

    initial = False

    operations = [
        ops.CreateModel(
            name='FrameworkExtension',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('framework', fields.ForeignKeyField('models.Framework', source_field='framework_id', db_constraint=True, to_field='id', related_name='extensions', on_delete=OnDelete.CASCADE)),
                ('ends_on', fields.DateField()),
                ('decision_reference', fields.CharField(max_length=60)),
                ('decision_date', fields.DateField()),
                ('taken_by', fields.ForeignKeyField('models.User', source_field='taken_by_id', null=True, db_constraint=True, to_field='id', related_name='framework_extensions', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'framework_extension', 'app': 'models', 'unique_together': (('framework', 'ends_on'),), 'pk_attr': 'id', 'table_description': 'An extension taken: the new end date and the decision that took it. Framework.extended_to is the latest.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Framework',
            name='extension_options',
            field=fields.CharField(default='', max_length=200),
        ),
        ops.AddField(
            model_name='Framework',
            name='matching_weights',
            field=fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddField(
            model_name='Framework',
            name='response_hours_by_tier',
            field=fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
    ]
