from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0007_child_record')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ReferralQuestion',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('referral', fields.ForeignKeyField('models.Referral', source_field='referral_id', db_constraint=True, to_field='id', related_name='questions', on_delete=OnDelete.CASCADE)),
                ('provider', fields.ForeignKeyField('models.Provider', source_field='provider_id', db_constraint=True, to_field='id', related_name='referral_questions', on_delete=OnDelete.RESTRICT)),
                ('asked_by', fields.ForeignKeyField('models.User', source_field='asked_by_id', db_constraint=True, to_field='id', related_name='questions_asked', on_delete=OnDelete.RESTRICT)),
                ('question', fields.TextField(unique=False)),
                ('asked_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('answer', fields.TextField(default='', unique=False)),
                ('answered_by', fields.ForeignKeyField('models.User', source_field='answered_by_id', null=True, db_constraint=True, to_field='id', related_name='questions_answered', on_delete=OnDelete.RESTRICT)),
                ('answered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('shared_with_all', fields.BooleanField(default=False, description='Answered to every provider the referral was sent to, not the asker alone')),
            ],
            options={'table': 'referral_question', 'app': 'models', 'indexes': [Index(fields=['referral_id', 'provider_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
