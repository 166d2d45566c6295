"""Fit a scenario's parameters to observed usage with pyabc's ABC-SMC, then forecast from the posterior.

The fit compares summary statistics of simulated and observed daily counts (each observable
divided by the head count; daily values or weekly means), with pyabc's adaptive p-norm distance
(each statistic scaled by its spread) or a plain Euclidean one.

Resuming and determinism: pyabc keeps every finished generation in ``abc.db`` (SQLite) in the
output folder. Each generation is run by its own ``ABCSMC.run(max_nr_populations=1)`` after
``load`` from that database, with numpy seeded from (seed, generation); the local sampler is
pyabc's ``SingleCoreSampler``, whose order does not depend on timing. So an interrupted fit
resumes at the generation it was in and gives the same posterior as one never interrupted.
Through Dask (``DaskDistributedSampler``) the order in which particles are accepted depends on
the workers' timing: the fit is then not reproducible bit for bit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from orgsim.calibration.config import Calibration
from orgsim.calibration.data import OBSERVABLES, UsageData
from orgsim.params import Scenario
from orgsim.scenario import ScenarioError, load_scenario, with_overrides

DB = "abc.db"
STATE = "fit.json"
QUANTILES = (0.05, 0.5, 0.95)


def _safe(name: str) -> str:
    """A parameter's name in pyabc's database (dotted paths are not identifiers)."""
    return name.replace(".", "__")


def base_scenario(calibration: Calibration) -> Scenario:
    """The calibration's scenario with its fixed ``set`` and the head count; one replicate."""
    scenario = load_scenario(calibration.scenario)
    overrides = {**calibration.set, "organization.n_employees": calibration.head_count, "run.replicates": 1}
    return with_overrides(scenario, overrides, f"{calibration.name}: set", warn=False)


def statistics(frame: pd.DataFrame, observables: list[str], days: list[int], scales: dict[str, float],
               summary: str) -> dict[str, np.ndarray]:
    """Summary statistics: each observable on ``days`` divided by its scale; daily, or means of consecutive weeks."""
    at = frame.set_index("day")
    stats = {}
    for name in observables:
        values = at[OBSERVABLES[name]].reindex(days).to_numpy(dtype=float) / scales[name]
        if summary == "weekly":
            n = len(values)
            values = np.array([values[k:k + 7].mean() for k in range(0, n, 7)])
        stats[name] = values
    return stats


def scales(calibration: Calibration, data: UsageData, days: list[int]) -> dict[str, float]:
    """What each observable is divided by: the head count (``euclidean``), or its observed mean (``scaled``).

    Scaled, each observable weighs the same in the distance however large its counts (readers are
    hundreds a day, likers a handful).
    """
    observed = data.frame.set_index("day").loc[days]
    if calibration.distance == "euclidean":
        return {name: float(calibration.head_count) for name in calibration.observables}
    return {name: max(float(observed[name].mean()), 1.0) for name in calibration.observables}


class Simulator:
    """The model as pyabc sees it: parameters in, summary statistics out (picklable, for Dask workers).

    Each call draws its simulation seed from numpy's global generator, which the fit seeds.
    """

    def __init__(self, calibration: Calibration, base: Scenario, days: list[int], scales: dict[str, float]):
        self.calibration, self.base, self.days, self.scales = calibration, base, days, scales
        self.names = {_safe(k): k for k in calibration.fit}

    def scenario(self, parameters: dict[str, float], run_days: int, events: list | None = None) -> Scenario:
        """The base scenario with fitted values (on the fit's scale) and optional extra events."""
        cal = self.calibration
        overrides: dict[str, Any] = {key: cal.fit[key].value(parameters[_safe(key)]) for key in cal.fit}
        overrides["run.days"] = run_days
        if events:
            overrides["rollout.events"] = [e.model_dump() for e in self.base.rollout.events] + \
                [e.model_dump() for e in events]
        return with_overrides(self.base, overrides, f"{cal.name}: fit", warn=False)

    def run(self, parameters: dict[str, float], seed: int, run_days: int, events: list | None = None) -> pd.DataFrame:
        """One simulated daily table."""
        from orgsim.runner import run_replicate

        return run_replicate(self.scenario(parameters, run_days, events), 0, seed)[0]

    def __call__(self, parameters: dict[str, float]) -> dict[str, np.ndarray]:
        """The summary statistics of one run with ``parameters``, from a seed drawn from numpy's generator."""
        seed = int(np.random.randint(0, 2**31 - 1))
        frame = self.run(dict(parameters), seed, max(self.days) + 1)
        cal = self.calibration
        return statistics(frame, cal.observables, self.days, self.scales, cal.summary)


