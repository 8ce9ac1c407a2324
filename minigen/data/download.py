"""Download one file over HTTP(S) into a folder: progress bar, verification, atomic move.

Only the standard library's urllib is used. The file is streamed into a temporary file in
the destination folder, checked by the caller's ``verify`` function, flushed to disk and
only then renamed into place with ``os.replace``, so the destination name never holds a
partial or unverified file, even if the process is killed midway (the next download into
the folder removes the killed one's ``.part`` file; see minigen/folder_lock.py).

Every download is bounded: ``TIMEOUT`` seconds for each network read, ``DEADLINE`` seconds
in all, and at most ``max_bytes`` bytes (a server announcing or sending more is cut off).
"""

from __future__ import annotations

import contextlib
import http.client
import logging
import os
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, TypeVar

from tqdm.auto import tqdm

from minigen.data.errors import DownloadError
from minigen.folder_lock import shared_folder_lock

log = logging.getLogger("minigen.data")

T = TypeVar("T")

#: Seconds to wait for a connection or for the next bytes (not for the whole download).
#: Tests lower it; there are no retries, so a dead mirror costs at most this long.
TIMEOUT = 30.0
#: Seconds for a whole download, however the server trickles its bytes (tests lower it).
DEADLINE = 900.0
#: URL schemes a mirror may use.
SCHEMES = ("http", "https", "file")
_CHUNK = 1 << 16
_USER_AGENT = "minigen-data/0.1 (+https://github.com/; Python urllib)"


def download(
    url: str, dest: Path, verify: Callable[[bytes, str], T], timeout: float | None = None,
    max_bytes: int | None = None, deadline: float | None = None,
) -> T:
    """Fetch ``url`` into ``dest`` and return ``verify(bytes, url)``.

    ``verify`` raises to refuse the content; the file is then discarded and the error
    propagates. Network failures, short reads, more than ``max_bytes`` bytes and downloads
    running past ``deadline`` seconds (default ``DEADLINE``) raise :class:`DownloadError`.
    """
    with shared_folder_lock(dest.parent):
        fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                _stream(url, out, dest.name, TIMEOUT if timeout is None else timeout, max_bytes,
                        DEADLINE if deadline is None else deadline)
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


def _stream(url: str, out: BinaryIO, label: str, timeout: float, max_bytes: int | None,
            deadline: float) -> None:
    start = time.monotonic()
    try:
        # Parsed inside the try: a malformed mirror entry is one failed location, not a crash.
        scheme = urllib.parse.urlsplit(url).scheme
        if scheme not in SCHEMES:
            raise DownloadError(f"not a download URL (it should start with "
                                f"{', '.join(s + '://' for s in SCHEMES)})")
        request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            if total is not None and max_bytes is not None and total > max_bytes:
                raise DownloadError(f"the server announces {total} bytes, more than the "
                                    f"{max_bytes} any copy of {label} can have: refused")
            received = 0
            read = getattr(response, "read1", response.read)  # one network read per call
            with tqdm(
                total=total,
                unit="B",
                unit_scale=True,
                unit_divisor=1024,
                desc=label,
                leave=False,
                disable=None,  # no bar when not writing to a terminal (logs, tests)
            ) as bar:
                while True:
                    left = deadline - (time.monotonic() - start)
                    if left <= 0:
                        raise _too_slow(deadline, received)
                    _limit_wait(response, min(timeout, left))
                    try:
                        chunk = read(_CHUNK)
                    except TimeoutError:
                        if timeout > left:  # the deadline, not the server's silence, ran out
                            raise _too_slow(deadline, received) from None
                        raise
                    if not chunk:
                        break
                    received += len(chunk)
                    if max_bytes is not None and received > max_bytes:
                        raise DownloadError(f"the server sent more than the {max_bytes} bytes any "
                                            f"copy of {label} can have: refused")
                    out.write(chunk)
                    bar.update(len(chunk))
    except DownloadError:
        raise
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


def _too_slow(deadline: float, received: int) -> DownloadError:
    return DownloadError(f"took longer than {deadline:g} s in all (received {received} bytes): "
                         "stopped")


def _limit_wait(response: object, seconds: float) -> None:
    """Wait at most ``seconds`` for the next bytes, so the deadline holds within one read."""
    sock = getattr(getattr(getattr(response, "fp", None), "raw", None), "_sock", None)
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.settimeout(max(seconds, 0.001))


def _fsync_dir(folder: Path) -> None:
    # Makes the rename itself durable; not possible (nor needed) on Windows.
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
