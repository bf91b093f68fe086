"""Data access: every hand-written statement and every query a service composes for a hot path, by aggregate."""
