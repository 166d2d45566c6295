"""The organization coming alive: an org-chart animation of who hears of, joins, writes on and leaves the platform.

Each frame shows the org chart (departments as boxes, hierarchy top-down;
see :mod:`orgsim.viz.layout`), every person coloured by state, leaders as
squares and bad actors as triangles, today's contacts across departments or
levels as orange lines, the day, the headline numbers and the adoption curves
so far. GIFs are written with Pillow, MP4s with ffmpeg through matplotlib.
"""

from __future__ import annotations

import itertools
import math
import shutil
from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.collections import LineCollection, PathCollection  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import FancyBboxPatch  # noqa: E402
from PIL import Image  # noqa: E402

from orgsim.metrics import timeseries  # noqa: E402
from orgsim.output import atomic_path  # noqa: E402
from orgsim.params import Scenario  # noqa: E402
from orgsim.simulation import Simulation, replicate_seed  # noqa: E402
from orgsim.viz.layout import STATES, ChartLayout, cross_contacts, headline_shares, org_chart, person_states  # noqa: E402
from orgsim.viz.narrative import title  # noqa: E402
from orgsim.viz.palette import (  # noqa: E402
    CROSS_COLOUR,
    SERIES_COLOURS,
    STATE_COLOURS,
    STATE_LABELS,
    use_projector_style,
)

SIZE = (1280, 720)  # pixels: 16:9, sharp on a projector
DPI = 100
MAX_FRAMES = 200  # default frame budget: --every is chosen to stay under it
MAX_CONTACTS = 60  # cross-silo lines drawn per frame
FINAL_HOLD_S = 3.0  # the last frame stays this long in a GIF
UNCHANGED = 255  # the GIF palette index of a pixel that did not change since the previous frame (transparent)
CURVES = {  # adoption curves under the chart: column -> label
    "n_registered": "ever joined",
    "n_active_7d": "active this week",
    "n_contributors_30d": "posting (30 days)",
    "n_left": "left",
}


class FfmpegMissing(RuntimeError):
    """MP4 output was asked for but ffmpeg is not installed."""


def default_every(days: int, max_frames: int = MAX_FRAMES) -> int:
    """Days per frame so that ``days`` fit in at most ``max_frames`` frames."""
    return max(1, math.ceil(days / max_frames))


def frame_days(days: int, every: int) -> list[int]:
    """The days drawn: every ``every``-th day, always including the last."""
    shown = list(range(every - 1, days, every))
    if not shown or shown[-1] != days - 1:
        shown.append(days - 1)
    return shown


STATE_RGBA = np.array([matplotlib.colors.to_rgba(STATE_COLOURS[s]) for s in STATES])


def draw_chart(ax, chart: ChartLayout, people) -> list[tuple[np.ndarray, PathCollection]]:
    """Draw department boxes, reporting lines and one marker per person on ``ax``.

    Leaders are squares, bad actors triangles, everyone else a dot; returns
    ``(mask, markers)`` groups for :func:`colour_states`.
    """
    ax.set_axis_off()
    for label, x0, y0, x1, y1 in chart.boxes:
        ax.add_patch(FancyBboxPatch((x0, y0), x1 - x0, y1 - y0, boxstyle="round,pad=0.2,rounding_size=0.8",
                                    fc="#F2F2F2", ec="#BBBBBB", lw=1, zorder=0))
        ax.text(x0 + 0.3, y0 - 0.35, label, fontsize=11, color="#555555", va="top", zorder=1)
    xy = chart.xy
    ax.add_collection(LineCollection(xy[chart.edges], colors="#B0B0B0", lw=0.5, zorder=1))
    ax.set_xlim(xy[:, 0].min() - 1, xy[:, 0].max() + 1)
    ax.set_ylim(min([b[2] for b in chart.boxes] + [xy[:, 1].min()]) - 1.6, xy[:, 1].max() + 1)
    ax.set_aspect("equal")
    ax.figure.canvas.draw()
    bbox = ax.get_window_extent()
    px_per_unit = min(bbox.width / np.ptp(ax.get_xlim()), bbox.height / np.ptp(ax.get_ylim()))
    size = (0.8 * px_per_unit * 72 / ax.figure.dpi) ** 2  # marker area in pt^2: dots nearly touch
    leader, bad = people.is_senior[chart.nodes], people.is_bad[chart.nodes]
    groups = []
    for mask, marker, area, edge, z in ((~leader & ~bad, "o", size, 0.3, 3), (bad, "^", 1.8 * size, 1.0, 4),
                                        (leader, "s", 2.2 * size, 1.4, 4)):
        if mask.any():
            groups.append((mask, ax.scatter(xy[mask, 0], xy[mask, 1], s=area, marker=marker, linewidths=edge,
                                            edgecolors="#222222", zorder=z)))
    return groups


