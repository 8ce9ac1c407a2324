"""The derivation pages (docs/derivations/) stay true to the engine.

Every page starts with a title and three lines (the convention in docs/derivations/README.md)::

    # Arithmetic: add, subtract, multiply, divide, negate

    **Functions:** `Add`, `Sub`, `Mul`, `Div`, `Neg`
    **Code:** `minigen/functions/arithmetic.py`
    **Tests:** `tests/test_gradcheck.py::test_gradcheck[neg]`, `tests/test_autograd.py::test_...`

This module fails when a Function class defined in minigen is named on no page, when a page
names a Function, a code file, a test file or a test that does not exist, when the index lists
a page that does not exist (or misses one that does), or when code a page (or any page of docs/)
quotes is no longer the code of the file the quote names: a line gone, lines left out without a
``...`` line, lines out of order or indented apart, or a block that is not valid Python. The
last tests pin the rules the pages state at points where a gradient check cannot look: kinks
and ties, where the derivative is a convention.
"""

from __future__ import annotations

import ast
import functools
import re
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pytest
from gradcases import all_function_classes

import minigen as mg

ROOT = Path(__file__).resolve().parents[1]
PAGES_DIR = ROOT / "docs" / "derivations"
INDEX = PAGES_DIR / "README.md"
HEADER_FIELDS = ("Functions", "Code", "Tests")


# -- reading the pages ---------------------------------------------------------------------------
def pages() -> list[Path]:
    return sorted(p for p in PAGES_DIR.glob("*.md") if p.name != "README.md")


def backticked(line: str) -> list[str]:
    """The backticked items of a header line (test ids may contain commas, so no split)."""
    return re.findall(r"`([^`]+)`", line)


def header(page: Path) -> dict[str, list[str]]:
    """``{"Functions": [...], "Code": [...], "Tests": [...]}`` read from the page's top lines."""
    lines = [line.strip() for line in page.read_text(encoding="utf-8").splitlines()]
    found: dict[str, list[str]] = {}
    for line in lines[1:40]:
        match = re.match(r"\*\*(\w+):\*\*(.*)$", line)
        if match and match.group(1) in HEADER_FIELDS:
            found[match.group(1)] = backticked(match.group(2))
    return found


def index_links() -> list[str]:
    """The pages the index links to (relative links to .md files in this folder)."""
    text = INDEX.read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)#\s]+\.md)(?:#[^)]*)?\)", text)
    return list(dict.fromkeys(t for t in targets if "/" not in t))


def functions_by_name() -> dict[str, list[type]]:
    by_name: dict[str, list[type]] = {}
    for cls in all_function_classes():
        by_name.setdefault(cls.__name__, []).append(cls)
    return by_name


def source_path(cls: type) -> str:
    """``minigen/functions/arithmetic.py`` for ``Add``, wherever minigen is installed."""
    file = Path(sys.modules[cls.__module__].__file__)
    parts = cls.__module__.split(".")
    tail = parts + ["__init__.py"] if file.name == "__init__.py" else parts[:-1] + [file.name]
    return "/".join(tail)


PAGE_IDS = [p.name for p in pages()]


@pytest.fixture(params=PAGE_IDS)
def page(request) -> Path:
    return PAGES_DIR / request.param


# -- the index -----------------------------------------------------------------------------------
def test_the_index_lists_only_pages_that_exist():
    assert INDEX.exists(), "docs/derivations/README.md (the index) is missing"
    links = index_links()
    assert links, "the index links to no page"
    missing = [name for name in links if not (PAGES_DIR / name).exists()]
    assert not missing, f"docs/derivations/README.md links to pages that do not exist: {missing}"


def test_every_page_is_in_the_index():
    listed = set(index_links())
    unlisted = [p.name for p in pages() if p.name not in listed]
    assert not unlisted, f"pages missing from the index docs/derivations/README.md: {unlisted}"


# -- each page's header --------------------------------------------------------------------------
def test_page_starts_with_a_title_and_the_three_header_lines(page):
    lines = [line.strip() for line in page.read_text(encoding="utf-8").splitlines()]
    assert lines and lines[0].startswith("# "), f"{page.name}: the first line must be a '# Title'"
    rest = [line for line in lines[1:] if line]
    got = [re.match(r"\*\*(\w+):\*\*", line) for line in rest[:3]]
    got_fields = tuple(m.group(1) if m else None for m in got)
    assert got_fields == HEADER_FIELDS, (
        f"{page.name}: after the title come **Functions:**, **Code:** and **Tests:** lines, "
        f"in that order (found {rest[:3]})"
    )
    for line in rest[:3]:
        field, text = re.match(r"\*\*(\w+):\*\*(.*)$", line).groups()
        says_none = field == "Functions" and text.strip().lower().startswith("none")
        assert backticked(text) or says_none, (
            f"{page.name}: the **{field}:** line names nothing (items are backticked; a page that "
            "derives no Function writes **Functions:** none (and why))"
        )


