"""Block contracts: places a council or a consortium (a framework) buys from a provider for a term, paid whether
or not a child is in them, and the call-off that offers a fitting referral to a free place before the market."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from server.domain.vocabulary import CallOffStatus, VoidBasis


class BlockContract(Model):
    """The contract: with one provider, made by one council or by a framework's member councils together."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    reference = fields.CharField(max_length=40, unique=True)
    name = fields.CharField(max_length=160)
    provider: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Provider", related_name="block_contracts", on_delete=fields.RESTRICT
    )
    # Exactly one of the two: a council's own contract, or a consortium's (every member of the framework).
    council: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Council", related_name="block_contracts", null=True, on_delete=fields.RESTRICT
    )
    framework: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Framework", related_name="block_contracts", null=True, on_delete=fields.RESTRICT
    )
    starts_on = fields.DateField()
    ends_on = fields.DateField()
    weekly_price_pence = fields.IntField()
    void_basis = fields.CharEnumField(VoidBasis, max_length=20)
    void_percent = fields.IntField(null=True)
    void_weekly_pence = fields.IntField(null=True)
    call_off_window_hours = fields.IntField(default=24)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "block_contract"
        ordering = ["starts_on", "id"]
        indexes = (("provider_id", "ends_on"),)

    def void_weekly_cost(self) -> int:
        """Pence a week paid for an empty place."""
        if VoidBasis(self.void_basis) is VoidBasis.WEEKLY_AMOUNT:
            return self.void_weekly_pence or 0
        return self.weekly_price_pence * (self.void_percent or 0) // 100


class BlockPlace(Model):
    """One place: a bed in a named children's home or a foster place with a named household, from its start (a ramp
    starts places over months). `council` is the member council whose share it is (none: any party's)."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    contract: fields.ForeignKeyRelation[BlockContract] = fields.ForeignKeyField(
        "models.BlockContract", related_name="places", on_delete=fields.CASCADE
    )
    childrens_home: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.ChildrensHome", related_name="block_places", null=True, on_delete=fields.RESTRICT
    )
    carer_household: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.CarerHousehold", related_name="block_places", null=True, on_delete=fields.RESTRICT
    )
    council: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Council", related_name="block_places", null=True, on_delete=fields.RESTRICT
    )
    starts_on = fields.DateField()

    class Meta:
        table = "block_place"
        ordering = ["contract_id", "starts_on", "id"]


class BlockCallOff(Model):
    """A referral offered first to a free block place's provider for the contract's window, the offer it made and
    the placement that filled the place. One per referral."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    referral: fields.OneToOneRelation = fields.OneToOneField(
        "models.Referral", related_name="block_call_off", on_delete=fields.CASCADE
    )
    place: fields.ForeignKeyRelation[BlockPlace] = fields.ForeignKeyField(
        "models.BlockPlace", related_name="call_offs", on_delete=fields.CASCADE
    )
    provider: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Provider", related_name="block_call_offs", on_delete=fields.RESTRICT
    )
    status = fields.CharEnumField(CallOffStatus, max_length=10, default=CallOffStatus.OPEN, db_index=True)
    offered_at = fields.DatetimeField()
    closes_at = fields.DatetimeField(db_index=True)
    closed_at = fields.DatetimeField(null=True)
    offer: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Offer", related_name="block_call_offs", null=True, on_delete=fields.SET_NULL
    )
    placement: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Placement", related_name="block_call_offs", null=True, on_delete=fields.SET_NULL
    )

    class Meta:
        table = "block_call_off"
        ordering = ["offered_at", "id"]
        indexes = (("place_id", "status"),)
