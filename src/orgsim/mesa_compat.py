"""Everything orgsim needs from Mesa that differs between Mesa versions, in one place.

orgsim supports Mesa 3.3 (the newest on Python 3.11) and Mesa 3.5 onwards (Python 3.12+), and is written for
Mesa's current API: ``Model(rng=...)`` (never ``seed=``), agents created with ``Agent(model)``, no
``batch_run`` (sweeps are orgsim's own). :mod:`orgsim.model`, :mod:`orgsim.reference` and the dashboard take
Mesa's ``Model`` from here; nothing else in orgsim subclasses a Mesa class. When Mesa 4 removes what is
deprecated, this module is what changes.

The differences handled here:

* **``model.scenario``**. Since Mesa 3.4, ``mesa.Model.scenario`` is a property holding Mesa's own
  experimental ``Scenario`` (its setter writes ``scenario.model``), set by ``Model.__init__`` and read by
  SolaraViz when it re-creates a model on *Reset*. orgsim's models keep their validated
  :class:`orgsim.params.Scenario` under the same name (it is the public attribute of ``Simulation``, the
  dashboard and the notebooks). :class:`Model` keeps both: Mesa's code (any module under ``mesa``) reads
  Mesa's scenario; everyone else reads orgsim's. With Mesa 3.3 there is no Mesa scenario.
* **Counting steps run outside ``step()``** (:func:`count_steps`): ``OrgModel.run_days`` runs many days
  in one kernel call; Mesa's ``steps`` must count them as if stepped.
"""

from __future__ import annotations

import sys

import mesa

MESA_VERSION = tuple(int(part) for part in mesa.__version__.split(".")[:2] if part.isdigit())

try:  # Mesa >= 3.4
    from mesa.experimental.scenarios import Scenario as MesaScenario
except ImportError:  # Mesa 3.3
    MesaScenario = None


class _ScenarioSlot:
    """``model.scenario``: orgsim's scenario for orgsim and the user, Mesa's scenario (if any) for Mesa."""

    def __get__(self, model, owner=None):
        if model is None:
            return self
        caller = sys._getframe(1).f_globals.get("__name__", "")
        if caller == "mesa" or caller.startswith("mesa."):
            return model.__dict__.get("_mesa_scenario")
        return model.__dict__.get("_orgsim_scenario")

    def __set__(self, model, value) -> None:
        if MesaScenario is not None and isinstance(value, MesaScenario):
            model.__dict__["_mesa_scenario"] = value
            value.model = model
        else:
            model.__dict__["_orgsim_scenario"] = value


class Model(mesa.Model):
    """``mesa.Model`` for orgsim's models: ``scenario`` is orgsim's scenario (see the module's docstring).

    Create it with ``Model.__init__(self, rng=seed_or_generator)``.
    """

    scenario = _ScenarioSlot()


Agent = mesa.Agent
DataCollector = mesa.DataCollector


def count_steps(model: mesa.Model, days: int) -> None:
    """Count ``days`` run outside ``model.step()`` (in one kernel call) in Mesa's ``model.steps``.

    Mesa's clock (``model.time`` in Mesa >= 3.4, advanced by its own scheduled step events) is left as it
    is: moving it forward would make Mesa replay the skipped step events on the next ``step()``.
    """
    model.steps += days
