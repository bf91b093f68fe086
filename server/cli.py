"""`placement-exchange`: run, migrate, seed and administer the exchange."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import Progress

from server.domain.vocabulary import Role
from server.request_limits import MAX_WEBSOCKET_MESSAGE_BYTES
from server.settings import Settings, SettingsError

console = Console(stderr=True)


def load_settings() -> Settings:
    """Validate the environment once; a bad value ends the process with a clear message."""
    try:
        return Settings.from_env()
    except SettingsError as error:
        console.print(f"[bold red]Configuration error:[/] {error}", soft_wrap=True)
        sys.exit(2)


def run(coroutine_factory: Callable[[Settings], Awaitable[Any]]) -> Any:
    """Run a command; what an operator must fix (a setting, a database that does not answer) is one line and
    exit code 2, never a traceback."""
    settings = load_settings()
    try:
        _check_sqlite_folder(settings)
        from server.services import child_records

        child_records.configure(settings)
        return asyncio.run(coroutine_factory(settings))
    except SettingsError as error:
        console.print(f"[bold red]Configuration error:[/] {error}", soft_wrap=True)
        sys.exit(2)
    except (ConnectionError, OSError) as error:  # tortoise's DBConnectionError is a ConnectionError
        where = _safe_url(settings.database_url)
        console.print(
            f"[bold red]Database unavailable:[/] {where} did not answer ({type(error).__name__})", soft_wrap=True
        )
        sys.exit(2)


def _check_sqlite_folder(settings: Settings) -> None:
    """SQLite cannot create a database in a folder that does not exist (and aiosqlite then waits for ever)."""
    if not settings.is_sqlite:
        return
    path = settings.database_url.removeprefix("sqlite://").split("?", 1)[0]
    if path and path != ":memory:" and not Path(path).parent.is_dir():
        raise SettingsError(f"DATABASE_URL names {path}, whose folder {Path(path).parent} does not exist")


@click.group()
def main() -> None:
    """Placement Exchange: referrals, offers and placements for children in care."""


@main.command()
def migrate() -> None:
    """Apply database migrations."""
    from server.database import migrate as apply

    async def go(settings: Settings) -> None:
        await apply(settings)
        console.print(f"Migrations applied to {_safe_url(settings.database_url)}")

    run(go)


@main.command("seed-demo")
def seed_demo_command() -> None:
    """Load the demo frameworks, providers and history (does nothing if already loaded)."""
    from server.database import database
    from server.demo.seed import seed_demo

    async def go(settings: Settings) -> None:
        async with database(settings):
            created = await seed_demo()
        console.print("Demo data loaded." if created else "Demo data already present: nothing to do.")

    run(go)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int, help="Server processes (PostgreSQL + Redis).")
def serve(host: str, port: int, workers: int) -> None:
    """Serve the API and portal with uvicorn."""
    _serve(load_settings(), host, port, workers)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
def demo(host: str, port: int) -> None:
    """Migrate, load the demo data if the database is empty, and serve."""
    from server.database import database
    from server.database import migrate as apply
    from server.demo.seed import seed_demo

    settings = load_settings()

    async def prepare() -> None:
        await apply(settings)
        async with database(settings):
            await seed_demo()

    asyncio.run(prepare())
    url = f"http://{host}:{port}/"
    console.print(f"\n[bold green]Placement Exchange demo[/] at [link={url}]{url}[/]")
    console.print("Sign in as placements@kent.example.org (or any demo account) with password exchange-demo\n")
    _serve(settings, host, port, 1)


def _serve(settings: Settings, host: str, port: int, workers: int) -> None:
    import uvicorn

    if workers > 1 and settings.is_sqlite:
        console.print("[bold red]Several server processes need PostgreSQL:[/] set DATABASE_URL (and REDIS_URL).")
        sys.exit(2)
    uvicorn.run(
        "server.asgi:app",
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        log_level="info",
        ws_ping_interval=20,
        ws_ping_timeout=20,
        # Live messages are small; compressing them costs ~50 KB of zlib state per connection for nothing.
        ws_per_message_deflate=False,
        **SERVER_LIMITS,
    )


# The same limits as the Procfile's `web`: a bounded websocket message, idle keep-alive connections closed
# after 5 s, at most 2,000 connections at once (more get 503 rather than slowing everyone), a bound on one
# incomplete HTTP event, and a deadline for a request's headers (server/http_protocol.py).
SERVER_LIMITS = {
    "http": "server.http_protocol:HeaderTimeoutProtocol",  # a deadline for each request's headers
    "ws_max_size": MAX_WEBSOCKET_MESSAGE_BYTES,
    "timeout_keep_alive": 5,
    "limit_concurrency": 2000,
    "h11_max_incomplete_event_size": 16_384,
}


@main.command("create-user")
@click.option("--email", required=True)
@click.option("--name", "display_name", default="")
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True)
@click.option("--council", "council_code", default=None, help="ONS code of the user's council.")
@click.option("--provider", "provider_urn", default=None, help="Ofsted URN of the user's provider.")
@click.password_option()
def create_user_command(
    email: str, display_name: str, role: str, council_code: str | None, provider_urn: str | None, password: str
) -> None:
    """Create a user account."""
    from server.database import database
    from server.models import Council, Provider
    from server.services.accounts import create_user
    from server.services.errors import ServiceError

    async def go(settings: Settings) -> int:
        async with database(settings):
            council = await Council.get_or_none(ons_code=council_code) if council_code else None
            provider = await Provider.get_or_none(ofsted_urn=provider_urn) if provider_urn else None
            if council_code and council is None:
                console.print(f"[red]No council with ONS code {council_code}[/]")
                return 1
            if provider_urn and provider is None:
                console.print(f"[red]No provider with Ofsted URN {provider_urn}[/]")
                return 1
            try:
                user = await create_user(
                    None,
                    email=email,
                    password=password,
                    display_name=display_name,
                    role=Role(role),
                    council_id=council.id if council else None,
                    provider_id=provider.id if provider else None,
                )
            except ServiceError as error:
                for problem in error.problems:
                    console.print(f"[red]{problem.field}: {problem.message}[/]")
                return 1
            console.print(f"Created {user.email} ({Role(role).label})")
            return 0

    sys.exit(run(go))


@main.command("new-data-key")
def new_data_key() -> None:
    """Print a fresh random key for DATA_ENCRYPTION_KEY (to standard output, nowhere else)."""
    from server.security.sealed import new_key

    click.echo(new_key())


@main.command("rotate-data-key")
def rotate_data_key() -> None:
    """Seal every child's record and document again under DATA_ENCRYPTION_KEY.

    Run it after moving the old key into DATA_ENCRYPTION_KEYS_OLD and setting the new one; once it has
    finished, the old key can be dropped from DATA_ENCRYPTION_KEYS_OLD (README: "Rotating the data key").
    """
    from server.database import database
    from server.security.sealed import SealError, ring_for
    from server.services.child_records import reseal_everything

    async def go(settings: Settings) -> int:
        ring = ring_for(settings)
        async with database(settings):
            try:
                done = await reseal_everything(ring)
            except SealError as error:
                console.print(f"[bold red]Cannot rotate:[/] {error}", soft_wrap=True)
                return 1
        console.print(
            f"Sealed under key {ring.current_id}: {done.records} records and {done.documents} documents re-sealed."
        )
        return 0

    sys.exit(run(go))


@main.command("import-postcodes")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_postcodes(csv_file: Path) -> None:
    """Import postcode districts (outward code, latitude, longitude) from a CSV file."""
    from server.database import database
    from server.domain.geography import parse_postcode_csv
    from server.services.districts import import_districts

    lines = csv_file.read_text(encoding="utf-8-sig").splitlines()
    result = parse_postcode_csv(lines)
    for error in result.errors:
        console.print(f"[yellow]line {error.line}:[/] {error.message}")

    async def go(settings: Settings) -> tuple[int, int]:
        added = updated = 0
        async with database(settings):
            with Progress(console=console) as progress:
                task = progress.add_task("Importing districts", total=len(result.rows))
                for start in range(0, len(result.rows), 500):
                    batch = result.rows[start : start + 500]
                    a, u = await import_districts(batch)
                    added, updated = added + a, updated + u
                    progress.advance(task, len(batch))
        return added, updated

    added, updated = run(go)
    console.print(f"{added} districts added, {updated} updated, {len(result.errors)} bad rows skipped.")
    sys.exit(1 if result.errors and not result.rows else 0)


def _safe_url(url: str) -> str:
    """Never print a password from DATABASE_URL."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password:
        parts = parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@"))
    return urlunsplit(parts)


