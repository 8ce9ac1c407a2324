"""Math in docs/ (and README.md) is written the way GitHub renders it as written.

GitHub runs Markdown's backslash escapes over ``$...$`` and ``$$...$$`` before MathJax sees them,
so ``\\,``, ``\\;``, ``\\!``, ``\\{``, ``\\}``, ``\\|`` and the ``\\\\`` that ends a row of a
``cases`` or ``pmatrix`` come out wrong. Two forms are passed to MathJax untouched, because
Markdown treats them as code:

- inline math: a dollar sign, a backtick, the math, a backtick, a dollar sign, on one line;
- display math: a fenced code block whose language is ``math``.

This module fails on a page with any other ``$`` outside code (a literal dollar is written
``\\$`` or inside a code span). Check any page by hand with
``python tests/test_docs_math.py PAGE.md ...`` (no argument: docs/ and README.md).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
BARE_MATH = re.compile(r"(?<!\\)(\$\$?)(.*?)(?<!\\)\1|(?<!\\)\$+", re.S)  # $..$, $$..$$, a lone $
ADVICE = "write inline math as $`...`$ (on one line) and display math in a ```math block"


def pages() -> list[Path]:
    return sorted((ROOT / "docs").rglob("*.md")) + [ROOT / "README.md"]


def paragraphs(text: str) -> tuple[list[tuple[int, str]], list[str]]:
    """The runs of text lines outside fenced code blocks, each with its first line's number
    (from 1), and the problems with the fences themselves (one left open)."""
    runs: list[tuple[int, str]] = []
    current: list[str] = []
    start = 0
    fence = None  # the opening fence while inside a block: (its line number, its marker)
    for number, line in enumerate(text.splitlines(), 1):
        if fence is not None:
            marker = FENCE.match(line)
            if marker and marker.group(1)[0] == fence[1][0] and len(marker.group(1)) >= len(fence[1]) \
                    and not line.strip()[len(marker.group(1)):].strip():
                fence = None
            continue
        marker = FENCE.match(line)
        if marker or not line.strip():
            if current:
                runs.append((start, "\n".join(current)))
                current = []
            if marker:
                fence = (number, marker.group(1))
            continue
        if not current:
            start = number
        current.append(line)
    if current:
        runs.append((start, "\n".join(current)))
    problems = [f"line {fence[0]}: a fenced block is never closed"] if fence else []
    return runs, problems


def code_spans(par: str) -> list[tuple[int, int]]:
    """(start, end) of each code span of a paragraph: a run of n backticks up to the next run of
    exactly n (CommonMark); a run that is never closed is literal text."""
    spans = []
    i = 0
    while (opening := re.compile(r"`+").search(par, i)) is not None:
        run = opening.group()
        escaped = len(re.search(r"\\*$", par[: opening.start()]).group()) % 2 == 1
        closing = None if escaped else re.compile(rf"(?<!`){run}(?!`)").search(par, opening.end())
        if closing is None:
            i = opening.end()
            continue
        spans.append((opening.start(), closing.end()))
        i = closing.end()
    return spans


def math_problems(text: str) -> list[str]:
    """Every ``$`` of a Markdown text that is not part of $`...`$ on one line, not in code and
    not escaped, as 'line N: <the text from there>: advice'."""
    runs, problems = paragraphs(text)
    for first, par in runs:
        outside = list(par)
        for start, end in code_spans(par):
            is_math = start > 0 and par[start - 1] == "$" and par[end : end + 1] == "$"
            if is_math and "\n" in par[start:end]:
                where = first + par.count("\n", 0, start)
                problems.append(f"line {where}: {par[start - 1 : end + 1]!r}: inline math broken "
                                f"across lines; {ADVICE}")
            lo, hi = (start - 1, end + 1) if is_math else (start, end)
            outside[lo:hi] = " " * (hi - lo)
        for span in BARE_MATH.finditer("".join(outside)):
            where = first + par.count("\n", 0, span.start())
            snippet = par[span.start() : span.end()][:60]
            problems.append(f"line {where}: {snippet!r}: math between bare dollars, which GitHub "
                            f"mangles; {ADVICE}")
    return problems


PAGE_IDS = [str(p.relative_to(ROOT)) for p in pages()]


@pytest.mark.parametrize("name", PAGE_IDS)
def test_math_is_written_in_the_forms_github_leaves_alone(name):
    problems = math_problems((ROOT / name).read_text(encoding="utf-8"))
    assert not problems, f"{name}: " + "\n".join(problems)


def test_the_checker_refuses_bare_dollars_and_accepts_the_safe_forms():
    safe = (
        "The mean $`\\mu = \\frac1m \\sum_i x_i`$ and a cost of \\$5.\n\n"
        "```math\n\\begin{cases} 1 & x > 0 \\\\ 0 & \\text{else} \\end{cases}\n```\n\n"
        "Code keeps its dollars: `echo $HOME`, ``a ` $b``, and\n\n"
        "```bash\nexport MINIGEN_DEVICE=$1\n```\n"
        "- a list item\n  ```math\n  \\lVert x \\rVert\n  ```\n"
    )
    assert math_problems(safe) == []
    risky = {
        "inline": "the mean $\\mu$ of\n",
        "display": "so\n\n$$\\bar x = \\bar y\\,W$$\n",
        "display in a paragraph": "so\n$$a \\\\ b$$ and\n",
        "empty-ended": "$y = $ `where(c, a, b)`\n",
        "broken across lines": "a $`1 +\n\\tanh x`$ b\n",
        "math glued to code": "$\\partial L/\\partial$`self`\n",
        "inside a table": "| a | b |\n|---|---|\n| $x$ | 1 |\n",
    }
    for case, text in risky.items():
        assert math_problems(text), f"the checker accepts math written the risky way: {case}"
    assert math_problems("```math\nx\n") == ["line 1: a fenced block is never closed"]
    found = math_problems("ok\n\ntext\nthe mean $\\mu$\n")
    assert len(found) == 1 and found[0].startswith("line 4: '$\\\\mu$'"), found


if __name__ == "__main__":
    paths = [Path(arg) for arg in sys.argv[1:]] or pages()
    failed = False
    for path in paths:
        for problem in math_problems(path.read_text(encoding="utf-8")):
            print(f"{path}:{problem.removeprefix('line ')}")
            failed = True
    sys.exit(1 if failed else 0)