def test_every_function_has_a_derivation_page():
    named = {name for p in pages() for name in header(p).get("Functions", [])}
    missing = sorted(
        f"{cls.__module__}.{cls.__name__}"
        for cls in all_function_classes()
        if cls.__name__ not in named
    )
    assert not missing, (
        f"Functions named on no page's **Functions:** line in docs/derivations/: {missing}"
    )


def test_page_names_only_functions_that_exist_in_its_code_files(page):
    fields = header(page)
    by_name = functions_by_name()
    code = set(fields.get("Code", []))
    unknown = [name for name in fields.get("Functions", []) if name not in by_name]
    assert not unknown, f"{page.name} names Functions that minigen does not define: {unknown}"
    elsewhere = [
        f"{name} (in {source_path(by_name[name][0])})"
        for name in fields.get("Functions", [])
        if not any(source_path(cls) in code for cls in by_name[name])
    ]
    assert not elsewhere, f"{page.name}: **Code:** does not list the file of {elsewhere}"


def test_page_names_code_files_that_exist(page):
    missing = [path for path in header(page).get("Code", []) if not (ROOT / path).is_file()]
    assert not missing, f"{page.name} names code files that do not exist: {missing}"


def test_page_names_tests_that_exist(page):
    refs = header(page).get("Tests", [])
    problems = [f"{ref}: {why}" for ref in refs if (why := missing_test(ref))]
    assert not problems, f"{page.name} names tests that do not exist: {problems}"


def missing_test(ref: str) -> str | None:
    """Why ``path::name``, ``path::name[id]`` or ``path::Class::name`` is not a test, else None."""
    path, sep, node = ref.partition("::")
    if not sep or not node:
        return "write it as path::test_function"
    file = ROOT / path
    if not file.is_file():
        return "no such file"
    parts = node.split("[", 1)[0].split("::")
    if parts[-1] not in defined_names(str(file), tuple(parts[:-1])):
        return f"no 'def {parts[-1]}' in {path}"
    if "[" in node and ref not in collected_ids(path):
        return "no such parametrized id (pytest --collect-only does not list it)"
    return None


@functools.cache
def defined_names(file: str, classes: tuple[str, ...]) -> set[str]:
    body = ast.parse(Path(file).read_text(encoding="utf-8")).body
    for name in classes:
        body = next((n.body for n in body if isinstance(n, ast.ClassDef) and n.name == name), [])
    return {n.name for n in body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}


