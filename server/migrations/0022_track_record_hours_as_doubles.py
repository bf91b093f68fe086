from tortoise import migrations
from tortoise.migrations import operations as ops

from server.repositories.track_records import install_track_record_triggers

# The track records' median response hours (migration 0020) worked out by `date_part`, a double, rather than
# `EXTRACT`, a numeric since PostgreSQL 14, whose arithmetic over a provider's answers took most of every
# answer's time. The PostgreSQL functions are replaced; SQLite's triggers are kept as they are.


async def replace_track_record_functions(apps, schema_editor) -> None:
    await install_track_record_triggers(schema_editor.client)


async def keep_them(apps, schema_editor) -> None:
    """Going back leaves the functions as they are: they give the same medians."""


class Migration(migrations.Migration):
    dependencies = [('models', '0021_offer_and_placement_publishing')]

    initial = False

    operations = [
        ops.RunPython(replace_track_record_functions, keep_them),
    ]
