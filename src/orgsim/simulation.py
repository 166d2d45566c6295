"""The simulation without Mesa: the state arrays, the seeded generator, and the days run by the numba kernels.

``Simulation.step()`` advances one day: it applies the scenario's events for that
day (which change inputs only: who is aware, policy values) and calls
:func:`orgsim.kernels.step_days`, whose docstring lists the order of the day;
``Simulation.run_days(n)`` does the same for ``n`` days in fewer kernel calls.
:class:`orgsim.model.OrgModel` is this class on Mesa (with ``Employee`` agent views);
runs use this one, which does not wait for Mesa's import (~0.8 s, a quarter of a run).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from orgsim import kernels as K
from orgsim.organization import Org, build_organization
from orgsim.params import Policy, Scenario

EXTERNAL_KNOW = 0.15  # chance an external member knows each topic (partners bring outside knowledge)
CHAMPION_AFFINITY = 0.9  # champions are enthusiasts: at least this digital affinity
CHAMPION_CONFIDENCE = 3.0  # ... and this multiple of their drawn confidence
PROGRESS_SECONDS = 0.2  # run_days with a progress callback reports about this often

_INT_FIELDS = {"feed_size", "feed_window", "churn_days", "idea_endorsements", "platform_patience",
               "question_ttl", "idea_ttl", "platform_ties"}
RULES = {"esn": K.RULE_ESN, "bass": K.RULE_BASS, "threshold": K.RULE_THRESHOLD}


def kernel_params(scenario: Scenario, policy: Policy, n_departments: int) -> K.KernelParams:
    """Flatten behaviour, the current policy and a few constants into the kernel's scalar tuple."""
    values = {}
    for name, value in {**scenario.behaviour.model_dump(), **policy.model_dump()}.items():
        if isinstance(value, bool):
            values[name] = bool(value)
        elif name in _INT_FIELDS:
            values[name] = int(value)
        else:
            values[name] = float(value)
    reg = scenario.registration
    return K.KernelParams(
        **values,
        rule=RULES[reg.rule],
        bass_p=float(reg.bass_p),
        bass_q=float(reg.bass_q),
        n_topics=int(scenario.employees.n_topics),
        n_departments=int(n_departments),
        n_employees=int(scenario.organization.n_employees),
    )


