"""Why an offer ranks where it does, in words a placement officer reads beside the figures."""

from __future__ import annotations

from server.domain.matching import OfferForRanking, explain_ranking, rank_offers


def test_a_lower_fit_ranked_first_is_explained_by_its_lower_fee() -> None:
    offers = [OfferForRanking(1, 83.7, 82_000), OfferForRanking(2, 84.3, 95_000)]
    ranked = rank_offers(offers, 60, 40)
    assert [offer.offer_id for offer in ranked] == [1, 2]
    explained = explain_ranking(ranked, 60, 40)
    assert explained[1] == (
        "Score 90.2 = fit 83.7 × 60% + cost 100.0 × 40% (the framework's weighting; the lowest weekly fee scores "
        "100 on cost, dearer ones less in proportion). Above rank 2 despite a lower fit (83.7 against 84.3): its "
        "lower fee scores 100.0 on cost against 86.3."
    )
    assert explained[2].startswith("Score 85.1 = fit 84.3 × 60% + cost 86.3 × 40%")
    assert explained[2].endswith(
        "Below rank 1 despite a higher fit (84.3 against 83.7): its higher fee scores 86.3 on cost against 100.0."
    )


def test_an_offer_ahead_on_fit_despite_a_higher_fee_and_one_ahead_on_both() -> None:
    ranked = rank_offers([OfferForRanking(1, 95.0, 90_000), OfferForRanking(2, 60.0, 85_000)], 80, 20)
    explained = explain_ranking(ranked, 80, 20)
    assert explained[1].endswith("Above rank 2 despite a higher fee: its fit is 95.0 against 60.0.")
    assert explained[2].endswith("Below rank 1 despite a lower fee: its fit is 60.0 against 95.0.")
    ranked = rank_offers([OfferForRanking(1, 90.0, 80_000), OfferForRanking(2, 70.0, 90_000)])
    explained = explain_ranking(ranked)
    assert explained[1].endswith("Above rank 2 on both fit and cost.")
    assert explained[2].endswith("Below rank 1 on both fit and cost.")


def test_a_single_offer_is_explained_by_its_score_alone() -> None:
    ranked = rank_offers([OfferForRanking(7, 55.0, 450_000)])
    assert explain_ranking(ranked) == {
        7: "Score 73.0 = fit 55.0 × 60% + cost 100.0 × 40% (the framework's weighting; the lowest weekly fee "
        "scores 100 on cost, dearer ones less in proportion)."
    }
