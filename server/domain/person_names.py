"""Given names and surnames the anonymisation guard recognises, derived from the names-dataset package.

names-dataset (a list of 727,000 given names and 984,000 surnames with their
rank in each country) is 55 MB and takes about 15 s and 1 GB of memory to load,
far too much for a guard that runs on every write. So the lists are cut once, at
build time, to the names common in Great Britain and in the countries many
children in care in England, or their families, come from, and stored beside
this module as two small text files (``python -m server.domain.person_names``
writes them again). At run time they are read on first use and kept in memory.
"""

from __future__ import annotations

import gzip
import pickle
import re
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "data"
GIVEN_NAMES_FILE = DATA / "given_names.txt"
SURNAMES_FILE = DATA / "surnames.txt"

# How far down each country's ranking a name may sit and still be kept: Great
# Britain deepest, then Ireland and the United States (names shared with them),
# then the countries of the largest groups of unaccompanied and settled children.
GIVEN_NAME_CUTS = {"GB": 8000, "IE": 2000, "US": 2000}
SURNAME_CUTS = {"GB": 12000, "IE": 2000, "US": 2000}
OTHER_COUNTRIES = ("IN", "BD", "NG", "GH", "JM", "PL", "LT", "AL", "TR", "IR", "IQ", "AF", "SD", "SY", "ET", "EG")
OTHER_CUT = 500

_NAME_SHAPE = re.compile(r"(?:Mc|Mac|O'|D')?[A-Z][a-z]+(?:-[A-Z][a-z]+)?")


def cut_by_rank(ranked: Mapping[str, Mapping[str, object]], cuts: Mapping[str, int]) -> list[str]:
    """The names ranked within the cut in any country, title case and alphabetic only, sorted."""
    kept = set()
    for name, info in ranked.items():
        ranks = info.get("rank") or {}
        if not isinstance(ranks, Mapping) or not _NAME_SHAPE.fullmatch(name) or len(name) < 2:
            continue
        if any(isinstance(rank, int) and rank <= cuts.get(country, 0) for country, rank in ranks.items()):
            kept.add(name)
    return sorted(kept)


def _cuts(base: Mapping[str, int]) -> dict[str, int]:
    return {**dict.fromkeys(OTHER_COUNTRIES, OTHER_CUT), **base}


def _write(path: Path, names: Iterable[str], source: str) -> None:
    header = f"# derived from {source} by server/domain/person_names.py; do not edit\n"
    path.write_text(header + "\n".join(names) + "\n")


def build() -> None:
    """Cut the package's lists and write the two files (needs the optional `names` dependencies)."""
    from importlib.metadata import version

    import names_dataset  # only the build step needs the 55 MB package

    source = f"names-dataset {version('names-dataset')}"
    folder = Path(names_dataset.__file__).parent / "v3"
    for file, cuts, target in (
        ("first_names.pkl.gz", GIVEN_NAME_CUTS, GIVEN_NAMES_FILE),
        ("last_names.pkl.gz", SURNAME_CUTS, SURNAMES_FILE),
    ):
        with gzip.open(folder / file) as handle:
            ranked = pickle.load(handle)  # the package's own data file
        _write(target, cut_by_rank(ranked, _cuts(cuts)), source)


def _read(path: Path) -> frozenset[str]:
    lines = path.read_text().splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


@cache
def given_names() -> frozenset[str]:
    return _read(GIVEN_NAMES_FILE)


@cache
def surnames() -> frozenset[str]:
    return _read(SURNAMES_FILE)


if __name__ == "__main__":
    build()
