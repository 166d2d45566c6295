"""The scenario section of a client's files, ``organization.org_chart`` (docs/model.md 5.1).

Apart from :mod:`orgsim.params` to keep that table short; :class:`orgsim.params.Organization`
refers to :class:`OrgChartFiles`, and runs :func:`client_shape` before checking its fields.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator


class Section(BaseModel):
    """As :class:`orgsim.params.Section`: unknown keys are errors, values are checked."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=False)


class SurveyMeasure(Section):
    """One survey column mapped onto one person attribute's mean in each unit (docs/model.md 5.1)."""

    column: str = Field(..., description="the survey file's column holding the unit's score")
    input: Literal["trust", "time", "affinity"] = Field(..., description="the attribute whose unit mean the score sets")
    scale: tuple[float, float] = Field((1.0, 5.0), description="the survey's lowest and highest possible score")
    to: tuple[float, float] = Field(..., description="the attribute's mean at the lowest and at the highest score, "
                                                     "linear between (give it high-to-low to reverse a scale)")

    @model_validator(mode="after")
    def _scale(self) -> SurveyMeasure:
        if not self.scale[0] < self.scale[1]:
            raise ValueError(f"survey measure {self.column!r}: scale must be (lowest, highest), got {self.scale}")
        low, high = (0.0, 1.0) if self.input != "time" else (0.01, 10.0)
        if not all(low <= x <= high for x in self.to):
            raise ValueError(f"survey measure {self.column!r}: to {self.to} must lie in {low:g}..{high:g} "
                             f"(the range of employees' {self.input} mean)")
        return self


class OrgChartFiles(Section):
    """A client's files (docs/model.md 5.1): org chart, collaboration network, survey; paths relative to the scenario.

    Column names default to Microsoft Viva Insights' organizational data and person-to-person query.
    """

    chart: str = Field(..., description="CSV, one row per person: id, manager id and unit (UTF-8)")
    collaboration: str | None = Field(None, description="CSV of weighted person-to-person edges; none: informal ties "
                                                        "are generated inside the chart's units")
    survey: str | None = Field(None, description="CSV of scores, one row per unit; none: employees: means for all")
    person_id: str = Field("PersonId", description="chart: the person's id column")
    manager_id: str = Field("ManagerId", description="chart: the manager's id column (empty for the top person)")
    unit: str = Field("Organization", description="chart and survey: the unit (department) column")
    source: str = Field("PrimaryCollaborator_PersonId", description="collaboration: one person's id column")
    target: str = Field("SecondaryCollaborator_PersonId", description="collaboration: the other person's id column")
    weight: str | None = Field("Strong_tie_score", description="collaboration: the weight column (none: all weigh 1)")
    weight_quantile: float = Field(0.0, ge=0, lt=1, description="keep as ties the pairs whose summed weight is at "
                                   "least this quantile of all pairs' (0: every pair with a positive weight)")
    measures: list[SurveyMeasure] = Field(default_factory=list, description="survey columns mapped to inputs")
    min_group_size: int = Field(5, ge=1, le=1000, description="units with fewer employees are left out of every "
                                "per-unit result (Viva Insights' mingroup)")

    @model_validator(mode="after")
    def _survey(self) -> OrgChartFiles:
        if bool(self.survey) != bool(self.measures):
            raise ValueError("survey and measures go together: the survey file and which of its columns set "
                             "which input (see docs/model.md 5.1)")
        inputs = [m.input for m in self.measures]
        twice = sorted({i for i in inputs if inputs.count(i) > 1})
        if twice:
            raise ValueError(f"measures: more than one survey column sets {', '.join(twice)}")
        return self


def client_shape(cls, data):
    """With ``source: org_chart``, ``n_employees`` and ``n_departments`` are the chart's (read once, checked)."""
    if not (isinstance(data, dict) and data.get("source") == "org_chart"):
        return data
    if not data.get("org_chart"):
        raise ValueError("source 'org_chart' needs org_chart: with at least chart: (the org chart's CSV path)")
    try:
        files = OrgChartFiles.model_validate(data["org_chart"])
    except ValidationError:
        return data  # its fields' errors are reported as any field's
    from orgsim.client import chart_shape  # reads the files only here (once: cached by file and settings)

    return {**data, **chart_shape(files)}
