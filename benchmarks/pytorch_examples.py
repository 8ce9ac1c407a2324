"""PyTorch's own examples on minigen: each example's main.py with only its imports and its data
loading changed, run to completion (or to its first error), with the PyTorch names it uses that
minigen lacks.

    git clone https://github.com/pytorch/examples /tmp/pytorch-examples
    python benchmarks/pytorch_examples.py --examples /tmp/pytorch-examples
    python benchmarks/pytorch_examples.py --examples /tmp/pytorch-examples --only dcgan --show-changes

The examples' code is read from the user's checkout and never copied into this repository.
What is changed, in a copy in a temporary folder (--workdir):

- import lines: ``torch`` becomes ``minigen`` (``import torch`` -> ``import minigen as torch``,
  ``import torch.nn as nn`` -> ``import minigen.nn as nn``, ``from torch.optim.lr_scheduler
  import StepLR`` -> ``from minigen.optim.lr_scheduler import StepLR``, ...), torchvision becomes
  ``torchvision_shim`` (beside this script: MNIST from minigen's shipped sample, transforms,
  save_image) and ``torch.utils.data`` becomes ``torch_data_shim`` (a DataLoader over a
  map-style dataset with PyTorch's arguments);
- data loading: ``torch.utils.data.DataLoader(...)`` in the code -> ``torch_data_shim.DataLoader(...)``.

Every changed line keeps its line number, so an error's line is the original file's. Each
example runs in its own process with small arguments (--dry-run or one epoch: --mode) and the
shim's --max-batches cap if given. Without PyTorch installed, the list of missing names covers
the module-level names (``torch.x``, ``nn.X``, ``F.x``, ...) and keyword arguments; with it,
also the tensor and module methods (``x.norm``, ``model.apply``), found by name.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import inspect
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
TORCH_DATA = "torch_data_shim"
TORCHVISION = "torchvision_shim"


@dataclass
class Example:
    """One example: its script inside the checkout, and its arguments per mode. ``{data}`` in
    an argument is replaced by a folder for datasets inside the work folder."""

    name: str
    script: str
    quick: list[str]
    epoch: list[str]
    what: str = ""
    result_lines: tuple[str, ...] = ()  # regexes: the lines of output that say how it went (last match of each)


EXAMPLES = [
    Example("mnist", "mnist/main.py",
            ["--epochs", "1", "--dry-run", "--test-batch-size", "200"],
            ["--epochs", "1", "--test-batch-size", "200"],
            "CNN classifier, Adadelta + StepLR (quick: --dry-run, one training batch, then the test set)",
            (r"Test set: .*",)),
    Example("vae", "vae/main.py", ["--epochs", "1"], ["--epochs", "1"],
            "VAE on MLPs: one epoch, reconstructions and samples saved as PNG",
            (r"Test set loss: .*",)),
    Example("dcgan", "dcgan/main.py",
            ["--dataset", "mnist", "--dataroot", "{data}", "--dry-run", "--workers", "0"],
            ["--dataset", "mnist", "--dataroot", "{data}", "--niter", "1", "--workers", "0"],
            "64x64 DCGAN on MNIST resized to 64 (quick: --dry-run, one step of D and G), images, checkpoints",
            (r"Loss_D: .*",)),
    Example("mnist_forward_forward", "mnist_forward_forward/main.py",
            ["--epochs", "10", "--train_size", "2000", "--test_size", "1000"],
            ["--epochs", "100"],
            "Hinton's forward-forward: two layers trained full-batch (quick: 10 steps on 2,000 digits)",
            (r"train error: .*", r"test error: .*")),
    Example("regression", "regression/main.py", [], [],
            "fits a degree-4 polynomial with smooth_l1_loss and manual SGD until the loss < 1e-3",
            (r"Loss: .* after \d+ batches",)),
]


# -- rewriting -----------------------------------------------------------------------------------

def map_module(name: str, engine: str = "minigen") -> str:
    """The module that replaces ``name`` in an import (unchanged when it is neither torch's nor
    torchvision's; with ``engine="torch"``, only torchvision's is replaced)."""
    parts = name.split(".")
    if parts[:3] == ["torch", "utils", "data"]:
        return ".".join([TORCH_DATA, *parts[3:]])
    if parts[0] == "torch" and engine == "minigen":
        return ".".join(["minigen", *parts[1:]])
    if parts[0] == "torchvision":
        return ".".join([TORCHVISION, *parts[1:]])
    return name


def _top_alias(name: str, engine: str) -> str:
    return {"torch": "minigen" if engine == "minigen" else "torch", "torchvision": TORCHVISION}.get(name, name)


def rewrite_import(node: ast.Import | ast.ImportFrom, engine: str = "minigen") -> str | None:
    """The statement replacing an import node, or None when it imports nothing of PyTorch's."""
    if isinstance(node, ast.ImportFrom):
        if node.level or node.module is None or map_module(node.module, engine) == node.module:
            return None
        names = ", ".join(a.name + (f" as {a.asname}" if a.asname else "") for a in node.names)
        return f"from {map_module(node.module, engine)} import {names}"
    parts, changed = [], False
    for alias in node.names:
        new = map_module(alias.name, engine)
        changed |= new != alias.name
        if alias.asname:
            parts.append(f"import {new} as {alias.asname}")
        elif new == alias.name:
            parts.append(f"import {new}")
        else:  # `import torch.nn.parallel` binds `torch`: bind it to what replaces torch
            top = alias.name.split(".")[0]
            if new == _top_alias(top, engine):
                parts.append(f"import {new} as {top}")
            elif _top_alias(top, engine) == top:
                parts += [f"import {new}", f"import {top}"]
            else:
                parts += [f"import {new}", f"import {_top_alias(top, engine)} as {top}"]
    return "; ".join(parts) if changed else None


