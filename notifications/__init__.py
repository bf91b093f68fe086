"""Email: who is told what (preferences), the outbox worker, SMTP, templates."""
