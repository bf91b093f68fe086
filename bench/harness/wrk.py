"""wrk, the HTTP load generator the benchmarks drive their servers with: present, or a one-line reason to stop."""

from __future__ import annotations

import shutil
import sys

INSTALL = "apt-get install wrk"


def missing_wrk_message(purpose: str) -> str | None:
    """None when wrk is on PATH; otherwise the line to stop with, saying how to install it."""
    if shutil.which("wrk") is not None:
        return None
    return f"{purpose} needs wrk, the HTTP load generator, and it is not on PATH: {INSTALL}"


def require_wrk(purpose: str) -> None:
    """Exit with one line (status 2), not a traceback, when wrk is not installed."""
    message = missing_wrk_message(purpose)
    if message is not None:
        print(message, file=sys.stderr)
        sys.exit(2)