def torch_aliases(tree: ast.Module) -> set[str]:
    """Names bound to the ``torch`` module itself (``import torch``, ``import torch as th``)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "torch" and (alias.asname is None or alias.name == "torch"):
                    names.add(alias.asname or "torch")
    return names


@dataclass
class Rewrite:
    source: str
    changes: list[tuple[int, str, str]] = field(default_factory=list)  # (line, before, after)


def rewrite_source(source: str, engine: str = "minigen") -> Rewrite:
    """``source`` with its PyTorch and torchvision imports and its DataLoader calls replaced,
    line for line (an import written over several lines keeps its extra lines, blank).
    ``engine="torch"`` keeps PyTorch: only the data loading is replaced, for comparison."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    new_lines = list(lines)
    aliases = torch_aliases(tree)
    data_use = re.compile(r"\b(" + "|".join(map(re.escape, sorted(aliases))) + r")\.utils\.data\.") if aliases else None
    import_lines: set[int] = set()
    first_torch_import = None
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        replacement = rewrite_import(node, engine)
        import_lines.update(range(node.lineno, node.end_lineno + 1))
        start, end = node.lineno - 1, node.end_lineno - 1
        if isinstance(node, ast.Import) and any(a.name == "torch" for a in node.names):
            first_torch_import = start if first_torch_import is None else min(first_torch_import, start)
        if replacement is None:
            continue
        first = lines[start]
        indent = first[: len(first) - len(first.lstrip())]
        # Keep whatever shares the line after the statement (a comment, `; more`).
        rest = first[node.end_col_offset:] if start == end else "\n"
        new_lines[start] = indent + replacement + (rest if rest.strip() else "\n")
        for i in range(start + 1, end + 1):
            new_lines[i] = "\n"
    uses_data = False
    if data_use is not None:
        for i, line in enumerate(new_lines):
            if i + 1 in import_lines:
                continue
            replaced = data_use.sub(TORCH_DATA + ".", line)
            if replaced != line:
                new_lines[i], uses_data = replaced, True
    if uses_data and not any(f"import {TORCH_DATA}" in line for line in new_lines):
        if first_torch_import is None:
            raise ValueError("the example uses torch.utils.data without importing torch")
        line = new_lines[first_torch_import].rstrip("\n")
        new_lines[first_torch_import] = f"{line}; import {TORCH_DATA}\n"
    changes = [(i + 1, old.rstrip("\n"), new.rstrip("\n"))
               for i, (old, new) in enumerate(zip(lines, new_lines, strict=True)) if old != new]
    return Rewrite("".join(new_lines), changes)


# -- what minigen lacks ------------------------------------------------------------------------

