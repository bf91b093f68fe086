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
"""

from __future__ import annotations

import gc

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