@main.command("export-schema")
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), default=Path("schema.graphql"), show_default=True
)
def export_schema(output: Path) -> None:
    """Write the GraphQL schema (SDL) for integrators; a test keeps the committed copy current."""
    from schema.build import schema_sdl

    output.write_text(schema_sdl(), encoding="utf-8")
    console.print(f"Schema written to {output}")


@main.command()
@click.option("--id", "worker_id", default=None, help="Name in claimed_by; defaults to host-pid.")
def worker(worker_id: str | None) -> None:
    """Send queued email and run the clocks (tier cascade, deadline warnings), until SIGTERM or Ctrl-C."""
    import signal

    from notifications.worker import OutboxWorker, default_worker_id
    from server.database import database
    from server.events.bus import bus_for, set_bus
    from server.jobs.runner import JobRunner

    async def go(settings: Settings) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        async with database(settings):
            # The jobs record events: ring the same bus as the web processes so their subscribers hear.
            bus = bus_for(settings.redis_url)
            await bus.start()
            set_bus(bus)
            try:
                outbox = OutboxWorker(settings, worker_id or default_worker_id())
                console.print(f"Outbox worker {outbox.worker_id} and the clocks running; Ctrl-C or SIGTERM stops them.")
                await asyncio.gather(outbox.run_forever(stop), JobRunner().run_forever(stop))
            finally:
                await bus.stop()
        console.print("Outbox worker stopped.")

    run(go)


