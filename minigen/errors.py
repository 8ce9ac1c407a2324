"""The errors minigen raises on purpose: each names the operation or layer and the values at fault."""


class MinigenError(Exception):
    """Base class: an error minigen raised itself, with a message meant for a person."""


class ShapeError(MinigenError, ValueError):
    """Shapes that an operation or layer cannot combine; the message names both."""


class DeviceMismatchError(MinigenError, RuntimeError):
    """Tensors on different devices met in one operation (as CuPy and NumPy arrays cannot)."""


class GradError(MinigenError, RuntimeError):
    """A misuse of autograd: backward on a non-scalar, a freed graph, an integer tensor with grad."""
