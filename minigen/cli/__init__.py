"""The ``minigen`` command line: ``train``, ``sample``, ``eval`` and ``info`` (see main.py)."""
