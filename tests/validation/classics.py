"""The classic diffusion experiments, shared by the validation tests and ``experiments/validation.py``.

Each function builds a scenario that switches orgsim to a classic special case
(network kind, registration rule, seeding), runs it through the same model and
kernel as every other scenario, and returns what the literature predicts or
measures. The platform itself is switched off in these runs (``platform_open:
false``, no questions or ideas): under the ``bass`` and ``threshold`` rules it
cannot change who registers, and it only costs time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import poisson

from orgsim.kernels.state import Out
from orgsim.params import Scenario
from orgsim.simulation import Simulation

QUIET_PLATFORM = {
    "policy": {"platform_open": False},
    "behaviour": {"question_rate": 0.0, "idea_rate": 0.0},
}


def classic_scenario(n: int, network: dict, registration: dict, days: int) -> Scenario:
    """A classic-case scenario: ``n`` employees, a network kind, a registration rule, the platform off."""
    return Scenario.model_validate({
        "name": "classic",
        "run": {"days": days, "seed": 1, "replicates": 1},
        "organization": {"n_employees": n, **network},
        "registration": registration,
        **QUIET_PLATFORM,
    })


def adopters_until_settled(scenario: Scenario, seed: int) -> np.ndarray:
    """Adopters at the end of each day, stopping at the first day without a new adopter.

    Under the threshold rule adoption is deterministic given who has adopted, so a
    day without a new adopter is a fixed point: nothing changes afterwards.
    The run also stops after ``scenario.run.days`` days.
    """
    model = Simulation(scenario, rng=seed)
    previous = -1.0
    for _ in range(scenario.run.days):
        model.step()
        current = model.counters[-1, Out.n_registered]
        if current == previous:
            break
        previous = current
    return model.counters[:, Out.n_registered].copy()


# --- Bass (1969) ---------------------------------------------------------------------------


def bass_recursion(p: float, q: float, days: int) -> np.ndarray:
    """Discrete Bass model: ``F[t+1] = F[t] + (p + q F[t]) (1 - F[t])``, ``F[0] = 0``; returns ``F[1..days]``.

    ``F[d + 1]`` is the adopted share at the end of orgsim's day ``d`` (day 0 is the first step).
    """
    share = np.zeros(days + 1)
    for t in range(days):
        share[t + 1] = share[t] + (p + q * share[t]) * (1.0 - share[t])
    return share[1:]


def bass_runs(n: int, p: float, q: float, days: int, seeds: list[int]) -> np.ndarray:
    """Adopted share per day (rows: seeds) under the ``bass`` rule on the complete network."""
    scenario = classic_scenario(n, {"network": "complete"}, {"rule": "bass", "bass_p": p, "bass_q": q}, days)
    model_runs = []
    for seed in seeds:
        model = Simulation(scenario, rng=seed)
        for _ in range(days):
            model.step()
        model_runs.append(model.counters[:, Out.n_registered] / n)
    return np.array(model_runs)


def new_per_day(share: np.ndarray) -> np.ndarray:
    """New adopters per day from a cumulative share (day 0 counts from zero)."""
    return np.diff(share, prepend=0.0, axis=-1)


# --- Watts (2002) ----------------------------------------------------------------------------


def watts_condition(z: float, phi: float) -> float:
    """Left side minus right side of Watts' cascade condition on Poisson graphs.

    ``sum_k k (k - 1) rho_k p_k - z``, where ``rho_k = 1`` for vulnerable degrees
    (one adopted tie suffices: ``1 / k >= phi``, ``k >= 1``). Global cascades are
    possible where this is positive.
    """
    k = np.arange(1, int(np.floor(1.0 / phi)) + 1)
    return float(np.sum(k * (k - 1) * poisson.pmf(k, z)) - z)


def watts_window(phi: float, z_max: float = 20.0) -> tuple[float, float]:
    """The analytic cascade window ``(z_low, z_high)`` on Poisson graphs (bisection on :func:`watts_condition`)."""
    grid = np.linspace(0.01, z_max, 4000)
    values = np.array([watts_condition(z, phi) for z in grid])
    crossings = np.flatnonzero(np.diff(np.sign(values)) != 0)

    def bisect(lo: float, hi: float) -> float:
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            if np.sign(watts_condition(mid, phi)) == np.sign(watts_condition(lo, phi)):
                lo = mid
            else:
                hi = mid
        return 0.5 * (lo + hi)

    low, high = (bisect(grid[i], grid[i + 1]) for i in crossings[:2])
    return low, high


@dataclass
class CascadeSample:
    """Final adopted shares of independent runs at one mean degree."""

    z: float
    shares: np.ndarray

    def frequency(self, cascade_share: float = 0.1) -> float:
        """Share of runs in which more than ``cascade_share`` of the people adopted."""
        return float(np.mean(self.shares > cascade_share))


def watts_cascades(n: int, phi: float, z: float, seeds: list[int], max_days: int = 400) -> CascadeSample:
    """One random initial adopter on an Erdős–Rényi graph of mean degree ``z``; each seed draws a new graph."""
    scenario = classic_scenario(
        n, {"network": "erdos_renyi", "mean_degree": z},
        {"rule": "threshold", "phi": phi, "initial_adopters": 1, "seeding": "random"}, max_days,
    )
    return CascadeSample(z, np.array([adopters_until_settled(scenario, s)[-1] / n for s in seeds]))


# --- Centola & Macy (2007) -----------------------------------------------------------------


def ring_runs(n: int, k: int, p: float, ties_needed: int, seeds: list[int], max_days: int = 2000) -> list[np.ndarray]:
    """Adopted share per day on a Watts–Strogatz graph; adopt with ``ties_needed`` adopted ties.

    Seeds are a cluster: a random person and its neighbourhood (``k + 1`` people), as in Centola & Macy.
    """
    scenario = classic_scenario(
        n, {"network": "watts_strogatz", "ws_k": k, "ws_p": p},
        {"rule": "threshold", "phi": 0.0, "count_threshold": ties_needed, "initial_adopters": k + 1,
         "seeding": "cluster"}, max_days,
    )
    return [adopters_until_settled(scenario, s) / n for s in seeds]


def days_to_reach(share: np.ndarray, level: float) -> float:
    """First day on which the adopted share reaches ``level`` (``inf`` if never)."""
    hit = np.flatnonzero(share >= level)
    return float(hit[0]) if hit.size else float("inf")


# --- Granovetter (1978) --------------------------------------------------------------------


def granovetter_joiners(thresholds: list[int]) -> int:
    """How many of the crowd join when person ``i`` joins once ``thresholds[i]`` others have joined."""
    n = len(thresholds)
    scenario = classic_scenario(
        n, {"network": "complete"},
        {"rule": "threshold", "phi": 0.0, "count_thresholds": thresholds}, days=n + 1,
    )
    return int(adopters_until_settled(scenario, seed=1)[-1])
