"""The model (Simulation and its Mesa face, OrgModel): determinism, agent views, events, consistent outputs."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from orgsim import simulation
from orgsim.kernels.ideas import executive_review
from orgsim.kernels.state import AWARE, LEFT, MEMBER, UNAWARE, Out, People
from orgsim.model import OrgModel
from orgsim.params import Scenario
from orgsim.reference import ReferenceModel, run_reference
from orgsim.runner import run
from orgsim.scenario import with_overrides
from orgsim.simulation import Simulation, replicate_seed

pytestmark = pytest.mark.mesa  # OrgModel and the reference model are Mesa models (tox.ini: every Python)


def test_same_seed_identical_results_different_seed_differs(small):
    a = run(small, seed=11).timeseries
    b = run(small, seed=11).timeseries
    c = run(small, seed=12).timeseries
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)


def test_replicates_are_independent_of_how_many_are_run(small):
    three = run(small, seed=5, replicates=3).timeseries
    one = run(small, seed=5, replicates=1).timeseries
    pd.testing.assert_frame_equal(three[three.replicate == 0].reset_index(drop=True), one)
    assert not three[three.replicate == 1].drop(columns="replicate").reset_index(drop=True).equals(
        three[three.replicate == 0].drop(columns="replicate").reset_index(drop=True))
    assert len({replicate_seed(5, r) for r in range(100)}) == 100


def test_model_rng_is_owned_by_the_model(small):
    """Global numpy random state does not leak into a run."""
    np.random.seed(0)
    a = run(small, seed=3).timeseries
    np.random.seed(999)
    b = run(small, seed=3).timeseries
    pd.testing.assert_frame_equal(a, b)


def test_simulation_and_the_mesa_model_give_identical_results(small):
    """Runs use Simulation; OrgModel is the same model on Mesa: from one seed, the same days."""
    days = small.run.days
    plain, mesa_model = Simulation(small, rng=9), OrgModel(small, rng=9)
    plain.run_days(days)
    for _ in range(days):
        mesa_model.step()
    np.testing.assert_array_equal(plain.counters, mesa_model.counters)
    for name in People._fields:
        np.testing.assert_array_equal(getattr(plain.people, name), getattr(mesa_model.people, name), err_msg=name)
    assert mesa_model.steps == days
    assert plain.counters[:, Out.new_posts].sum() > 0  # the days did something


def test_a_run_does_not_import_mesa(tmp_path):
    """Runs, their files and sweeps skip Mesa's import (~0.8 s); OrgModel, the dashboard and the reference need it."""
    code = f"""
import sys
import orgsim, orgsim.cli.run, orgsim.experiment, orgsim.sweeps
from orgsim.viz.save import save_run

tiny = {{"run": {{"days": 3, "replicates": 1}}, "organization": {{"n_employees": 30, "n_departments": 2}}}}
files = save_run(orgsim.run(orgsim.Scenario.model_validate(tiny)), {str(tmp_path)!r})
print(len(files), 'mesa' in sys.modules)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["9", "False"]  # 4 tables (by_unit.csv), 3 figures, report, summary; no Mesa


def test_models_stepped_in_turn_match_models_run_alone(small):
    """Each model owns its kernels' generator: interleaving two models' days changes neither."""
    alone = []
    for seed in (1, 2):
        model = OrgModel(small, rng=seed)
        for _ in range(small.run.days):
            model.step()
        alone.append(model.counters.copy())
    a, b = OrgModel(small, rng=1), OrgModel(small, rng=2)
    for _ in range(small.run.days):
        a.step()
        b.step()
    np.testing.assert_array_equal(a.counters, alone[0])
    np.testing.assert_array_equal(b.counters, alone[1])
    assert not np.array_equal(alone[0], alone[1])


def test_run_days_matches_stepping_day_by_day(small, monkeypatch):
    """Stretches between events run in one kernel call each, with the same draws as day-by-day steps."""
    days = small.run.days + 5  # past the scenario's days too (the arrays grow)
    [event_day] = [e.day for e in small.rollout.events if 0 < e.day < days]  # a stretch boundary inside the run
    stepped = OrgModel(small, rng=7)
    for _ in range(days):
        stepped.step()
    calls, kernel = [], simulation.step_days

    def step_days(*args):
        calls.append(len(args[-2]))  # the seeds: one per day of the call
        kernel(*args)

    monkeypatch.setattr(simulation, "step_days", step_days)
    ticks = []
    stretched, ticked = OrgModel(small, rng=7), OrgModel(small, rng=7)
    stretched.run_days(days - 3)
    stretched.run_days(3)
    assert calls == [event_day, days - 3 - event_day, 3]
    ticked.run_days(days, on_day=lambda: ticks.append(ticked.day))
    for model in (stretched, ticked):
        np.testing.assert_array_equal(model.counters, stepped.counters)
        for name in People._fields:
            np.testing.assert_array_equal(getattr(model.people, name), getattr(stepped.people, name), err_msg=name)
        np.testing.assert_array_equal(model.posts.ring, stepped.posts.ring)
        assert model.steps == stepped.steps == days
    assert len(ticks) == days and ticks[0] == 1 and ticks[-1] == days and ticks == sorted(ticks)


def test_mesa_steps_count_the_days_run_even_when_interrupted(small):
    model = OrgModel(small, rng=3)

    def stop_on_day_4():
        if model.day >= 4:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        model.run_days(10, on_day=stop_on_day_4)
    assert model.steps == model.day >= 4
    model.step()
    assert model.steps == model.day


def test_announcement_happens_on_its_day(small):
    model = OrgModel(small, rng=2)
    for _ in range(10):
        model.step()
    before = model.counters[9, Out.n_aware]
    model.step()  # day 10: announce to all
    assert before < 0.5 * small.organization.n_employees
    assert model.counters[10, Out.n_aware] == small.organization.n_employees
    assert model.policy.management_endorsement == 0.8 and small.policy.management_endorsement == 0.0


def test_stepping_past_the_scenario_days_keeps_working(small):
    with pytest.warns(UserWarning, match="not reached"):  # small's day-10 event lies past 3 days
        short = with_overrides(small, {"run.days": 3})
    model = OrgModel(short, rng=1)
    for _ in range(8):
        model.step()
    assert model.counters.shape[0] == 8 and model.counters[7, Out.n_registered] > 0


def test_outputs_are_consistent(small):
    results = run(small, seed=4, replicates=2, days=60)
    ts = results.timeseries
    assert (ts.n_active_7d <= ts.n_registered).all()
    assert (ts.n_registered <= ts.n_aware).all() and (ts.n_aware <= ts.n_employees).all()
    assert (ts.n_contributors_30d <= ts.n_registered).all()
    for _, rep in ts.groupby("replicate"):
        assert (np.diff(rep.n_registered) >= 0).all()  # registration is cumulative
        assert (rep.cum_posts == rep.new_posts.cumsum()).all()
    assert ((ts.share_cross_department >= 0) & (ts.share_cross_department <= 1)).all() or \
        ts.share_cross_department.isna().any()
    assert ((ts.knowledge_coverage > 0) & (ts.knowledge_coverage <= 1)).all()
    assert (np.diff(ts[ts.replicate == 0].knowledge_coverage) >= 0).all()  # knowledge is not forgotten
    assert (ts.questions_answered <= ts.questions_asked.cumsum()).all()
    assert len(results.replicates) == 2 and len(results.contributions) == 2
    assert sum(c.sum() for c in results.contributions) == ts.new_posts.sum() + ts.new_replies.sum()


def test_no_platform_means_no_platform_activity(small):
    closed = with_overrides(small, {"policy.platform_open": False})
    ts = run(closed, seed=1).timeseries
    assert ts.n_active_7d.max() == 0 and ts.new_posts.sum() == 0 and ts.questions_asked_platform.sum() == 0
    assert ts.questions_answered.sum() > 0  # e-mail and the hierarchy still answer questions


@pytest.mark.parametrize("engine", ["kernel", "reference"])
def test_nobody_joins_while_the_platform_is_closed(small, engine):
    """Closed on day 5, everyone told on day 10, reopened on day 40: they wait to join until it opens."""
    data = small.model_dump()
    data["rollout"]["events"] += [{"day": 5, "set": {"platform_open": False}},
                                  {"day": 40, "set": {"platform_open": True}}]
    scenario = Scenario.model_validate(data)
    ts = run(scenario, seed=3).timeseries if engine == "kernel" else run_reference(scenario, seed=3)
    registered, n = ts.n_registered.to_numpy(), small.organization.n_employees
    assert ts.n_aware[10] == n and registered[4] < n / 2
    assert (ts.n_aware[5:10] == ts.n_aware[4]).all()  # no word of mouth either, until everyone is told
    assert (registered[5:40] == registered[4]).all()
    assert ts.n_active_7d[12:40].max() == 0 and ts.new_posts[5:40].sum() == 0
    assert registered[-1] > n / 2  # reopened: they join


def test_an_announcement_re_engages_leavers_only_on_an_open_platform(small):
    """Told about a closed platform, leavers stay away (and the unaware become aware); open, they come back."""
    model = OrgModel(small, rng=1)
    people = model.people
    people.state[:10] = LEFT
    people.state[10:20] = UNAWARE
    model.set_policy(platform_open=False)
    model.announce(None)
    assert (people.state[:10] == LEFT).all() and (people.state[10:20] == AWARE).all()
    model.set_policy(platform_open=True)
    model.announce(None)
    assert (people.state[:10] == MEMBER).all() and (people.engaged_day[:10] == model.day).all()


@pytest.mark.parametrize("engine", ["kernel", "reference"])
def test_a_restricted_member_reads_but_writes_nothing_more(small, engine):
    """Monitoring restricts a bad actor who posts abuse; from then on they neither post, answer nor reply."""
    scenario = with_overrides(small, {"employees.bad_actor_share": 0.2, "behaviour.abuse_prob": 0.5,
                                      "policy.monitoring": 1.0, "run.days": 50})
    model = OrgModel(scenario, rng=5) if engine == "kernel" else ReferenceModel(scenario, rng=5)
    people = model.people

    def column(name: str) -> np.ndarray:
        """One attribute of everyone, from the kernel's arrays or the reference's agents."""
        return getattr(people, name).copy() if engine == "kernel" else np.array([getattr(p, name) for p in people])

    n = scenario.organization.n_employees
    frozen, written_then, reading = np.zeros(n, bool), np.zeros(n, int), 0
    for _ in range(scenario.run.days):
        model.step()
        restricted, written = column("restricted"), column("n_posts") + column("n_replies")
        written_then = np.where(restricted & ~frozen, written, written_then)  # as they were when restricted
        assert (written[frozen] == written_then[frozen]).all()  # nothing written since their restriction
        frozen = restricted
        reading += int((frozen & (column("last_visit") == model.day - 1)).sum())
    assert frozen.sum() >= 5 and reading > 50  # several were restricted, and they went on reading


def test_executives_do_not_save_up_review_time_while_their_queue_is_empty(small):
    """Twenty days without a queued idea leave at most one idea's review time beyond a day's, not twenty days'."""
    model, reference = OrgModel(small, rng=1), ReferenceModel(small, rng=1)
    params = simulation.kernel_params(small, model.policy, model.org.n_departments)
    for day in range(20):
        executive_review(model.ideas, params, model.out[day], day, model.kernel_rng)
        reference.executive_review()
    assert model.ideas.budget[0] == reference.exec_budget == small.behaviour.exec_ideas_per_day + 1.0
