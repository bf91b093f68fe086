"""The GraphQL input and the Referral type are derived from the one declaration of the referral profile."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import strawberry
from graphql import GraphQLInputObjectType, GraphQLNonNull, GraphQLObjectType

from schema.build import build_schema
from schema.referral_profile import details_from, profile_input, with_profile
from server.domain.referral_profile import PROFILE, Limits, ReferralDetails, profile_field, profile_of
from server.domain.vocabulary import Need


def _graphql_type(name: str) -> GraphQLObjectType | GraphQLInputObjectType:
    return build_schema(production=False)._schema.type_map[name]


def test_create_and_update_inputs_have_the_profiles_fields_in_its_order() -> None:
    names = [field.api_name for field in PROFILE]
    assert list(_graphql_type("CreateReferralInput").fields) == names
    assert list(_graphql_type("UpdateReferralInput").fields) == [*names, "id"]
    create = _graphql_type("CreateReferralInput").fields
    assert not any(isinstance(create[name].type, GraphQLNonNull) for name in names), "every field may be left out"


def test_referral_type_shows_every_profile_field_non_null_unless_it_may_be_unset() -> None:
    shown = _graphql_type("Referral").fields
    for field in PROFILE:
        if field.rules.refers_to:
            related = shown[field.api_name.removesuffix("Id")]
            assert related.type.name == field.rules.refers_to, "an id of another aggregate is shown as the object"
            assert field.api_name not in shown
        else:
            assert isinstance(shown[field.api_name].type, GraphQLNonNull) is not field.rules.nullable, field.name


@dataclass
class _WithPocketMoney(ReferralDetails):
    """The profile with two fields more, as a newcomer would add them: one stored as it is, one list of codes."""

    pocket_money_pounds: int | None = profile_field(
        hint="A week", limits=Limits(0, 50, "Pocket money is between £0 and £50 a week.")
    )
    hobbies: list[Need] | None = profile_field()


ExtendedInput = profile_input("ExtendedInput", details=_WithPocketMoney)


@strawberry.type
@with_profile(after="reference", converted_after="id", details=_WithPocketMoney)
class ExtendedReferral:
    reference: str

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID("1")


@strawberry.type
class _Query:
    @strawberry.field
    def written(self, input: ExtendedInput) -> ExtendedReferral:  # type: ignore[valid-type]
        """Reads the input back as the service would store it, and shows it as the Referral type would."""
        details, errors = details_from(input, details=_WithPocketMoney)
        assert not errors
        _written.append(details)
        stored = {
            field.name: field.stored(value)
            for field in profile_of(_WithPocketMoney)
            if (value := getattr(details, field.name)) is not None
        }
        return SimpleNamespace(reference="KEN-2026-00001", **stored)


_written: list[ReferralDetails] = []


def test_a_field_added_to_the_profile_reaches_the_input_the_type_and_the_details() -> None:
    schema = strawberry.Schema(query=_Query)
    sdl = str(schema)
    assert (
        '  summary: String = null\n\n  """A week"""\n  pocketMoneyPounds: Int = null\n  hobbies: [Need!] = null\n}'
        in sdl
    )
    shown = schema._schema.type_map["ExtendedReferral"].fields
    stored = [field.api_name for field in PROFILE if not field.rules.refers_to and not field.holds_codes]
    coded = [field.api_name for field in PROFILE if field.holds_codes]
    assert list(shown) == ["reference", *stored, "pocketMoneyPounds", "id", *coded, "hobbies"]
    assert (str(shown["pocketMoneyPounds"].type), str(shown["hobbies"].type)) == ("Int!", "[Need!]!")

    result = schema.execute_sync(
        """{ written(input: {pocketMoneyPounds: 12, hobbies: [TRAUMA, AUTISM, TRAUMA], needs: [NEGLECT],
                settingSuitability: [{setting: FOSTER_CARE, suitability: PREFERRED}]}) {
            reference pocketMoneyPounds hobbies needs settingSuitability { setting suitability } } }"""
    )
    assert result.errors is None, result.errors
    assert result.data == {
        "written": {
            "reference": "KEN-2026-00001",
            "pocketMoneyPounds": 12,
            "hobbies": ["AUTISM", "TRAUMA"],
            "needs": ["NEGLECT"],
            "settingSuitability": [{"setting": "FOSTER_CARE", "suitability": "PREFERRED"}],
        }
    }
    (details,) = _written
    assert isinstance(details, _WithPocketMoney)
    assert (details.pocket_money_pounds, details.hobbies) == (12, [Need.TRAUMA, Need.AUTISM, Need.TRAUMA])
    assert details.given().keys() == {"pocket_money_pounds", "hobbies", "needs", "setting_suitability"}
