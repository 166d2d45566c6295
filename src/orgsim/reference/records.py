"""What the reference model's platform holds: questions and posts as objects, and one day's counters by name."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from orgsim.kernels.state import Out

if TYPE_CHECKING:
    from orgsim.reference.employee import Employee


def logistic(x: float) -> float:
    """The logistic function."""
    return 1.0 / (1.0 + math.exp(-x))


@dataclass(eq=False)
class Question:
    """A work problem: who asked, about what, when, where it is now."""

    asker: Employee
    topic: int
    day: int
    holder: Employee | None  # who handles it in the hierarchy (None: nobody yet)
    via: Employee  # who passed it to the holder; an answer by e-mail or the hierarchy travels back to them
    posted: int = -1  # day it was posted on the platform (-1: not posted)
    open: bool = True


@dataclass(eq=False)
class Post:
    """Something written on the platform."""

    author: Employee
    day: int
    kind: int
    topic: int = 0
    question: Question | None = None  # the question a QUESTION or ANSWER post is about
    score: int = 0  # endorsements
    alive: bool = True  # not removed by moderators
    adopted: bool = False  # an idea that reached enough endorsements


class DayCounts:
    """One day's counters by name (``count["new_posts"] += 1``): a view onto that day's row of ``Engine.out``."""

    def __init__(self, row: np.ndarray):
        self.row = row

    def __getitem__(self, name: str) -> float:
        return self.row[Out[name]]

    def __setitem__(self, name: str, value: float) -> None:
        self.row[Out[name]] = value
