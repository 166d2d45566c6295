"""One colour-blind-safe palette (Okabe & Ito 2008) and projector-sized fonts for every figure."""

from __future__ import annotations

import matplotlib as mpl

OKABE_ITO = {
    "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73", "yellow": "#F0E442",
    "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7", "grey": "#999999", "black": "#000000",
}

# The same colour for the same state in every figure, animation and the dashboard
STATE_COLOURS = {
    "unaware": "#DDDDDD",
    "aware": OKABE_ITO["yellow"],
    "idle": "#D4E9F7",  # sky, faded: a member, but not active this week
    "reading": OKABE_ITO["sky"],
    "contributing": OKABE_ITO["blue"],
    "left": OKABE_ITO["vermillion"],
}
STATE_LABELS = {
    "unaware": "not heard of it",
    "aware": "heard of it, not joined",
    "idle": "joined, not active this week",
    "reading": "active this week, reading",
    "contributing": "joined, posting",
    "left": "left the platform",
}
# Curves share the colour of the state they count: registered ~ reading, contributors ~ contributing
SERIES_COLOURS = {
    "n_aware": OKABE_ITO["yellow"],
    "n_registered": OKABE_ITO["sky"],
    "n_active_7d": OKABE_ITO["green"],
    "n_contributors_30d": OKABE_ITO["blue"],
    "n_left": OKABE_ITO["vermillion"],
    "new_posts": OKABE_ITO["blue"],
    "new_replies": OKABE_ITO["green"],
    "new_endorsements": OKABE_ITO["orange"],
    "mean_trust": OKABE_ITO["purple"],
}
CYCLE = [OKABE_ITO[k] for k in ("blue", "orange", "green", "vermillion", "purple", "sky", "yellow", "black")]
# Scenarios compared side by side (distinct from the state colours, which describe people)
SCENARIO_COLOURS = [OKABE_ITO[k] for k in ("black", "orange", "purple", "green", "blue", "vermillion", "sky")]
# ... and each its own dash, so that a scenario whose curve coincides with an earlier one's still shows
SCENARIO_DASHES = ["solid", (0, (6, 2)), (0, (1.2, 1.2)), (0, (6, 2, 1.2, 2)), (0, (3, 3)), (0, (8, 2, 2, 2, 2, 2)),
                   (0, (1.2, 3))]
CROSS_COLOUR = OKABE_ITO["orange"]  # interactions across departments or levels


def use_projector_style() -> None:
    """Large labels and the palette as matplotlib defaults."""
    mpl.rcParams.update({
        "font.size": 13, "axes.titlesize": 15, "axes.labelsize": 13, "legend.fontsize": 11,
        "xtick.labelsize": 11, "ytick.labelsize": 11, "axes.spines.top": False, "axes.spines.right": False,
        "axes.prop_cycle": mpl.cycler(color=CYCLE), "figure.dpi": 100, "savefig.dpi": 110,
    })
