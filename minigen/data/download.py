"""Download one file over HTTP(S) into a folder: progress bar, verification, atomic move.

Only the standard library's urllib is used. The file is streamed into a temporary file in
the destination folder, checked by the caller's ``verify`` function, flushed to disk and
only then renamed into place with ``os.replace``, so the destination name never holds a
partial or unverified file, even if the process is killed midway.
"""

from __future__ import annotations

import contextlib
import http.client
import logging
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from tqdm.auto import tqdm

from minigen.data.errors import DownloadError

log = logging.getLogger("minigen.data")

T = TypeVar("T")

#: Seconds to wait for a connection or for the next bytes (not for the whole download).
#: Tests lower it; there are no retries, so a dead mirror costs at most this long.
TIMEOUT = 30.0
_CHUNK = 1 << 20
_USER_AGENT = "minigen-data/0.1 (+https://github.com/; Python urllib)"


def download(
    url: str, dest: Path, verify: Callable[[bytes, str], T], timeout: float | None = None
) -> T:
    """Fetch ``url`` into ``dest`` and return ``verify(bytes, url)``.

    ``verify`` raises to refuse the content; the file is then discarded and the error
    propagates. Network failures and short reads raise :class:`DownloadError`.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            _stream(url, out, dest.name, TIMEOUT if timeout is None else timeout)
            out.flush()
            os.fsync(out.fileno())
        result = verify(tmp.read_bytes(), url)
        os.replace(tmp, dest)
        _fsync_dir(dest.parent)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    log.info("downloaded %s to %s", url, dest)
    return result


def _stream(url: str, out, label: str, timeout: float) -> None:
    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            received = 0
            with tqdm(
                total=total,
                unit="B",
                unit_scale=True,
                unit_divisor=1024,
                desc=label,
                leave=False,
                disable=None,  # no bar when not writing to a terminal (logs, tests)
            ) as bar:
                while chunk := response.read(_CHUNK):
                    out.write(chunk)
                    received += len(chunk)
                    bar.update(len(chunk))
    except urllib.error.HTTPError as error:
        raise DownloadError(f"HTTP {error.code} {error.reason}") from None
    except urllib.error.URLError as error:
        raise DownloadError(f"cannot connect: {error.reason}") from None
    except (OSError, http.client.HTTPException, ValueError) as error:
        # OSError covers timeouts and reset connections; ValueError a malformed URL.
        raise DownloadError(f"{type(error).__name__}: {error}") from None
    if total is not None and received != total:
        # http.client returns a short body without complaint when the server hangs up early.
        raise DownloadError(f"incomplete download: received {received} of {total} bytes")


def _fsync_dir(folder: Path) -> None:
    # Makes the rename itself durable; not possible (nor needed) on Windows.
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
