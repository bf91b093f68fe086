from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from server.repositories.track_records import install_track_record_triggers, recount_track_records

# Each provider's track record kept by the database (issue 21): matching reads one row per provider instead
# of counting every placement and answer on every ranking. The triggers keep the rows from now on; the
# history written before them is counted once here.


async def keep_track_records(apps, schema_editor) -> None:
    await install_track_record_triggers(schema_editor.client)
    await recount_track_records(schema_editor.client)


async def drop_track_record_triggers(apps, schema_editor) -> None:
    client = schema_editor.client
    postgres = client.capabilities.dialect == "postgres"
    for table, trigger in (
        ("placement", "track_record_placement"),
        ("broadcast_recipient", "track_record_answer_added"),
        ("broadcast_recipient", "track_record_answer_changed"),
        ("broadcast_recipient", "track_record_answer_removed"),
    ):
        await client.execute_script(f"DROP TRIGGER IF EXISTS {trigger}" + (f" ON {table}" if postgres else ""))
    if postgres:
        for function in ("track_record_answer()", "track_record_refresh(integer)", "track_record_placement()"):
            await client.execute_script(f"DROP FUNCTION IF EXISTS {function}")
    else:
        for trigger in ("placement_added", "placement_changed", "placement_removed"):
            await client.execute_script(f"DROP TRIGGER IF EXISTS track_record_{trigger}")


class Migration(migrations.Migration):
    dependencies = [('models', '0019_figures_copied_facts')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ProviderTrackRecord',
            fields=[
                ('provider_id', fields.IntField(primary_key=True, generated=False, unique=True, db_index=True)),
                ('placements', fields.IntField(default=0)),
                ('unplanned_endings', fields.IntField(default=0)),
                (
                    'median_response_hours',
                    fields.FloatField(
                        null=True, description='The upper median of the hours from sending a referral to its answer'
                    ),
                ),
            ],
            options={
                'table': 'provider_track_record',
                'app': 'models',
                'pk_attr': 'provider_id',
                'table_description': "A provider's record on the exchange, kept by the database itself",
            },
            bases=['Model'],
        ),
        ops.RunPython(keep_track_records, drop_track_record_triggers),
    ]