@main.command("import-ofsted")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_ofsted_command(csv_file: Path) -> None:
    """Update providers' and children's homes' Ofsted judgements from Ofsted's published provider-level CSV.

    Columns: URN, Provider type, Setting name, Local authority, Inspection date, Inspection type, Overall
    effectiveness (1 Outstanding, 2 Good, 3 Requires improvement, 4 Inadequate, 5 not judged). Bad rows are
    reported by line and the good ones kept; running the same file again changes nothing."""
    from datetime import UTC, datetime

    from server.database import database
    from server.domain.ofsted import parse_ofsted_csv
    from server.services.ofsted_import import ImportReport, import_ofsted

    today = datetime.now(UTC).date()
    parsed = parse_ofsted_csv(csv_file.read_text(encoding="utf-8-sig").splitlines(), today)
    for error in parsed.errors:
        console.print(f"[yellow]line {error.line}:[/] {error.message}", soft_wrap=True)

    async def go(settings: Settings) -> ImportReport:
        report = ImportReport()
        async with database(settings):
            with Progress(console=console) as progress:
                task = progress.add_task("Importing Ofsted's register", total=len(parsed.rows))
                for start in range(0, len(parsed.rows), 200):
                    batch = parsed.rows[start : start + 200]
                    await import_ofsted(batch, today, report)
                    progress.advance(task, len(batch))
        return report

    report = run(go)
    console.print(
        f"{len(report.providers_updated)} providers and {len(report.homes_updated)} children's homes updated, "
        f"{report.unchanged} unchanged, {len(report.unknown)} URNs not on the exchange, "
        f"{len(parsed.errors)} bad rows skipped.",
        soft_wrap=True,
    )
    if report.unknown:
        console.print(f"URNs not on the exchange: {', '.join(report.unknown)}", soft_wrap=True)
    for line in report.suspended:
        console.print(
            f"[red]Suspended from referrals:[/] {line} (judgement below the framework's minimum)", soft_wrap=True
        )
    for line in report.awaiting_lift:
        console.print(
            f"[green]Judgement meets the minimum again:[/] {line}; a commissioner lifts the suspension", soft_wrap=True
        )
    sys.exit(1 if parsed.errors and not parsed.rows else 0)


