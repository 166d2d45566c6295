"""The layers of docs/architecture.md: what may import what, checked on every module's imports."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "orgsim"
MODULES = sorted(PACKAGE.rglob("*.py"))


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Every module ``path`` imports, at the top or inside a function (absolute names)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def offenders(modules: list[Path], forbidden: str) -> list[str]:
    return [f"{module_name(path)} imports {name}" for path in modules for name in sorted(imports(path))
            if within(name, forbidden)]


def test_the_layers_are_found():
    names = {module_name(p) for p in MODULES}
    assert {"orgsim.kernels.state", "orgsim.kernels.day", "orgsim.engine", "orgsim.cli", "orgsim.viz"} <= names


def test_nothing_below_the_command_line_and_the_visuals_imports_them():
    below = [p for p in MODULES if not within(module_name(p), "orgsim.cli") and not within(module_name(p), "orgsim.viz")
             and module_name(p) != "orgsim.__main__"]
    assert offenders(below, "orgsim.viz") == []
    assert offenders(below, "orgsim.cli") == []


def test_the_visuals_do_not_import_the_command_line():
    assert offenders([p for p in MODULES if within(module_name(p), "orgsim.viz")], "orgsim.cli") == []


def test_kernels_import_only_kernels_numpy_and_numba():
    kernels = [p for p in MODULES if within(module_name(p), "orgsim.kernels")]
    allowed = ("orgsim.kernels", "numpy", "numba", "__future__", "collections", "enum")
    bad = [f"{module_name(p)} imports {name}" for p in kernels for name in sorted(imports(p))
           if not any(within(name, a) for a in allowed)]
    assert bad == []


@pytest.mark.parametrize("layer", ["orgsim.kernels", "orgsim.params", "orgsim.engine", "orgsim.population",
                                   "orgsim.organization", "orgsim.metrics", "orgsim.simulation", "orgsim.runner",
                                   "orgsim.scenario", "orgsim.experiment", "orgsim.sweeps", "orgsim.background",
                                   "orgsim.calibration"])
def test_the_model_and_the_runners_do_not_import_mesa(layer):
    """Only the Mesa forms of the model (model.py, reference.py) and the dashboard import Mesa."""
    assert offenders([p for p in MODULES if within(module_name(p), layer)], "mesa") == []


def test_the_state_module_loads_without_numba():
    """``orgsim.kernels.state`` is for everyone: importing it (and the package) loads no numba."""
    code = "import sys, orgsim.kernels.state; print('numba' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


MODEL = ("orgsim.kernels", "orgsim.params", "orgsim.engine", "orgsim.population", "orgsim.organization",
         "orgsim.metrics", "orgsim.simulation", "orgsim.model", "orgsim.reference")


def test_every_module_of_the_model_is_small():
    """A newcomer reads each module of the model in one sitting: none is over ~300 lines."""
    model = [p for p in MODULES if any(within(module_name(p), m) for m in MODEL)]
    long = {module_name(p): n for p in model if (n := len(p.read_text(encoding="utf-8").splitlines())) > 320}
    assert long == {}
