"""Likely duplicate entities."""

from annotations.suggesters.resolution import likely_duplicates


def pairs(entities):
    return {(a, b) for a, b, _ in likely_duplicates(entities)}


def test_misspelt_given_names_are_likely_duplicates():
    found = likely_duplicates(
        [
            (1, "Anthony Blinken", "PERSON"),
            (2, "Antony Blinken", "PERSON"),
            (3, "Issac Herzog", "PERSON"),
            (4, "Isaac Herzog", "PERSON"),
        ]
    )
    assert {(a, b) for a, b, _ in found} == {(1, 2), (3, 4)}
    assert all(0.85 <= score <= 1 for _, _, score in found)


def test_different_people_with_one_surname_are_not():
    assert pairs([(1, "Joe Biden", "PERSON"), (2, "Jill Biden", "PERSON")]) == set()


def test_a_bare_surname_or_an_initial_matches_the_full_name():
    assert pairs(
        [(1, "Tomas Varga", "PERSON"), (2, "Varga", "PERSON"), (3, "T. Varga", "PERSON")]
    ) == {
        (1, 2),
        (1, 3),
        (2, 3),
    }


def test_only_the_same_kind_is_compared():
    assert pairs([(1, "Jordan", "GPE"), (2, "Jordan", "PERSON")]) == set()
    assert pairs([(1, "Hezbolah", "ORG"), (2, "Hezbollah", "ORG")]) == {(1, 2)}


def test_accents_and_case_do_not_matter_and_best_comes_first():
    found = likely_duplicates(
        [
            (1, "José Álvarez", "PERSON"),
            (2, "JOSE ALVAREZ", "PERSON"),
            (3, "Jose Alvares", "PERSON"),
        ]
    )
    assert found[0] == (1, 2, 1.0)
    assert [score for _, _, score in found] == sorted((s for _, _, s in found), reverse=True)


def test_unrelated_names_give_nothing():
    assert likely_duplicates([(1, "Maria Kowalski", "PERSON"), (2, "Oskar Lind", "PERSON")]) == []
    assert likely_duplicates([]) == []