# --- data standards in and out (issue 20) -------------------------------------------------------------------


def _write_out(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=not text.endswith("\n"))
    else:
        output.write_text(text, encoding="utf-8")
        console.print(f"Written to {output}")


async def _officer(email: str) -> Any:
    """The placement officer the command acts as (its reads of children's records are audited as theirs)."""
    from server.auth.actor import Actor
    from server.models import User

    user = await User.get_or_none(email=email.strip().lower(), is_active=True)
    if user is None or user.role != Role.PLACEMENT_OFFICER:
        console.print(f"[red]No active placement officer with the email {email}[/]")
        return None
    return Actor.of(user)


AS_OPTION = click.option("--as", "as_email", required=True, help="Email of the placement officer exporting.")
FORMAT_OPTION = click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True)
OUTPUT_OPTION = click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), default=None, help="File to write (default: stdout)."
)


@main.command("export-standard")
@AS_OPTION
@click.option("--referral", "reference", default=None, help="One referral by its reference (e.g. KEN-2026-00042).")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Referrals written from this day.")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), default=None, help="... to this day (default: today).")
@FORMAT_OPTION
@OUTPUT_OPTION
def export_standard(
    as_email: str, reference: str | None, since: Any, until: Any, fmt: str, output: Path | None
) -> None:
    """Export referrals in the placements data standard: one, or the officer's council's in a date range."""
    import json
    from datetime import UTC, datetime

    from server.database import database
    from server.models import Referral
    from server.services import data_standards
    from server.services.errors import ServiceError

    async def go(settings: Settings) -> int:
        async with database(settings):
            actor = await _officer(as_email)
            if actor is None:
                return 1
            try:
                if reference:
                    referral = await Referral.get_or_none(reference=reference.strip().upper())
                    documents = [await data_standards.export_referral(actor, referral.id if referral else 0)]
                else:
                    if since is None:
                        console.print("[red]Give --referral, or --since (and --until) for a range.[/]")
                        return 1
                    last = (until or datetime.now(UTC)).date()
                    documents = await data_standards.export_range(actor, since.date(), last)
            except ServiceError as error:
                for problem in error.problems:
                    console.print(f"[red]{problem.field}: {problem.message}[/]")
                return 1
        if fmt == "csv":
            _write_out(data_standards.as_csv(documents), output)
        else:
            _write_out(json.dumps(documents[0] if reference else documents, indent=2), output)
        console.print(f"{len(documents)} referral(s) exported")
        return 0

    sys.exit(run(go))


@main.command("import-standard")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@AS_OPTION
def import_standard(file: Path, as_email: str) -> None:
    """Import a referral (or a list of them) in the placements data standard's JSON as drafts."""
    import json

    from server.database import database
    from server.services import data_standards
    from server.services.errors import ServiceError

    try:
        loaded = json.loads(file.read_text(encoding="utf-8-sig"))
    except (ValueError, UnicodeDecodeError) as error:
        console.print(f"[red]{file} is not JSON: {error}[/]")
        sys.exit(1)
    documents = loaded if isinstance(loaded, list) else [loaded]

    async def go(settings: Settings) -> int:
        failed = 0
        async with database(settings):
            actor = await _officer(as_email)
            if actor is None:
                return 1
            for number, document in enumerate(documents, 1):
                try:
                    imported = await data_standards.import_referral(actor, document)
                except ServiceError as error:
                    failed += 1
                    for problem in error.problems:
                        console.print(f"[red]document {number}: {problem.field}: {problem.message}[/]")
                    continue
                console.print(f"document {number}: draft {imported.referral.reference}")
                for unmapped in imported.unmapped:
                    console.print(f"[yellow]  not mapped: {unmapped.field}: {unmapped.reason}[/]")
        return 1 if failed else 0

    sys.exit(run(go))


