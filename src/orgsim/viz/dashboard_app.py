"""The app ``orgsim dashboard`` serves with ``solara run``; the scenario file is ``$ORGSIM_DASHBOARD_SCENARIO``."""

import os
import warnings

# Noise in a workshop's terminal, before anything is imported: Solara's check of the rules of hooks flags
# Mesa's SolaraViz, and Solara says its session cookie falls back to samesite=lax over plain http (as it should
# for a page on this machine)
warnings.filterwarnings("ignore", module="solara.validate_hooks")
warnings.filterwarnings("ignore", message="Cookies with samesite=none require https", module="solara.server.starlette")

from orgsim.viz.dashboard import make_page  # noqa: E402

page = make_page(os.environ.get("ORGSIM_DASHBOARD_SCENARIO") or None)
