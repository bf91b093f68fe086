"""The ASGI entry point uvicorn serves (`server.asgi:app`)."""

from notifications.dev_mailbox import run_in_process
from server.app import create_app
from server.cli import load_settings

settings = load_settings()
# The embedded default (and the demo): the outbox worker, the cascade clock and, with no SMTP_URL, the dev
# mailbox run inside the web process. In production the Procfile's `worker` runs them instead.
app = create_app(settings, background=[run_in_process] if settings.worker_in_process else [])
