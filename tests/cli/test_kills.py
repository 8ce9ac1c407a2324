"""``kill -9`` and a second process, for real (issue 13, items 2, 3 and 10): the lock names its
holder and dies with it; every killed run resumes to exactly the run that was never killed.

The default tests kill once; ``-m slow`` kills many times at random moments (mid-step,
mid-save, mid-pictures)."""

from __future__ import annotations

import random
import signal
import time
from pathlib import Path

import pytest
from clihelpers import run_minigen, start_minigen

from minigen.folder_lock import lock_folder
from minigen.train import TrainConfig, load_checkpoint, train
from minigen.train.checkpoint import run_differences

#: 8,334 images in batches of 2048: 5 steps an epoch, a checkpoint at each epoch's end.
ARGS = ["train", "ae", "--batch-size", "2048", "--log-every", "1", "--no-progress"]


def wait_for(condition, process, seconds=120):
    deadline = time.monotonic() + seconds
    while not condition():
        if process.poll() is not None:
            return False  # it finished first
        assert time.monotonic() < deadline, "the run made no progress"
        time.sleep(0.02)
    return True


def rows(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n") - 1
    except FileNotFoundError:
        return 0


def test_a_second_process_is_refused_and_a_killed_holder_frees_the_folder(tmp_path):
    out = tmp_path / "run"
    first = start_minigen(*ARGS, "--epochs", "2", "--out", out)
    try:
        assert wait_for(lambda: (out / ".lock").exists() and (out / ".lock").read_text(), first)
        second = run_minigen(*ARGS, "--epochs", "2", "--out", out)
        assert second.returncode == 2, second.stderr
        assert f"{out} is in use by process {first.pid} (minigen train ae)" in second.stderr
        assert "Traceback" not in second.stderr
    finally:
        first.kill()
        first.wait()
    # The OS dropped the dead holder's lock: the folder is free at once.
    with lock_folder(out, "the test", create=False):
        pass


@pytest.fixture(scope="module")
def never_killed(tmp_path_factory):
    """``never_killed(epochs)``: the same run, trained without a kill."""
    runs = {}

    def run(epochs: int) -> Path:
        if epochs not in runs:
            out = tmp_path_factory.mktemp("whole") / "run"
            train(TrainConfig(model="ae", out=str(out), batch_size=2048, epochs=epochs,
                              log_every=1), progress=False)
            runs[epochs] = out
        return runs[epochs]

    return run


def kill_and_resume(out: Path, kills: int, rng: random.Random, epochs: int, most: int,
                    pause: float = 0.3) -> int:
    """Start the run and kill -9 it once it has written 1 to ``most`` more rows (then up to
    ``pause`` s more), ``kills`` times or until it finishes; each start resumes from the
    checkpoint when there is one. Returns how many kills there were."""
    args = [*ARGS, "--epochs", str(epochs), "--out", out]
    done = 0
    finished = False
    while done < kills and not finished:
        resume = ["--resume"] if (out / "checkpoint.mg").exists() else []
        if resume and load_checkpoint(out)["position"]["epoch"] >= epochs:
            return done  # killed after its last save, in its last pictures: it is done
        process = start_minigen(*args, *resume)
        target = rows(out / "metrics.csv") + rng.randint(1, most)
        if wait_for(lambda t=target: rows(out / "metrics.csv") >= t, process):
            time.sleep(rng.uniform(0, pause))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            done += 1
        _, stderr = process.communicate()
        finished = process.returncode == 0
        assert finished or process.returncode == -signal.SIGKILL, stderr
        if (out / "checkpoint.mg").exists():
            load_checkpoint(out)  # every kill leaves a loadable checkpoint
    if (out / "checkpoint.mg").exists() and load_checkpoint(out)["position"]["epoch"] >= epochs:
        finished = True  # killed after its last save, in its last pictures
    if not finished:
        resume = ["--resume"] if (out / "checkpoint.mg").exists() else []
        result = run_minigen(*args, *resume)
        assert result.returncode == 0, result.stderr
    assert not list(out.glob(".*.tmp")), "the last run left temporary files"
    return done


def test_a_run_killed_once_resumes_to_the_run_never_killed(tmp_path, never_killed):
    out = tmp_path / "run"
    # Killed after the first epoch's checkpoint (step 5) and a row or two of the second.
    assert kill_and_resume(out, kills=1, rng=random.Random(0), epochs=2, most=7, pause=0) == 1
    assert run_differences(out, never_killed(2)) == []


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(5))
def test_a_run_killed_many_times_resumes_to_the_run_never_killed(tmp_path, never_killed, seed):
    out = tmp_path / "run"
    kills = kill_and_resume(out, kills=8, rng=random.Random(seed), epochs=4, most=4)
    assert kills >= 4
    assert run_differences(out, never_killed(4)) == []