def colour_states(groups: list[tuple[np.ndarray, PathCollection]], codes: np.ndarray) -> None:
    """Colour the markers drawn by :func:`draw_chart` by state (codes index :data:`STATES`)."""
    for mask, markers in groups:
        markers.set_facecolors(STATE_RGBA[codes[mask]])


def legend_handles(chart: ChartLayout, people) -> list[Line2D]:
    """Legend entries for the states and the leader marker, and the bad-actor marker if the chart shows any."""
    labels = {**STATE_LABELS, "contributing": STATE_LABELS["contributing"] + " (30 days)"}
    handles = [Line2D([], [], marker="o", ls="", ms=12, mfc=STATE_COLOURS[s], mec="#222222", label=labels[s])
               for s in STATES]
    handles.append(Line2D([], [], marker="s", ls="", ms=12, mfc="white", mec="#222222", mew=1.4, label="leader"))
    if people.is_bad[chart.nodes].any():
        handles.append(Line2D([], [], marker="^", ls="", ms=12, mfc="white", mec="#222222", label="bad actor"))
    return handles


class OrgChartFrames:
    """A figure showing one model's org chart, redrawn in place for each frame."""

    def __init__(self, model: Simulation, days: int, chart: ChartLayout | None = None):
        use_projector_style()
        self.model = model
        self.days = days
        self.chart = chart or org_chart(model.org, organization=model.scenario.organization)
        self.rng = np.random.default_rng(0)  # for sampling which contacts to draw (display only)
        self.fig = plt.figure(figsize=(SIZE[0] / DPI, SIZE[1] / DPI), dpi=DPI)
        self._build()

    def _build(self) -> None:
        fig, chart, people = self.fig, self.chart, self.model.people
        fig.text(0.01, 0.965, f"{title(self.model.scenario)}: who uses the platform, day by day", fontsize=20,
                 weight="bold", va="top")
        shown = (f"one dot per person ({self.model.org.n_employees:,} employees)" if not chart.sampled
                 else f"a sample of {chart.nodes.size:,} of {chart.n_people:,} people, all managers kept")
        fig.text(0.01, 0.915, f"Departments are boxes, bosses above their teams; {shown}", fontsize=13,
                 color="#444444", va="top")
        self.day_text = fig.text(0.99, 0.965, "", fontsize=30, weight="bold", ha="right", va="top")

        self.ax = fig.add_axes((0.005, 0.29, 0.74, 0.60))
        self.groups = draw_chart(self.ax, chart, people)
        self.contacts = LineCollection([], colors=CROSS_COLOUR, lw=1.6, alpha=0.8, zorder=2)
        self.ax.add_collection(self.contacts)
        self.position = np.full(self.model.org.n, -1, dtype=np.int64)
        self.position[chart.nodes] = np.arange(chart.nodes.size)

        legend = legend_handles(chart, people) + [Line2D([], [], color=CROSS_COLOUR, lw=2.5,
                                                         label="contact across departments\nor levels today")]
        fig.legend(handles=legend, loc="upper left", bbox_to_anchor=(0.755, 0.89), frameon=False, fontsize=12,
                   labelspacing=0.55, handletextpad=0.4)
        self.numbers = fig.text(0.765, 0.545, "", fontsize=14, va="top", linespacing=1.35)

        cax = self.curve_ax = fig.add_axes((0.06, 0.075, 0.66, 0.19))
        cax.set(xlim=(0, max(self.days - 1, 1)), ylim=(0, 1), ylabel="share", xlabel="day since launch")
        cax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=0))
        cax.set_yticks([0, 0.5, 1])
        for event in self.model.scenario.rollout.events:
            if event.day > 0:
                cax.axvline(event.day, color="#555555", ls=":", lw=1.2)
        self.curves = {col: cax.plot([], [], color=SERIES_COLOURS[col], lw=2.6, label=label)[0]
                       for col, label in CURVES.items()}
        cax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.12), frameon=False, fontsize=12, ncol=1)
        self.now = cax.axvline(0, color="#222222", lw=1)

    def update(self) -> None:
        """Redraw the chart for the model's latest day."""
        model, chart = self.model, self.chart
        day = model.day - 1
        people = model.people
        colour_states(self.groups, person_states(people, day)[chart.nodes])
        pairs = cross_contacts(model.org, people, day, 4 * MAX_CONTACTS, self.rng)
        pos = self.position[pairs] if pairs.size else np.zeros((0, 2), np.int64)
        pos = pos[(pos >= 0).all(axis=1)][:MAX_CONTACTS]
        self.contacts.set_segments(chart.xy[pos])
        self.day_text.set_text(f"Day {day}")
        s = headline_shares(people, day)
        self.numbers.set_text(f"Ever joined  {s['registered']:.0%}\nMembers now  {s['members']:.0%}\n"
                              f"Active this week  {s['active']:.0%}\nPosting (30 days)  {s['contributing']:.0%}\n"
                              f"Left  {s['left']:.0%}\nTrust in management  {s['trust']:.2f}")
        frame = timeseries(model.counters, model.org.n_employees, model.scenario.employees.n_topics)
        n = model.org.n_employees
        for col, line in self.curves.items():
            line.set_data(frame["day"].to_numpy(), frame[col].to_numpy() / n)
        self.now.set_xdata([day, day])

    def image(self) -> Image.Image:
        """The current frame as an RGB image of :data:`SIZE`."""
        self.fig.canvas.draw()
        return Image.fromarray(np.asarray(self.fig.canvas.buffer_rgba())[..., :3].copy())

    def close(self) -> None:
        """Free the figure."""
        plt.close(self.fig)


