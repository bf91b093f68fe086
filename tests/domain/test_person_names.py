"""The guard's name lists: cut by rank from names-dataset, read lazily, kept in memory."""

from __future__ import annotations

from server.domain.person_names import (
    GIVEN_NAMES_FILE,
    SURNAMES_FILE,
    cut_by_rank,
    given_names,
    surnames,
)


def test_names_are_kept_when_ranked_within_the_cut_of_any_country() -> None:
    ranked = {
        "Kerry": {"rank": {"GB": 144, "US": 743}},
        "Zainab": {"rank": {"GB": 9000, "NG": 120}},
        "Toffee": {"rank": {"GB": 14520}},
        "Unranked": {"rank": {}},
        "x": {"rank": {"GB": 1}},
        "O'Brien": {"rank": {"IE": 30}},
        "de la Cruz": {"rank": {"GB": 10}},
    }

    kept = cut_by_rank(ranked, {"GB": 8000, "IE": 2000, "NG": 500})

    assert kept == ["Kerry", "O'Brien", "Zainab"]


def test_the_shipped_lists_say_where_they_came_from_and_hold_common_names() -> None:
    for path in (GIVEN_NAMES_FILE, SURNAMES_FILE):
        assert path.read_text().splitlines()[0].startswith("# derived from names-dataset ")
    assert {"Kerry", "Liam", "Zainab", "Kacper", "Oluwaseun"} <= given_names()
    assert {"Smith", "Jones", "Patel", "Nowak", "Obrien", "Mcdonald"} <= surnames()  # the package's own spelling
    assert 5_000 < len(given_names()) < 50_000 and 5_000 < len(surnames()) < 50_000


def test_the_lists_are_read_once_and_kept() -> None:
    assert given_names() is given_names()
    assert surnames() is surnames()
