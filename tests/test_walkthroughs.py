"""The walkthroughs are well-formed Jupytext percent-format files.

Running them happens in CI (.ci/run calls walkthroughs/run_all.sh in fast mode), not here, so
that this suite stays fast. These checks only read the files.
"""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WALKTHROUGHS = ROOT / "walkthroughs"
LESSONS = sorted(WALKTHROUGHS.glob("[0-9]*.py"))

HEADER = [
    "# ---",
    "# jupyter:",
    "#   jupytext:",
    "#     text_representation:",
    "#       extension: .py",
    "#       format_name: percent",
]


def cells(path: Path) -> list[tuple[str, list[str]]]:
    """(kind, lines) for each cell after the header: kind is "markdown" or "code"."""
    lines = path.read_text(encoding="utf-8").splitlines()
    end = lines.index("# ---", 1)  # the header's closing line
    result: list[tuple[str, list[str]]] = []
    for line in lines[end + 1:]:
        if line.startswith("# %%"):
            kind = "markdown" if line.startswith("# %% [markdown]") else "code"
            result.append((kind, []))
        elif result:
            result[-1][1].append(line)
        elif line.strip():
            raise AssertionError(f"{path.name}: text between the header and the first cell")
    return result


def markdown_text(lines: list[str]) -> str:
    return "\n".join(line[2:] if line.startswith("# ") else line.lstrip("#") for line in lines)


def test_there_are_walkthroughs():
    assert [p.name for p in LESSONS][:3] == [
        "01_tensors.py", "02_autograd_by_hand.py", "03_layers.py",
    ]


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_starts_with_the_jupytext_header(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[: len(HEADER)] == HEADER, f"{path.name} must start with the percent header"
    assert "# ---" in lines[1:], f"{path.name}: the header is not closed with '# ---'"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_has_a_title_markdown_cells_and_code_cells(path):
    found = cells(path)
    kinds = [kind for kind, _ in found]
    assert "markdown" in kinds and "code" in kinds
    first_kind, first_lines = found[0]
    title = next((line for line in first_lines if line.strip()), "")
    number = int(path.name.split("_")[0])
    assert first_kind == "markdown" and title.startswith(f"# # {number}. "), (
        f"{path.name}: the first cell must be a Markdown title '# {number}. ...', got {title!r}"
    )
    for kind, lines in found:
        if kind == "markdown":  # every line of a Markdown cell is a comment
            bad = [line for line in lines if line.strip() and not line.startswith("#")]
            assert not bad, f"{path.name}: Markdown cell with uncommented lines {bad[:2]}"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_ends_with_exercises(path):
    found = cells(path)
    headings = [i for i, (kind, lines) in enumerate(found)
                if kind == "markdown" and re.search(r"^## Exercises\b", markdown_text(lines), re.M)]
    assert headings, f"{path.name} has no '## Exercises' Markdown cell"
    last_code = max(i for i, (kind, _) in enumerate(found) if kind == "code")
    assert headings[-1] > last_code, (
        f"{path.name}: the exercises must come after the last code cell (answers may follow)"
    )
    exercises = markdown_text(found[headings[-1]][1])
    assert re.search(r"^1\. ", exercises, re.M), f"{path.name}: no numbered exercises"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_is_valid_python_and_honours_the_settings(path):
    source = path.read_text(encoding="utf-8")
    ast.parse(source, filename=str(path))
    assert "MINIGEN_FIGURES" in source and "MINIGEN_FAST" in source, (
        f"{path.name} must read MINIGEN_FIGURES (where figures go) and MINIGEN_FAST"
    )


def test_every_lesson_is_listed_in_the_readme():
    readme = (WALKTHROUGHS / "README.md").read_text(encoding="utf-8")
    for path in LESSONS:
        assert f"]({path.name})" in readme, f"walkthroughs/README.md does not link {path.name}"


def test_run_all_is_executable_and_figures_are_ignored():
    assert os.access(WALKTHROUGHS / "run_all.sh", os.X_OK)
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "walkthroughs/figures/" in ignored


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_opens_as_a_notebook(path):
    """Where Jupytext is installed (it is not a dependency), it reads the same cells."""
    jupytext = pytest.importorskip("jupytext")
    notebook = jupytext.read(path)
    kinds = [cell.cell_type for cell in notebook.cells]
    assert kinds == [kind for kind, _ in cells(path)]
