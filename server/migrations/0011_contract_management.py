from tortoise import migrations
from tortoise.migrations import operations as ops
from server.domain.vocabulary import AllegationCategory, AllegationOutcome, AllegationReporter, FeedbackGiver, FeedbackOccasion, PlacementSide, ReviewActionOwner, ReviewActionStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0010_framework_changes')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Allegation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('reported_on', fields.DateField()),
                ('provider', fields.ForeignKeyField('models.Provider', source_field='provider_id', db_constraint=True, to_field='id', related_name='allegations', on_delete=OnDelete.RESTRICT)),
                ('council', fields.ForeignKeyField('models.Council', source_field='council_id', null=True, db_constraint=True, to_field='id', related_name='allegations', on_delete=OnDelete.RESTRICT)),
                ('carer_household', fields.ForeignKeyField('models.CarerHousehold', source_field='carer_household_id', null=True, db_constraint=True, to_field='id', related_name='allegations', on_delete=OnDelete.RESTRICT)),
                ('childrens_home', fields.ForeignKeyField('models.ChildrensHome', source_field='childrens_home_id', null=True, db_constraint=True, to_field='id', related_name='allegations', on_delete=OnDelete.RESTRICT)),
                ('placement', fields.ForeignKeyField('models.Placement', source_field='placement_id', null=True, db_constraint=True, to_field='id', related_name='allegations', on_delete=OnDelete.SET_NULL)),
                ('category', fields.CharEnumField(description='PHYSICAL_ABUSE: physical_abuse\nEMOTIONAL_ABUSE: emotional_abuse\nSEXUAL_ABUSE: sexual_abuse\nNEGLECT: neglect\nINAPPROPRIATE_CONDUCT: inappropriate_conduct\nOTHER: other', enum_type=AllegationCategory, max_length=24)),
                ('reported_by', fields.CharEnumField(description='CHILD: child\nFAMILY: family\nSOCIAL_WORKER: social_worker\nREVIEWING_OFFICER: reviewing_officer\nCARER: carer\nPROVIDER_STAFF: provider_staff\nSCHOOL: school\nPOLICE: police\nOTHER: other', enum_type=AllegationReporter, max_length=20)),
                ('outcome', fields.CharEnumField(default=AllegationOutcome.OPEN, description='SUBSTANTIATED: substantiated\nUNSUBSTANTIATED: unsubstantiated\nUNFOUNDED: unfounded\nFALSE: false\nMALICIOUS: malicious\nOPEN: open', enum_type=AllegationOutcome, max_length=16)),
                ('concluded_on', fields.DateField(null=True)),
                ('summary', fields.TextField(default='', unique=False)),
                ('recorded_by_side', fields.CharEnumField(description='COUNCIL: council\nPROVIDER: provider', enum_type=PlacementSide, max_length=8)),
                ('recorded_by', fields.ForeignKeyField('models.User', source_field='recorded_by_id', db_constraint=True, to_field='id', related_name='allegations_recorded', on_delete=OnDelete.RESTRICT)),
                ('recorded_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'allegation', 'app': 'models', 'indexes': [Index(fields=['council_id', 'reported_on']), Index(fields=['provider_id', 'reported_on'])], 'pk_attr': 'id', 'table_description': "An allegation against a carer household or a children's home: written by the placing council or the"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ContractReview',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('framework', fields.ForeignKeyField('models.Framework', source_field='framework_id', db_constraint=True, to_field='id', related_name='contract_reviews', on_delete=OnDelete.CASCADE)),
                ('provider', fields.ForeignKeyField('models.Provider', source_field='provider_id', db_constraint=True, to_field='id', related_name='contract_reviews', on_delete=OnDelete.RESTRICT)),
                ('held_on', fields.DateField()),
                ('notes', fields.TextField(default='', unique=False)),
                ('recorded_by', fields.ForeignKeyField('models.User', source_field='recorded_by_id', db_constraint=True, to_field='id', related_name='contract_reviews_recorded', on_delete=OnDelete.RESTRICT)),
                ('recorded_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'contract_review', 'app': 'models', 'indexes': [Index(fields=['framework_id', 'provider_id', 'held_on'])], 'pk_attr': 'id', 'table_description': "A dated contract review of a provider on a framework, held by the framework's commissioners."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ContractReviewAction',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('review', fields.ForeignKeyField('models.ContractReview', source_field='review_id', db_constraint=True, to_field='id', related_name='actions', on_delete=OnDelete.CASCADE)),
                ('what', fields.TextField(unique=False)),
                ('owner', fields.CharEnumField(description='PROVIDER: provider\nCOMMISSIONERS: commissioners', enum_type=ReviewActionOwner, max_length=14)),
                ('due_on', fields.DateField()),
                ('status', fields.CharEnumField(default=ReviewActionStatus.OPEN, description='OPEN: open\nDONE: done\nOVERDUE: overdue', enum_type=ReviewActionStatus, max_length=8)),
                ('done_on', fields.DateField(null=True)),
            ],
            options={'table': 'contract_review_action', 'app': 'models', 'pk_attr': 'id', 'table_description': 'An action agreed at a contract review: what, who owns it, when it is due, open or done.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PlacementFeedback',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('placement', fields.ForeignKeyField('models.Placement', source_field='placement_id', db_constraint=True, to_field='id', related_name='feedback', on_delete=OnDelete.CASCADE)),
                ('given_on', fields.DateField()),
                ('given_by', fields.CharEnumField(description='SOCIAL_WORKER: social_worker\nREVIEWING_OFFICER: reviewing_officer', enum_type=FeedbackGiver, max_length=20)),
                ('occasion', fields.CharEnumField(default=FeedbackOccasion.ANY_TIME, description='ANY_TIME: any_time\nANNUAL_REVIEW: annual_review', enum_type=FeedbackOccasion, max_length=14)),
                ('needs_met', fields.SmallIntField()),
                ('communication', fields.SmallIntField()),
                ('stability', fields.SmallIntField()),
                ('comment', fields.TextField(default='', unique=False)),
                ('recorded_by', fields.ForeignKeyField('models.User', source_field='recorded_by_id', db_constraint=True, to_field='id', related_name='placement_feedback_recorded', on_delete=OnDelete.RESTRICT)),
                ('recorded_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'placement_feedback', 'app': 'models', 'indexes': [Index(fields=['placement_id', 'given_on']), Index(fields=['given_on'])], 'pk_attr': 'id', 'table_description': "The child's social worker's or reviewing officer's scores (1-5) of a placement, with a comment."},
            bases=['Model'],
        ),
        ops.AddIndex(
            model_name='BroadcastRecipient',
            index=Index(fields=['sent_at']),
        ),
        ops.AddIndex(
            model_name='Placement',
            index=Index(fields=['council_id', 'start_date']),
        ),
        ops.AddIndex(
            model_name='Referral',
            index=Index(fields=['council_id', 'published_at']),
        ),
    ]
