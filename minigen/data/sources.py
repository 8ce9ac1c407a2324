"""Find a dataset's files: explicit folder, user cache, system-wide copy, then download.

For each file the places are tried in this order, and the first copy that passes
verification (:func:`minigen.data.verify.load_verified`) is used:

1. the explicit folder: the ``root=`` argument (the CLI's ``--data-dir``), else
   ``$MINIGEN_DATA_DIR``; the files directly in it or in its subfolder ``<name>``;
2. the user cache ``$XDG_CACHE_HOME/minigen/<name>`` (default ``~/.cache/minigen/<name>``);
3. a system-wide copy: ``<dir>/datasets/<name>`` for each ``dir`` of ``$XDG_DATA_DIRS``
   (default ``/usr/local/share:/usr/share``), where Debian's ``dataset-fashion-mnist``
   installs ``/usr/share/datasets/fashion-mnist``;
4. download into the cache: from ``mirrors=``, else ``$MINIGEN_MIRRORS``, else the
   dataset's official location and mirrors, each tried once in order.

A folder may hold ``<file>.gz`` or the uncompressed ``<file>``. A copy that fails
verification is reported with a warning and skipped; in the cache it is also renamed
``<file>.corrupt`` so that it is fetched again. When nothing works, one
:class:`DatasetNotFoundError` lists every place tried and how to supply the files.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from minigen.data.download import download as _download
from minigen.data.errors import ChecksumError, DatasetNotFoundError, DownloadError
from minigen.data.idx import IDXError
from minigen.data.specs import DatasetSpec, FileSpec
from minigen.data.verify import load_verified, max_bytes

log = logging.getLogger("minigen.data")

DATA_DIR_ENV = "MINIGEN_DATA_DIR"
MIRRORS_ENV = "MINIGEN_MIRRORS"

_REFUSED = (IDXError, ChecksumError, OSError)


def explicit_dirs(spec: DatasetSpec, root: str | os.PathLike | None = None) -> list[Path]:
    """The explicit folder (``root``, else ``$MINIGEN_DATA_DIR``) and its ``<name>`` subfolder."""
    folder = root if root is not None else os.environ.get(DATA_DIR_ENV) or None
    if folder is None:
        return []
    base = Path(folder).expanduser()
    return [base, base / spec.name]


def cache_dir(spec: DatasetSpec) -> Path:
    """``$XDG_CACHE_HOME/minigen/<name>``, or ``~/.cache/minigen/<name>``."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "minigen" / spec.name


def system_dirs(spec: DatasetSpec) -> list[Path]:
    """``<dir>/datasets/<name>`` for each ``dir`` of ``$XDG_DATA_DIRS`` (system-wide copies)."""
    dirs = os.environ.get("XDG_DATA_DIRS") or "/usr/local/share:/usr/share"
    return [Path(d) / "datasets" / spec.name for d in dirs.split(os.pathsep) if d]


def mirror_urls(spec: DatasetSpec, mirrors: Sequence[str] | None = None) -> list[str]:
    """Base URLs to download from: ``mirrors``, else ``$MINIGEN_MIRRORS`` (comma- or
    whitespace-separated), else the spec's official location and mirrors."""
    if mirrors is None:
        env = os.environ.get(MIRRORS_ENV, "").strip()
        mirrors = re.split(r"[,\s]+", env) if env else spec.urls
    elif isinstance(mirrors, str):
        mirrors = [mirrors]
    return [m if m.endswith("/") else m + "/" for m in mirrors if m]


def find_file(
    spec: DatasetSpec,
    file: FileSpec,
    root: str | os.PathLike | None = None,
    download: bool = True,
    mirrors: Sequence[str] | None = None,
) -> np.ndarray:
    """The verified array of one file of ``spec``, from the first place that has it."""
    tried: list[str] = []

    explicit = explicit_dirs(spec, root)
    if not explicit:
        tried.append(f"explicit folder: none given (root=, --data-dir or ${DATA_DIR_ENV})")
    for folder in explicit:
        found = _from_folder(folder, file, tried, "explicit folder")
        if found is not None:
            return found

    cache = cache_dir(spec)
    found = _from_folder(cache, file, tried, "cache", move_aside=True)
    if found is not None:
        return found

    for folder in system_dirs(spec):
        found = _from_folder(folder, file, tried, "system copy")
        if found is not None:
            return found

    if not download:
        tried.append("download: not attempted (download=False)")
    else:
        urls = mirror_urls(spec, mirrors)
        if not urls:
            tried.append("download: no URLs (mirrors=[] or empty $MINIGEN_MIRRORS)")
        for base in urls:
            url = base + file.remote
            log.info("downloading %s", url)
            try:
                return _download(url, cache / file.remote, functools.partial(_verify, file),
                                 max_bytes=max_bytes(file))
            except (DownloadError, IDXError, ChecksumError) as error:
                message = str(error)
                # Verification messages already start with the URL; download errors do not.
                tried.append(message if message.startswith(url) else f"{url}: {message}")
            except OSError as error:  # the cache folder itself: not writable, disk full
                tried.append(f"{url}: cannot write to the cache {cache}: {error}")
            log.warning("download failed, trying the next location: %s", tried[-1])

    raise DatasetNotFoundError(_not_found_message(spec, file, tried))


