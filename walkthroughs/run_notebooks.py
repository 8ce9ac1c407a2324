"""Execute lessons as notebooks, through a real Jupyter kernel, and check what they show.

    python walkthroughs/run_notebooks.py 02 03        # these lessons (by number)
    python walkthroughs/run_notebooks.py              # all of them

Needs the `notebooks` extra (`pip install -e '.[notebooks]'`: jupytext, nbclient, ipykernel).
Runs the committed `NN_*.ipynb` files (what a student opens), each in a fresh `python3` kernel
with the environment of this process (so `MINIGEN_FAST=1` and `MINIGEN_DEVICE` apply), in a
temporary folder that also receives the figures unless `MINIGEN_FIGURES` is set. A lesson
passes when no cell raises and every figure it writes is also shown inline (an image/png
output). Prints one line per lesson with its time; exits 1 at the first failure.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run(path: Path, folder: Path) -> str:
    """Execute the notebook at ``path`` in ``folder``; return a one-line summary, or raise."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(folder)}}).execute()
    outputs = [out for cell in notebook.cells if cell.cell_type == "code" for out in cell.outputs]
    text = "".join(out.get("text", "") for out in outputs if out.output_type == "stream")
    written = text.count("figure written: ")
    shown = sum("image/png" in out.get("data", {}) for out in outputs)
    if shown < written:
        raise AssertionError(f"{path.name}: {written} figures written but {shown} shown inline")
    return f"{written} figures written and shown inline"


def main(argv: list[str]) -> int:
    wanted = argv or [p.name[:2] for p in sorted(HERE.glob("[0-9]*.ipynb"))]
    for number in wanted:
        matches = sorted(HERE.glob(f"{int(number):02d}_*.ipynb"))
        if not matches:
            print(f"no notebook walkthroughs/{int(number):02d}_*.ipynb", file=sys.stderr)
            return 1
        start = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix="minigen-notebook-") as folder:
            try:
                summary = run(matches[0], Path(folder))
            except Exception as error:  # a CellExecutionError carries the cell and traceback
                print(f"FAIL  {matches[0].name}: {error}", file=sys.stderr)
                return 1
        print(f"ok    {matches[0].name:30s} {time.perf_counter() - start:6.1f} s  ({summary})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
