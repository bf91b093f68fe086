"""Email only: the outbox worker, SMTP, templates and rendering, one-click unsubscribe, the dev mailbox."""
