"""The figures and ``report.html`` of ``orgsim calibrate``: posterior, fit, forecast and counterfactuals."""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np

from orgsim.output import write_atomic, write_text
from orgsim.viz.palette import OKABE_ITO, SCENARIO_COLOURS, use_projector_style
from orgsim.viz.report import embed, page

LABELS = {
    "readers": "readers (unique users who read)", "posters": "posters (unique users who posted)",
    "likers": "likers (unique users who liked)", "registered": "registered", "active_7d": "weekly active",
    "messages_posted": "messages posted", "messages_read": "messages read", "messages_liked": "messages liked",
}


def _figure(n: int, width: float = 5.0, height: float = 3.4):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    use_projector_style()
    cols = min(n, 2)
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(width * cols, height * rows), squeeze=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, list(axes.flat[:n])


def pair_plot(calibrated, path: Path) -> None:
    """The posterior: each parameter's weighted histogram (diagonal) and each pair's particles."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    use_projector_style()
    post, cal = calibrated.fit.posterior, calibrated.calibration
    names = list(cal.fit)
    k = len(names)
    fig, axes = plt.subplots(k, k, figsize=(2.6 * k + 1, 2.6 * k + 1), squeeze=False)
    w = post["weight"].to_numpy()
    for r, a in enumerate(names):
        for c, b in enumerate(names):
            ax = axes[r][c]
            if c > r:
                ax.set_visible(False)
                continue
            if r == c:
                ax.hist(post[a], weights=w, bins=15, color=OKABE_ITO["blue"], alpha=0.8)
                row = calibrated.summary.set_index("parameter").loc[a]
                for q in (row["q05"], row["q95"]):
                    ax.axvline(q, color=OKABE_ITO["grey"], ls="--", lw=1)
                ax.axvline(row["median"], color=OKABE_ITO["black"], lw=1.5)
                ax.set_yticks([])
            else:
                ax.scatter(post[b], post[a], s=8 + 200 * w / w.max(), color=OKABE_ITO["blue"], alpha=0.5)
            ax.xaxis.set_major_locator(MaxNLocator(4))  # linear axes: a posterior spans a narrow range
            ax.yaxis.set_major_locator(MaxNLocator(4))
            if r == c:
                ax.set_yticks([])  # a histogram's heights are weights, not values
            if r == k - 1:
                ax.set_xlabel(b.split(".")[-1], fontsize=10)
            if c == 0 and r > 0:
                ax.set_ylabel(a.split(".")[-1], fontsize=10)
            ax.tick_params(labelsize=8)
    fig.suptitle("Posterior: weighted particles of the last generation (lines: median, 90% interval)", fontsize=12)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _band(ax, rows, colour, label, dash="solid"):
    ax.fill_between(rows["day"], rows["q05"], rows["q95"], color=colour, alpha=0.22, lw=0)
    ax.plot(rows["day"], rows["q50"], color=colour, ls=dash, lw=1.8, label=label)


def fit_plot(calibrated, path: Path) -> None:
    """The observed data over the posterior predictive band (5-95%) on the observed days, per observable."""
    import matplotlib.pyplot as plt

    table = calibrated.bands
    names = calibrated.data.observables
    fig, axes = _figure(len(names))
    last_fit = max(calibrated.fit.simulator.days)
    last_day = max(calibrated.data.days)
    for ax, name in zip(axes, names, strict=True):
        rows = table[(table["scenario"] == "as is") & (table["observable"] == name) & (table["day"] <= last_day)]
        _band(ax, rows, OKABE_ITO["blue"], "posterior predictive (median, 5-95%)")
        seen = rows[rows["observed"].notna()]
        fitted = seen["day"] <= last_fit
        ax.plot(seen["day"][fitted], seen["observed"][fitted], ".", color=OKABE_ITO["black"], ms=3, label="observed")
        if (~fitted).any():
            ax.plot(seen["day"][~fitted], seen["observed"][~fitted], ".", color=OKABE_ITO["vermillion"], ms=3,
                    label="held out (not fitted)")
            ax.axvline(last_fit + 0.5, color=OKABE_ITO["grey"], ls=":", lw=1)
        fitted_mark = " (fitted)" if name in calibrated.calibration.observables else " (not fitted)"
        ax.set_title(LABELS.get(name, name) + fitted_mark, fontsize=11)
        ax.set_xlabel("day since launch")
    axes[0].legend(fontsize=8, loc="upper right")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def forecast_plot(calibrated, path: Path) -> None:
    """The forecast to the horizon, "as is" and under each intervention, with 5-95% bands."""
    import matplotlib.pyplot as plt

    table = calibrated.bands
    names = calibrated.calibration.observables
    fig, axes = _figure(len(names))
    scenarios = list(dict.fromkeys(table["scenario"]))
    for ax, name in zip(axes, names, strict=True):
        for k, scenario in enumerate(scenarios):
            rows = table[(table["scenario"] == scenario) & (table["observable"] == name)]
            _band(ax, rows, SCENARIO_COLOURS[(k + 4) % len(SCENARIO_COLOURS)] if k else OKABE_ITO["blue"], scenario)
        seen = table[(table["scenario"] == "as is") & (table["observable"] == name) & table["observed"].notna()]
        ax.plot(seen["day"], seen["observed"], ".", color=OKABE_ITO["black"], ms=2.5, label="observed")
        ax.axvline(max(calibrated.data.days) + 0.5, color=OKABE_ITO["grey"], ls=":", lw=1)
        ax.set_title(LABELS.get(name, name), fontsize=11)
        ax.set_xlabel("day since launch")
    axes[0].legend(fontsize=8, loc="upper right")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


FIGURES = {"posterior.png": pair_plot, "fit.png": fit_plot, "forecast.png": forecast_plot}


def _table(frame, formats: dict[str, str]) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in frame.columns)
    rows = []
    for row in frame.itertuples(index=False):
        cells = []
        for column, value in zip(frame.columns, row, strict=True):
            text = formats.get(column, "{}").format(value) if not (isinstance(value, float) and np.isnan(value)) \
                else "&ndash;"
            cells.append(f"<td>{html.escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def calibration_report(calibrated, figures: list[Path]) -> str:
    """The report page: data, posterior table, coverage, forecast at the horizon, figures."""
    cal, data = calibrated.calibration, calibrated.data
    s = calibrated.summary[["parameter", "median", "q05", "q95", "prior", "prior_low", "prior_high"]]
    g = "{:.4g}"
    posterior = _table(s, {c: g for c in ("median", "q05", "q95", "prior_low", "prior_high")})
    cover = _table(calibrated.coverage, {"share_inside_90": "{:.0%}"})
    horizon = int(calibrated.bands["day"].max())
    at = calibrated.bands[(calibrated.bands["day"] == horizon)
                          & calibrated.bands["observable"].isin(cal.observables)][
        ["scenario", "observable", "q05", "q50", "q95"]]
    outlook = _table(at, {"q05": "{:.0f}", "q50": "{:.0f}", "q95": "{:.0f}"})
    interventions = "".join(
        f"<li>{html.escape(i.name)}: " + "; ".join(
            f"day {e.day}" + (f" ({html.escape(e.note)})" if e.note else "")
            + (f", announced to {e.announce}" if e.announce is not None else "")
            + (", sets " + ", ".join(f"{k} = {v}" for k, v in e.set.items()) if e.set else "") for e in i.events)
        + "</li>" for i in cal.interventions)
    gens = calibrated.fit.generations
    body = (
        f"<h1>Calibration: {html.escape(cal.name)}</h1><p>{html.escape(cal.description)}</p>"
        f"<p class='meta'>Data: {', '.join(html.escape(Path(p).name) for p in data.sources)}; "
        f"{len(data.days)} days from {data.frame['date'].iloc[0]} (day {data.days[0]} since the launch on "
        f"{data.launch}); {data.head_count} employees. Fitted days {min(calibrated.fit.simulator.days)}-"
        f"{max(calibrated.fit.simulator.days)}; observables {', '.join(cal.observables)} ({cal.summary}, "
        f"{cal.distance} distance). ABC-SMC (pyabc): {len(gens)} generations of {cal.population} particles, "
        f"{int(gens['samples'].sum())} simulations, final tolerance {gens['epsilon'].iloc[-1]:.3g}; seed {cal.seed}. "
        f"Bands span 5-95% of {cal.draws} posterior-predictive runs.</p>"
        f"<h2>Posterior</h2><p>Median and 90% interval of each fitted parameter (scenario units).</p>{posterior}"
        f"<h2>Does the fit cover the data?</h2><p>Share of observed days inside the 90% band.</p>{cover}"
        f"<h2>Outlook on day {horizon}</h2>{outlook}"
        + (f"<h2>Counterfactual interventions</h2><ul>{interventions}</ul>" if interventions else "")
        + "<h2>Figures</h2>" + "".join(embed(p) for p in figures)
        + "<p class='meta'>Made with orgsim calibrate; docs/calibration.md explains the method and what the "
        "usage reports can and cannot pin down.</p>"
    )
    return page(f"orgsim calibration: {cal.name}", body)


def save_calibration_report(calibrated) -> list[Path]:
    """Draw the figures and write ``report.html`` into the calibration's output folder."""
    out = calibrated.out
    paths = []
    for name, draw in FIGURES.items():
        paths.append(write_atomic(out / name, lambda tmp, draw=draw: draw(calibrated, tmp)))
    paths.append(write_text(out / "report.html", calibration_report(calibrated, paths)))
    return paths
