"""The lessons' "implement it" exercises: each skeleton, run with its check, says "not implemented
yet" without failing; and with its answer from walkthroughs/solutions/ plugged in, the check
says "correct".

A lesson marks its exercise cells with Jupytext cell tags: ``exercise`` (the skeleton the
student fills in), ``given`` (code the exercise builds on) and ``check`` (the check). This runs
the lesson's setup cell (the one that reads MINIGEN_FAST), then those cells in order, in this
process, with the skeleton cells replaced by walkthroughs/solutions/<lesson>.py when asked.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WALKTHROUGHS = ROOT / "walkthroughs"
SOLUTIONS = WALKTHROUGHS / "solutions"
TAGGED = ("exercise", "given", "check")


def tagged_cells(path: Path) -> list[tuple[str, str]]:
    """(tag, source) of the lesson's setup cell ("setup") and of every tagged code cell."""
    result: list[tuple[str, list[str]]] = []
    current: list[str] | None = None
    setup_found = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# %%"):
            current = None
            match = re.search(r'tags=\["(\w+)"\]', line)
            if not line.startswith("# %% [markdown]"):
                tag = match.group(1) if match else ""
                current = []
                result.append((tag, current))
        elif current is not None:
            current.append(line)
    cells = []
    for tag, lines in result:
        source = "\n".join(lines)
        if not setup_found and "MINIGEN_FAST" in source:
            setup_found = True
            cells.append(("setup", source))
        elif tag in TAGGED:
            cells.append((tag, source))
    assert setup_found, f"{path.name}: no setup cell (the one that reads MINIGEN_FAST)"
    return cells


def defined_functions(source: str) -> set[str]:
    return {node.name for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)}


LESSONS = [path for path in sorted(WALKTHROUGHS.glob("[0-9]*.py"))
           if any(tag == "exercise" for tag, _ in tagged_cells(path))]


def run_exercises(path: Path, with_solutions: bool, capsys) -> str:
    namespace: dict = {"__name__": "__exercises__"}
    solution = (SOLUTIONS / path.name).read_text(encoding="utf-8") if with_solutions else None
    for tag, source in tagged_cells(path):
        if tag == "exercise" and solution is not None:
            # The solution file defines every skeleton of the lesson; run it in its place.
            source = solution
            solution = ""  # once is enough
        exec(compile(source, f"{path.name} [{tag} cell]", "exec"), namespace)
    return capsys.readouterr().out


def test_there_are_at_least_five_exercises_each_with_a_solution_and_a_check():
    skeletons = []
    for path in LESSONS:
        cells = tagged_cells(path)
        names = set().union(*(defined_functions(s) for tag, s in cells if tag == "exercise"))
        skeletons += sorted(names)
        assert any(tag == "check" for tag, _ in cells), f"{path.name}: exercises without a check"
        solution = SOLUTIONS / path.name
        assert solution.exists(), f"{path.name}: no walkthroughs/solutions/{path.name}"
        assert defined_functions(solution.read_text(encoding="utf-8")) == names, (
            f"walkthroughs/solutions/{path.name} must define exactly the skeletons {sorted(names)}"
        )
    assert len(skeletons) >= 5, skeletons


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_unfilled_skeletons_say_not_implemented_and_the_lesson_goes_on(path, capsys, tmp_path,
                                                                       monkeypatch):
    monkeypatch.setenv("MINIGEN_FIGURES", str(tmp_path))
    monkeypatch.setenv("MINIGEN_FAST", "1")
    out = run_exercises(path, with_solutions=False, capsys=capsys)
    checks = sum(tag == "check" for tag, _ in tagged_cells(path))
    assert out.count("not implemented yet") == checks, out
    assert "correct" not in out, out


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_the_solutions_pass_the_lessons_checks(path, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("MINIGEN_FIGURES", str(tmp_path))
    monkeypatch.setenv("MINIGEN_FAST", "1")
    out = run_exercises(path, with_solutions=True, capsys=capsys)
    verdicts = re.findall(r"^(.+): largest relative error (\S+), expected (\S+) or less: (.+)$", out, re.M)
    checks = sum(tag == "check" for tag, _ in tagged_cells(path))
    assert len(verdicts) == checks and "not implemented" not in out, out
    for name, error, expected, verdict in verdicts:
        assert verdict == "correct" and float(error) <= float(expected), (name, error, out)


def test_a_wrong_answer_is_reported_as_not_correct(capsys, tmp_path, monkeypatch):
    """The check can fail: a Linear backward that forgets to sum the bias over the batch."""
    monkeypatch.setenv("MINIGEN_FIGURES", str(tmp_path))
    path = WALKTHROUGHS / "02_autograd_by_hand.py"
    namespace: dict = {"__name__": "__exercises__"}
    for tag, source in tagged_cells(path):
        if tag == "exercise":
            source = ("def linear_backward(x, W, grad_y):\n"
                      "    return grad_y @ W, grad_y.T @ x, grad_y.mean(axis=0)\n")
        exec(compile(source, path.name, "exec"), namespace)
    out = capsys.readouterr().out
    assert "grad_b" in out and ": not correct yet" in out, out