def init_people(scenario: Scenario, org: Org, rng: np.random.Generator) -> K.People:
    """Draw every person's attributes and initial state (one array per attribute)."""
    emp = scenario.employees
    n, n_emp = org.n, org.n_employees
    senior = (org.level >= 0) & (org.level < emp.senior_levels)
    external = org.is_external
    trust0 = np.clip(rng.normal(emp.trust_mean, emp.trust_sd, n), 0.01, 0.99)
    time = np.clip(rng.normal(emp.time_mean, emp.time_sd, n), 0.1 * emp.time_mean, None)
    time[senior] *= emp.senior_time_factor
    affinity = np.clip(rng.normal(emp.affinity_mean, emp.affinity_sd, n), 0.0, 1.0)
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
    return K.People(
        level=org.level, department=org.department, manager=org.manager, is_external=external,
        is_senior=senior, is_manager=is_manager, is_bad=is_bad, trust=trust0.copy(), trust0=trust0, time=time,
        affinity=affinity, confidence=confidence, knowledge=knowledge, n_known=n_known,
        state=full(K.UNAWARE, np.int8), registered_day=full(-1, np.int32), engaged_day=full(-1, np.int32),
        last_visit=full(-1000, np.int32), seen=full(0, np.int64), last_contrib=full(-1000, np.int32),
        novelty=full(0.0, float), habit=full(0.0, float), usefulness=full(0.0, float), feedback=full(0.0, float),
        n_posts=full(0, np.int32), n_replies=full(0, np.int32), restricted=full(False, bool),
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


class Simulation:
    """An organization adopting a social platform, one day per step.

    Args:
        scenario: a validated :class:`orgsim.params.Scenario`.
        rng: seed or generator for everything random (an integer seed gives the days ``OrgModel`` gives;
            Mesa draws from a generator before the model does).
    """

    def __init__(self, scenario: Scenario, rng=None):
        self.rng = np.random.default_rng(rng)  # OrgModel passes Mesa's generator, which this returns unchanged
        self.scenario = scenario
        self.org = build_organization(scenario.organization, self.rng)
        self.people = init_people(scenario, self.org, self.rng)
        self.net = K.Network(self.org.indptr, self.org.indices, self.org.formal, department_heads(self.org),
                             self.org.complete)
        self.policy = scenario.policy.model_copy()
        self.events = sorted(scenario.rollout.events, key=lambda e: e.day)
        self.day = 0
        self._params_policy: dict | None = None
        self._allocate(scenario)
        self._seed_adopters(scenario)

    def _allocate(self, scenario: Scenario) -> None:
        b, n, days = scenario.behaviour, self.org.n, scenario.run.days
        post_cap = 1 << (max(4096, 3 * n * b.feed_window // 4) - 1).bit_length()  # a power of two (kernels.slot)
        self.posts = K.Posts(ring=np.zeros(post_cap, K.POST), total=np.zeros(1, np.int64),
                             day_start=np.zeros(days + 1, np.int64), drawn=np.zeros(post_cap, np.int64),
                             samples=np.zeros(1, np.int64))
        q_cap = max(1024, int(1.5 * n * b.question_rate * (b.question_ttl + 1)))
        self.questions = K.Questions(
            asker=np.zeros(q_cap, np.int32), topic=np.zeros(q_cap, np.int32), day=np.zeros(q_cap, np.int32),
            holder=np.zeros(q_cap, np.int32), via=np.zeros(q_cap, np.int32), posted=np.zeros(q_cap, np.int32),
            open=np.zeros(q_cap, bool), total=np.zeros(1, np.int64),
            post_index=np.zeros(post_cap, np.int64), n_posted=np.zeros(1, np.int64),
        )
        i_cap = max(256, int(1.5 * n * b.idea_rate * (b.idea_ttl + 1)))
        self.ideas = K.IdeaQueue(np.zeros(i_cap, np.int32), np.zeros(1, np.int64), np.zeros(1, np.int64),
                                 np.zeros(1, np.float64))
        self.out = np.zeros((days, len(K.COUNTERS)), dtype=np.float64)
        self.kernel_rng = np.zeros(4, np.uint64)  # the kernels' generator state, reseeded every day

    def _seed_adopters(self, scenario: Scenario) -> None:
        """Register champions and classic-rule seeds at day 0."""
        p, org = self.people, self.org
        employees = ~org.is_external
        seeds = []
        if scenario.rollout.champions:
            champions = choose_seeds(scenario.rollout.champions, "random", org.level, employees & ~p.is_senior,
                                     self.rng)
            p.affinity[champions] = np.maximum(p.affinity[champions], CHAMPION_AFFINITY)
            p.confidence[champions] *= CHAMPION_CONFIDENCE
            seeds.append(champions)
        reg = scenario.registration
        if reg.initial_adopters > 0:
            share = reg.initial_adopters < 1
            count = int(round(reg.initial_adopters * org.n_employees)) if share else int(reg.initial_adopters)
            if reg.seeding == "cluster":
                seeds.append(cluster_seeds(count, org, self.rng))
            else:
                seeds.append(choose_seeds(count, reg.seeding, org.level, employees, self.rng))
        for i in np.unique(np.concatenate(seeds)) if seeds else []:
            p.state[i] = K.MEMBER
            p.registered_day[i] = p.engaged_day[i] = 0
            p.novelty[i] = 1.0
            p.usefulness[i] = scenario.behaviour.initial_usefulness
            if not org.complete:
                np.add.at(p.n_reg_ties, org.neighbours(i), 1)

    def announce(self, departments: list[int] | None) -> None:
        """Make a set of departments (``None``: everyone) aware; re-engage members and leavers there if it is open."""
        p = self.people
        where = ~self.org.is_external
        if departments is not None:
            where &= np.isin(p.department, departments)
        p.state[where & (p.state == K.UNAWARE)] = K.AWARE
        if not self.policy.platform_open:
            return
        again = where & ((p.state == K.MEMBER) | (p.state == K.LEFT))
        p.state[again] = K.MEMBER
        p.novelty[again] = 1.0
        p.engaged_day[again] = self.day

    def apply_events(self) -> None:
        """Apply the events scheduled for today (inputs only)."""
        for event in self.events:
            if event.day != self.day:
                continue
            for name, value in event.set.items():  # first: an event may open the platform and announce it
                setattr(self.policy, name, value)
            if event.announce is not None:
                self.announce(None if event.announce == "all" else list(event.announce))
            if event.set.get("partners_open"):
                ext = self.org.is_external & (self.people.state == K.UNAWARE)
                self.people.state[ext] = K.AWARE

    def _ensure_capacity(self, end: int) -> None:
        """Grow the output and day index arrays to hold days before ``end`` (past the scenario's days: dashboard)."""
        if end <= self.out.shape[0]:
            return
        extra = max(self.out.shape[0], end - self.out.shape[0])
        self.out = np.vstack([self.out, np.zeros((extra, self.out.shape[1]))])
        day_start = np.concatenate([self.posts.day_start, np.zeros(extra, np.int64)])
        self.posts = self.posts._replace(day_start=day_start)

    def _kernel_params(self) -> K.KernelParams:
        """The kernel's parameter tuple, rebuilt only when the policy has changed (events, dashboard)."""
        policy = dict(self.policy.__dict__)
        if policy != self._params_policy:
            self._params = kernel_params(self.scenario, self.policy, self.org.n_departments)
            self._params_policy = policy
        return self._params

    def step(self) -> None:
        """Advance one day."""
        self._advance(1)

    def run_days(self, days: int, on_day: Callable[[], None] | None = None) -> None:
        """Advance ``days`` days: the same days as ``days`` calls of :meth:`step`, with fewer kernel calls.

        Each stretch between scheduled events runs in one kernel call, which saves entering the kernel
        every day (~60 µs, a tenth of a 1,000-employee top_down day). ``on_day`` (progress bars) is called
        once per day, after the call that ran it; with it the first call runs one day and later calls about
        ``PROGRESS_SECONDS`` of days each. :meth:`step` (and a subclass's override of it) is not called.
        """
        end = self.day + days
        seconds_per_day = 0.0
        while self.day < end:
            stretch = min([end] + [e.day for e in self.events if e.day > self.day]) - self.day
            if on_day:
                stretch = max(1, min(stretch, int(PROGRESS_SECONDS / seconds_per_day) if seconds_per_day else 1))
            start = time.perf_counter()
            self._advance(stretch)
            seconds_per_day = (time.perf_counter() - start) / stretch
            if on_day:
                for _ in range(stretch):
                    on_day()

    def _advance(self, days: int) -> None:
        """Apply today's events, then run ``days`` days in one kernel call (no events among the later days)."""
        self._ensure_capacity(self.day + days)
        self.apply_events()
        seeds = self.rng.integers(0, 2**63 - 1, size=days)
        K.step_days(self.people, self.net, self.posts, self.questions, self.ideas, self._kernel_params(),
                    self.out, self.day, seeds, self.kernel_rng)
        self.day += days

    @property
    def counters(self) -> np.ndarray:
        """Kernel counters of the days run so far (rows = days)."""
        return self.out[: self.day]

    @property
    def contributions(self) -> np.ndarray:
        """Posts plus replies of every employee who ever registered."""
        p = self.people
        registered = (p.registered_day >= 0) & ~p.is_external
        return (p.n_posts + p.n_replies)[registered]


def replicate_seed(seed: int, replicate: int) -> int:
    """The seed of one replicate, derived from the master seed (independent of how runs are scheduled)."""
    return int(np.random.SeedSequence(seed, spawn_key=(replicate,)).generate_state(1, np.uint64)[0] >> 1)


@dataclass(frozen=True)
class Replicate:
    """What one replicate's simulation leaves: its seed, the daily kernel counters, contributions per member."""

    seed: int
    counters: np.ndarray  # Simulation.counters
    contributions: np.ndarray  # Simulation.contributions


def simulate(scenario: Scenario, replicate: int, seed: int, on_day: Callable[[], None] | None = None) -> Replicate:
    """Simulate replicate number ``replicate`` of ``scenario`` for ``run.days`` days, from the master ``seed``."""
    own_seed = replicate_seed(seed, replicate)
    model = Simulation(scenario, rng=own_seed)
    model.run_days(scenario.run.days, on_day)
    return Replicate(own_seed, model.counters, model.contributions)
