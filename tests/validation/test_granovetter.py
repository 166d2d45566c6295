"""Granovetter (1978): a crowd with thresholds 0..99 riots entirely; move one threshold and only one joins."""

from __future__ import annotations

from classics import granovetter_joiners


def test_uniform_thresholds_everyone_joins():
    assert granovetter_joiners(list(range(100))) == 100


def test_one_threshold_changed_only_the_instigator_joins():
    thresholds = list(range(100))
    thresholds[1] = 2
    assert granovetter_joiners(thresholds) == 1
