from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

# The dashboards' indexes (issue 21): each figure read by an indexed range or from an index alone.
# A referral's first offer and each placement's kind come from 0017's covering indexes.


class Migration(migrations.Migration):
    dependencies = [('models', '0017_figures_covering_indexes')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='Offer',
            index=Index(fields=['provider_id', 'status', 'live']),
        ),
        ops.AddIndex(
            model_name='Offer',
            index=Index(fields=['provider_id', 'submitted_at']),
        ),
        ops.AddIndex(
            model_name='Offer',
            index=Index(fields=['submitted_at']),
        ),
        ops.AddIndex(
            model_name='Placement',
            index=Index(fields=['council_id', 'status']),
        ),
        ops.AddIndex(
            model_name='Placement',
            index=Index(
                fields=[
                    'council_id',
                    'fee_basis',
                    'inside_council_area',
                    'distance_miles',
                    'referral_id',
                    'weekly_fee_pence',
                ]
            ),
        ),
        ops.AddIndex(
            model_name='Placement',
            index=Index(fields=['council_id', 'created_at']),
        ),
        ops.AddIndex(
            model_name='Placement',
            index=Index(fields=['provider_id', 'created_at']),
        ),
        ops.AddIndex(
            model_name='Vacancy',
            index=Index(fields=['provider_id', 'status']),
        ),
    ]
