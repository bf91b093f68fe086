"""Keeping the child's identified details secret at rest: the data key ring (sealed)."""
