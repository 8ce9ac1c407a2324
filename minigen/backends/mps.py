"""``mg.backends.mps``: Apple's GPU backend, which minigen does not have."""


def is_available() -> bool:
    """False: minigen computes on "cpu" (NumPy) and "cuda" (CuPy) only."""
    return False


def is_built() -> bool:
    return False
