"""The command line: bad settings stop with a clear message; imports keep good rows and report bad ones."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from click.testing import CliRunner

from server.cli import main
from server.database import database
from server.models import ChildrensHome, MembershipSuspension, PostcodeDistrict, Provider, User
from server.settings import Settings


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[CliRunner, str]:
    url = f"sqlite://{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("APP_ENV", raising=False)
    runner = CliRunner()
    assert runner.invoke(main, ["migrate"]).exit_code == 0
    return runner, url


def _count(url: str, query) -> int:
    async def go() -> int:
        async with database(Settings.from_env({"DATABASE_URL": url})):
            return await query()

    return asyncio.run(go())


def test_production_without_a_secret_key_refuses_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    result = CliRunner().invoke(main, ["migrate"])
    assert result.exit_code == 2
    assert "SECRET_KEY is required when APP_ENV=production" in result.output


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("APP_ENV", "staging"),
        ("REDIS_URL", "http://nope"),
        ("SMTP_URL", "smtp://host:notaport"),
        ("BASE_URL", "exchange.org"),
        ("GRAPHQL_CACHE_SECONDS", "-1"),
        ("GRAPHQL_CACHE_SECONDS", "soon"),
        ("LIVE_MAX_LAG_SECONDS", "0"),
        ("LIVE_MAX_SOCKETS_PER_USER", "0"),
        ("LIVE_MAX_SOCKETS_PER_USER", "ten"),
    ],
)
def test_bad_settings_name_the_variable(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    result = CliRunner().invoke(main, ["migrate"])
    assert result.exit_code == 2 and name in result.output


def test_import_postcodes_keeps_good_rows_and_reports_bad_ones_by_line(cli, tmp_path: Path) -> None:
    runner, url = cli
    csv_file = tmp_path / "districts.csv"
    csv_file.write_text(
        "outward_code,latitude,longitude\nME14,51.28,0.53\nNOT A CODE,51,0\nCT1,north,1.08\n"
        "SO15,50.91,-1.42\nZZ9,70.0,0.0\n"
    )
    result = runner.invoke(main, ["import-postcodes", str(csv_file)])
    assert result.exit_code == 0, result.output
    assert "line 3" in result.output and "line 4" in result.output and "line 6" in result.output
    assert "2 districts added" in result.output
    assert _count(url, lambda: PostcodeDistrict.filter(outward_code__in=["ME14", "SO15"]).count()) == 2


SAMPLE = Path(__file__).resolve().parents[1] / "server" / "demo" / "data" / "ofsted_sample.csv"


def test_import_ofsted_updates_the_demo_register_suspends_a_fallen_member_and_is_idempotent(cli) -> None:
    runner, url = cli
    assert runner.invoke(main, ["seed-demo"]).exit_code == 0
    first = runner.invoke(main, ["import-ofsted", str(SAMPLE)])
    assert first.exit_code == 0, first.output
    assert "line 7: inspection date '31/02/2026' is not a date" in first.output  # the bad row, by its line
    assert "2 providers and 1 children's homes updated, 2 unchanged" in first.output
    assert "URNs not on the exchange: SC611111" in first.output
    assert "Suspended from referrals: Northdowns Families on Kent & Medway IFP framework LOT1" in first.output
    assert _count(url, lambda: Provider.filter(ofsted_urn="SC498803", ofsted_judgement="requires_improvement").count())
    assert _count(url, lambda: ChildrensHome.filter(ofsted_urn="SC720114", ofsted_judgement="outstanding").count())
    suspended = _count(url, lambda: MembershipSuspension.filter(made_by="Ofsted import").count())
    assert suspended == 3  # Northdowns' three lots on a framework whose minimum is Good

    again = runner.invoke(main, ["import-ofsted", str(SAMPLE)])
    assert again.exit_code == 0, again.output
    assert "0 providers and 0 children's homes updated, 5 unchanged" in again.output
    assert "Suspended" not in again.output
    assert _count(url, lambda: MembershipSuspension.all().count()) == suspended


def test_create_user_rejects_a_short_password_and_creates_a_good_one(cli) -> None:
    runner, url = cli
    bad = runner.invoke(
        main, ["create-user", "--email", "Someone@Example.org", "--role", "platform_admin", "--password", "short"]
    )
    assert bad.exit_code == 1 and "password" in bad.output
    good = runner.invoke(
        main,
        [
            "create-user",
            "--email",
            "Someone@Example.org",
            "--role",
            "platform_admin",
            "--password",
            "a-long-enough-password",
        ],
    )
    assert good.exit_code == 0, good.output
    assert _count(url, lambda: User.filter(email="someone@example.org").count()) == 1


def _one_line_refusal(result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1, result.output
    for word in words:
        assert word in result.output


def test_a_production_worker_without_smtp_url_is_a_one_line_configuration_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setenv("DATA_ENCRYPTION_KEY", "a2V5LWZvci10aGUtd29ya2VyLXRlc3QtMzItYnl0ZXM=")
    monkeypatch.setenv("DATABASE_URL", f"sqlite://{tmp_path / 'worker.sqlite3'}")
    monkeypatch.delenv("SMTP_URL", raising=False)
    _one_line_refusal(CliRunner().invoke(main, ["worker"]), "Configuration error", "SMTP_URL")


def test_migrate_into_a_folder_that_does_not_exist_says_so_instead_of_hanging(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite://{tmp_path / 'missing' / 'x.sqlite3'}")
    _one_line_refusal(CliRunner().invoke(main, ["migrate"]), "Configuration error", "DATABASE_URL", "does not exist")


def test_an_unreachable_postgresql_is_a_one_line_error_without_its_password(monkeypatch: pytest.MonkeyPatch) -> None:
    from bench.harness.servers import free_port

    monkeypatch.setenv("DATABASE_URL", f"postgres://postgres:hunter22@127.0.0.1:{free_port()}/test")
    result = CliRunner().invoke(main, ["migrate"])
    _one_line_refusal(result, "Database unavailable")
    assert "hunter22" not in result.output