def _bound_modules(tree: ast.Module) -> dict[str, str]:
    """Each name the (rewritten) imports bind to a minigen object, as a dotted path:
    ``torch`` -> ``minigen``, ``F`` -> ``minigen.nn.functional``, ``StepLR`` ->
    ``minigen.optim.lr_scheduler.StepLR``."""
    bound: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "minigen":
                    if alias.asname:
                        bound[alias.asname] = alias.name
                    elif alias.name == "minigen":
                        bound["minigen"] = "minigen"
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "minigen":
            for alias in node.names:
                bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return bound


def _resolve(path: str) -> tuple[Any, str | None]:
    """The object at a dotted minigen path, or (None, the first part that is missing)."""
    parts = path.split(".")
    obj: Any = importlib.import_module(parts[0])
    for i, part in enumerate(parts[1:], start=1):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            try:
                obj = importlib.import_module(".".join(parts[: i + 1]))
            except ImportError:
                return None, ".".join(parts[: i + 1])
    return obj, None


def _dotted(node: ast.AST) -> str | None:
    names = []
    while isinstance(node, ast.Attribute):
        names.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id, *reversed(names)])


def _accepts(fn: Any, call: ast.Call, method: bool = False) -> str | None:
    """None when ``fn`` accepts the call's arguments by count and keyword, else what it refuses."""
    if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        return None
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return None
    args = [None] * (len(call.args) + (1 if method else 0))
    try:
        sig.bind_partial(*args, **{k.arg: None for k in call.keywords})
    except TypeError as error:
        return str(error)
    return None


def _torch_name(path: str) -> str:
    return re.sub(r"^minigen\b", "torch", path)


def pytorch_names(rewritten: str) -> tuple[list[str], list[str]]:
    """(the PyTorch names the rewritten example uses, those minigen lacks): module-level names
    (``torch.flatten``, ``F.relu`` as ``torch.nn.functional.relu``) and, with PyTorch installed
    to tell which they are, tensor, module and optimizer methods (``Tensor.view``). A call whose
    arguments minigen's signature refuses counts as lacking too."""
    import minigen

    tree = ast.parse(rewritten)
    bound = _bound_modules(tree)
    used: list[str] = []
    missing: list[str] = []

    def add(names: list[str], item: str) -> None:
        if item not in names:
            names.append(item)

    for path in bound.values():
        gap = _resolve(path)[1]
        if gap:
            add(missing, _torch_name(gap))
    # The example's own functions and attributes (``self.relu = nn.ReLU()``) are not PyTorch's.
    defined = {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    defined |= {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute) and isinstance(n.ctx, ast.Store)}
    inner = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            target = _dotted(node.func)
            head = target.split(".")[0] if target else None
            if head in bound:
                obj, gap = _resolve(".".join([bound[head], *target.split(".")[1:]]))
                refused = _accepts(obj, node) if gap is None else None
                if refused:
                    add(missing, f"{target}(...): {refused}")
            elif isinstance(node.func, ast.Attribute) and node.func.attr not in defined:
                method = getattr(minigen.Tensor, node.func.attr, None)
                if callable(method) and _torch_tensor_has(node.func.attr):
                    refused = _accepts(method, node, method=True)
                    if refused:
                        add(missing, f"Tensor.{node.func.attr}(...): {refused}")
        if not isinstance(node, (ast.Attribute, ast.Name)) or not isinstance(node.ctx, ast.Load):
            continue
        target = _dotted(node)
        head = target.split(".")[0] if target else None
        if head in bound:
            if id(node) in inner:  # `torch.nn` of `torch.nn.init`: the whole name counts
                continue
            path = ".".join([bound[head], *target.split(".")[1:]])
            add(used, _torch_name(path))
            gap = _resolve(path)[1]
            if gap:
                add(missing, _torch_name(gap))
        elif isinstance(node, ast.Attribute) and node.attr not in defined:
            owner, has = _method_owner(node.attr)
            if owner:
                add(used, f"{owner}.{node.attr}")
                if not has:
                    add(missing, f"{owner}.{node.attr}")
    return sorted(used), missing


def missing_names(rewritten: str) -> list[str]:
    """The PyTorch names the rewritten example uses that minigen lacks (see pytorch_names)."""
    return pytorch_names(rewritten)[1]


def _torch() -> Any:
    try:
        import torch
    except ImportError:
        return None
    return torch


def _torch_tensor_has(name: str) -> bool:
    torch = _torch()
    return torch is None or hasattr(torch.Tensor, name)