@main.command("export-903")
@click.argument("year", type=int)
@AS_OPTION
@click.option("--council", "council_code", default=None, help="ONS code of the council (default: the officer's).")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@OUTPUT_OPTION
def export_903(year: int, as_email: str, council_code: str | None, fmt: str, output: Path | None) -> None:
    """Export the SSDA903 episodes of the collection year from 1 April YEAR to 31 March YEAR+1."""
    import json

    from server.database import database
    from server.models import Council
    from server.services import ssda903
    from server.services.errors import ServiceError

    async def go(settings: Settings) -> int:
        async with database(settings):
            actor = await _officer(as_email)
            if actor is None:
                return 1
            council = await Council.get_or_none(ons_code=council_code) if council_code else None
            if council_code and council is None:
                console.print(f"[red]No council with ONS code {council_code}[/]")
                return 1
            try:
                rows = await ssda903.episodes(actor, council.id if council else actor.council_id, year)
            except ServiceError as error:
                for problem in error.problems:
                    console.print(f"[red]{problem.field}: {problem.message}[/]")
                return 1
        text = ssda903.as_csv(rows) if fmt == "csv" else json.dumps({"columns": ssda903.COLUMNS, "episodes": rows})
        _write_out(text, output)
        console.print(f"{len(rows)} episode(s) for {year}-{(year + 1) % 100:02d}")
        return 0

    sys.exit(run(go))


@main.command("export-quarter")
@click.option("--framework", "framework_reference", required=True, help="The framework's reference, e.g. KM-IFP-2022.")
@click.option("--quarter", default=None, help="Financial-year quarter, e.g. 2026-Q3 (default: this quarter).")
@click.option("--provider", "provider_urn", default=None, help="A provider's scorecard, by Ofsted URN.")
@click.option("--council", "council_code", default=None, help="A member council's quarter, by ONS code.")
@click.option("--year", default=None, help="Instead of a quarter: the financial year's placements, e.g. 2026-27.")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv"]), default=None, help="Default: the output's suffix.")
@click.option("--table", "table_key", default=None, help="For CSV: the table's key (listed if omitted).")
@click.option("--as", "as_email", required=True, help="The user whose view it is (the policy decides what they get).")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def export_quarter(
    framework_reference: str,
    quarter: str | None,
    provider_urn: str | None,
    council_code: str | None,
    year: str | None,
    fmt: str | None,
    table_key: str | None,
    as_email: str,
    output: Path,
) -> None:
    """Write a quarter's KPI tables (XLSX, a sheet each; or one table as CSV), the same files the portal gives."""
    from server.database import database
    from server.services.contract_export_cli import ExportRequest, export_for_cli

    request = ExportRequest(
        framework_reference=framework_reference,
        quarter=quarter,
        provider_urn=provider_urn,
        council_code=council_code,
        year=year,
        fmt=fmt or output.suffix.lstrip(".").lower(),
        table_key=table_key,
        as_email=as_email,
    )

    async def go(settings: Settings) -> object:
        async with database(settings):
            return await export_for_cli(request)

    outcome = run(go)
    if outcome.problem:
        console.print(f"[red]{outcome.problem}[/]", soft_wrap=True)
        sys.exit(1)
    output.write_bytes(outcome.export.content)
    console.print(f"Wrote {output} ({len(outcome.export.content):,} bytes)")
