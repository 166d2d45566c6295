"""Checks the parameter table (:mod:`orgsim.params`) shares: numbers as numbers, plain text, realisable networks."""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator


class Strict(BaseModel):
    """Unknown keys are errors; types are strict, infinities and NaN refused.

    true/false or a quoted text is not a number; a whole float (``4.0``, as a sampler gives) is taken for an integer.
    """

    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=False, strict=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _whole_floats_as_ints(cls, data: object) -> object:
        if isinstance(data, dict) and any(isinstance(v, float) and v.is_integer() for v in data.values()):
            ints = {name for name, field in cls.model_fields.items() if field.annotation is int}
            data = {k: int(v) if k in ints and isinstance(v, float) and v.is_integer() else v for k, v in data.items()}
        return data


def plain_text(text: str) -> str:
    """``text``, refused if it holds a control character (a terminal escape), a format character or a surrogate."""
    for i, char in enumerate(text):
        if char not in "\n\t" and unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co"):
            raise ValueError(f"character {i + 1} is {char!r} (a control or invisible character); use plain text")
    return text


Text = Annotated[str, AfterValidator(plain_text)]  # free text: may span lines, but never drives the terminal
Title = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\n]*$"), AfterValidator(plain_text)]

DEGREES = {"org": ("informal_degree_within", "informal_degree_across"), "erdos_renyi": ("mean_degree",)}


def check_network(org) -> None:
    """Raise ``ValueError`` for what the run could not build: a bad edge list, a degree above ``n_employees - 1``.

    A default degree is a typical organization's, which a tiny one caps; only a value given is checked.
    """
    if org.network == "from_edgelist":
        from orgsim.edgelist import read_edgelist

        read_edgelist(org.edgelist, org.n_employees)  # ids, columns, encoding: what the run reads
    for name in DEGREES.get(org.network, ()):
        value = getattr(org, name)
        if value > org.n_employees - 1 and value != type(org).model_fields[name].default:
            raise ValueError(f"{name} ({value:g}) cannot be realised: a person has at most n_employees - 1 = "
                             f"{org.n_employees - 1} ties")
