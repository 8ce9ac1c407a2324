"""minigen's version (``mg.__version__``; pyproject.toml's ``version`` must say the same)."""

__version__ = "0.1.0"
