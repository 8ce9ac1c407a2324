"""The package's structure stays one-way and readable (issue 15): read from the source.

- no import cycle between minigen's modules (imports at module level, as Python runs them);
- no minigen module imports another inside a function, except the CLI's commands;
- every layer imports only from the layers below it (the table in docs/engine.md);
- no file over 300 lines and no function over 60, so each fits a screen or two.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "minigen"
MAX_FILE_LINES = 300
MAX_FUNCTION_LINES = 60

# Each layer may import itself and the layers listed for it (docs/engine.md's table), each
# list holding the layers below. Top-level modules are named by file, the rest by folder.
BASE = {"dtypes", "errors", "version"}
AUTOGRAD = BASE | {"backend", "autograd", "creation"}
NN = AUTOGRAD | {"functions", "nn", "safetensors_file", "atomic_file"}
FILES = NN | {"serialization", "serialization_format", "serialization_read", "folder_lock"}
ALLOWED = {
    "backend": BASE,
    "autograd": BASE | {"backend"},
    "creation": BASE | {"backend", "autograd"},
    "functions": AUTOGRAD,
    "nn": NN,
    "optim": NN,
    "models": NN,
    "metrics": NN | {"models"},
    "data": BASE | {"backend", "creation", "folder_lock"},
    "viz": AUTOGRAD,
    "train": FILES | {"optim", "models", "metrics", "data", "viz"},
    "bench": FILES | {"optim", "models", "metrics", "data", "viz", "train"},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imported_module(name: str) -> str | None:
    """The minigen module an import names (``minigen.a.b.C`` -> ``minigen.a.b``)."""
    while name not in MODULES and "." in name:
        name = name.rsplit(".", 1)[0]
    return name if name in MODULES and name != "minigen" else None


def imports_of(node: ast.AST, importer: str) -> list[str]:
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names]
    elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        names = [f"{node.module}.{a.name}" for a in node.names]
    else:
        return []
    found = [imported_module(n) for n in names if n.startswith("minigen")]
    return [m for m in found if m is not None and m != importer]


def is_type_checking_block(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node but those under ``if TYPE_CHECKING:``, which only editors and type checkers
    read (autograd/tensor.py names its attached methods there)."""
    nodes, stack = [], [tree]
    while stack:
        node = stack.pop()
        nodes.append(node)
        children = list(ast.iter_child_nodes(node))
        if is_type_checking_block(node):
            children = node.orelse
        stack.extend(children)
    return nodes


def top_level_imports(name: str) -> set[str]:
    tree = ast.parse(MODULES[name].read_text())
    out: set[str] = set()
    for stmt in tree.body:
        for node in runtime_nodes(stmt) if isinstance(stmt, (ast.If, ast.Try)) else [stmt]:
            out.update(imports_of(node, name))
    return out


def test_no_import_cycle_between_minigen_modules():
    graph = {name: top_level_imports(name) for name in MODULES}
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(name: str) -> None:
        state[name] = "open"
        path.append(name)
        for dep in sorted(graph[name]):
            if state.get(dep) == "open":
                cycle = path[path.index(dep):] + [dep]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if dep not in state:
                visit(dep)
        path.pop()
        state[name] = "done"

    for name in MODULES:
        if name not in state:
            visit(name)


def layer_of(name: str) -> str:
    return name.split(".")[1] if name.count(".") >= 1 else name


def test_each_layer_imports_only_from_the_layers_below_it():
    wrong = []
    for name, path in MODULES.items():
        layer = layer_of(name)
        if layer not in ALLOWED:
            continue
        for node in runtime_nodes(ast.parse(path.read_text())):
            for dep in imports_of(node, name):
                if layer_of(dep) not in ALLOWED[layer] | {layer}:
                    wrong.append(f"{path.relative_to(PACKAGE.parent)} imports {dep}")
    assert not wrong, "imports against the layer order of docs/engine.md:\n" + "\n".join(wrong)


def test_no_module_imports_minigen_inside_a_function_but_the_cli_commands():
    """Imports sit at the top, where a reader sees what a file depends on. The CLI's commands
    import their modules when they run, so ``minigen --help`` starts fast; optional third-party
    packages (CuPy, PyTorch, safetensors) are not minigen modules and may load on first use."""
    inside = []
    for name, path in MODULES.items():
        if layer_of(name) == "cli":
            continue
        for fn in ast.walk(ast.parse(path.read_text())):
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for node in ast.walk(fn):
                    if imports_of(node, name):
                        inside.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
    assert not inside, "minigen imports inside functions: " + ", ".join(inside)


def test_files_and_functions_fit_a_screen():
    long_files, long_functions = [], []
    for path in MODULES.values():
        text = path.read_text()
        where = path.relative_to(PACKAGE.parent)
        if len(text.splitlines()) > MAX_FILE_LINES:
            long_files.append(f"{where} ({len(text.splitlines())} lines)")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long_functions.append(f"{where}:{node.lineno} {node.name} ({length} lines)")
    assert not long_files, f"files over {MAX_FILE_LINES} lines: " + ", ".join(long_files)
    assert not long_functions, f"functions over {MAX_FUNCTION_LINES} lines: " + ", ".join(long_functions)


def test_the_version_is_written_once_for_python_and_once_for_the_package_index():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    import minigen

    pyproject = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text())
    assert pyproject["project"]["version"] == minigen.__version__
