from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='Placement',
            index=Index(fields=['carer_household_id', 'status']),
        ),
        ops.AddIndex(
            model_name='Placement',
            index=Index(fields=['childrens_home_id', 'status']),
        ),
        ops.AddIndex(
            model_name='Vacancy',
            index=Index(fields=['carer_household_id', 'status']),
        ),
        ops.AddIndex(
            model_name='Vacancy',
            index=Index(fields=['childrens_home_id', 'status']),
        ),
    ]
