from tortoise import migrations
from tortoise.migrations import operations as ops
from server.domain.vocabulary import CallOffStatus, FeeBasis, VoidBasis
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0014_ofsted_register')]

    initial = False

    operations = [
        ops.CreateModel(
            name='BlockContract',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('reference', fields.CharField(unique=True, max_length=40)),
                ('name', fields.CharField(max_length=160)),
                ('provider', fields.ForeignKeyField('models.Provider', source_field='provider_id', db_constraint=True, to_field='id', related_name='block_contracts', on_delete=OnDelete.RESTRICT)),
                ('council', fields.ForeignKeyField('models.Council', source_field='council_id', null=True, db_constraint=True, to_field='id', related_name='block_contracts', on_delete=OnDelete.RESTRICT)),
                ('framework', fields.ForeignKeyField('models.Framework', source_field='framework_id', null=True, db_constraint=True, to_field='id', related_name='block_contracts', on_delete=OnDelete.RESTRICT)),
                ('starts_on', fields.DateField()),
                ('ends_on', fields.DateField()),
                ('weekly_price_pence', fields.IntField()),
                ('void_basis', fields.CharEnumField(description='PERCENT_OF_PRICE: percent_of_price\nWEEKLY_AMOUNT: weekly_amount', enum_type=VoidBasis, max_length=20)),
                ('void_percent', fields.IntField(null=True)),
                ('void_weekly_pence', fields.IntField(null=True)),
                ('call_off_window_hours', fields.IntField(default=24)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'block_contract', 'app': 'models', 'indexes': [Index(fields=['provider_id', 'ends_on'])], 'pk_attr': 'id', 'table_description': "The contract: with one provider, made by one council or by a framework's member councils together."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='BlockPlace',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('contract', fields.ForeignKeyField('models.BlockContract', source_field='contract_id', db_constraint=True, to_field='id', related_name='places', on_delete=OnDelete.CASCADE)),
                ('childrens_home', fields.ForeignKeyField('models.ChildrensHome', source_field='childrens_home_id', null=True, db_constraint=True, to_field='id', related_name='block_places', on_delete=OnDelete.RESTRICT)),
                ('carer_household', fields.ForeignKeyField('models.CarerHousehold', source_field='carer_household_id', null=True, db_constraint=True, to_field='id', related_name='block_places', on_delete=OnDelete.RESTRICT)),
                ('council', fields.ForeignKeyField('models.Council', source_field='council_id', null=True, db_constraint=True, to_field='id', related_name='block_places', on_delete=OnDelete.RESTRICT)),
                ('starts_on', fields.DateField()),
            ],
            options={'table': 'block_place', 'app': 'models', 'pk_attr': 'id', 'table_description': "One place: a bed in a named children's home or a foster place with a named household, from its start (a ramp"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='BlockCallOff',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('referral', fields.OneToOneField('models.Referral', source_field='referral_id', db_constraint=True, to_field='id', related_name='block_call_off', on_delete=OnDelete.CASCADE)),
                ('place', fields.ForeignKeyField('models.BlockPlace', source_field='place_id', db_constraint=True, to_field='id', related_name='call_offs', on_delete=OnDelete.CASCADE)),
                ('provider', fields.ForeignKeyField('models.Provider', source_field='provider_id', db_constraint=True, to_field='id', related_name='block_call_offs', on_delete=OnDelete.RESTRICT)),
                ('status', fields.CharEnumField(default=CallOffStatus.OPEN, db_index=True, description='OPEN: open\nOFFERED: offered\nFILLED: filled\nDECLINED: declined\nLAPSED: lapsed\nRELEASED: released', enum_type=CallOffStatus, max_length=10)),
                ('offered_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('closes_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('offer', fields.ForeignKeyField('models.Offer', source_field='offer_id', null=True, db_constraint=True, to_field='id', related_name='block_call_offs', on_delete=OnDelete.SET_NULL)),
                ('placement', fields.ForeignKeyField('models.Placement', source_field='placement_id', null=True, db_constraint=True, to_field='id', related_name='block_call_offs', on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'block_call_off', 'app': 'models', 'indexes': [Index(fields=['place_id', 'status'])], 'pk_attr': 'id', 'table_description': "A referral offered first to a free block place's provider for the contract's window, the offer it made and"},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='Offer',
            name='fee_basis',
            field=fields.CharEnumField(description='FRAMEWORK: framework\nSPOT: spot\nBLOCK: block', enum_type=FeeBasis, max_length=10),
        ),
        ops.AlterField(
            model_name='Placement',
            name='fee_basis',
            field=fields.CharEnumField(description='FRAMEWORK: framework\nSPOT: spot\nBLOCK: block', enum_type=FeeBasis, max_length=10),
        ),
    ]