def check_output(out: Path) -> None:
    """Reject unsupported suffixes, and MP4 without ffmpeg, before any work is done."""
    suffix = out.suffix.lower()
    if suffix not in (".gif", ".mp4"):
        raise ValueError(f"--out {out}: expected a .gif or .mp4 file name")
    if suffix == ".mp4" and shutil.which("ffmpeg") is None:
        raise FfmpegMissing(f"--out {out}: MP4 needs ffmpeg, which is not installed here "
                            "(Debian: apt-get install ffmpeg); write a .gif instead")


def animate(scenario: Scenario, out: str | Path, days: int | None = None, fps: float = 10.0,
            every: int | None = None, seed: int | None = None,
            on_frame: Callable[[], None] | None = None) -> Path:
    """Run replicate 0 of ``scenario`` and write its org-chart animation to ``out`` (.gif or .mp4).

    Args:
        scenario: the scenario to run.
        out: output file; the suffix chooses the format.
        days: days to simulate (default: the scenario's ``run.days``).
        fps: frames per second.
        every: days per frame (default: so there are at most :data:`MAX_FRAMES` frames).
        seed: master seed (default: the scenario's); the run is replicate 0 of ``orgsim run``.
        on_frame: called after each frame is drawn (progress bars).

    Returns:
        The path written.
    """
    out = Path(out)
    check_output(out)
    days = days or scenario.run.days
    every = every or default_every(days)
    shown = set(frame_days(days, every))
    model = Simulation(scenario, rng=replicate_seed(scenario.run.seed if seed is None else seed, 0))
    frames = OrgChartFrames(model, days)
    try:
        with atomic_path(out) as tmp:
            if out.suffix.lower() == ".gif":
                _write_gif(model, frames, days, shown, fps, tmp, on_frame)
            else:
                _write_mp4(model, frames, days, shown, fps, tmp, on_frame)
    finally:
        frames.close()
    return out