@functools.cache
def collected_ids(path: str) -> frozenset[str]:
    """The node ids pytest collects from one test file (run apart, without the slow filter)."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-o", "addopts=",
         "-p", "no:cacheprovider", path],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    return frozenset(line.strip() for line in result.stdout.splitlines() if "::" in line)


# -- quoted code ---------------------------------------------------------------------------------
ELISION = "..."  # a line of only "..." in a quote stands for lines left out


def quoted_blocks(page: Path) -> list[tuple[str, list[str]]]:
    """Fenced ```python blocks whose first line is ``# minigen/...py``: (path, the other lines)."""
    blocks = []
    for body in re.findall(r"```python\n(.*?)```", page.read_text(encoding="utf-8"), re.S):
        lines = body.splitlines()
        if lines and re.fullmatch(r"#\s*(minigen|tests)/\S+\.py", lines[0].strip()):
            blocks.append((lines[0].strip().lstrip("#").strip(), lines[1:]))
    return blocks


def indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def segments(lines: list[str]) -> list[list[str]]:
    """The runs of quoted lines between ``...`` lines, blank lines left out."""
    runs: list[list[str]] = [[]]
    for line in lines:
        if line.strip() == ELISION:
            runs.append([])
        elif line.strip():
            runs[-1].append(line.rstrip())
    return [run for run in runs if run]


def placements(run: list[str], source: list[str], start: int):
    """(end, shift) for every place at or after ``start`` where ``run`` is consecutive lines of
    ``source``, each indented by the same ``shift`` more (or less) than in the quote."""
    for k in range(start, len(source) - len(run) + 1):
        window = source[k : k + len(run)]
        if all(q.strip() == s.strip() for q, s in zip(run, window, strict=True)):
            shifts = {indent(s) - indent(q) for q, s in zip(run, window, strict=True)}
            if len(shifts) == 1:
                yield k + len(run), shifts.pop()


def fits(runs: list[list[str]], source: list[str], start: int = 0, shift: int | None = None) -> bool:
    """Whether the runs are, in order, blocks of consecutive lines of ``source`` with one
    common indentation shift (a quote may be dedented as a whole, not line by line)."""
    if not runs:
        return True
    return any(
        (shift is None or s == shift) and fits(runs[1:], source, end, s)
        for end, s in placements(runs[0], source, start)
    )


def stale_quotes(doc: Path, root: Path = ROOT) -> list[str]:
    """What is wrong with the quotes of ``doc``: lines that are not in the file their block names,
    runs of lines that are not consecutive there (a gap not marked by a ``...`` line, or lines
    out of order, or indented differently), and blocks that are not valid Python (a ``...``
    line is an Ellipsis statement, so it must stand where the lines it replaces stood)."""
    stale = []
    for path, lines in quoted_blocks(doc):
        file = root / path
        if not file.is_file():
            stale.append(f"{path}: no such file")
            continue
        text = file.read_text(encoding="utf-8").splitlines()
        source = [line.rstrip() for line in text if line.strip()]  # blank lines may be left out
        missing = [
            f"{path}: {line.strip()!r} is not in the file"
            for line in lines
            if line.strip() not in ("", ELISION) and line.strip() not in {s.strip() for s in source}
        ]
        stale += missing
        runs = segments(lines)
        if not missing and not fits(runs, source):
            first = next(i for i in range(len(runs)) if not fits(runs[: i + 1], source))
            stale.append(
                f"{path}: the run of lines from {runs[first][0].strip()!r} is not consecutive, "
                "in order and equally indented in the file (mark left-out lines with '...')"
            )
        try:
            ast.parse(textwrap.dedent("\n".join(lines)))
        except SyntaxError as error:
            stale.append(f"{path}: the quote from {runs[0][0].strip()!r} is not valid Python "
                         f"({error.msg}, quote line {error.lineno})")
    return stale


def test_quoted_code_lines_are_in_the_files_they_name(page):
    """A quote ``# minigen/x.py`` + lines: each non-blank line (but ``...``) is a line of x.py,
    the lines between two ``...`` are consecutive lines of x.py, and the quote parses."""
    stale = stale_quotes(page)
    assert not stale, f"{page.name} quotes code that is not as it is in the file it names: {stale}"


DOCS_WITH_QUOTES = sorted(
    str(p.relative_to(ROOT / "docs")) for p in (ROOT / "docs").rglob("*.md")
    if p.parent != PAGES_DIR or p.name == "README.md"
)


@pytest.mark.parametrize("doc", DOCS_WITH_QUOTES)
def test_other_docs_quote_code_as_it_is(doc):
    """docs/engine.md, docs/backends.md and the other pages of docs/ quote the engine the same
    way (the derivation pages are checked above); same check."""
    stale = stale_quotes(ROOT / "docs" / doc)
    assert not stale, f"docs/{doc} quotes code that is not as it is in the file it names: {stale}"


def test_the_quote_check_catches_gaps_reordering_and_broken_indentation(tmp_path):
    """The check above can fail: a quote that skips a line silently, swaps two lines, indents
    one line differently or cuts a block open is refused; marked with '...' it passes."""
    code = tmp_path / "minigen" / "step.py"
    code.parent.mkdir()
    code.write_text(
        "def step(p, grad, m, decay):\n"
        "    if decay != 0:\n"
        "        grad = grad + decay * p  # a new array\n"
        "\n"
        "    m *= 0.9\n"
        "    m += 0.1 * grad\n"
        "    m.clip(-1, 1)\n"
        "    p -= m\n"
    )

    def problems(*quote: str) -> list[str]:
        page = tmp_path / "page.md"
        page.write_text("```python\n# minigen/step.py\n" + "\n".join(quote) + "\n```\n")
        return stale_quotes(page, root=tmp_path)

    ok = ["m *= 0.9", "m += 0.1 * grad", "...", "p -= m"]
    assert problems(*ok) == []
    assert problems("if decay != 0:", "    grad = grad + decay * p  # a new array", "m *= 0.9") == []
    assert problems("def step(p, grad, m, decay):", "    ...", "    p -= m") == []
    assert problems(*ok[:2], *ok[3:])  # a gap without '...'
    assert problems(ok[1], ok[0])  # out of order
    assert problems("if decay != 0:", "grad = grad + decay * p  # a new array")  # not valid Python
    assert problems("def step(p, grad, m, decay):", "...", "    p -= m")  # '...' not indented
    assert problems("    m *= 0.9", "m += 0.1 * grad")  # indented apart
    assert problems("m *= 0.8")  # not in the file


