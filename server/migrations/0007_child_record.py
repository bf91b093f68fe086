from tortoise import migrations
from tortoise.migrations import operations as ops
from server.domain.vocabulary import ChildDocumentKind, ChildRecordAction
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0006_withdrawal_reason')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ChildDocument',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('referral', fields.ForeignKeyField('models.Referral', source_field='referral_id', db_constraint=True, to_field='id', related_name='child_documents', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='CARE_PLAN: care_plan\nPLACEMENT_PLAN: placement_plan\nRISK_ASSESSMENT: risk_assessment\nOTHER: other', enum_type=ChildDocumentKind, max_length=16)),
                ('file_name', fields.TextField(unique=False)),
                ('content', fields.TextField(unique=False)),
                ('content_type', fields.CharField(description="Read from the bytes, never the uploader's word", max_length=80)),
                ('size_bytes', fields.IntField()),
                ('uploaded_by', fields.ForeignKeyField('models.User', source_field='uploaded_by_id', db_constraint=True, to_field='id', related_name='child_documents', on_delete=OnDelete.RESTRICT)),
                ('uploaded_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('shared_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'child_document', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ChildRecord',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('referral', fields.OneToOneField('models.Referral', source_field='referral_id', db_constraint=True, to_field='id', related_name='child_record', on_delete=OnDelete.CASCADE)),
                ('full_name', fields.TextField(unique=False)),
                ('date_of_birth', fields.TextField(unique=False)),
                ('nhs_number', fields.TextField(unique=False)),
                ('address', fields.TextField(unique=False)),
                ('school', fields.TextField(unique=False)),
                ('social_worker_name', fields.TextField(unique=False)),
                ('social_worker_email', fields.TextField(unique=False)),
                ('social_worker_phone', fields.TextField(unique=False)),
                ('council_child_id', fields.TextField(unique=False)),
                ('access_revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'child_record', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The identified details of the child of a referral, sealed, held apart from it.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ChildRecordAccess',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('referral', fields.ForeignKeyField('models.Referral', source_field='referral_id', db_constraint=True, to_field='id', related_name='child_record_accesses', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='child_record_accesses', on_delete=OnDelete.RESTRICT)),
                ('council', fields.ForeignKeyField('models.Council', source_field='council_id', null=True, db_constraint=True, to_field='id', related_name='child_record_accesses', on_delete=OnDelete.RESTRICT)),
                ('provider', fields.ForeignKeyField('models.Provider', source_field='provider_id', null=True, db_constraint=True, to_field='id', related_name='child_record_accesses', on_delete=OnDelete.RESTRICT)),
                ('action', fields.CharEnumField(description='RECORD_SAVED: record_saved\nRECORD_VIEWED: record_viewed\nDOCUMENT_ADDED: document_added\nDOCUMENT_DOWNLOADED: document_downloaded\nACCESS_REVOKED: access_revoked\nDOCUMENT_SHARED: document_shared', enum_type=ChildRecordAction, max_length=20)),
                ('document', fields.ForeignKeyField('models.ChildDocument', source_field='document_id', null=True, db_constraint=True, to_field='id', related_name='accesses', on_delete=OnDelete.SET_NULL)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'child_record_access', 'app': 'models', 'indexes': [Index(fields=['referral_id', 'at'])], 'pk_attr': 'id', 'table_description': 'Who (and which organisation) saw or changed what of a child record, and when: the audit trail of the council.'},
            bases=['Model'],
        ),
    ]
