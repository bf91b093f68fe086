"""The ASGI entry point uvicorn serves (`server.asgi:app`)."""

from notifications import dev_mailbox
from server.app import create_app
from server.cli import load_settings
from server.jobs import runner

settings = load_settings()
# The embedded default (and the demo): the outbox worker, the clocks (server.jobs) and, with no SMTP_URL, the
# dev mailbox run inside the web process. In production the Procfile's `worker` runs them instead.
in_process = [dev_mailbox.run_in_process, runner.run_in_process] if settings.worker_in_process else []
app = create_app(settings, background=in_process)
