"""Running ``minigen`` in a subprocess, as a user would (``python -m minigen.cli``: no PATH)."""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def minigen_env():
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def run_minigen(*args, timeout=120):
    """``minigen ARGS``: the finished process (returncode, stdout, stderr)."""
    return subprocess.run(
        [sys.executable, "-m", "minigen.cli", *map(str, args)], env=minigen_env(),
        capture_output=True, text=True, timeout=timeout,
    )


def start_minigen(*args):
    """``minigen ARGS`` started in the background (a Popen), for the Ctrl-C test."""
    return subprocess.Popen(
        [sys.executable, "-m", "minigen.cli", *map(str, args)], env=minigen_env(),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
