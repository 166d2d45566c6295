"""Workshop visuals: org-chart layout, animation frames, comparison report, CLI errors."""

from __future__ import annotations

import shutil

import matplotlib.figure
import numpy as np
import pandas as pd
import pytest
from PIL import Image
from typer.testing import CliRunner

from orgsim.cli import app
from orgsim.kernels.state import COUNTERS, MEMBER
from orgsim.model import OrgModel
from orgsim.params import Scenario
from orgsim.runner import run
from orgsim.scenario import with_overrides
from orgsim.viz import animate as A
from orgsim.viz import compare as C
from orgsim.viz import figures as F
from orgsim.viz.layout import STATES, cross_contacts, headline_shares, org_chart, person_states
from orgsim.viz.palette import STATE_COLOURS
from orgsim.viz.save import save_comparison

pytestmark = pytest.mark.mesa  # the org-chart views and animations read OrgModel (tox.ini: every Python)

runner = CliRunner()


def tiny(name: str = "tiny", **rollout) -> Scenario:
    """A 200-person organization over 30 days."""
    return Scenario.model_validate({
        "name": name, "run": {"days": 30, "seed": 3, "replicates": 2},
        "organization": {"n_employees": 200, "n_departments": 4},
        "employees": {"bad_actor_share": 0.05},
        "rollout": rollout or {"champions": 5},
    })


def variance(image: Image.Image) -> float:
    return float(np.asarray(image.convert("RGB"), dtype=float).var())


def test_org_chart_groups_departments_and_puts_managers_above_reports():
    model = OrgModel(tiny(), rng=1)
    org, chart = model.org, org_chart(model.org)
    assert chart.nodes.size == org.n and not chart.sampled
    assert len(chart.boxes) == org.n_departments
    y = dict(zip(chart.nodes.tolist(), chart.xy[:, 1], strict=True))
    x = dict(zip(chart.nodes.tolist(), chart.xy[:, 0], strict=True))
    for i in range(1, org.n):
        assert y[int(org.manager[i])] > y[i]  # bosses above their reports
        if org.level[i] > 0:
            _, x0, y0, x1, y1 = chart.boxes[org.department[i]]
            assert x0 <= x[i] <= x1 and y0 <= y[i] <= y1  # inside their department's box
    assert len({(round(a, 6), round(b, 6)) for a, b in chart.xy}) == org.n  # no two people on one seat


def test_large_org_is_sampled_keeping_every_manager():
    sc = tiny().model_copy(deep=True)
    sc.organization.n_employees = 3000
    sc.organization.n_departments = 8
    model = OrgModel(Scenario.model_validate(sc.model_dump()), rng=1)
    chart = org_chart(model.org, max_nodes=800)
    assert chart.sampled and chart.nodes.size == 800
    shown = set(chart.nodes.tolist())
    managers = set(model.org.manager[model.org.manager >= 0].tolist())
    assert managers <= shown
    assert chart.edges.shape[0] == 799  # everyone shown but the CEO has their manager shown


def test_person_states_partition_people_consistently_with_the_counters():
    model = OrgModel(tiny(), rng=2)
    for _ in range(20):
        model.step()
    day = model.day - 1
    codes = person_states(model.people, day)
    counts = np.bincount(codes, minlength=len(STATES))
    row = dict(zip(COUNTERS, model.counters[-1], strict=True))
    assert counts.sum() == model.org.n
    assert counts[STATES.index("left")] == row["n_left"]
    members = counts[STATES.index("idle")] + counts[STATES.index("reading")] + counts[STATES.index("contributing")]
    assert members == row["n_members"]
    # every member active this week is reading or contributing, never idle; and some are idle
    active = (model.people.last_visit >= day - 6) & (model.people.state == MEMBER)
    assert set(codes[active]) <= {STATES.index("reading"), STATES.index("contributing")}
    shares = headline_shares(model.people, day)
    assert shares["members"] == pytest.approx(row["n_members"] / model.org.n_employees)
    assert shares["registered"] == pytest.approx(row["n_registered"] / model.org.n_employees)
    assert shares["active"] == pytest.approx(row["n_active_7d"] / model.org.n_employees)


