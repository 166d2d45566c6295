"""The simulation without Mesa: the state arrays, the seeded generator, and the days run by the numba kernels.

:class:`Simulation` is the :class:`orgsim.engine.Engine` that runs use. Each stretch of days
between events is one call of :func:`orgsim.kernels.day.step_days`, whose docstring lists the
order of the day. :class:`orgsim.model.OrgModel` is this class on Mesa (for the dashboard);
runs use this one, which does not wait for Mesa's import (~0.8 s, a quarter of a run).
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable

import numpy as np

from orgsim.engine import Engine, Replicate
from orgsim.kernels.day import step_days
from orgsim.kernels.state import AWARE, LEFT, MEMBER, POST, RULES, UNAWARE, IdeaQueue, Network, Posts, Questions
from orgsim.organization import build_organization
from orgsim.params import Behaviour, Policy, Scenario
from orgsim.population import department_heads, init_people, seed_adopters

# The kernels' scalars: every behaviour coefficient and policy value (by name), the registration rule and sizes
KernelParams = namedtuple("KernelParams", [*Behaviour.model_fields, *Policy.model_fields,
                                           "rule", "bass_p", "bass_q", "n_topics", "n_departments", "n_employees"])


def kernel_params(scenario: Scenario, policy: Policy, n_departments: int) -> KernelParams:
    """The kernels' scalars, each of the type its field declares (numba compiles one version per type)."""
    typed = {name: field.annotation(getattr(section, name))
             for section in (scenario.behaviour, policy) for name, field in type(section).model_fields.items()}
    reg = scenario.registration
    return KernelParams(**typed, rule=RULES[reg.rule], bass_p=float(reg.bass_p), bass_q=float(reg.bass_q),
                        n_topics=int(scenario.employees.n_topics), n_departments=int(n_departments),
                        n_employees=int(scenario.organization.n_employees))


class Simulation(Engine):
    """An organization adopting a social platform, one day per step.

    Args:
        scenario: a validated :class:`orgsim.params.Scenario`.
        rng: seed or generator for everything random (an integer seed gives the days ``OrgModel`` gives;
            Mesa draws from a generator before the model does).
    """

    def __init__(self, scenario: Scenario, rng=None):
        super().__init__(scenario)
        self.rng = np.random.default_rng(rng)  # OrgModel passes Mesa's generator, which this returns unchanged
        self.org = build_organization(scenario.organization, self.rng)
        self.people = init_people(scenario, self.org, self.rng)
        self.net = Network(self.org.indptr, self.org.indices, self.org.formal, department_heads(self.org),
                           self.org.complete)
        self._params = None  # the kernels' scalars, made again after the policy changes
        self._allocate(scenario)
        seed_adopters(scenario, self.org, self.people, self.rng)

    def _allocate(self, scenario: Scenario) -> None:
        b, n, days = scenario.behaviour, self.org.n, scenario.run.days
        post_cap = 1 << (max(4096, 3 * n * b.feed_window // 4) - 1).bit_length()  # a power of two (contributions.slot)
        self.posts = Posts(ring=np.zeros(post_cap, POST), total=np.zeros(1, np.int64),
                           day_start=np.zeros(days + 1, np.int64), drawn=np.zeros(post_cap, np.int64),
                           samples=np.zeros(1, np.int64))
        q_cap = max(1024, int(1.5 * n * b.question_rate * (b.question_ttl + 1)))
        self.questions = Questions(
            asker=np.zeros(q_cap, np.int32), topic=np.zeros(q_cap, np.int32), day=np.zeros(q_cap, np.int32),
            holder=np.zeros(q_cap, np.int32), via=np.zeros(q_cap, np.int32), posted=np.zeros(q_cap, np.int32),
            open=np.zeros(q_cap, bool), total=np.zeros(1, np.int64),
            post_index=np.zeros(post_cap, np.int64), n_posted=np.zeros(1, np.int64),
        )
        i_cap = max(256, int(1.5 * n * b.idea_rate * (b.idea_ttl + 1)))
        self.ideas = IdeaQueue(np.zeros(i_cap, np.int32), np.zeros(1, np.int64), np.zeros(1, np.int64),
                               np.zeros(1, np.float64))
        self.kernel_rng = np.zeros(4, np.uint64)  # the kernels' generator state, reseeded every day

    def announce(self, departments: list[int] | None) -> None:
        """Make a set of departments (``None``: everyone) aware; re-engage members and leavers there if it is open."""
        p = self.people
        where = ~self.org.is_external
        if departments is not None:
            where &= np.isin(p.department, departments)
        p.state[where & (p.state == UNAWARE)] = AWARE
        if not self.policy.platform_open:
            return
        again = where & ((p.state == MEMBER) | (p.state == LEFT))
        p.state[again] = MEMBER
        p.novelty[again] = 1.0
        p.engaged_day[again] = self.day

    def open_to_partners(self) -> None:
        """Externals who have not heard of the platform become aware."""
        ext = self.org.is_external & (self.people.state == UNAWARE)
        self.people.state[ext] = AWARE

    def _policy_changed(self) -> None:
        self._params = None

    def _grow(self, extra: int) -> None:
        super()._grow(extra)
        self.posts = self.posts._replace(day_start=np.concatenate([self.posts.day_start, np.zeros(extra, np.int64)]))

    def _run(self, days: int) -> None:
        if self._params is None:
            self._params = kernel_params(self.scenario, self.policy, self.org.n_departments)
        seeds = self.rng.integers(0, 2**63 - 1, size=days)
        step_days(self.people, self.net, self.posts, self.questions, self.ideas, self._params, self.out, self.day,
                  seeds, self.kernel_rng)

    @property
    def contributions(self) -> np.ndarray:
        """Posts plus replies of every employee who ever registered."""
        p = self.people
        registered = (p.registered_day >= 0) & ~p.is_external
        return (p.n_posts + p.n_replies)[registered]

    def unit_counts(self) -> np.ndarray:
        """Per unit (department), at the end of the days run: employees, registered, active in the last 7 days."""
        p, k = self.people, self.org.n_departments
        employees = ~self.org.is_external
        unit = p.department[employees]
        columns = [np.ones(unit.shape[0]), p.registered_day[employees] >= 0, p.last_visit[employees] >= self.day - 7]
        return np.stack([np.bincount(unit, weights=c, minlength=k) for c in columns], axis=1)


def replicate_seed(seed: int, replicate: int) -> int:
    """The seed of one replicate, derived from the master seed (independent of how runs are scheduled)."""
    return int(np.random.SeedSequence(seed, spawn_key=(replicate,)).generate_state(1, np.uint64)[0] >> 1)


def simulate(scenario: Scenario, replicate: int, seed: int, on_day: Callable[[], None] | None = None) -> Replicate:
    """Simulate replicate number ``replicate`` of ``scenario`` for ``run.days`` days, from the master ``seed``."""
    own_seed = replicate_seed(seed, replicate)
    simulation = Simulation(scenario, rng=own_seed)
    simulation.run_days(scenario.run.days, on_day)
    return simulation.replicate(own_seed)