# -- the rules the pages state at kinks and ties (a finite difference cannot see them) -----------
def grad_of(fn, *values, dtype=mg.float64):
    xs = [mg.tensor(v, dtype=dtype, requires_grad=True) for v in values]
    fn(*xs).sum().backward()
    return [x.grad.tolist() for x in xs]


def test_activations_rules_at_zero():
    """activations.md: ReLU' = 0 at x = 0, LeakyReLU' = a at x = 0."""
    from minigen.functions import leaky_relu

    assert grad_of(lambda x: x.relu(), [-1.0, 0.0, 2.0]) == [[0.0, 0.0, 1.0]]
    assert grad_of(lambda x: leaky_relu(x, 0.2), [-1.0, 0.0, 2.0]) == [[0.2, 0.2, 1.0]]


def test_relu_lets_nan_through():
    """activations.md: the forward is maximum(x, 0), so NaN stays NaN, as in PyTorch."""
    y = mg.tensor([float("nan"), -1.0, 0.0, 2.0]).relu().tolist()
    assert np.isnan(y[0]) and y[1:] == [0.0, 0.0, 2.0]


def test_sigmoid_is_accurate_in_both_tails():
    """activations.md: with e = exp(-|x|), y = where(x >= 0, 1/(1+e), e/(1+e)) has a small
    *relative* error in both tails, overflows nowhere, and its backward is y (1 - y)."""
    x = np.array([-80.0, -30.0, -17.0, -1.0, 0.0, 1.0, 17.0, 30.0])
    exact = 1 / (1 + np.exp(-x))  # float64: exact to ~1e-16, far below float32's steps
    y = mg.tensor(x, dtype=mg.float32).sigmoid().numpy()
    assert y.dtype == np.float32
    relative = np.abs(y.astype(np.float64) - exact) / exact
    assert relative.max() < 5 * 2.0**-24  # a few rounding steps of float32, even at 1.8e-35
    # float64: where the old tanh form gave exactly 0, relative accuracy to a few steps as well
    far = mg.tensor([-40.0, -700.0], dtype=mg.float64).sigmoid().tolist()
    assert far == pytest.approx([1 / (1 + np.exp(40.0)), 1 / (1 + np.exp(700.0))], rel=1e-15)
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error")  # an overflow in exp would warn (here: raise)
        ends = mg.tensor([-1000.0, 1000.0, -np.inf, np.inf]).sigmoid().tolist()
    assert ends == [0.0, 1.0, 0.0, 1.0]
    assert np.isnan(mg.tensor([np.nan]).sigmoid().item())
    t = mg.tensor([-80.0, -30.0, 0.0, 2.0, 30.0], requires_grad=True)
    t.sigmoid().sum().backward()
    s = t.sigmoid().numpy()
    assert t.grad.numpy().tolist() == (s * (1 - s)).tolist()  # exactly y (1 - y)
    assert t.grad.numpy()[0] == pytest.approx(np.exp(-80.0), rel=1e-6)  # left tail: relative
    assert t.grad.numpy()[-1] == 0.0  # right tail: y rounds to 1, so 1 - y = 0 (true: 9.4e-14)


def test_abs_gradient_is_zero_at_zero():
    """elementwise.md: d|x|/dx = sign(x), 0 at x = 0."""
    assert grad_of(lambda x: x.abs(), [-2.0, 0.0, 3.0]) == [[-1.0, 0.0, 1.0]]


