"""The lessons' notebooks (walkthroughs/NN_*.ipynb) are their percent scripts, converted.

The scripts are the source; the notebooks are generated from them with Jupytext (the command
is in walkthroughs/README.md) and committed, so that they open on GitHub and in Colab. These
tests keep the two in step: the same cells in the same order, with the same text (read without
Jupytext, so that they run in the default suite; and with Jupytext where it is installed), no
stored outputs, and every $...$ of the Markdown cells intact. Executing the notebooks through a
Jupyter kernel is walkthroughs/run_notebooks.py, run by .ci/run.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from test_walkthroughs import LESSONS, cells

REGENERATE = "jupytext --update --to ipynb walkthroughs/[0-9]*.py"


def script_cells(path: Path) -> list[tuple[str, str]]:
    """(cell type, source) of the percent script, as Jupyter shows them."""
    result = []
    for kind, lines in cells(path):
        if kind == "markdown":
            lines = [line[2:] if line.startswith("# ") else line[1:] for line in lines]
        result.append((kind, "\n".join(lines).strip("\n")))
    return result


def notebook_of(path: Path) -> dict:
    notebook = path.with_suffix(".ipynb")
    assert notebook.exists(), f"no {notebook.name}: run `{REGENERATE}`"
    return json.loads(notebook.read_text(encoding="utf-8"))


def notebook_cells(notebook: dict) -> list[tuple[str, str]]:
    return [(cell["cell_type"], "".join(cell["source"]).strip("\n")) for cell in notebook["cells"]]


def math_spans(markdown: str) -> list[str]:
    """The $$...$$ and $...$ spans of a Markdown text, outside code spans, in order."""
    without_code = re.sub(r"`[^`\n]*`", "", markdown)
    return re.findall(r"\$\$.+?\$\$|\$[^$\n]+?\$", without_code, re.S)


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_the_notebook_has_the_scripts_cells(path):
    expected, actual = script_cells(path), notebook_cells(notebook_of(path))
    assert len(actual) == len(expected), f"{path.name}: cell counts differ; run `{REGENERATE}`"
    for i, (want, got) in enumerate(zip(expected, actual, strict=True)):
        assert got == want, f"{path.name}: cell {i} differs from the script; run `{REGENERATE}`"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_the_notebook_stores_no_outputs(path):
    for cell in notebook_of(path)["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, (
                f"{path.stem}.ipynb stores outputs; regenerate it with `{REGENERATE}`"
            )


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_every_math_span_survives_the_conversion(path):
    """Jupyter protects $...$ from Markdown, so the spans must reach the notebook unchanged,
    backslashes and all, and each cell's dollars must pair up, every inline span on one line
    (an unpaired one swallows the text up to the next dollar)."""
    notebook = notebook_cells(notebook_of(path))
    for i, ((kind, text), (_, converted)) in enumerate(zip(script_cells(path), notebook, strict=True)):
        if kind != "markdown":
            continue
        spans = math_spans(text)
        assert math_spans(converted) == spans, f"{path.name}: cell {i} lost or changed math"
        rest = re.sub(r"\$\$.+?\$\$|\$[^$\n]+?\$", "", re.sub(r"`[^`\n]*`", "", text), flags=re.S)
        where = rest[max(0, rest.find("$") - 40):][:80]
        assert "$" not in rest, f"{path.name}: cell {i}: a $ unpaired or its span broken across lines: {where!r}"


def test_math_spans_are_found_and_backslashes_kept():
    """The helper sees through code spans and keeps every backslash sequence."""
    text = r"a $x W^{\mathsf T} + b$ and `$HOME` then $$\frac{1}{2}\,\|v\|^2$$ end"
    assert math_spans(text) == [r"$x W^{\mathsf T} + b$", r"$$\frac{1}{2}\,\|v\|^2$$"]


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_jupytext_converts_the_script_to_the_committed_notebook(path):
    """Where Jupytext is installed (the `notebooks` extra), its conversion is what is committed,
    cell tags included (the exercises' "exercise", "given" and "check")."""
    jupytext = pytest.importorskip("jupytext")
    converted = jupytext.read(path)
    committed = notebook_of(path)["cells"]
    assert [(c.cell_type, c.source, c.metadata.get("tags")) for c in converted.cells] == [
        (c["cell_type"], "".join(c["source"]), c["metadata"].get("tags")) for c in committed
    ], f"{path.stem}.ipynb is out of date: run `{REGENERATE}`"
