"""``mg.backends.cudnn``: PyTorch's cuDNN switches, accepted and ignored (minigen uses no cuDNN)."""

#: PyTorch: let cuDNN time several convolution algorithms and keep the fastest. Ignored.
benchmark: bool = False
#: PyTorch: use only deterministic cuDNN algorithms. minigen's are deterministic anyway.
deterministic: bool = False
#: PyTorch: use cuDNN at all. Ignored.
enabled: bool = True
allow_tf32: bool = True


def is_available() -> bool:
    """False: minigen's convolutions never call cuDNN."""
    return False


def version() -> None:
    """None, as PyTorch answers where cuDNN is not available."""
    return None
