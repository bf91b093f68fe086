from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0016_data_standards')]

    initial = False

    operations = [
        ops.RemoveIndex(
            model_name='BroadcastRecipient',
            name=None,
            fields=['sent_at'],
        ),
        ops.AddIndex(
            model_name='BroadcastRecipient',
            index=Index(fields=['sent_at', 'provider_id', 'referral_id', 'responded_at', 'decline_reason'], name='broadcast_recipient_sent_covering'),
        ),
        ops.AddIndex(
            model_name='Offer',
            index=Index(fields=['referral_id', 'submitted_at', 'provider_id'], name='offer_referral_submitted_covering'),
        ),
        ops.AddIndex(
            model_name='Placement',
            index=Index(fields=['council_id', 'provider_id', 'start_date', 'actual_start_date', 'end_date', 'planned_ending', 'notice_given_on', 'inside_council_area', 'distance_miles', 'weekly_fee_pence', 'referral_id'], name='placement_figures_covering'),
        ),
        ops.RemoveIndex(
            model_name='Referral',
            name=None,
            fields=['council_id', 'published_at'],
        ),
        ops.AddIndex(
            model_name='Referral',
            index=Index(fields=['council_id', 'published_at', 'status', 'escalated_to_spot', 'age_years', 'home_district'], name='referral_council_published_covering'),
        ),
        ops.AddIndex(
            model_name='Referral',
            index=Index(fields=['id', 'council_id', 'placement_kind', 'age_years', 'framework_id', 'escalated_to_spot'], name='referral_figures_covering'),
        ),
    ]
