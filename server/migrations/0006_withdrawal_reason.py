from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("models", "0005_admin_portal")]

    initial = False

    operations = [
        ops.AddField(
            model_name="Referral",
            name="withdrawal_reason",
            field=fields.TextField(default="", unique=False),
        ),
    ]