def _method_owner(name: str) -> tuple[str | None, bool]:
    """(``"Tensor"``, ``"Module"`` or ``"Optimizer"`` when PyTorch's class has the attribute
    ``name``, else None; whether minigen's class has it too). Needs PyTorch installed."""
    torch = _torch()
    if torch is None or name.startswith("__"):
        return None, True
    import minigen

    pairs = [("Tensor", torch.Tensor, minigen.Tensor), ("Module", torch.nn.Module, minigen.nn.Module),
             ("Optimizer", torch.optim.Optimizer, minigen.optim.Optimizer)]
    for label, theirs, ours in pairs:
        if hasattr(theirs, name):
            return label, hasattr(ours, name)
    return None, True


# -- running ---------------------------------------------------------------------------------------

@dataclass
class Result:
    name: str
    engine: str
    ok: bool
    seconds: float
    summary: str
    missing: list[str]
    log: Path
    command: str
    used: list[str] = field(default_factory=list)


def first_error(stderr: str, script: Path) -> str:
    """The example's line where the error surfaced (its deepest frame in the script), the
    deepest frame overall when that is elsewhere, and the exception line."""
    block = stderr[stderr.rfind("Traceback (most recent call last):"):]
    frames = re.findall(r'File "([^"]+)", line (\d+), in (\S+)\n(?:\s+(.+)\n)?', block)
    lines = [ln for ln in stderr.strip().splitlines() if ln.strip()]
    exception = lines[-1].strip() if lines else "(no error message)"
    ours = [f for f in frames if Path(f[0]).name == script.name and Path(f[0]).parent == script.parent]
    where = ""
    if ours:
        path, line, fn, code = ours[-1]
        where = f"{script.name}:{line} `{code.strip()}`"
    if frames and (not ours or frames[-1] is not ours[-1]):
        path, line, fn, code = frames[-1]
        short = re.sub(r"^.*?/(minigen|benchmarks)/", r"\1/", path)
        where += f" (in {short}:{line})"
    return f"{where}: {exception}" if where else exception


def run_example(example: Example, examples_dir: Path, workdir: Path, mode: str = "quick",
                max_batches: int | None = None, timeout: float = 900, verbose: bool = False,
                engine: str = "minigen") -> Result:
    """Copy the example's folder into ``workdir``, rewrite its script, run it, and report.
    ``engine="torch"``: the example under PyTorch, on the same data (torchvision replaced)."""
    source_dir = (examples_dir / example.script).parent
    script_path = examples_dir / example.script
    if not script_path.is_file():
        raise FileNotFoundError(
            f"{script_path} not found: --examples must be a checkout of github.com/pytorch/examples"
        )
    target = workdir / (example.name if engine == "minigen" else f"{example.name}-{engine}")
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source_dir, target)
    rewrite = rewrite_source(script_path.read_text(), engine)
    script = target / Path(example.script).name
    script.write_text(rewrite.source)
    data = workdir / "data"
    data.mkdir(exist_ok=True)
    args = [a.replace("{data}", str(data)) for a in (example.quick if mode == "quick" else example.epoch)]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(HERE), *filter(None, [env.get("PYTHONPATH")])])
    env.setdefault("MPLBACKEND", "Agg")
    env.pop("MINIGEN_EXAMPLES_MAX_BATCHES", None)
    env["TORCHVISION_SHIM_LIB"] = engine
    if max_batches:
        env["MINIGEN_EXAMPLES_MAX_BATCHES"] = str(max_batches)
    command = " ".join(["python", script.name, *args])
    log = target / "run.log"
    start = time.perf_counter()
    try:
        proc = subprocess.run([sys.executable, script.name, *args], cwd=target, env=env,
                              capture_output=True, text=True, timeout=timeout)
        rc, out, err = proc.returncode, proc.stdout, proc.stderr
    except subprocess.TimeoutExpired as expired:
        rc, out = None, _text(expired.stdout)
        err = _text(expired.stderr) + f"\ntimed out after {timeout:.0f} s"
    seconds = time.perf_counter() - start
    log.write_text(f"$ {command}\n{out}\n--- stderr ---\n{err}")
    if verbose:
        print(out + err)
    ok = rc == 0
    if ok:
        tail = [ln.strip() for ln in out.strip().splitlines() if ln.strip()]
        found = [[m.group(0) for m in map(re.compile(rx).search, tail) if m] for rx in example.result_lines]
        last = "; ".join(f[-1] for f in found if f) or (tail[-1] if tail else "")
        summary = "ran to completion" + (f"; last output: {last}" if last else "")
    elif rc is None:
        summary = f"timed out after {timeout:.0f} s"
    else:
        summary = "failed at " + first_error(err, script)
    used, missing = pytorch_names(rewrite.source) if engine == "minigen" else ([], [])
    return Result(example.name, engine, ok, seconds, summary, missing, log, command, used)


