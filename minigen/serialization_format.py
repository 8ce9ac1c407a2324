"""The ``mg.save`` checkpoint format's names, and the one error for a file that breaks it.

docs/checkpoints.md describes the format; ``serialization.py`` writes it and
``serialization_read.py`` reads it.
"""

from __future__ import annotations

import os

from minigen.backend.device import Device
from minigen.errors import MinigenError

FORMAT = "minigen-checkpoint"
VERSION = 1
META = "minigen.json"
#: The dtypes a tensor may have (minigen's own); NumPy arrays may have any numeric dtype.
TENSOR_DTYPES = ("float16", "float32", "float64", "uint8", "int32", "int64", "bool")
ARRAY_KINDS = "biufc"  # bool, signed, unsigned, float, complex: never str, void, datetime

PathLike = str | os.PathLike[str]
DeviceLike = str | Device | None


class CheckpointError(MinigenError, ValueError):
    """A file that is not a readable minigen checkpoint; the message names the file and why."""