def fit_days(calibration: Calibration, data: UsageData) -> list[int]:
    """The observed days the fit uses: all, or those up to ``fit_until`` (the rest are held out)."""
    days = data.days
    return [d for d in days if calibration.fit_until is None or d <= calibration.fit_until]


def fingerprint(calibration: Calibration, data: UsageData) -> str:
    """What the fit in a folder was made from: the calibration's fit settings and the data."""
    later = {"horizon", "draws", "interventions", "description", "generations", "min_epsilon"}  # not the fit's
    settings = calibration.model_dump(mode="json", exclude=later)
    blob = json.dumps({"settings": settings, "data": data.frame.astype(str).to_dict("list")}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


@dataclass
class Fit:
    """A finished fit: the posterior particles (scenario units) and the fit's record."""

    calibration: Calibration
    data: UsageData
    posterior: pd.DataFrame  # one row per particle: the fitted parameters (scenario values) and weight
    generations: pd.DataFrame  # per generation: epsilon, particles, samples, acceptance
    simulator: Simulator
    seconds: float

    def draws(self, n: int, seed: int) -> list[dict[str, float]]:
        """``n`` posterior particles drawn by weight, on the fit's scale."""
        rng = np.random.default_rng([seed, 7])
        weights = self.posterior["weight"].to_numpy()
        picks = rng.choice(len(weights), size=n, p=weights / weights.sum())
        scale = self.posterior[[f"_{_safe(k)}" for k in self.calibration.fit]]
        return [{_safe(k): float(scale.iloc[i][f"_{_safe(k)}"]) for k in self.calibration.fit} for i in picks]


def _priors(calibration: Calibration):
    import pyabc

    return pyabc.Distribution(**{_safe(k): pyabc.RV("uniform", p.bounds[0], p.bounds[1] - p.bounds[0])
                                 for k, p in calibration.fit.items()})


def _sampler(client):
    from pyabc.sampler import DaskDistributedSampler, SingleCoreSampler

    if client is None:
        return SingleCoreSampler(check_max_eval=False)
    return DaskDistributedSampler(dask_client=client, batch_size=2)


def _abc(calibration: Calibration, simulator: Simulator, client):
    import pyabc

    return pyabc.ABCSMC(simulator, _priors(calibration), pyabc.PNormDistance(p=2),
                        population_size=calibration.population, sampler=_sampler(client))


def _quiet_pyabc() -> None:
    for name in ("ABC", "Sampler", "Epsilon", "Distance", "Acceptor", "History", "pyabc", "ABC.Distance",
                 "ABC.Sampler", "ABC.History", "ABC.Epsilon", "ABC.Predictor", "ABC.Adaptation"):
        logging.getLogger(name).setLevel(logging.WARNING)


def fit(calibration: Calibration, data: UsageData, out: str | Path, client=None,
        on_generation: Callable[[int, int, float], None] | None = None, restart: bool = False) -> Fit:
    """Run (or resume) the ABC-SMC fit in ``out``; return the final posterior.

    ``client``: a ``dask.distributed`` client, or None for this process (reproducible for a seed).
    ``on_generation(t, generations, epsilon)`` is called after each finished generation.
    """
    import pyabc

    _quiet_pyabc()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    db_path, state_path = out / DB, out / STATE
    print_ = fingerprint(calibration, data)
    if restart:
        for path in (db_path, state_path):
            path.unlink(missing_ok=True)
    if db_path.exists():
        state = json.loads(state_path.read_text()) if state_path.exists() else {}
        if state.get("fingerprint") != print_:
            raise ScenarioError(f"{out}: holds a fit of other settings or data ({DB}); use another --out, or "
                                "--restart to discard it")
    days = fit_days(calibration, data)
    scale = scales(calibration, data, days)
    simulator = Simulator(calibration, base_scenario(calibration), days, scale)
    observed = statistics(data.frame.rename(columns=OBSERVABLES), calibration.observables, days, scale,
                          calibration.summary)
    url = f"sqlite:///{db_path}"
    started = time.perf_counter()
    if not db_path.exists():
        from orgsim.output import write_json

        write_json(state_path, {"fingerprint": print_, "created": dt.datetime.now(dt.UTC).isoformat()})
    done = pyabc.History(url).max_t + 1 if db_path.exists() and _has_run(url) else 0
    if done == 0:  # interrupted before its first generation was stored: start afresh
        db_path.unlink(missing_ok=True)
    for t in range(done, calibration.generations):
        abc = _abc(calibration, simulator, client)
        if t == 0:
            abc.new(url, observed)
        else:
            abc.load(url, 1)
        np.random.seed([calibration.seed, t])
        history = abc.run(max_nr_populations=1, minimum_epsilon=calibration.min_epsilon)
        eps = float(history.get_all_populations()["epsilon"].iloc[-1])
        if on_generation:
            on_generation(t, calibration.generations, eps)
        if calibration.min_epsilon > 0 and eps <= calibration.min_epsilon:
            break
    return load_fit(calibration, data, out, simulator, time.perf_counter() - started)


def _has_run(url: str) -> bool:
    import pyabc

    try:
        return pyabc.History(url).max_t >= 0
    except Exception:  # an empty database (interrupted before its first generation)
        return False


def load_fit(calibration: Calibration, data: UsageData, out: Path, simulator: Simulator, seconds: float) -> Fit:
    """The posterior of the last finished generation in ``out``'s database."""
    import pyabc

    history = pyabc.History(f"sqlite:///{Path(out) / DB}")
    frame, weights = history.get_distribution(m=0, t=history.max_t)
    posterior = pd.DataFrame({"weight": np.asarray(weights, dtype=float)})
    for key, prior in calibration.fit.items():
        x = frame[_safe(key)].to_numpy(dtype=float)
        posterior[key] = [prior.value(v) for v in x]
        posterior[f"_{_safe(key)}"] = x
    posterior["weight"] /= posterior["weight"].sum()
    pops = history.get_all_populations()
    pops = pops[pops["t"] >= 0].reset_index(drop=True)
    generations = pd.DataFrame({"generation": pops["t"], "epsilon": pops["epsilon"],
                                "particles": pops["particles"], "samples": pops["samples"]})
    generations["acceptance"] = generations["particles"] / generations["samples"]
    return Fit(calibration, data, posterior, generations, simulator, seconds)


def weighted_quantiles(values: np.ndarray, weights: np.ndarray, qs=QUANTILES) -> list[float]:
    """Quantiles of a weighted sample (the weighted empirical distribution, interpolated)."""
    order = np.argsort(values)
    v, w = np.asarray(values, dtype=float)[order], np.asarray(weights, dtype=float)[order]
    cum = (np.cumsum(w) - 0.5 * w) / w.sum()
    return [float(np.interp(q, cum, v)) for q in qs]


def posterior_summary(result: Fit) -> pd.DataFrame:
    """Each fitted parameter's median and 90% interval, beside its prior's bounds."""
    rows = []
    for key, prior in result.calibration.fit.items():
        low, median, high = weighted_quantiles(result.posterior[key].to_numpy(), result.posterior["weight"].to_numpy())
        bounds = prior.log_uniform or prior.uniform
        rows.append({"parameter": key, "median": median, "q05": low, "q95": high,
                     "prior": "log_uniform" if prior.log else "uniform", "prior_low": bounds[0],
                     "prior_high": bounds[1], "width_share_of_prior": _width(prior, low, high)})
    return pd.DataFrame(rows)


def _width(prior, low: float, high: float) -> float:
    """The 90% interval's width as a share of the prior's (on the fit's scale)."""
    a, b = prior.bounds
    if prior.log:
        low, high = np.log(max(low, 1e-300)), np.log(max(high, 1e-300))
    return float((high - low) / (b - a))


def predictive(result: Fit, horizon: int | None = None, draws: int | None = None, seed: int | None = None,
               client=None) -> pd.DataFrame:
    """Posterior predictive runs to the horizon, "as is" and under each intervention: a tidy table.

    Columns: ``scenario``, ``draw``, ``day``, and one column per observable. Every scenario uses the
    same posterior draws and the same simulation seeds, so differences come from the interventions.
    """
    cal = result.calibration
    horizon = max(horizon or cal.horizon or max(result.data.days), max(result.data.days))
    n = draws or cal.draws
    seed = cal.seed if seed is None else seed
    particles = result.draws(n, seed)
    seeds = np.random.default_rng([seed, 11]).integers(0, 2**31 - 1, size=n)
    scenarios = [("as is", None)] + [(i.name, i.events) for i in cal.interventions]
    jobs = [(name, k, particles[k], int(seeds[k]), events) for name, events in scenarios for k in range(n)]
    run = _PredictiveRun(result.simulator, horizon + 1)
    frames = client.gather(client.map(run, jobs, pure=False)) if client is not None else [run(job) for job in jobs]
    return pd.concat(frames, ignore_index=True)


class _PredictiveRun:
    """One posterior-predictive run (picklable, for Dask)."""

    def __init__(self, simulator: Simulator, run_days: int):
        self.simulator, self.run_days = simulator, run_days

    def __call__(self, job) -> pd.DataFrame:
        name, k, particle, seed, events = job
        frame = self.simulator.run(particle, seed, self.run_days, events)
        table = pd.DataFrame({"scenario": name, "draw": k, "day": frame["day"]})
        for obs, column in OBSERVABLES.items():
            table[obs] = frame[column]
        return table


def bands(runs: pd.DataFrame, data: UsageData) -> pd.DataFrame:
    """The 5%, 50% and 95% of each observable per scenario and day, with the observed value where there is one."""
    long = runs.melt(id_vars=["scenario", "draw", "day"], var_name="observable", value_name="value")
    grouped = long.groupby(["scenario", "observable", "day"], sort=False)["value"]
    table = grouped.quantile(list(QUANTILES)).unstack()
    table.columns = ["q05", "q50", "q95"]
    table = table.reset_index()
    observed = data.frame.melt(id_vars=["day", "date"], var_name="observable", value_name="observed")
    return table.merge(observed[["observable", "day", "observed"]], on=["observable", "day"], how="left")


def coverage(table: pd.DataFrame, days: list[int] | None = None, scenario: str = "as is") -> pd.DataFrame:
    """Share of observed points inside the 90% band, per observable (on ``days``, default all observed)."""
    rows = table[(table["scenario"] == scenario) & table["observed"].notna()]
    if days is not None:
        rows = rows[rows["day"].isin(days)]
    inside = (rows["observed"] >= rows["q05"]) & (rows["observed"] <= rows["q95"])
    return inside.groupby(rows["observable"]).agg(["mean", "size"]).rename(
        columns={"mean": "share_inside_90", "size": "points"}).reset_index()
