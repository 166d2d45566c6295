"""The app ``orgsim dashboard`` serves with ``solara run``; the scenario file is ``$ORGSIM_DASHBOARD_SCENARIO``."""

import os

from orgsim.viz.dashboard import make_page

page = make_page(os.environ.get("ORGSIM_DASHBOARD_SCENARIO") or None)
