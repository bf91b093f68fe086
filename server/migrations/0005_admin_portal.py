from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0003_council_portal')]

    initial = False

    operations = [
        ops.AddField(
            model_name='AccessToken',
            name='prefix',
            field=fields.CharField(default='', max_length=12),
        ),
    ]