def _text(data: Any) -> str:
    return data.decode(errors="replace") if isinstance(data, bytes) else (data or "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", required=True, type=Path,
                        help="a checkout of github.com/pytorch/examples")
    parser.add_argument("--only", action="append", default=[],
                        help="run only this example (repeatable): " + ", ".join(e.name for e in EXAMPLES))
    parser.add_argument("--mode", choices=["quick", "epoch"], default="quick",
                        help="quick: --dry-run or the smallest arguments (default); epoch: one full epoch")
    parser.add_argument("--max-batches", type=int, default=None,
                        help="stop each DataLoader epoch after this many batches (through the shim)")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="where the rewritten copies run and write (default: a new temporary folder)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per example (default 900)")
    parser.add_argument("--show-changes", action="store_true", help="print every line the rewrite changed")
    parser.add_argument("--verbose", action="store_true", help="print each example's output")
    parser.add_argument("--torch", action="store_true",
                        help="also run each example under PyTorch on the same data (its imports kept), to compare")
    args = parser.parse_args(argv)

    known = {e.name: e for e in EXAMPLES}
    unknown = [n for n in args.only if n not in known]
    if unknown:
        parser.error(f"unknown example {unknown[0]!r}; choose from {', '.join(known)}")
    if not args.examples.is_dir():
        parser.error(f"--examples {args.examples} is not a folder; clone github.com/pytorch/examples there")
    if args.torch and _torch() is None:
        parser.error("--torch needs PyTorch installed (pip install torch)")
    chosen = [known[n] for n in args.only] if args.only else EXAMPLES
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="pytorch-examples-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"pytorch/examples at {args.examples}; running in {workdir} (mode {args.mode})")
    if _torch() is None:
        print("PyTorch is not installed: tensor and module methods are not checked by name")
    engines = ["minigen", "torch"] if args.torch else ["minigen"]
    rows = []
    for example in chosen:
        if args.show_changes:
            rewrite = rewrite_source((args.examples / example.script).read_text())
            print(f"\n{example.script}: {len(rewrite.changes)} lines changed")
            for line, before, after in rewrite.changes:
                print(f"  {line:4d} - {before}\n       + {after}")
        print(f"\n== {example.name}: {example.what}", flush=True)
        row = []
        for engine in engines:
            result = run_example(example, args.examples, workdir, args.mode, args.max_batches,
                                 args.timeout, args.verbose, engine)
            row.append(result)
            print(f"   [{engine}] $ {result.command}\n   {result.summary}\n   time: {result.seconds:.1f} s"
                  + (f"\n   PyTorch names used: {len(result.used)}; minigen lacks: "
                     f"{', '.join(result.missing) or 'nothing'}" if engine == "minigen" else "")
                  + f"\n   log: {result.log}", flush=True)
        rows.append(row)
    head = "| example | minigen | time (s) | PyTorch names used | minigen lacks |" + (
        " PyTorch | time (s) |" if args.torch else "")
    print("\n" + head + "\n" + "|---" * head.count(" |") + "|")
    for row in rows:
        ours = row[0]
        line = (f"| {ours.name} | {_cell(ours)} | {ours.seconds:.1f} | {len(ours.used)} | "
                f"{', '.join(ours.missing) or '-'} |")
        if args.torch:
            line += f" {_cell(row[1])} | {row[1].seconds:.1f} |"
        print(line)
    return 0 if all(r[0].ok for r in rows) else 1


def _cell(result: Result) -> str:
    """A result in a table cell: the example's last line of output, or why it failed."""
    last = result.summary.split("last output: ", 1)
    text = ("ran: " + last[1] if len(last) == 2 else "ran") if result.ok else result.summary
    return text.replace("|", "\\|").replace("\t", " ")


if __name__ == "__main__":
    sys.exit(main())
