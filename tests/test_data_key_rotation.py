"""Rotating the data key: the old key moves to DATA_ENCRYPTION_KEYS_OLD, `placement-exchange rotate-data-key`
seals every child's record and document again under the new one, and after it the old key is not needed."""

from __future__ import annotations

import asyncio
import base64
from pathlib import Path

import pytest
from click.testing import CliRunner

from bench.harness.marketplace import build_marketplace
from server.cli import main
from server.database import database
from server.domain.child_details import ChildDetails
from server.domain.vocabulary import ChildDocumentKind
from server.models import ChildDocument, ChildRecord
from server.security.sealed import SealError, key_id
from server.services import child_records
from server.settings import Settings

OLD, NEW = b"o" * 32, b"n" * 32
CARE_PLAN = b"%PDF-1.7\n(care plan)\n%%EOF\n"


def _b64(key: bytes) -> str:
    return base64.b64encode(key).decode()


def _settings(url: str, key: bytes, *old: bytes) -> Settings:
    env = {"DATABASE_URL": url, "DATA_ENCRYPTION_KEY": _b64(key)}
    if old:
        env["DATA_ENCRYPTION_KEYS_OLD"] = ",".join(_b64(k) for k in old)
    return Settings.from_env(env)


async def _keep_a_record(settings: Settings) -> int:
    child_records.configure(settings)
    async with database(settings):
        market = await build_marketplace()
        referral = await market.referral()
        officer = market.actor("kent_officer")
        details = ChildDetails(full_name="Amelia Rose Thornbury", date_of_birth="2013-05-17", nhs_number="9434765919")
        await child_records.save_child_record(officer, referral.id, details)
        await child_records.add_document(
            officer,
            referral.id,
            kind=ChildDocumentKind.CARE_PLAN,
            file_name="Care plan.pdf",
            content_base64=base64.b64encode(CARE_PLAN).decode(),
        )
        return referral.id


async def _read(settings: Settings, referral_id: int) -> tuple[str, bytes, set[str]]:
    """The record's name and first document as `settings` open them, and the key ids of every sealed value."""
    child_records.configure(settings)
    async with database(settings):
        market_officer = await _officer()
        record = await child_records.child_record(market_officer, referral_id)
        assert record is not None
        _, content = await child_records.download_document(market_officer, record.documents[0].id)
        sealed = [
            *[value for row in await ChildRecord.all().values() for name, value in row.items() if name != "id"],
            *[value for row in await ChildDocument.all().values("file_name", "content") for value in row.values()],
        ]
        kids = {value.split(":")[1] for value in sealed if isinstance(value, str) and value.startswith("pe1:")}
        return record.details.full_name, content, kids


async def _officer():
    from server.auth.actor import Actor
    from server.models import User

    return Actor.of(await User.get(email="kent_officer@council.test"))


def test_rotation_seals_everything_under_the_new_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite://{tmp_path / 'rotate.sqlite3'}"
    runner = CliRunner()
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DATA_ENCRYPTION_KEY", _b64(OLD))
    assert runner.invoke(main, ["migrate"]).exit_code == 0
    referral_id = asyncio.run(_keep_a_record(_settings(url, OLD)))
    assert asyncio.run(_read(_settings(url, OLD), referral_id))[2] == {key_id(OLD)}

    # The new key alone cannot open what the old one sealed.
    with pytest.raises(SealError):
        asyncio.run(_read(_settings(url, NEW), referral_id))

    monkeypatch.setenv("DATA_ENCRYPTION_KEY", _b64(NEW))
    monkeypatch.setenv("DATA_ENCRYPTION_KEYS_OLD", _b64(OLD))
    rotated = runner.invoke(main, ["rotate-data-key"])
    assert rotated.exit_code == 0, rotated.output
    assert f"Sealed under key {key_id(NEW)}: 1 records and 1 documents re-sealed." in rotated.output
    assert _b64(NEW) not in rotated.output and _b64(OLD) not in rotated.output
    again = runner.invoke(main, ["rotate-data-key"])
    assert "0 records and 0 documents re-sealed" in again.output

    # Without the old key at all, everything opens under the new one.
    name, content, kids = asyncio.run(_read(_settings(url, NEW), referral_id))
    assert (name, content, kids) == ("Amelia Rose Thornbury", CARE_PLAN, {key_id(NEW)})


def test_rotation_without_the_old_key_says_so_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite://{tmp_path / 'lost.sqlite3'}"
    runner = CliRunner()
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DATA_ENCRYPTION_KEY", _b64(OLD))
    assert runner.invoke(main, ["migrate"]).exit_code == 0
    referral_id = asyncio.run(_keep_a_record(_settings(url, OLD)))
    monkeypatch.setenv("DATA_ENCRYPTION_KEY", _b64(NEW))
    refused = runner.invoke(main, ["rotate-data-key"])
    assert refused.exit_code == 1 and "DATA_ENCRYPTION_KEYS_OLD" in refused.output
    assert asyncio.run(_read(_settings(url, OLD), referral_id))[0] == "Amelia Rose Thornbury"


def test_new_data_key_prints_a_fresh_32_byte_key() -> None:
    first, second = (CliRunner().invoke(main, ["new-data-key"]).output.strip() for _ in range(2))
    assert len(base64.b64decode(first)) == 32 and first != second
    assert Settings.from_env({"APP_ENV": "production", "SECRET_KEY": "s" * 40, "DATA_ENCRYPTION_KEY": first})


def test_a_sealed_value_is_fresh_each_time_and_opens_only_in_its_own_row_and_field() -> None:
    from server.security.sealed import KeyRing, associated_data

    ring = KeyRing(NEW, (OLD,))
    here = associated_data("child_record", 7, "nhs_number")
    first, second = ring.seal("943 476 5919", here), ring.seal("943 476 5919", here)
    assert first != second and "943" not in first  # a random nonce each time
    assert first.startswith(f"pe1:{key_id(NEW)}:") and ring.open_text(first, here) == "943 476 5919"
    for elsewhere in (associated_data("child_record", 8, "nhs_number"), associated_data("child_record", 7, "school")):
        with pytest.raises(SealError):
            ring.open(first, elsewhere)
    prefix, kid, body = first.split(":")
    tampered = base64.b64decode(body)
    tampered = tampered[:-1] + bytes([tampered[-1] ^ 1])
    with pytest.raises(SealError):
        ring.open(f"{prefix}:{kid}:{base64.b64encode(tampered).decode()}", here)
    old = KeyRing(OLD).seal("Amelia", here)
    assert ring.open_text(old, here) == "Amelia" and ring.is_current(ring.reseal(old, here))
    assert "o" * 32 not in repr(ring) and "n" * 32 not in repr(ring)
