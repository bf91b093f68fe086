"""The ASGI entry point uvicorn serves (`server.asgi:app`).

It imports neither server.cli nor its click and rich: a web process needs none of the command line's output.
"""

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from server import collector

# The web process's collector thresholds (server.collector), set before the app's modules are imported: with
# CPython's defaults, importing them (and building the schema) runs hundreds of collections over a heap that is
# all long-lived, a tenth of start-up's time.
collector.tune()

from server.app import create_app  # noqa: E402
from server.jobs import runner  # noqa: E402
from server.settings import Settings, SettingsError  # noqa: E402


def load_settings() -> Settings:
    """Validate the environment once; a bad value ends the process with one plain line and exit code 2."""
    try:
        return Settings.from_env()
    except SettingsError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        sys.exit(2)


settings = load_settings()


@asynccontextmanager
async def _mailbox_and_outbox_worker(settings: Settings) -> AsyncIterator[object]:
    """notifications.dev_mailbox, imported only where it runs: never in a production web process."""
    from notifications import dev_mailbox

    async with dev_mailbox.run_in_process(settings) as worker:
        yield worker


# The embedded default (and the demo): the outbox worker, the clocks (server.jobs) and, with no SMTP_URL, the
# dev mailbox run inside the web process. In production the Procfile's `worker` runs them instead.
in_process = [_mailbox_and_outbox_worker, runner.run_in_process] if settings.worker_in_process else []
# The web process's garbage collector is tuned for its long-lived heap (server.collector).
app = create_app(settings, background=in_process, tune_collector=True)