def test_pow_with_exponent_zero_has_a_zero_gradient():
    """elementwise.md: x^0 = 1 is constant; its gradient is 0, also at x = 0 (not 0 * inf)."""
    with warnings.catch_warnings(), np.errstate(divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        assert grad_of(lambda x: x**0, [0.0, 2.0, -3.0]) == [[0.0, 0.0, 0.0]]
        assert grad_of(lambda x: x**0.0, [0.0, 2.0], dtype=mg.float32) == [[0.0, 0.0]]


def test_selection_rules_at_bounds_and_ties():
    """selection.md: clamp passes the gradient at its bounds; maximum splits ties in half."""
    assert grad_of(lambda x: x.clamp(-1.0, 1.0), [-2.0, -1.0, 0.0, 1.0, 2.0]) == [[0, 1, 1, 1, 0]]
    assert grad_of(lambda a, b: mg.maximum(a, b), [1.0, 2.0, 3.0], [2.0, 2.0, 2.0]) == [
        [0.0, 0.5, 1.0], [1.0, 0.5, 0.0]]
    assert grad_of(lambda x: mg.maximum(x, x), [1.0, -1.0]) == [[1.0, 1.0]]  # max(x, x) = x


def test_reductions_max_splits_ties_without_dim_and_picks_the_first_with_dim():
    """reductions.md: x.max() splits a tie evenly (ties="split", as torch.max(x) and amax);
    x.max(dim) gives the whole gradient to the first maximum, the one its indices name
    (ties="first", as torch.max(x, dim))."""
    assert grad_of(lambda x: x.max(), [[1.0, 3.0], [3.0, 0.0]]) == [[[0.0, 0.5], [0.5, 0.0]]]
    assert grad_of(lambda x: x.max(), [[2.0, 2.0], [2.0, 2.0]]) == [[[0.25, 0.25], [0.25, 0.25]]]
    assert grad_of(lambda x: x.max(1).values, [[3.0, 1.0, 3.0], [0.0, 2.0, 2.0]]) == [
        [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]]
    # a middle axis of a 3-D tensor, keepdim: the gradient lands where the indices point
    data = np.array([[[1.0, 4.0], [5.0, 4.0], [5.0, 0.0]], [[2.0, 2.0], [2.0, 2.0], [2.0, 2.0]]])
    x = mg.tensor(data, requires_grad=True)
    values, indices = x.max(1, keepdim=True)
    values.sum().backward()
    assert indices.tolist() == [[[1, 0]], [[0, 0]]]
    expected = np.zeros_like(data)
    np.put_along_axis(expected, indices.numpy(), 1.0, axis=1)
    assert x.grad.tolist() == expected.tolist()


def test_reductions_var_gradient_is_nan_when_n_equals_the_correction():
    """reductions.md: D = n - c = 0 gives a NaN variance and a NaN gradient, as PyTorch."""
    x = mg.tensor([[1.0, 2.0]], requires_grad=True)
    with np.errstate(divide="ignore", invalid="ignore"):  # the forward's 0/0
        x.var(0).sum().backward()  # one element per column, unbiased: D = 1 - 1 = 0
    assert np.isnan(x.grad.numpy()).all()
    x.grad = None
    x.var(0, unbiased=False).sum().backward()  # D = 1: a finite (zero) gradient
    assert x.grad.tolist() == [[0.0, 0.0]]


def test_indexing_repeated_rows_add_up_and_slices_scatter():
    """indexing.md: x[idx] with repeats sums the repeats (one-hot matmul); slices scatter."""
    x = mg.tensor(np.arange(6.0).reshape(3, 2), requires_grad=True)
    weights = mg.tensor([[1.0, 1.0], [10.0, 10.0], [100.0, 100.0]])
    (x[mg.tensor([2, 0, 2])] * weights).sum().backward()
    assert x.grad.tolist() == [[10.0, 10.0], [0.0, 0.0], [101.0, 101.0]]
    x.grad = None
    x[1:, ::2].sum().backward()
    assert x.grad.tolist() == [[0.0, 0.0], [1.0, 0.0], [1.0, 0.0]]


def test_indexing_negative_indices_get_their_gradient():
    """indexing.md: x[idx] with idx = -1 reads row n - 1, and the backward counts it there."""
    x = mg.tensor(np.arange(6.0).reshape(3, 2), requires_grad=True)
    y = x[mg.tensor([-1, 0])]
    assert y.tolist() == [[4.0, 5.0], [0.0, 1.0]]
    (y * mg.tensor([[1.0, 1.0], [10.0, 10.0]])).sum().backward()
    assert x.grad.tolist() == [[10.0, 10.0], [0.0, 0.0], [1.0, 1.0]]
    x.grad = None
    x[mg.tensor([2, -1, -3])].sum().backward()  # -1 and 2 are the same row: they add up
    assert x.grad.tolist() == [[1.0, 1.0], [0.0, 0.0], [2.0, 2.0]]
