"""Agreement figures against values computed by hand on a small fixture."""

import pytest

from annotations.agreement import (
    KindCounts,
    Mark,
    agreements,
    compare,
    disagreements,
    figures,
    krippendorff_alpha,
)

# Ten one-letter tokens at offsets 0, 2, …, 18.
BODY = "a b c d e f g h i j"
A = [
    Mark("quote", 0, 3, speaker=1),  # tokens 0-1
    Mark("quote", 8, 11, speaker=2),  # tokens 4-5
    Mark("mention", 16, 17, entity=7),  # token 8
]
B = [
    Mark("quote", 0, 3, speaker=1),  # the same quote, the same speaker
    Mark("quote", 10, 13, speaker=3),  # tokens 5-6: overlaps A's second, another speaker
    Mark("mention", 18, 19, entity=7),  # token 9: no overlap
]


def test_quote_figures_by_hand():
    quote = figures(compare(BODY, [A, B])["quote"])
    assert (quote["count_a"], quote["count_b"]) == (2, 2)
    assert quote["exact_f1"] == pytest.approx(0.5)  # 2·1 / (2 + 2)
    assert quote["overlap_f1"] == pytest.approx(1.0)  # 2·2 / 4
    assert quote["speaker_agreement"] == pytest.approx(0.5)  # 1 of 2 matched quotes
    # Tokens: (in A, in B) = 3 both, 1 A only, 1 B only, 5 neither. p_o = 0.8,
    # p_e = 0.4·0.4 + 0.6·0.6 = 0.52, κ = 0.28 / 0.48 = 7/12.
    assert quote["kappa"] == pytest.approx(7 / 12)
    # Coincidences: o_TT = 6, o_FF = 10, o_TF = o_FT = 2; n_T = 8, n_F = 12, n = 20;
    # α = 1 − 19·4 / (2·8·12) = 29/48.
    assert quote["alpha"] == pytest.approx(29 / 48)
    assert quote["tokens"] == 10


def test_mention_figures_by_hand():
    mention = figures(compare(BODY, [A, B])["mention"])
    assert mention["exact_f1"] == 0
    assert mention["overlap_f1"] == 0
    assert mention["entity_agreement"] is None  # no matched mention
    # 1 A only, 1 B only, 8 neither: p_o = 0.8, p_e = 0.01 + 0.81, κ = −0.02 / 0.18.
    assert mention["kappa"] == pytest.approx(-1 / 9)


def test_no_claims_is_no_f1_and_full_token_agreement():
    claim = figures(compare(BODY, [A, B])["claim"])
    assert claim["exact_f1"] is None
    assert claim["kappa"] == 1.0


def test_entity_agreement_on_matched_mentions():
    a = [Mark("mention", 0, 1, entity=1), Mark("mention", 2, 3, entity=2)]
    b = [Mark("mention", 0, 1, entity=1), Mark("mention", 2, 5, entity=9)]
    mention = figures(compare(BODY, [a, b])["mention"])
    assert mention["entity_agreement"] == pytest.approx(0.5)
    assert mention["exact_f1"] == pytest.approx(0.5)
    assert mention["overlap_f1"] == pytest.approx(1.0)


def test_krippendorff_alpha_three_raters_by_hand():
    units = [(True, True, True), (True, True, False), (False, False, False)] + [(False,) * 3]
    # o_TT = 3 + 1, o_TF = o_FT = 1, o_FF = 6; n_T = 5, n_F = 7, n = 12;
    # α = 1 − 11·2 / (2·5·7) = 48/70.
    assert krippendorff_alpha(units) == pytest.approx(48 / 70)


def test_alpha_over_three_layers_of_an_article():
    c = [Mark("quote", 0, 3, speaker=1)]
    quote = figures(compare(BODY, [A, B, c])["quote"])
    assert quote["alpha"] is not None
    assert -1 <= quote["alpha"] <= 1


def test_corpus_counts_add_up():
    total = KindCounts()
    for _ in range(3):
        total.add(compare(BODY, [A, B])["quote"])
    pooled = figures(total)
    assert (pooled["count_a"], pooled["exact_matches"]) == (6, 3)
    assert pooled["exact_f1"] == pytest.approx(0.5)
    assert pooled["kappa"] == pytest.approx(7 / 12)  # the same table three times


def test_disagreements_and_agreements():
    found = disagreements(A, B)
    assert (A[1], B[1]) in found  # overlap, other speaker
    assert (A[2], None) in found
    assert (None, B[2]) in found
    assert len(found) == 3
    assert agreements(A, B) == [A[0]]
