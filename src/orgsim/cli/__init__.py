"""The ``orgsim`` command line. Each command lives in its own module; importing it registers it.

Every command that reads a scenario rejects a bad file with one line per problem
(file, field path, bad value, what was expected) and exit status 2, never a traceback.
"""

from orgsim.cli import (
    run,  # noqa: F401  (registers run, validate)
    sweep,  # noqa: F401  (registers sweep, sensitivity)
    visual,  # noqa: F401  (registers animate, compare, dashboard)
)
from orgsim.cli.common import app

__all__ = ["app"]
