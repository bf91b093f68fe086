"""The permission policy is the one home of the tenancy rules: all of it is used, and the schema asks it."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from server.auth import policy

ROOT = Path(__file__).resolve().parents[2]
CALLERS = ("server", "schema", "web", "notifications")

# What a hand-written tenancy check looks like: an actor's kind, or an id compared with the actor's.
HAND_CHECK = re.compile(
    r"\.is_(?:admin|council|provider)\b|\b(?:council|provider)_id\s*[!=]=|[!=]=\s*\w+\.(?:council|provider)_id"
)


def _sources(*folders: str) -> dict[Path, str]:
    return {
        path: path.read_text(encoding="utf-8")
        for folder in folders
        for path in (ROOT / folder).rglob("*.py")
        if path != Path(policy.__file__).resolve()
    }


def test_every_rule_of_the_policy_is_asked_somewhere() -> None:
    public = [
        name
        for name, value in vars(policy).items()
        if inspect.isfunction(value) and value.__module__ == policy.__name__ and not name.startswith("_")
    ]
    text = "\n".join(_sources(*CALLERS).values())
    unused = [name for name in public if not re.search(rf"\bpolicy\.{name}\b", text)]
    assert public and not unused, f"rules nobody asks: {unused} (use them or delete them)"


def test_the_schema_writes_no_tenancy_check_of_its_own() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path, text in _sources("schema").items()
        for number, line in enumerate(text.splitlines(), 1)
        if HAND_CHECK.search(line)
    ]
    assert not found, "ask server.auth.policy instead:\n" + "\n".join(found)
