"""The errors of minigen.data beyond the IDX format's own (:class:`minigen.data.idx.IDXError`)."""

from __future__ import annotations

from minigen.errors import MinigenError


class ChecksumError(MinigenError, ValueError):
    """A dataset file whose content is not the published one (checksum mismatch)."""


class DownloadError(MinigenError, OSError):
    """A download that failed or came back incomplete; the message names the URL."""


class DatasetNotFoundError(MinigenError, FileNotFoundError):
    """No usable copy of a dataset file anywhere; the message lists every place tried and
    how to supply the files."""
