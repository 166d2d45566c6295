"""Initialization (docs/model.md 5): everyone's attributes and state at day 0, the champions and seeds.

Draws come from the model's numpy generator in a fixed order, so the same seed gives the same
organization and the same people in every engine (the kernels' and the reference's).
"""

from __future__ import annotations

import numpy as np

from orgsim.kernels.state import MEMBER, UNAWARE, People
from orgsim.organization import Org
from orgsim.params import Scenario

EXTERNAL_KNOW = 0.15  # chance an external member knows each topic (partners bring outside knowledge)
CHAMPION_AFFINITY = 0.9  # champions are enthusiasts: at least this digital affinity
CHAMPION_CONFIDENCE = 3.0  # ... and this multiple of their drawn confidence


def init_people(scenario: Scenario, org: Org, rng: np.random.Generator) -> People:
    """Draw every person's attributes and initial state (one array per attribute)."""
    emp = scenario.employees
    n, n_emp = org.n, org.n_employees
    senior = (org.level >= 0) & (org.level < emp.senior_levels)
    external = org.is_external
    time_mean = org.mean_of("time", emp.time_mean)  # a unit's survey score, else the assumed mean
    trust0 = np.clip(rng.normal(org.mean_of("trust", emp.trust_mean), emp.trust_sd, n), 0.01, 0.99)
    time = np.clip(rng.normal(time_mean, emp.time_sd, n), 0.1 * time_mean, None)
    time[senior] *= emp.senior_time_factor
    affinity = np.clip(rng.normal(org.mean_of("affinity", emp.affinity_mean), emp.affinity_sd, n), 0.0, 1.0)
    affinity[senior] = np.clip(rng.normal(emp.senior_affinity, 0.1, int(senior.sum())), 0.0, 1.0)
    confidence = rng.lognormal(0.0, emp.confidence_sigma, n)
    is_bad = (rng.random(n) < emp.bad_actor_share) & ~senior & ~external
    is_manager = np.zeros(n, dtype=bool)
    is_manager[org.manager[org.manager >= 0]] = True

    knowledge = np.zeros(n, dtype=np.int64)
    for topic in range(emp.n_topics):
        home = org.department == topic % org.n_departments
        p = np.where(home, emp.know_home, emp.know_other)
        p[external] = EXTERNAL_KNOW
        knowledge |= (rng.random(n) < p).astype(np.int64) << np.int64(topic)
    n_known = _popcount(knowledge)

    reg = scenario.registration
    phi = np.clip(rng.normal(reg.phi, reg.phi_sd, n), 0.0, 1.0) if reg.phi_sd > 0 else np.full(n, reg.phi)
    kmin = np.full(n, reg.count_threshold, dtype=np.int32)
    if reg.count_thresholds is not None:
        kmin[:n_emp] = reg.count_thresholds

    full = lambda value, dtype: np.full(n, value, dtype=dtype)  # noqa: E731
    slots = scenario.behaviour.platform_ties
    return People(
        level=org.level, department=org.department, manager=org.manager, is_external=external,
        is_senior=senior, is_manager=is_manager, is_bad=is_bad, trust=trust0.copy(), trust0=trust0, time=time,
        affinity=affinity, confidence=confidence, knowledge=knowledge, n_known=n_known,
        state=full(UNAWARE, np.int8), registered_day=full(-1, np.int32), engaged_day=full(-1, np.int32),
        last_visit=full(-1000, np.int32), seen=full(0, np.int64), last_contrib=full(-1000, np.int32),
        novelty=full(0.0, float), habit=full(0.0, float), usefulness=full(0.0, float), feedback=full(0.0, float),
        n_posts=full(0, np.int32), n_replies=full(0, np.int32), restricted=full(False, bool),
        last_liked=full(-1000, np.int32),
        contacts=np.full((n, slots), -1, dtype=np.int32), contact_w=np.zeros((n, slots)),
        n_active_ties=full(0, np.int32), n_reg_ties=full(0, np.int32), phi=phi, kmin=kmin,
        order=np.arange(n, dtype=np.int32), pending=np.zeros(n + 1, dtype=np.int32),
        tie_mark=np.zeros(n + 1, dtype=np.int64),
    )


def _popcount(x: np.ndarray) -> np.ndarray:
    """Number of set bits of each int64 (vectorized)."""
    u = x.view(np.uint64)
    return np.unpackbits(u.view(np.uint8).reshape(-1, 8), axis=1).sum(axis=1).astype(np.int32)


def choose_seeds(count: int, how: str, level: np.ndarray, eligible: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Pick ``count`` eligible people at random, from the top or from the bottom of the hierarchy."""
    candidates = np.flatnonzero(eligible)
    count = min(count, candidates.shape[0])
    if how == "random":
        return rng.choice(candidates, count, replace=False)
    jitter = rng.random(candidates.shape[0])  # random order within a level
    keys = (level[candidates], jitter) if how == "top" else (-level[candidates], jitter)
    return candidates[np.lexsort(keys[::-1])[:count]]


def cluster_seeds(count: int, org: Org, rng: np.random.Generator) -> np.ndarray:
    """A random employee, their ties, then ties of ties (breadth first), until ``count`` employees."""
    count = min(count, org.n_employees)
    chosen = [int(rng.integers(org.n_employees))]
    seen = set(chosen)
    for person in chosen:  # grows while iterating: breadth-first order
        for j in org.neighbours(person):
            if len(chosen) == count:
                return np.array(chosen)
            if j < org.n_employees and int(j) not in seen:
                seen.add(int(j))
                chosen.append(int(j))
    return np.array(chosen[:count])  # the component was smaller than count


def department_heads(org: Org) -> np.ndarray:
    """Index of each department's head: its top employee below the CEO (the CEO only if alone there)."""
    heads = np.zeros(org.n_departments, dtype=np.int32)
    employees = ~org.is_external
    for d in range(org.n_departments):
        members = np.flatnonzero(employees & (org.department == d))
        below_ceo = members[org.level[members] >= 1]
        members = below_ceo if below_ceo.size else members
        heads[d] = members[np.argmin(org.level[members])]
    return heads


def seed_adopters(scenario: Scenario, org: Org, people: People, rng: np.random.Generator) -> None:
    """Register the champions and the classic rules' seeds at day 0."""
    p = people
    employees = ~org.is_external
    seeds = []
    if scenario.rollout.champions:
        champions = choose_seeds(scenario.rollout.champions, "random", org.level, employees & ~p.is_senior,
                                 rng)
        p.affinity[champions] = np.maximum(p.affinity[champions], CHAMPION_AFFINITY)
        p.confidence[champions] *= CHAMPION_CONFIDENCE
        seeds.append(champions)
    reg = scenario.registration
    if reg.initial_adopters > 0:
        share = reg.initial_adopters < 1
        count = int(round(reg.initial_adopters * org.n_employees)) if share else int(reg.initial_adopters)
        if reg.seeding == "cluster":
            seeds.append(cluster_seeds(count, org, rng))
        else:
            seeds.append(choose_seeds(count, reg.seeding, org.level, employees, rng))
    for i in np.unique(np.concatenate(seeds)) if seeds else []:
        p.state[i] = MEMBER
        p.registered_day[i] = p.engaged_day[i] = 0
        p.novelty[i] = 1.0
        p.usefulness[i] = scenario.behaviour.initial_usefulness
        if not org.complete:
            np.add.at(p.n_reg_ties, org.neighbours(i), 1)