def load_split(
    spec: DatasetSpec,
    train: bool = True,
    root: str | os.PathLike | None = None,
    download: bool = True,
    mirrors: Sequence[str] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The verified ``(images uint8 (N, 28, 28), labels int64 (N,))`` of one split of ``spec``."""
    image_file, label_file = spec.split(train)
    images = find_file(spec, image_file, root, download, mirrors)
    labels = find_file(spec, label_file, root, download, mirrors).astype(np.int64)
    if len(images) != len(labels):
        raise ChecksumError(f"{spec.title}: {len(images)} images but {len(labels)} labels")
    if labels.size and not 0 <= labels.min() <= labels.max() < len(spec.classes):
        raise ChecksumError(f"{spec.title}: labels outside 0..{len(spec.classes) - 1}")
    return images, labels


def _verify(file: FileSpec, data: bytes, name: str) -> np.ndarray:
    return load_verified(data, file, name)


def _from_folder(
    folder: Path, file: FileSpec, tried: list[str], kind: str, move_aside: bool = False
) -> np.ndarray | None:
    candidates = [folder / file.remote, folder / file.name]
    try:
        existing = [path for path in candidates if path.is_file()]
        is_folder = folder.is_dir()
    except OSError as error:  # a folder we may not look into (mode 000)
        tried.append(f"{kind}: {folder}: cannot look inside ({error.strerror})")
        return None
    if not existing:
        missing = f"no {file.remote} or {file.name}" if is_folder else "no such folder"
        tried.append(f"{kind}: {folder}: {missing}")
        return None
    for path in existing:
        try:
            array = load_verified(_read_bounded(path, file), file, str(path))
        except _REFUSED as error:
            message = str(error)
            tried.append(f"{kind}: {message if str(path) in message else f'{path}: {message}'}")
            _report_bad_copy(path, error, move_aside)
            continue
        log.info("using %s", path)
        return array
    return None


def _read_bounded(path: Path, file: FileSpec) -> bytes:
    """The bytes of ``path``, refused unread when larger than any copy of ``file`` can be."""
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        if size > max_bytes(file):
            raise IDXError(f"{path}: {size} bytes, more than the {max_bytes(file)} any copy of "
                           f"{file.remote} can have: not {file.name}")
        return f.read()


def _report_bad_copy(path: Path, error: Exception, move_aside: bool) -> None:
    if not move_aside:
        warnings.warn(f"ignoring {path}: {error}", stacklevel=5)
        return
    aside = path.with_name(path.name + ".corrupt")
    try:
        os.replace(path, aside)
        note = f"moved aside to {aside}; it will be fetched again"
    except OSError as move_error:
        note = f"could not move it aside ({move_error})"
    warnings.warn(f"cached file failed verification, not used: {error}; {note}", stacklevel=5)
    log.warning("cached file %s failed verification (%s); %s", path, error, note)


def _not_found_message(spec: DatasetSpec, file: FileSpec, tried: list[str]) -> str:
    names = ", ".join(f.remote for f in spec.files)
    lines = [f"{spec.title}: no usable copy of {file.remote}. Tried, in order:"]
    lines += [f"  - {entry}" for entry in tried]
    if all(f.payload_sha256 for f in spec.files):
        form = "gzipped or not"
    else:
        form = "the original .gz files: only their checksums are known"
    lines += [
        "To supply the files yourself, put them in a folder FOLDER (or FOLDER/"
        f"{spec.name}/):",
        f"  {names} ({form}),",
        "  then pass --data-dir FOLDER on the command line, root=FOLDER in Python, or set",
        f"  {DATA_DIR_ENV}=FOLDER. To download from another server instead, set",
        f"  {MIRRORS_ENV}='URL1 URL2' (base URLs, tried in order).",
    ]
    if spec.package_hint:
        lines.append(f"  Or install the system-wide copy: {spec.package_hint}")
    if spec.homepage:
        lines.append(f"  Dataset homepage: {spec.homepage}")
    return "\n".join(lines)