def test_cross_contacts_cross_departments_or_skip_levels_between_todays_posters_and_visitors():
    launch = {"events": [{"day": 0, "announce": "all", "set": {"management_endorsement": 0.8}}]}
    model = OrgModel(tiny(**launch), rng=4)
    org, p = model.org, model.people
    pairs = np.zeros((0, 2))
    while pairs.shape[0] == 0 and model.day < 90:  # the first day with such contacts
        model.step()
        day = model.day - 1
        pairs = cross_contacts(org, p, day, 10_000, np.random.default_rng(0))
    assert pairs.shape[0] > 0
    a, b = pairs[:, 0], pairs[:, 1]
    assert (p.last_contrib[a] == day).all() and (p.last_visit[b] == day).all()
    assert ((org.department[a] != org.department[b]) | (np.abs(org.level[a] - org.level[b]) >= 2)).all()
    assert cross_contacts(org, p, day, 5, np.random.default_rng(0)).shape[0] == min(5, pairs.shape[0])


def test_frame_days_cover_the_run_and_end_on_the_last_day():
    assert A.frame_days(10, 3) == [2, 5, 8, 9]
    assert A.frame_days(9, 3) == [2, 5, 8]
    assert len(A.frame_days(365, A.default_every(365))) <= A.MAX_FRAMES


def test_gif_has_expected_frames_size_and_shows_the_states(tmp_path):
    out = tmp_path / "a.gif"
    ticks = []
    A.animate(tiny(), out, days=12, every=3, fps=5, on_frame=lambda: ticks.append(1))
    gif = Image.open(out)
    assert gif.n_frames == 4 == len(ticks)
    assert gif.size == A.SIZE
    frames = []
    for k in range(gif.n_frames):
        gif.seek(k)
        frames.append(gif.convert("RGB"))
    assert all(variance(f) > 100 for f in frames)  # not blank
    assert np.any(np.asarray(frames[0]) != np.asarray(frames[-1]))  # the picture changes over time
    last = np.asarray(frames[-1]).reshape(-1, 3)
    for state in ("unaware", "contributing"):  # colours are exact (fixed palette)
        rgb = np.array([int(STATE_COLOURS[state][i:i + 2], 16) for i in (1, 3, 5)])
        assert (np.abs(last - rgb).sum(axis=1) == 0).sum() > 50, state


@pytest.mark.parametrize("bad_share", [0.05, 0.0])
def test_legend_lists_bad_actors_only_when_the_chart_shows_some(bad_share):
    scenario = with_overrides(tiny(), {"employees.bad_actor_share": bad_share})
    model = OrgModel(scenario, rng=1)
    frames = A.OrgChartFrames(model, days=5)
    labels = [t.get_text() for legend in frames.fig.legends for t in legend.get_texts()]
    assert "leader" in labels
    assert ("bad actor" in labels) == bool(model.people.is_bad[frames.chart.nodes].any()) == (bad_share > 0)
    frames.close()


def test_mp4_is_written_when_ffmpeg_exists(tmp_path):
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg not installed")
    out = A.animate(tiny(), tmp_path / "a.mp4", days=6, every=2, fps=5)
    assert out.stat().st_size > 1000 and out.read_bytes()[4:8] == b"ftyp"


def test_mp4_without_ffmpeg_and_bad_suffix_give_one_line_errors(tmp_path, monkeypatch):
    path = tmp_path / "s.yaml"
    path.write_text("run: {days: 5}\norganization: {n_employees: 100, n_departments: 2}\n")
    result = runner.invoke(app, ["animate", str(path), "--out", str(tmp_path / "x.avi")])
    assert result.exit_code == 2 and ".gif or .mp4" in result.output
    monkeypatch.setattr(A.shutil, "which", lambda name: None)
    result = runner.invoke(app, ["animate", str(path), "--out", str(tmp_path / "x.mp4")])
    assert result.exit_code == 2 and "ffmpeg" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "x.mp4").exists()


