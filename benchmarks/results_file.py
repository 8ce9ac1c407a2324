"""Write one marked block of docs/results.md, leaving the rest of the file alone.

The benchmark scripts that report into docs/results.md (quality.py, torch_reference.py) each
own a block between two HTML comment markers, so rerunning one never touches what another
wrote. The file is replaced atomically (a temporary file, then ``os.replace``).
"""

from __future__ import annotations

import os
from pathlib import Path


def replace_block(path: Path, begin: str, end: str, text: str, after: str | None = None) -> None:
    """Put ``text`` (which starts with ``begin`` and ends with ``end``) in place of the block
    between those markers in ``path``; without one, insert it right after the marker ``after``
    when the file has it, else append it."""
    old = path.read_text() if path.exists() else "# Results\n"
    if begin in old and end in old:
        head, rest = old.split(begin, 1)
        new = head + text + rest.split(end, 1)[1]
    elif after is not None and after in old:
        head, rest = old.split(after, 1)
        tail = rest.lstrip("\n")
        new = head + after + "\n\n" + text + "\n" + ("\n" + tail if tail else "")
    else:
        new = old.rstrip("\n") + "\n\n" + text + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(new)
    os.replace(tmp, path)
