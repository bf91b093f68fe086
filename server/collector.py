"""The garbage collector of a web process: tuned for a heap of long-lived objects and bursts of short-lived ones.

A process serving a thousand live connections holds a few million objects that live as long as it or its
connections do: modules, classes, the GraphQL schema, every socket's protocol, context and group member. With
CPython's default thresholds (700, 10, 10) the short-lived objects of one event's fan-out (each group's
execution, its loaders and results) are caught mid-flight by the young collections and promoted, and every few
events a full collection walks the whole heap: in the fan-out benchmark (bench/fanout_bench.py, 1,000
subscribers across 100 organisations) 300-600 ms with every subscriber waiting, the largest part of its p99.

So the web process (server.asgi, never the tests' apps) collects its youngest generation every YOUNG objects
rather than every 700, so that an event's work is mostly freed by reference counting before any collection sees
it, and, once the schema is built, freezes what start-up made (gc.freeze: the permanent generation, which full
collections skip). Reference cycles are still collected, only less often; nothing start-up made is ever garbage.

Any process (a job runner, a test or a command, which keep CPython's thresholds) can also pause collection for one
synchronous step that builds thousands of values holding no cycles (`paused`): an explained ranking makes a
candidate and a result for every household whose ages fit, and with the default thresholds the young
collections would go through the growing batch again and again (about a fifth of the ranking's time at 10,000
households). Collection resumes as soon as the step ends; what it built is looked at once, by the next one.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

YOUNG = 20_000  # allocations between collections of the youngest generation (CPython's default: 700)
MIDDLE = 20  # young collections per collection of the middle generation (default 10)
OLD = 10  # middle collections before a full one is considered (default; CPython also waits for 25% growth)


def tune() -> None:
    """Set the web process's thresholds (at start-up)."""
    gc.set_threshold(YOUNG, MIDDLE, OLD)


def freeze_start_up() -> None:
    """Collect once, then move everything alive to the permanent generation (after the schema is built)."""
    gc.collect()
    gc.freeze()


@contextmanager
def paused() -> Iterator[None]:
    """No automatic collection inside the block, which must not await (other tasks would run unpaused work
    under it) and must make no reference cycles; as it was afterwards (a caller's own pause is kept)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
