"""orgsim: an agent-based simulator of how organizations adopt an internal social platform.

The public API is loaded on first use, so ``import orgsim`` (and ``orgsim --help`` or
``orgsim validate``) does not wait for Mesa, numba and pandas to import.
"""

from importlib import import_module as _import_module
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # what type checkers and editors see; at run time __getattr__ imports on first use
    from orgsim.experiment import load_experiment as load_experiment
    from orgsim.params import Scenario as Scenario
    from orgsim.runner import Results as Results
    from orgsim.runner import run as run
    from orgsim.scenario import ScenarioError as ScenarioError
    from orgsim.scenario import load_scenario as load_scenario
    from orgsim.sweeps import sweep as sweep
del TYPE_CHECKING

try:
    __version__ = version("orgsim")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0+unknown"
del PackageNotFoundError, version

# numba caches the kernels beside the code; in a read-only install, in the user's cache folder instead
_import_module("orgsim.numba_cache").configure()

# public name -> the module that defines it
_API = {
    "Results": "orgsim.runner",
    "Scenario": "orgsim.params",
    "ScenarioError": "orgsim.scenario",
    "load_experiment": "orgsim.experiment",
    "load_scenario": "orgsim.scenario",
    "run": "orgsim.runner",
    "sweep": "orgsim.sweeps",
}
__all__ = ["__version__", *_API]


def __getattr__(name: str):
    """Import a public name's module the first time the name is used."""
    if name not in _API:
        raise AttributeError(f"module 'orgsim' has no attribute {name!r}")
    value = getattr(_import_module(_API[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