def _frames(model, frames, days, shown, on_frame):
    """Step the model through ``days``; on each shown day update the figure and yield."""
    for day in range(days):
        model.step()
        if day in shown:
            frames.update()
            yield
            if on_frame:
                on_frame()


def gif_palette() -> np.ndarray:
    """A fixed GIF palette: greys, and every state and series colour blended towards white and black.

    Sharing one palette keeps colours exact and steady from frame to frame
    (an adaptive palette would merge the small legend swatches).
    """
    keys = {*STATE_COLOURS.values(), *SERIES_COLOURS.values(), CROSS_COLOUR, "#F2F2F2", "#BBBBBB", "#B0B0B0"}
    colours = [np.array(matplotlib.colors.to_rgb(c)) for c in sorted(keys)]
    entries = [np.full(3, g) for g in np.linspace(0, 1, 40)]
    for c in colours:
        entries += [c + (1 - c) * t for t in (0, 0.2, 0.4, 0.6, 0.8)] + [c * t for t in (0.35, 0.7)]
    return (np.clip(np.array(entries[:UNCHANGED]), 0, 1) * 255).round().astype(np.uint8)


def to_palette(image: Image.Image, palette: np.ndarray) -> Image.Image:
    """Map every pixel to its nearest palette colour (no dithering); fast because frames have few distinct colours."""
    rgb = np.asarray(image, dtype=np.int32)
    packed = (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]
    unique, inverse = np.unique(packed.ravel(), return_inverse=True)
    colours = np.column_stack([unique >> 16, (unique >> 8) & 255, unique & 255])
    nearest = ((colours[:, None, :] - palette[None, :, :].astype(np.int32)) ** 2).sum(axis=2).argmin(axis=1)
    indexed = Image.fromarray(nearest[inverse].reshape(packed.shape).astype(np.uint8), mode="P")
    indexed.putpalette(palette.ravel().tolist() + [0] * (768 - palette.size))
    return indexed


def changes_only(images: list[Image.Image]) -> list[Image.Image]:
    """Each frame after the first with the pixels that did not change since the previous one made transparent.

    Shown over the previous frame (GIF disposal 1), every frame looks the same as before, but long runs of
    the transparent index compress far better: a year's GIF is a fraction of the size.
    """
    indices = [np.asarray(image) for image in images]
    out = [images[0]]
    for before, now in itertools.pairwise(indices):
        delta = np.where(now == before, UNCHANGED, now).astype(np.uint8)
        image = Image.fromarray(delta, mode="P")
        image.putpalette(images[0].getpalette())
        out.append(image)
    return out


def _write_gif(model, frames, days, shown, fps, path, on_frame) -> None:
    palette = gif_palette()
    images = [to_palette(frames.image(), palette) for _ in _frames(model, frames, days, shown, on_frame)]
    duration = [round(1000 / fps)] * len(images)
    duration[-1] = max(duration[-1], int(FINAL_HOLD_S * 1000))
    images = changes_only(images)
    images[0].save(path, format="GIF", save_all=True, append_images=images[1:], duration=duration, loop=0,
                   optimize=False, disposal=1, transparency=UNCHANGED)


def _write_mp4(model, frames, days, shown, fps, path, on_frame) -> None:
    from matplotlib.animation import FFMpegWriter

    writer = FFMpegWriter(fps=fps, codec="libx264", extra_args=["-pix_fmt", "yuv420p"])
    with writer.saving(frames.fig, str(path), DPI):
        for _ in _frames(model, frames, days, shown, on_frame):
            writer.grab_frame()
