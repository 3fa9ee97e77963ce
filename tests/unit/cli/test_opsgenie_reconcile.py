"""``same``: when the server's copy says what the importer would send (no update needed)."""

from __future__ import annotations

from openalert_cli.opsgenie.reconcile import same


def test_times_and_instants_compare_by_value() -> None:
    assert same("08:00:00", "08:00:00")
    assert same("2027-03-28T01:00:00Z", "2027-03-28T01:00:00+00:00")
    assert same("2027-03-28T03:00:00+02:00", "2027-03-28T01:00:00Z")
    assert not same("2027-03-28T01:00:00Z", "2027-03-28T02:00:00Z")
    assert same(5, 5.0) and not same(5, 6)


def test_objects_are_a_subset_test_and_lists_are_ordered() -> None:
    want = {"name": "n", "layers": [{"participants": ["a", ""], "interval": 2}], "x": None}
    have = {"name": "n", "id": "s1", "layers": [{"participants": ["a", ""], "interval": 2,
                                                  "rrule": None}]}  # fmt: skip
    assert same(want, have)
    assert not same({**want, "name": "m"}, have)
    assert not same({"layers": [{"participants": ["", "a"]}]}, have)
    assert not same({"steps": [1, 2]}, {"steps": [1, 2, 3]})
    assert not same({"description": "d"}, {})
