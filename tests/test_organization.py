"""The organization generator: hierarchy shape, departments, ties (CSR), determinism."""

from __future__ import annotations

import numpy as np
import pytest

from orgsim.organization import build_organization
from orgsim.params import Organization


def build(seed: int = 1, **kwargs):
    return build_organization(Organization(**kwargs), np.random.default_rng(seed))


@pytest.fixture(scope="module")
def org():
    return build(n_employees=1000, span_of_control=7, n_departments=8)


def test_span_of_control_is_respected(org):
    reports = np.bincount(org.manager[org.manager >= 0], minlength=org.n)
    assert reports[0] == 8  # the CEO's direct reports head the departments
    assert reports[1:].max() <= 7
    managers = reports[1:][reports[1:] > 0]
    assert np.mean(managers == 7) > 0.8  # trees are filled level by level


def test_levels_follow_the_tree(org):
    assert org.level[0] == 0 and org.manager[0] == -1
    others = np.arange(1, org.n)
    assert np.all(org.level[others] == org.level[org.manager[others]] + 1)
    # depth of a 7-ary tree holding ~125 people per department, below the CEO
    assert org.depth == 1 + int(np.ceil(np.log(125 * 6 + 1) / np.log(7))) - 1


def test_departments_are_subtrees_of_equal_size(org):
    sizes = np.bincount(org.department[1:])
    assert sizes.max() - sizes.min() <= 1 and sizes.sum() == 999
    others = np.arange(1, org.n)
    below_head = others[org.level[others] >= 2]
    assert np.all(org.department[below_head] == org.department[org.manager[below_head]])


def test_ties_are_symmetric_without_self_ties_or_duplicates(org):
    rows = np.repeat(np.arange(org.n), np.diff(org.indptr))
    pairs = set(zip(rows.tolist(), org.indices.tolist(), strict=True))
    assert len(pairs) == org.indices.shape[0]  # no duplicates
    assert all((b, a) in pairs for a, b in pairs)  # symmetric
    assert not any(a == b for a, b in pairs)  # no self-ties
    for i in range(0, org.n, 97):  # rows are sorted (binary search in the kernel relies on it)
        row = org.neighbours(i)
        assert np.all(np.diff(row) > 0)


def test_formal_ties_link_managers_reports_and_teammates(org):
    for i in range(1, org.n, 37):
        m = org.manager[i]
        row = org.neighbours(i)
        k = np.searchsorted(row, m)
        assert row[k] == m and org.formal[org.indptr[i] + k]
        mates = np.flatnonzero(org.manager == m)
        assert np.isin(mates[mates != i], row).all()


def test_silos_dense_inside_thin_across(org):
    rows = np.repeat(np.arange(org.n), np.diff(org.indptr))
    informal = ~org.formal
    across = org.department[rows] != org.department[org.indices]
    share_across = across[informal].mean()
    shares = np.bincount(org.department) / org.n
    across_degree = 0.6 * (1 - (shares**2).sum())  # informal_degree_across, less the pairs within one department
    expected = across_degree / (6.0 + across_degree)  # of the informal degree (informal_degree_within 6)
    assert share_across == pytest.approx(expected, abs=0.01)
    assert org.degree.mean() > 10


def test_deterministic_from_seed():
    a, b, c = build(3, n_employees=500), build(3, n_employees=500), build(4, n_employees=500)
    assert np.array_equal(a.indices, b.indices) and np.array_equal(a.indptr, b.indptr)
    assert not np.array_equal(a.indices, c.indices)


@pytest.mark.parametrize("n,span,depts", [(2, 2, 1), (10, 3, 3), (1001, 10, 20)])
def test_small_and_odd_shapes(n, span, depts):
    org = build(n_employees=n, span_of_control=span, n_departments=depts)
    assert org.n == n
    assert np.bincount(org.manager[org.manager >= 0], minlength=n)[1:].max(initial=0) <= span


def test_external_members_are_appended_with_ties_to_employees():
    org = build(n_employees=300, n_departments=4, n_external=20)
    assert org.n == 320 and org.is_external[300:].all() and not org.is_external[:300].any()
    assert (org.department[300:] == 4).all() and (org.level[300:] == -1).all()
    assert all((org.neighbours(i) < 300).all() and len(org.neighbours(i)) > 0 for i in range(300, 320))
