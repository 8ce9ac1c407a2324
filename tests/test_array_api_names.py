"""Every array-module function the engine calls exists in CuPy's namespace (and the others').

CuPy installs and imports on a machine without a GPU, so this runs everywhere: it reads the
engine's source, finds each name it reads from an array namespace, in any of the three ways the
engine spells one (``xp.NAME``, ``get_array_module(...).NAME`` and ``<device>.xp.NAME``), and
looks the name up in the namespace each device computes with: NumPy (cpu),
array_api_compat.cupy (cuda) and array_api_strict (strict).
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

ENGINE = Path(__file__).resolve().parents[1] / "minigen"
# Code that runs on the device's arrays; data loading and plotting work on the host by design.
HOST_ONLY = {
    "data", "cli", "viz", "bench", "serialization.py", "serialization_read.py", "info.py",
    "atomic_file.py",
    "safetensors_file.py",  # reads and writes weight files on the host, like serialization.py
    "metrics",  # Frechet statistics and coverage are computed on the host from copied samples
}


def engine_files() -> list[Path]:
    return [p for p in ENGINE.rglob("*.py") if not (set(p.relative_to(ENGINE).parts) & HOST_ONLY)]


def reads_a_namespace(node: ast.Attribute) -> bool:
    """Whether ``node`` is ``xp.NAME``, ``<anything>.xp.NAME`` or ``get_array_module(...).NAME``."""
    value = node.value
    if isinstance(value, ast.Name):
        return value.id == "xp"
    if isinstance(value, ast.Attribute):
        return value.attr == "xp"
    if isinstance(value, ast.Call):
        func = value.func
        called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        return called == "get_array_module"
    return False


def namespace_names(source: str) -> set[str]:
    """Every NAME the source reads from an array namespace (see ``reads_a_namespace``)."""
    return {
        node.attr
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Attribute) and reads_a_namespace(node)
    }


def xp_names() -> dict[str, set[str]]:
    """NAME -> files, for every name engine code reads from an array namespace."""
    names: dict[str, set[str]] = {}
    for path in engine_files():
        for name in namespace_names(path.read_text()):
            names.setdefault(name, set()).add(str(path.relative_to(ENGINE)))
    return names


def test_the_scan_sees_every_spelling_of_a_namespace():
    source = (
        "y = xp.tanh(x)\n"
        "z = get_array_module(x).erf(x)\n"
        "w = array_module.get_array_module(x).log1p(x)\n"
        "v = device.xp.asarray(h)\n"
        "u = self.target.xp.zeros(3)\n"
        "t = np.exp(x) + x.shape + xp_other.cos(x)\n"  # not namespaces the engine computes with
    )
    assert namespace_names(source) == {"tanh", "erf", "log1p", "asarray", "zeros"}


def test_the_engine_uses_array_modules_at_all():
    assert len(xp_names()) >= 15  # guards against the scan silently finding nothing


@pytest.mark.parametrize(
    "namespace_name", ["numpy", "array_api_compat.cupy", "array_api_strict"]
)
def test_every_xp_name_exists_in_each_device_namespace(namespace_name):
    import importlib

    namespace = np if namespace_name == "numpy" else pytest.importorskip(namespace_name)
    missing = {
        name: sorted(files) for name, files in xp_names().items() if not hasattr(namespace, name)
    }
    assert not missing, f"names the engine calls that {namespace_name} lacks: {missing}"
    del importlib


def test_engine_code_never_imports_numpy_to_compute_on_tensors():
    """Engine modules may use NumPy only for host-side work named in an allow list."""
    allowed = {
        "dtypes.py",  # maps dtype names, no computation
        "backend/array_module.py", "backend/random.py", "backend/device.py",
        "backend/pinned.py",  # page-locked host buffers that batches are copied through
        "backend/transfer.py",  # the explicit host<->device copies
        "autograd/tensor.py",  # host copies: numpy(), __array__, repr
        # Host-side parts of training: the CSV log (one copy every N steps), checkpoints'
        # random-number state, and pictures.
        "train/metrics_log.py", "train/checkpoint.py", "train/pictures.py",
        "autograd/function.py",  # a type check (all NumPy arrays share the cpu device)
        "autograd/gradcheck.py",  # finite differences are computed on the host by design
        "creation.py",  # converts Python data on the host before the one copy to the device
    }
    offenders = []
    for path in engine_files():
        rel = str(path.relative_to(ENGINE))
        tree = ast.parse(path.read_text())
        imports_numpy = any(
            isinstance(n, (ast.Import, ast.ImportFrom))
            and any(a.name == "numpy" for a in n.names) if isinstance(n, ast.Import) else
            isinstance(n, ast.ImportFrom) and n.module == "numpy"
            for n in ast.walk(tree)
        )
        if imports_numpy and rel not in allowed:
            offenders.append(rel)
    assert not offenders, f"engine modules importing numpy outside the allow list: {offenders}"
