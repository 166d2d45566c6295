"""Which of a run's inputs came from the client's files and which were assumed, and the units' names."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from orgsim.client.load import load_client

MIN_GROUP_SIZE = 5  # per-unit results of a generated organization leave out units this small too


def unit_names(cfg) -> tuple[str, ...]:
    """The units (departments) of ``organization`` ``cfg``: the chart's, or ``department 0``, ... if generated."""
    if cfg.source == "org_chart":
        return load_client(cfg.org_chart).unit_names
    return tuple(f"department {d}" for d in range(min(cfg.n_departments, cfg.n_employees - 1)))


def min_group_size(cfg) -> int:
    """Units with fewer employees are left out of per-unit results."""
    return cfg.org_chart.min_group_size if cfg.source == "org_chart" else MIN_GROUP_SIZE


def provenance(scenario) -> dict[str, str] | None:
    """Each model input and where it came from (None for a generated organization: everything is assumed)."""
    org = scenario.organization
    files = org.org_chart
    if org.source != "org_chart":
        return None
    chart = "client org chart"
    if org.network != "org":
        ties = f"assumed: organization.network {org.network} (replaces all ties)"
    elif files.collaboration:
        rule = (f"pairs whose summed weight is at least its {files.weight_quantile:g} quantile"
                if files.weight_quantile > 0 else "pairs with a positive summed weight")
        ties = f"client collaboration file: {rule}"
    else:
        ties = "assumed: generated inside the chart's units (organization.informal_degree_within, _across)"
    measured = {m.input: m.column for m in files.measures}
    emp = scenario.employees
    assumed = {"trust": f"employees.trust_mean {emp.trust_mean:g}", "time": f"employees.time_mean {emp.time_mean:g}",
               "affinity": f"employees.affinity_mean {emp.affinity_mean:g}"}
    inputs = {"hierarchy and levels": chart, "units (departments)": f"{chart}: column {files.unit}",
              "leaders (senior levels)": f"{chart}: the top employees.senior_levels ({emp.senior_levels}) levels",
              "formal ties (manager, teammates)": chart, "informal ties": ties}
    for name, value in assumed.items():
        inputs[f"{name} (unit means)"] = (f"client survey: column {measured[name]}, by unit (units without a score: "
                                          f"{value})" if name in measured else f"assumed: {value}")
    inputs["everything else (behaviour, knowledge, confidence, rollout)"] = "assumed: the scenario's values"
    for name in ("chart", "collaboration", "survey"):  # which files exactly (the scenario names only their paths)
        path = Path(getattr(files, name)) if getattr(files, name) else None
        if path is not None and path.is_file():
            stat = path.stat()
            inputs[f"{name} file, SHA-256"] = fingerprint(str(path), stat.st_size, stat.st_mtime_ns)
    return inputs


@lru_cache(maxsize=8)
def fingerprint(path: str, size: int, mtime_ns: int) -> str:
    """The first 16 hex digits of a file's SHA-256 (a file's, not a person's: it tells two versions apart)."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()[:16]
