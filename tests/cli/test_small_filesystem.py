"""A real full disk and a real read-only file system (a small tmpfs), where the machine allows
mounting one (root on Linux); tests/cli/test_run_folders.py simulates both everywhere."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from minigen.cli.main import main
from minigen.train import load_checkpoint


def mount(path, *options) -> bool:
    if not sys.platform.startswith("linux") or os.geteuid() != 0 or not shutil.which("mount"):
        return False
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", ",".join(options), "tmpfs", str(path)],
                            capture_output=True)
    return result.returncode == 0


@pytest.fixture
def small_disk(tmp_path):
    """A 12 MB tmpfs: one AE checkpoint (7.7 MB) fits, a second one beside it does not."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if not mount(disk, "size=12m"):
        pytest.skip("cannot mount a tmpfs here (needs root on Linux)")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def one_line_error(capsys, status, *phrases):
    err = capsys.readouterr().err
    assert status == 2, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    for phrase in phrases:
        assert phrase in err, err


def test_a_full_disk_and_a_read_only_disk(small_disk, tmp_path, capsys):
    run = small_disk / "run"
    base = ["train", "ae", "--batch-size", "32", "--log-every", "1", "--no-progress"]
    assert main([*base, "--max-steps", "2", "--out", str(run)]) == 0
    before = (run / "checkpoint.mg").read_bytes()
    capsys.readouterr()

    status = main([*base, "--resume", "--max-steps", "4", "--out", str(run)])
    one_line_error(capsys, status, "checkpoint.mg: no space left on the device",
                   "the last checkpoint in", "is intact: continue with --resume")
    assert (run / "checkpoint.mg").read_bytes() == before
    assert not list(run.glob(".*.tmp"))
    assert load_checkpoint(run)["position"]["step"] == 2

    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    lock = run / ".lock"
    one_line_error(capsys, main([*base, "--resume", "--max-steps", "4", "--out", str(run)]),
                   f"{lock}: the file system is read-only")
    one_line_error(capsys, main(["eval", str(run)]), f"{lock}: the file system is read-only")
    one_line_error(capsys, main(["sample", str(run), "-n", "2", "--out", str(run / "s.npy")]),
                   "the file system is read-only")
    one_line_error(capsys, main([*base, "--max-steps", "1", "--out", str(small_disk / "a" / "b")]),
                   f"{small_disk / 'a'}: the file system is read-only")

    # Nothing was lost: the run resumes elsewhere.
    moved = shutil.copytree(run, tmp_path / "moved")
    assert main([*base, "--resume", "--max-steps", "4", "--out", str(moved)]) == 0
    assert load_checkpoint(moved)["position"]["step"] == 4
