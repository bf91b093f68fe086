from tortoise import migrations
from tortoise.migrations import operations as ops
from server.domain.vocabulary import OfstedJudgement
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0013_reopenings_mergers')]

    initial = False

    operations = [
        ops.CreateModel(
            name='MembershipSuspension',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('membership', fields.ForeignKeyField('models.LotMembership', source_field='membership_id', db_constraint=True, to_field='id', related_name='suspensions', on_delete=OnDelete.CASCADE)),
                ('starts_on', fields.DateField()),
                ('reason', fields.TextField(unique=False)),
                ('judgement', fields.CharEnumField(null=True, description='OUTSTANDING: outstanding\nGOOD: good\nREQUIRES_IMPROVEMENT: requires_improvement\nINADEQUATE: inadequate\nNOT_YET_INSPECTED: not_yet_inspected', enum_type=OfstedJudgement, max_length=24)),
                ('suspended_by', fields.ForeignKeyField('models.User', source_field='suspended_by_id', null=True, db_constraint=True, to_field='id', related_name='suspensions_made', on_delete=OnDelete.SET_NULL)),
                ('made_by', fields.CharField(default='', max_length=80)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('lifted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('lifted_by', fields.ForeignKeyField('models.User', source_field='lifted_by_id', null=True, db_constraint=True, to_field='id', related_name='suspensions_lifted', on_delete=OnDelete.SET_NULL)),
                ('lift_note', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'membership_suspension', 'app': 'models', 'indexes': [Index(fields=['membership_id', 'lifted_at'])], 'pk_attr': 'id', 'table_description': 'While `lifted_at` is empty the member is sent no referral on the lot. `judgement` is the Ofsted judgement'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OfstedRegisterEntry',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('urn', fields.CharField(unique=True, max_length=10)),
                ('provider_type', fields.CharField(default='', max_length=80)),
                ('setting_name', fields.CharField(default='', max_length=160)),
                ('local_authority', fields.CharField(default='', max_length=80)),
                ('inspection_date', fields.DateField(null=True)),
                ('inspection_type', fields.CharField(default='', max_length=80)),
                ('judgement', fields.CharEnumField(null=True, description='OUTSTANDING: outstanding\nGOOD: good\nREQUIRES_IMPROVEMENT: requires_improvement\nINADEQUATE: inadequate\nNOT_YET_INSPECTED: not_yet_inspected', enum_type=OfstedJudgement, max_length=24)),
                ('imported_on', fields.DateField()),
            ],
            options={'table': 'ofsted_register_entry', 'app': 'models', 'pk_attr': 'id', 'table_description': "One URN's row of Ofsted's published data, as the last import read it (`imported_on`: when it last"},
            bases=['Model'],
        ),
    ]
