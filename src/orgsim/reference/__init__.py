"""The executable specification: the ESN rules written the plain Mesa way, slowly and readably.

Every person is an :class:`Employee` agent holding its own state; ``Employee.step()``
is one person's day and :meth:`ReferenceModel.step` is the order of the day, with
``self.agents.shuffle_do("step")`` in the middle. It implements the same rules as
the numba kernels in :mod:`orgsim.kernels` (see ``kernels.day.step_day`` for the order of
the day); ``tests/test_docking.py`` checks that both give the same distributions of
outcomes (docking, Axtell et al. 1996). When a rule changes, both change.

The initial state (organization, attributes, champions, seeds) is drawn by the
production model's own initializer, so for the same seed both start from the same
organization; only the daily dynamics are written twice.

It is ~100x slower than the kernel: use it to read, to dock and to test, not to study.

Example::

    from orgsim.reference import run_reference
    frame = run_reference(scenario, seed=1)  # the same columns as orgsim.run(...).timeseries
"""

from orgsim.reference.employee import Employee
from orgsim.reference.model import ReferenceModel, run_reference

__all__ = ["Employee", "ReferenceModel", "run_reference"]
