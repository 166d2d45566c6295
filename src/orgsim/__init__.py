"""orgsim: an agent-based simulator of how organizations adopt an internal social platform."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("orgsim")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0+unknown"

from orgsim.params import Scenario  # noqa: E402
from orgsim.runner import Results, run  # noqa: E402
from orgsim.scenario import ScenarioError, load_scenario  # noqa: E402
from orgsim.sweep import load_experiment, sweep  # noqa: E402  (the function shadows the module name)

__all__ = ["Results", "Scenario", "ScenarioError", "__version__", "load_experiment", "load_scenario", "run",
           "sweep"]
