from tortoise import migrations
from tortoise.migrations import operations as ops
from server.domain.vocabulary import OfferDeclineReason
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0002_matching_indexes')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Offer',
            name='decline_note',
            field=fields.TextField(default='', unique=False),
        ),
        ops.AddField(
            model_name='Offer',
            name='decline_reason',
            field=fields.CharEnumField(null=True, description='ANOTHER_OFFER_ACCEPTED: another_offer_accepted\nANOTHER_OFFER_BETTER_MATCH: another_offer_better_match\nTOO_FAR_FROM_HOME: too_far_from_home\nNEEDS_NOT_MET: needs_not_met\nSTART_TOO_LATE: start_too_late\nCOST: cost\nCHILD_PLAN_CHANGED: child_plan_changed\nOTHER: other', enum_type=OfferDeclineReason, max_length=26),
        ),
    ]
