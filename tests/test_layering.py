"""Dependencies point one way (DESIGN.md): no module imports a layer above its own.

    web, schema          call server.services (web may use schema's view helpers; schema never imports web)
    notifications        email only: reads server's models, settings and outbox kinds, never services or jobs
    server.jobs          the clocks: call services
    server.services      use cases: call repositories, the policy, domain rules, the unit of work
    server.repositories  data access: below every use case

The composition roots (the app factory, the ASGI entry point, the CLI) put everything together and may
import anything. Every import counts, including one inside a function (a deferred import is still a
dependency), and relative imports are resolved against the importing module.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("server", "schema", "notifications", "web")
COMPOSITION_ROOTS = frozenset({"server.app", "server.asgi", "server.cli"})


@dataclass(frozen=True)
class Rule:
    layer: str  # a package: the rule holds for every module in it
    must_not_import: tuple[str, ...]
    why: str


RULES = (
    Rule("server", ("schema", "web", "notifications"), "server/ is below the API, the portal and the email worker"),
    Rule("notifications", ("server.services", "server.jobs", "schema", "web"), "notifications/ is email only"),
    Rule("schema", ("web",), "the portal uses the schema, not the other way round"),
    Rule("server.services", ("server.jobs",), "the clocks call use cases, not the other way round"),
    Rule("server.repositories", ("server.services", "server.jobs"), "data access is below every use case"),
    Rule("server.outbox", ("server.services", "server.jobs", "server.repositories"), "what a use case queues"),
)


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(source: str, module: str, *, is_package: bool = False) -> set[str]:
    """Every module the source imports, anywhere in it (top level, functions, conditionals), by full name.

    `from a.b import c` counts as a.b and a.b.c (c may be a module): a rule against a.b.c then catches it.
    """
    found: set[str] = set()
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                origin = ".".join([*base, node.module] if node.module else base)
            else:
                origin = node.module or ""
            found.add(origin)
            found.update(f"{origin}.{alias.name}" for alias in node.names if alias.name != "*")
    return found


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def violations(module: str, imports: set[str]) -> list[str]:
    if module in COMPOSITION_ROOTS:
        return []
    wrong = {
        name: rule.why
        for rule in RULES
        if _within(module, rule.layer)
        for name in imports
        for forbidden in rule.must_not_import
        if _within(name, forbidden)
    }
    # `from a.b import c` names a.b and a.b.c: say it once.
    return [
        f"{module} imports {name}: {why}" for name, why in sorted(wrong.items()) if name.rpartition(".")[0] not in wrong
    ]


def project_modules() -> list[tuple[str, Path]]:
    return sorted(
        (module_name(path), path)
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    )


def test_the_project_has_modules_in_every_layer() -> None:
    names = {name for name, _ in project_modules()}
    for rule in RULES:
        assert any(_within(name, rule.layer) for name in names), f"no modules found in {rule.layer}"
    assert COMPOSITION_ROOTS <= names


def test_no_module_imports_a_layer_above_its_own() -> None:
    wrong = []
    for module, path in project_modules():
        imports = imported_modules(path.read_text(encoding="utf-8"), module, is_package=path.name == "__init__.py")
        wrong += violations(module, imports)
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("server.services.offers", "from notifications.sender import SmtpSender"),
        ("server.services.offers", "def later():\n    import schema.build\n"),
        ("server.domain.matching", "def later():\n    from web import routes\n"),
        ("notifications.worker", "from server.services import broadcast"),
        ("notifications.worker", "from server.jobs.runner import JobRunner"),
        ("notifications.worker", "from server import services"),
        ("notifications.rendering", "from ..server.services.errors import ServiceError"),
        ("schema.types.referrals", "from ...web.session import session_actor"),
        ("server.services.broadcast", "from server.jobs import deadlines"),
        ("server.repositories.outbox", "from .. import services"),
    ],
)
def test_an_upward_import_is_caught(module: str, source: str) -> None:
    assert violations(module, imported_modules(source, module))


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("server.app", "from schema.build import build_schema\nfrom web.routes import routes"),
        ("server.cli", "def worker():\n    from notifications.worker import OutboxWorker\n"),
        ("server.jobs.deadlines", "from server.services.unit_of_work import unit_of_work"),
        (
            "notifications.worker",
            "from server.repositories import outbox\nfrom server.outbox.kinds import Notification",
        ),
        ("web.routes", "from schema.view import csrf_for"),
        ("schema.queries", "from server.services import referrals"),
        ("server.services.referrals", "from .unit_of_work import unit_of_work"),
    ],
)
def test_a_downward_import_is_allowed(module: str, source: str) -> None:
    assert violations(module, imported_modules(source, module)) == []


def test_every_model_skips_tortoises_source_reading() -> None:
    """Without `_no_comments`, Tortoise reads each model's source file at import (slow start-up)."""
    from tortoise.models import Model

    import server.models as models

    slow = [
        name
        for name in models.__all__
        if issubclass(getattr(models, name), Model) and not vars(getattr(models, name)).get("_no_comments")
    ]
    assert not slow, f"set `_no_comments = True` on {slow}"
