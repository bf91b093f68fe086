"""People who sign in, their tokens, and their notification preferences."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from server.domain.vocabulary import Role


class User(Model):
    _no_comments = True
    id = fields.IntField(primary_key=True)
    # Stored lower-cased so the unique index is case-insensitive on every database.
    email = fields.CharField(max_length=254, unique=True)
    display_name = fields.CharField(max_length=120)
    password_hash = fields.CharField(max_length=200)
    role = fields.CharEnumField(Role, max_length=24)
    council: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Council", related_name="users", null=True, on_delete=fields.RESTRICT
    )
    provider: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Provider", related_name="users", null=True, on_delete=fields.RESTRICT
    )
    is_active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_login_at = fields.DatetimeField(null=True)

    class Meta:
        table = "app_user"
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email


class AccessToken(Model):
    """A bearer token, API token or portal session. Only its hash is stored."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="tokens", on_delete=fields.CASCADE
    )
    token_hash = fields.CharField(max_length=64, unique=True)
    kind = fields.CharField(max_length=10, description="login, api or session")
    name = fields.CharField(max_length=80, default="")
    # The token's first characters, so a person can tell their tokens apart; too few to guess the rest.
    prefix = fields.CharField(max_length=12, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)
    last_used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "access_token"


class LoginAttempt(Model):
    """Kept in the database so the rate limit holds across server processes."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=254, db_index=True)
    client_address = fields.CharField(max_length=64, default="")
    succeeded = fields.BooleanField()
    attempted_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "login_attempt"


class NotificationPreference(Model):
    _no_comments = True
    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="notification_preferences", on_delete=fields.CASCADE
    )
    notification = fields.CharField(max_length=40)
    delivery = fields.CharField(max_length=10, description="immediately, digest or off")

    class Meta:
        table = "notification_preference"
        unique_together = (("user", "notification"),)