def test_animate_cli_writes_gif(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("name: cli\nrun: {days: 6}\norganization: {n_employees: 120, n_departments: 3}\n"
                    "rollout: {champions: 3}\n")
    result = runner.invoke(app, ["animate", str(path), "--out", str(tmp_path / "c.gif"), "--every", "2", "-q"])
    assert result.exit_code == 0, result.output
    assert Image.open(tmp_path / "c.gif").n_frames == 3


def test_compare_report_holds_table_and_figures(tmp_path):
    results = [run(tiny("bottom"), days=25), run(tiny("top", events=[{"day": 0, "announce": "all"}]), days=25)]
    written = save_comparison(results, tmp_path)
    names = {p.name for p in written}
    assert {"comparison.csv", "timeseries.csv", "side_by_side.png", "measures.png", "report.html"} <= names
    html = (tmp_path / "report.html").read_text()
    assert html.count("<img") == 2 and "data:image/png;base64," in html
    assert "<th class=\"num\">Bottom</th>" in html and "<th class=\"num\">Top</th>" in html  # human titles
    assert "Registered by day 60" in html
    for png in ("side_by_side.png", "measures.png"):
        image = Image.open(tmp_path / png)
        assert image.size[0] > 800 and variance(image) > 100
    table = pd.read_csv(tmp_path / "comparison.csv")
    assert list(table.columns) == ["metric", "unit", "scenario", "mean", "low", "high", "runs", "days"]
    known = table.dropna(subset=["mean"])  # registered by day 60 is undefined in a 25-day run
    assert set(table.scenario) == {"bottom", "top"} and (known["low"] <= known["mean"]).all()
    assert (known["mean"] <= known["high"]).all() and (table.days == 25).all()
    # the announced launch makes everyone aware on day 0: the table must show more registrations by day 20
    frame = pd.read_csv(tmp_path / "timeseries.csv")
    day20 = frame[frame.day == 20].groupby("scenario")["n_registered"].mean()
    assert day20["top"] > day20["bottom"]


def test_compare_of_unequal_lengths_says_so_and_shares_one_time_axis(tmp_path, monkeypatch):
    """20 days beside 30 (with an event on day 25): the report says what differs, the panels share the x axis."""
    short = run(tiny("short"), days=20)
    long = run(tiny("long", champions=5, events=[{"day": 25, "note": "relaunch", "set": {"time_allowance": 0.5}}]))
    limits, texts = [], []
    real_savefig = matplotlib.figure.Figure.savefig

    def savefig(fig, *args, **kwargs):  # record what each figure shows before it is written
        limits.extend(ax.get_xlim() for ax in fig.axes)
        texts.extend(t.get_text() for ax in fig.axes for t in ax.texts)
        return real_savefig(fig, *args, **kwargs)

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", savefig)
    save_comparison([short, long], tmp_path)
    html = (tmp_path / "report.html").read_text()
    assert "ran for different lengths" in html and "Short: 20 days" in html and "Long: 30 days" in html
    assert len(set(limits)) == 1 and limits[0][1] == 29  # every panel of both figures: days 0..29
    assert " relaunch, day 25" in texts  # the event is labelled where it is drawn
    table = pd.read_csv(tmp_path / "comparison.csv")
    assert table.groupby("scenario")["days"].first().to_dict() == {"long": 30, "short": 20}
    same = save_comparison([short, run(tiny("other"), days=20)], tmp_path / "same")
    assert "ran for different lengths" not in (tmp_path / "same" / "report.html").read_text() and same


def test_compare_cli_rejects_one_scenario_and_duplicate_names(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("run: {days: 5}\n")
    result = runner.invoke(app, ["compare", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "two or more" in result.output
    result = runner.invoke(app, ["compare", str(path), str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "names must differ" in result.output


def test_compare_cli_prints_the_headline_numbers_side_by_side(tmp_path):
    for name in ("first", "second"):
        (tmp_path / f"{name}.yaml").write_text(f"name: {name}\norganization: {{n_employees: 120, n_departments: 3}}\n")
    result = runner.invoke(app, ["compare", str(tmp_path / "first.yaml"), str(tmp_path / "second.yaml"),
                                 "--out", str(tmp_path / "o"), "--days", "10"])
    assert result.exit_code == 0, result.output
    header = next(line for line in result.stdout.splitlines() if "metric" in line)
    assert header.index("First") < header.index("Second")  # one column per scenario (its title), in the order given
    assert "Peak weekly active" in result.stdout and "report.html" in result.stderr


def test_post_shares_of_top_1_next_9_and_other_90_percent_by_hand():
    """200 members: the top 1% is 2 people, the top 10% is 20; shares are of everything written."""
    contrib = np.zeros(200, dtype=np.int64)
    contrib[:2] = 30  # top 1%: 60 of 100
    contrib[2:20] = 2  # next 9%: 36 of 100
    contrib[20:24] = 1  # 4 of 100 from the other 90%
    rng = np.random.default_rng(0)
    top, nxt, rest = F.post_shares(rng.permutation(contrib))  # order of members does not matter
    assert (top, nxt, rest) == pytest.approx((0.60, 0.36, 0.04))
    assert F.post_shares(np.zeros(50)) is None and F.post_shares(np.zeros(0)) is None
    assert F.post_shares(np.array([0, 5, 0])) == pytest.approx((1.0, 0.0, 0.0))  # at least one person is the top


def test_participation_figure_shows_post_shares_matching_the_run_metrics(tmp_path, monkeypatch):
    """The bars are the run's top1pct / top10pct metrics, not the (tautological) share of members."""
    sc = tiny("shares", events=[{"day": 0, "announce": "all", "set": {"management_endorsement": 0.8,
                                                                       "time_allowance": 0.4}}])
    results = run(sc, days=60, replicates=2)
    for contrib, (_, row) in zip(results.contributions, results.replicates.iterrows(), strict=True):
        shares = F.post_shares(contrib)
        assert shares is not None and sum(shares) == pytest.approx(1.0)
        assert all(s >= 0 for s in shares)
        assert shares[0] == pytest.approx(row["top1pct_post_share"])
        assert shares[0] + shares[1] == pytest.approx(row["top10pct_post_share"])
    drawn = []
    real_barh = F.plt.Axes.barh
    monkeypatch.setattr(F.plt.Axes, "barh", lambda self, y, width, **kw: drawn.append((y, width))
                        or real_barh(self, y, width, **kw))
    F.inequality_figure(results, tmp_path / "p.png")
    reference = [w for y, w in drawn if y == 0]
    this_run = [w for y, w in drawn if y == 1]
    assert reference == pytest.approx(list(F.REFERENCE_90_9_1)) and sum(reference) == pytest.approx(1.0, abs=1e-3)
    assert this_run == pytest.approx(np.mean([F.post_shares(c) for c in results.contributions], axis=0))
    assert this_run[0] == pytest.approx(results.summary["top1pct_post_share"])
    image = Image.open(tmp_path / "p.png")
    assert image.size[0] > 800 and variance(image) > 100


def test_run_figures_keep_every_label_inside_the_image(tmp_path, monkeypatch):
    """The figures' fixed margins fit 6-digit daily counts and a long scenario name."""
    results = run(tiny("a_rather_long_scenario_name_for_a_report"), days=40, replicates=1)
    counts = ["new_posts", "new_replies", "new_endorsements"]
    results.timeseries[counts] *= 900_000 / results.timeseries[counts].to_numpy().max()  # 6-digit tick labels
    drawn = []
    monkeypatch.setattr(F.plt, "close", drawn.append)
    for name, draw in F.FIGURES.items():
        draw(results, tmp_path / name)
    assert len(drawn) == len(F.FIGURES)
    for fig in drawn:
        fig.canvas.draw()
        renderer, image = fig.canvas.get_renderer(), fig.bbox
        boxes = [ax.get_tightbbox(renderer) for ax in fig.axes] + [t.get_window_extent(renderer) for t in fig.texts]
        for box in boxes:  # each axes with its labels, ticks, title and legend; the figure's own texts
            assert image.x0 <= box.x0 and box.x1 <= image.x1 and image.y0 <= box.y0 and box.y1 <= image.y1, \
                f"{box} outside the image {image}"


def test_compare_figures_keep_every_label_inside_the_image(tmp_path, monkeypatch):
    """Long scenario names and a labelled event stay inside both comparison figures."""
    events = [{"day": 20, "note": "a long note about the official relaunch", "set": {"time_allowance": 0.5}}]
    results = [run(tiny("a_rather_long_scenario_name_for_a_report"), days=30, replicates=1),
               run(tiny("another_long_scenario_name_beside_it", champions=5, events=events), replicates=1)]
    drawn = []
    monkeypatch.setattr(C.plt, "close", drawn.append)
    C.side_by_side_figure(results, tmp_path / "s.png")
    C.overlay_figure(results, tmp_path / "m.png")
    assert len(drawn) == 2
    for fig in drawn:
        fig.canvas.draw()
        renderer, image = fig.canvas.get_renderer(), fig.bbox
        boxes = [ax.get_tightbbox(renderer) for ax in fig.axes] + [t.get_window_extent(renderer) for t in fig.texts]
        boxes += [legend.get_window_extent(renderer) for legend in fig.legends]
        for box in boxes:
            assert image.x0 <= box.x0 and box.x1 <= image.x1 and image.y0 <= box.y0 and box.y1 <= image.y1, \
                f"{box} outside the image {image}"


def test_the_slide_deck_has_titled_slides_with_the_figures(tmp_path):
    """--pptx: a title slide, what happened, one picture slide per figure, the numbers and the inputs."""
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    from orgsim.viz.save import save_run

    results = run(tiny("deck_test"), days=30)
    save_run(results, tmp_path / "run", pptx=True)
    slides = list(Presentation(str(tmp_path / "run" / "deck.pptx")).slides)
    titles = [s.shapes.title.text for s in slides]
    assert titles[0] == "Deck test" and titles[1] == "What happened"
    assert titles[-2].startswith("Headline numbers") and titles[-1] == "Inputs: Deck test"
    pictures = [sum(shape.shape_type == MSO_SHAPE_TYPE.PICTURE for shape in s.shapes) for s in slides]
    assert pictures == [0, 0, 1, 1, 1, 0, 0]  # the three figures, one a slide
    said = " ".join(p.text for shape in slides[1].shapes if shape.has_text_frame for p in shape.text_frame.paragraphs)
    assert "Weekly activity peaked at" in said and "not a forecast" in said
    table = next(shape.table for shape in slides[-1].shapes if shape.has_table)
    assert table.cell(1, 0).text == "Organization" and "200 employees" in table.cell(1, 1).text
    compared = save_comparison([results, run(tiny("other"), days=30)], tmp_path / "cmp", pptx=True)
    assert tmp_path / "cmp" / "deck.pptx" in compared
    slides = list(Presentation(str(tmp_path / "cmp" / "deck.pptx")).slides)
    assert slides[0].shapes.title.text == "Comparing Deck test, Other" and len(slides) == 2 + 2 + 1 + 2


def test_a_gif_of_changes_only_shows_exactly_the_same_frames(tmp_path):
    """Unchanged pixels are transparent over the previous frame: decoded, every frame is the original."""
    rng = np.random.default_rng(1)
    palette = A.gif_palette()
    frames, indexed = [], rng.integers(0, 40, size=(60, 80)).astype(np.uint8)
    for _ in range(4):
        indexed = indexed.copy()
        indexed[rng.integers(0, 60, 50), rng.integers(0, 80, 50)] = rng.integers(0, 40, 50)  # a few pixels change
        frame = Image.fromarray(indexed, mode="P")
        frame.putpalette(palette.ravel().tolist() + [0] * (768 - palette.size))
        frames.append(frame)
    shrunk = A.changes_only(frames)
    assert all((np.asarray(f) == A.UNCHANGED).mean() > 0.9 for f in shrunk[1:])  # mostly unchanged: transparent
    shrunk[0].save(tmp_path / "c.gif", save_all=True, append_images=shrunk[1:], disposal=1,
                   transparency=A.UNCHANGED, optimize=False)
    with Image.open(tmp_path / "c.gif") as gif:
        for k, frame in enumerate(frames):
            gif.seek(k)
            np.testing.assert_array_equal(np.asarray(gif.convert("RGB")), np.asarray(frame.convert("RGB")))
