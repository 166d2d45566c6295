"""The live workshop dashboard on Mesa's SolaraViz: controls, the org chart, live charts; play, step, reset.

:class:`DashboardModel` adapts :class:`orgsim.model.OrgModel` to SolaraViz,
which re-creates the model from keyword parameters on *Reset*. The controls
change inputs only: the launch mode becomes rollout events, the sliders become
policy values set on day 0 (after the scenario's own day-0 events, so the
slider wins) or employee and organization settings. ``orgsim dashboard`` serves
:mod:`orgsim.viz.dashboard_app` with ``solara run``.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import solara  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from mesa.visualization import SolaraViz, make_plot_component  # noqa: E402
from mesa.visualization.utils import update_counter  # noqa: E402

from orgsim.mesa_compat import DataCollector  # noqa: E402
from orgsim.model import OrgModel  # noqa: E402
from orgsim.params import Scenario  # noqa: E402
from orgsim.scenario import day0_policy, load_scenario  # noqa: E402
from orgsim.viz.animate import colour_states, draw_chart, legend_handles  # noqa: E402
from orgsim.viz.layout import headline_shares, org_chart, person_states  # noqa: E402
from orgsim.viz.palette import OKABE_ITO, SERIES_COLOURS, use_projector_style  # noqa: E402

AS_FILE = "as in the scenario file"
BOTTOM_UP = "bottom-up: champions invite colleagues"
TOP_DOWN = "top-down: everyone told on day 0, management backs it"
PILOT = "pilot: one department first, everyone on day 60"
LAUNCH_MODES = (AS_FILE, BOTTOM_UP, TOP_DOWN, PILOT)
GOVERNANCE = {  # label -> (moderation, monitoring)
    "neither": (0.0, 0.0),
    "moderation: remove abuse": (0.8, 0.0),
    "monitoring: watch everyone": (0.0, 0.8),
    "both": (0.8, 0.8),
}
PILOT_DAY = 60
# Every slider shows its value above its knob all the time, not only in the bubble while dragged (Mesa's
# controls do not expose Vuetify's thumb-label="always"), so a workshop sees what the controls are set to.
SLIDER_VALUES_CSS = """
.v-slider__thumb-container[role="slider"]::after {
  content: attr(aria-valuenow); position: absolute; left: 0; top: -24px; transform: translateX(-50%);
  font-size: 13px; line-height: 1; font-variant-numeric: tabular-nums; color: rgba(0, 0, 0, 0.75);
}
"""
CHAMPIONS_PER_1000 = 10
ENDORSEMENT = 0.8  # management backing in the top-down and pilot launches
SERIES = {  # chart label -> (headline share key, colour)
    "joined": ("registered", SERIES_COLOURS["n_registered"]),
    "active this week": ("active", SERIES_COLOURS["n_active_7d"]),
    "posting (30 days)": ("contributing", SERIES_COLOURS["n_contributors_30d"]),
    "left": ("left", SERIES_COLOURS["n_left"]),
}


def launch_events(mode: str) -> tuple[int | None, list[dict]]:
    """Champions and rollout events of a launch mode (``None`` champions: keep the file's)."""
    if mode == BOTTOM_UP:
        return -1, []
    if mode == TOP_DOWN:
        return 0, [{"day": 0, "announce": "all", "set": {"management_endorsement": ENDORSEMENT},
                    "note": "top-down launch"}]
    if mode == PILOT:
        return 0, [{"day": 0, "announce": [0], "set": {"management_endorsement": ENDORSEMENT}, "note": "pilot"},
                   {"day": PILOT_DAY, "announce": "all", "note": "everyone"}]
    return None, []


def dashboard_scenario(base: Scenario, launch: str, n_employees: int, initial_trust: float,
                       leader_participation: float, time_budget: float, governance: str,
                       bad_actors: float, seed: int) -> Scenario:
    """``base`` with the dashboard's controls applied (inputs only), validated."""
    data = base.model_dump()
    org = data["organization"]
    org["n_employees"] = n_employees
    org["n_departments"] = max(1, min(org["n_departments"], n_employees // 20))
    data["employees"].update(trust_mean=initial_trust, bad_actor_share=bad_actors)
    data["run"]["seed"] = seed
    champions, events = launch_events(launch)
    rollout = data["rollout"]
    if champions is not None:
        rollout["champions"] = max(3, n_employees * CHAMPIONS_PER_1000 // 1000) if champions < 0 else champions
        rollout["events"] = events
    rollout["champions"] = min(rollout["champions"], n_employees)
    moderation, monitoring = GOVERNANCE[governance]
    rollout["events"] = [*rollout["events"], {"day": 0, "note": "dashboard controls", "set": {
        "leader_participation": leader_participation, "time_allowance": time_budget,
        "moderation": moderation, "monitoring": monitoring}}]
    return Scenario.model_validate(data)


class DashboardModel(OrgModel):
    """:class:`OrgModel` built from the dashboard's keyword parameters, with a Mesa DataCollector.

    Args:
        scenario_file: scenario YAML to start from ("" for the parameter table's defaults).
        launch: one of :data:`LAUNCH_MODES`.
        n_employees, initial_trust, leader_participation, time_budget, governance, bad_actors, seed:
            see :func:`dashboard_scenario`.
    """

    def __init__(self, scenario_file: str = "", launch: str = AS_FILE, n_employees: int = 300,
                 initial_trust: float = 0.55, leader_participation: float = 0.0, time_budget: float = 0.0,
                 governance: str = "neither", bad_actors: float = 0.0, seed: int = 1):
        base = load_scenario(scenario_file) if scenario_file else Scenario()
        scenario = dashboard_scenario(base, launch, n_employees, initial_trust, leader_participation, time_budget,
                                      governance, bad_actors, seed)
        super().__init__(scenario, rng=seed)
        self.chart = org_chart(self.org, organization=self.scenario.organization)
        reporters = {label: (lambda m, key=key: headline_shares(m.people, m.day - 1)[key])
                     for label, (key, _) in SERIES.items()}
        reporters["mean trust"] = lambda m: headline_shares(m.people, m.day - 1)["trust"]
        self.datacollector = DataCollector(model_reporters=reporters)
        self.datacollector.collect(self)

    def step(self) -> None:
        """Advance one day and record the charts' values."""
        super().step()
        self.datacollector.collect(self)


def controls(base: Scenario, from_file: bool) -> dict:
    """SolaraViz ``model_params``: the controls, starting at ``base``'s values."""
    policy = day0_policy(base)
    moderation_on, monitoring_on = policy["moderation"] > 0, policy["monitoring"] > 0
    governance = {(False, False): "neither", (True, False): "moderation: remove abuse",
                  (False, True): "monitoring: watch everyone", (True, True): "both"}[(moderation_on, monitoring_on)]
    shown = {
        "launch": {"type": "Select", "value": AS_FILE if from_file else BOTTOM_UP, "label": "Launch",
                   "values": list(LAUNCH_MODES) if from_file else list(LAUNCH_MODES[1:])},
        "n_employees": {"type": "SliderInt", "value": min(base.organization.n_employees, 1000),
                        "label": "Organization size (employees)", "min": 100, "max": 2000, "step": 100},
        "initial_trust": {"type": "SliderFloat", "value": base.employees.trust_mean,
                          "label": "Initial trust in management", "min": 0.05, "max": 0.95, "step": 0.05},
        "leader_participation": {"type": "SliderFloat", "value": policy["leader_participation"],
                                 "label": "Leaders post (daily chance)", "min": 0.0, "max": 1.0, "step": 0.05},
        "time_budget": {"type": "SliderFloat", "value": policy["time_allowance"],
                        "label": "Time budget (share)", "min": 0.0, "max": 1.0, "step": 0.05},
        "governance": {"type": "Select", "value": governance, "label": "Moderation vs monitoring",
                       "values": list(GOVERNANCE)},
        "bad_actors": {"type": "SliderFloat", "value": base.employees.bad_actor_share, "label": "Bad actors (share)",
                       "min": 0.0, "max": 0.1, "step": 0.01},
        "seed": {"type": "SliderInt", "value": 1, "label": "Random seed", "min": 1, "max": 50, "step": 1},
    }
    if base.organization.source == "org_chart":  # a client's organization has the chart's size
        del shown["n_employees"]
    return shown


def day_label(model: OrgModel) -> str:
    """'Before launch', then 'Day d' with day 0 the launch day (as in every table and figure)."""
    return "Before launch" if model.day == 0 else f"Day {model.day - 1}"


@solara.component
def OrgChartView(model: DashboardModel):
    """The org chart coloured by state, redrawn after every step."""
    update_counter.get()
    fig = Figure(figsize=(7.5, 4.6), dpi=100)
    ax = fig.add_axes((0.0, 0.17, 1.0, 0.74))  # the full width; the legend in three columns underneath
    codes = person_states(model.people, model.day - 1)[model.chart.nodes]
    colour_states(draw_chart(ax, model.chart, model.people), codes)
    fig.legend(handles=legend_handles(model.chart, model.people), loc="lower center", bbox_to_anchor=(0.5, 0.0),
               ncol=3, frameon=False, fontsize=11, handletextpad=0.3, columnspacing=1.2)
    fig.suptitle(f"{day_label(model)}: who uses the platform (boxes = departments)", fontsize=14,
                 weight="bold", x=0.01, ha="left")
    solara.FigureMatplotlib(fig, format="png")


@solara.component
def Headlines(model: DashboardModel):
    """Today's headline numbers and the settings in force, in words."""
    update_counter.get()
    solara.Style(SLIDER_VALUES_CSS)
    sc = model.scenario
    solara.Title(f"orgsim: {sc.name}")  # the browser tab
    s = headline_shares(model.people, model.day - 1)
    policy = day0_policy(sc)
    solara.HTML(tag="div", unsafe_innerHTML=(
        f"<h2>{day_label(model)}</h2>"
        f"<p><b>Joined {s['registered']:.0%}</b> · active this week {s['active']:.0%} · "
        f"posting (30 days) {s['contributing']:.0%} · left {s['left']:.0%} · trust {s['trust']:.2f}</p>"
        f"<p><i>Settings:</i> {sc.organization.n_employees:,} employees, {sc.rollout.champions} champions, "
        f"initial trust {sc.employees.trust_mean:.2f}, leaders post {policy['leader_participation']:.2f}, "
        f"time budget {policy['time_allowance']:.2f}, bad actors {sc.employees.bad_actor_share:.0%}</p>"
        "<p>Change the controls on the left, then press <b>RESET</b> to start again with them; "
        "<b>STEP</b> advances one day, <b>&#9654;</b> plays. Drag a panel's corner to enlarge it.</p>"
    ), style="font-size: 16px")


def _days_axis(ax) -> None:
    """Steps are days (step 1 is the launch day, day 0; Mesa labels the axis "Step"); room for the first ten."""
    ax.set_xlim(0, max(ax.get_xlim()[1], 10))


def _style_shares(ax) -> None:
    _days_axis(ax)
    ax.set_title("Share of employees: joined, active, posting, left", fontsize=14)
    ax.set_ylim(0, 1.02)
    ax.set_ylabel("share of employees")


def _style_trust(ax) -> None:
    _days_axis(ax)
    ax.set_title("Mean trust in management", fontsize=14)
    ax.set_ylim(0, 1)
    ax.set_ylabel("trust (0 to 1)")


def make_page(scenario_file: str | None = None):
    """The SolaraViz page for ``scenario_file`` (or the built-in defaults)."""
    use_projector_style()
    base = load_scenario(scenario_file) if scenario_file else Scenario()
    params = controls(base, bool(scenario_file))
    model = DashboardModel(scenario_file=scenario_file or "",
                           **{name: spec["value"] for name, spec in params.items()})
    components = [
        OrgChartView,
        Headlines,
        make_plot_component({label: colour for label, (_, colour) in SERIES.items()}, post_process=_style_shares),
        make_plot_component({"mean trust": OKABE_ITO["purple"]}, post_process=_style_trust),
    ]
    return SolaraViz(model, components=components, model_params={"scenario_file": scenario_file or "", **params},
                     name=f"orgsim: {base.name}", play_interval=50)
