"""Run folders (issue 13): one process at a time, an append-only history, every resume exact,
options that cannot take effect refused, crafted checkpoints and OS errors one line each.

Most tests call ``minigen.cli.main`` in this process (a second process costs a second of
start-up); the lock tests hold the folder here, which conflicts with the command's own lock
exactly as another process would.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

import minigen as mg
from minigen import serialization
from minigen.cli.main import main
from minigen.folder_lock import lock_folder
from minigen.train import load_checkpoint
from minigen.train.checkpoint import run_differences
from minigen.train.metrics_log import read_metrics

BASE = ["--batch-size", "32", "--log-every", "1", "--no-progress"]


@pytest.fixture
def cli(capsys):
    """``cli(*args)``: (status, stdout, stderr) of ``minigen ARGS`` run in this process."""

    def run(*args):
        try:
            status = main([str(a) for a in args])
        except SystemExit as exit:  # argparse's refusals
            status = exit.code
        out, err = capsys.readouterr()
        return status, out, err

    return run


def refused(result, *phrases):
    status, _, err = result
    assert status == 2, result
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err  # one line
    for phrase in phrases:
        assert phrase in err, err


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """An AE stopped at step 4 and the same AE trained to step 6 without stopping."""
    root = tmp_path_factory.mktemp("runs")
    for name, steps in (("ae4", 4), ("ae6", 6)):
        assert main(["train", "ae", "--max-steps", str(steps), "--out", str(root / name), *BASE]) == 0
    return root


@pytest.fixture
def ae4(runs, tmp_path):
    """A copy of the run stopped at step 4, to resume or damage."""
    return Path(shutil.copytree(runs / "ae4", tmp_path / "ae4"))


def assert_continues_exactly(run, runs):
    """``run``, resumed to step 6, equals the run that never stopped: weights and history."""
    assert run_differences(run, runs / "ae6") == []


def test_run_differences_sees_another_run(runs):
    found = run_differences(runs / "ae4", runs / "ae6")
    assert "decoder.0.weight: other values" in found
    assert "metrics.csv column loss: other values" in found


# -- 2. one process per run folder -------------------------------------------------------------
def test_a_second_command_writing_a_held_run_folder_is_refused(cli, ae4, tmp_path):
    with lock_folder(ae4, "minigen train ae", create=False):
        pid = os.getpid()
        refused(cli("train", "ae", "--resume", "--out", ae4, "--max-steps", 6),
                f"{ae4} is in use by process {pid} (minigen train ae)")
        refused(cli("eval", ae4), f"in use by process {pid}")
        refused(cli("sample", ae4, "--out", ae4 / "s.npy"), f"in use by process {pid}")
        refused(cli("export", ae4), f"in use by process {pid}")
        # Writing elsewhere does not need the run folder.
        status, _, err = cli("sample", ae4, "-n", 2, "--out", tmp_path / "s.npy")
        assert status == 0, err
    status, _, err = cli("train", "ae", "--resume", "--out", ae4, "--max-steps", 6, "--no-progress")
    assert status == 0, err  # the lock went with its holder


def test_two_fresh_trainings_into_one_folder(cli, tmp_path):
    out = tmp_path / "new"
    with lock_folder(out, "minigen train vae"):
        refused(cli("train", "ae", "--out", out, "--max-steps", 1), "in use by process")
    assert not (out / "metrics.csv").exists()


# -- 3. the history only grows ------------------------------------------------------------------
def test_a_killed_run_leaves_rows_a_partial_row_and_temporary_files(cli, ae4, runs):
    # What a kill -9 after step 5's row, in the middle of step 6's row and of a save leaves.
    metrics = ae4 / "metrics.csv"
    before = metrics.read_bytes()
    stale_rows = b"5,0,1,2\n"
    metrics.write_bytes(before + stale_rows + b"6,0,0.12")
    (ae4 / ".checkpoint.mg.0123456789ab.tmp").write_bytes(b"PK half a checkpoint")
    (ae4 / ".config.json.ba9876543210.tmp").write_bytes(b"{")
    status, _, err = cli("train", "ae", "--resume", "--out", ae4, "--max-steps", 6, "--no-progress")
    assert status == 0, err
    assert "dropped a partial last row (8 bytes" in err
    assert "1 row(s) written after the checkpoint (past step 4) are kept" in err
    assert "removed 2 temporary file(s) of killed saves" in err
    after = metrics.read_bytes()
    assert after.startswith(before + stale_rows)  # nothing rewritten, nothing deleted
    assert not list(ae4.glob("*.tmp"))
    assert load_checkpoint(ae4)["position"]["rows"] == 4 + 1 + 2  # the file's rows it covers
    assert_continues_exactly(ae4, runs)


def test_read_metrics_skips_what_cannot_be_a_row(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("step,epoch,loss\n1,1,0.5\n2,1,oops\n2,1,0.25\n3,1\n3,1,0.125\n1,1,9\n2,1,8\n4,1,0.")
    m = read_metrics(path)
    assert m["step"].tolist() == [1, 2] and m["loss"].tolist() == [9, 8]


# -- 1. every training step's whole state is in the checkpoint: tests/models/test_resume.py ---------


# -- 4. options that cannot take effect -----------------------------------------------------------
def test_a_batch_larger_than_the_dataset_is_refused_before_any_work(cli, tmp_path):
    out = tmp_path / "big"
    refused(cli("train", "gan", "--batch-size", 100000, "--epochs", 2, "--out", out),
            "--batch-size 100000 is larger than the 8334 training images of mnist-sample")
    assert not out.exists()


@pytest.mark.parametrize("args, phrase", [
    (["--beta", "-5"], "--beta must be a finite number of at least 0, not -5.0"),
    (["--beta", "4", "--model-is", "gan"], "--beta does not apply to gan"),
    (["--d-steps", "2"], "--d-steps does not apply to vae: it is an option of GANs"),
    (["--label-smoothing", "1.5", "--model-is", "gan"], "--label-smoothing must be a number in [0, 1)"),
    (["--latent-dim", "5000"], "--latent-dim must be at most 4096"),
    (["--latent-dim", "3", "--model-is", "classifier"], "--latent-dim does not apply to classifier"),
])
def test_options_that_cannot_take_effect(cli, tmp_path, args, phrase):
    model = "vae"
    if "--model-is" in args:
        model = args[args.index("--model-is") + 1]
        args = args[:args.index("--model-is")]
    refused(cli("train", model, *args, "--out", tmp_path / "r"), phrase)
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("value", ["inf", "nan", "-1"])
def test_rates_must_be_finite_and_positive(cli, tmp_path, value):
    status, _, err = cli("train", "vae", "--lr", value, "--out", tmp_path / "r")
    assert status == 2 and "--lr" in err and "Traceback" not in err


def test_resume_refuses_options_that_would_change_the_run(cli, ae4):
    refused(cli("train", "ae", "--resume", "--out", ae4, "--lr", 5, "--batch-size", 7, "--seed", 9),
            "--batch-size 7 (the run has 32)", "--lr 5.0 (the run has 0.001)",
            "--seed 9 (the run has 0)",
            "Only --epochs, --max-steps, --device, --data-dir may be given anew")
    refused(cli("train", "ae", "--resume", "--out", ae4, "--data", "fashion-mnist"),
            "--data fashion-mnist (the run has mnist-sample)")
    refused(cli("train", "ae", "--resume", "--out", ae4, "--max-steps", 4),
            "--max-steps 4: the run in", "is already at step 4")
    # The saved values themselves, and what may be given anew, are accepted.
    status, _, err = cli("train", "ae", "--resume", "--out", ae4, "--batch-size", 32, "--seed", 0,
                         "--max-steps", 5, "--device", "cpu", "--no-progress")
    assert status == 0, err


def test_resuming_a_finished_run_says_how_to_go_on(cli, ae4):
    forge(ae4, lambda state: state["position"].update(epoch=10, batch=0))  # its 10 epochs done
    refused(cli("train", "ae", "--resume", "--out", ae4),
            "has finished its 10 epochs (step 4): give --epochs N with N > 10")


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_divergence_before_the_first_checkpoint_does_not_promise_one(cli, tmp_path):
    status, _, err = cli("train", "ae", "--lr", "1e30", "--max-steps", 3, "--log-every", 1,
                         "--out", tmp_path / "r", "--no-progress")
    assert status == 1, err
    assert "training diverged" in err and "no checkpoint was saved" in err
    assert "is intact" not in err


# -- 6. what the OS refuses: one line naming the path, nothing lost --------------------------------
def no_space_on(monkeypatch, calls: int):
    """From the ``calls``-th array written by mg.save on, the disk is full."""
    real = serialization._write_array
    count = []

    def write(out, array):
        count.append(1)
        if len(count) >= calls:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(out, array)

    monkeypatch.setattr(serialization, "_write_array", write)


def test_a_full_disk_while_saving_keeps_the_last_checkpoint(cli, ae4, runs, monkeypatch):
    before = (ae4 / "checkpoint.mg").read_bytes()
    no_space_on(monkeypatch, calls=3)
    refused(cli("train", "ae", "--resume", "--out", ae4, "--max-steps", 6, "--no-progress"),
            f"{(ae4 / 'checkpoint.mg').resolve()}: no space left on the device",
            f"the last checkpoint in {ae4} is intact: continue with --resume")
    monkeypatch.undo()
    assert (ae4 / "checkpoint.mg").read_bytes() == before
    assert not list(ae4.glob("*.tmp"))
    status, _, err = cli("train", "ae", "--resume", "--out", ae4, "--max-steps", 6, "--no-progress")
    assert status == 0, err
    assert_continues_exactly(ae4, runs)


def test_a_full_disk_in_the_middle_of_a_metrics_row(cli, ae4, runs, monkeypatch):
    from minigen.train import metrics_log

    real_open = open

    class HalfWrite:
        def __init__(self, f):
            self.f = f

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

        def write(self, text):
            self.f.write(text[: len(text) // 2])
            self.f.flush()
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(metrics_log, "open", lambda *a, **k: HalfWrite(real_open(*a, **k)),
                        raising=False)
    refused(cli("train", "ae", "--resume", "--out", ae4, "--max-steps", 6, "--no-progress"),
            f"{ae4 / 'metrics.csv'}: no space left on the device")
    monkeypatch.undo()
    status, _, err = cli("train", "ae", "--resume", "--out", ae4, "--max-steps", 6, "--no-progress")
    assert status == 0 and "dropped a partial last row" in err, err
    assert_continues_exactly(ae4, runs)


def test_out_naming_a_file(cli, tmp_path):
    (tmp_path / "f").write_text("x")
    refused(cli("train", "ae", "--out", tmp_path / "f"), "is a file, not a folder")
    refused(cli("train", "ae", "--out", tmp_path / "f" / "run", "--max-steps", 1),
            "a part of this path is a file, not a folder")


def test_an_os_error_without_a_known_errno_is_still_one_line(cli, ae4, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError(errno.EIO, "Input/output error", str(ae4 / ".lock"))

    monkeypatch.setattr("minigen.folder_lock._open_lock_file", broken)
    refused(cli("eval", ae4), f"{ae4 / '.lock'}: Input/output error")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into folders of mode 555")
def test_read_only_folders_for_a_user(cli, ae4, tmp_path):
    ae4.chmod(0o555)
    parent = tmp_path / "parent"
    parent.mkdir(mode=0o555)
    try:
        refused(cli("train", "ae", "--resume", "--out", ae4, "--max-steps", 6), "permission denied")
        refused(cli("eval", ae4), "permission denied")
        refused(cli("sample", ae4, "--out", ae4 / "s.npy"), "permission denied")
        refused(cli("train", "ae", "--out", parent / "run"), f"{parent / 'run'}: permission denied")
    finally:
        ae4.chmod(0o755)
        parent.chmod(0o755)


# -- 9. crafted run checkpoints -------------------------------------------------------------------
def edit_config(state, **changes):
    state["config"] = json.dumps({**json.loads(state["config"]), **changes})


def forge(run, change):
    path = run / "checkpoint.mg"
    state = mg.load(path)
    change(state)
    mg.save(state, path)


@pytest.mark.parametrize("change, phrase", [
    (lambda s: s.pop("model_name"), "model_name is None"),
    (lambda s: s.update(model_name="transformer"), "model_name is 'transformer'"),
    (lambda s: s.pop("position"), "its position None"),
    (lambda s: s["position"].update(step="4"), "is not whole numbers"),
    (lambda s: s.update(config=7), "its config is not JSON text"),
    (lambda s: edit_config(s, epochs="5"), "--epochs must be a whole number of at least 1, not '5'"),
    (lambda s: edit_config(s, latent_dim=10**7), "--latent-dim must be at most 4096"),
    (lambda s: edit_config(s, model="vae"), "its settings name model 'vae' but it holds a 'ae'"),
    (lambda s: s.update(config="{"), "its saved settings are not valid"),
    (lambda s: s.update(trainer=[]), "no training-step state"),
    (lambda s: s["model"].popitem(), "does not fit"),
])
def test_crafted_run_checkpoints_are_one_line(cli, ae4, tmp_path, change, phrase):
    forge(ae4, change)
    refused(cli("sample", ae4, "--out", tmp_path / "s.npy"), phrase)
    refused(cli("train", "ae", "--resume", "--out", ae4, "--max-steps", 6), phrase)
    refused(cli("eval", ae4), phrase)


def test_a_crafted_training_step_state_is_one_line(cli, ae4):
    forge(ae4, lambda s: s["trainer"].update(steps="x"))
    refused(cli("train", "ae", "--resume", "--out", ae4, "--max-steps", 6), "does not fit this run")


# -- 5. sample -n: bounded, and streamed to disk ---------------------------------------------------
def test_sample_n_has_an_upper_bound(cli, ae4, tmp_path):
    refused(cli("sample", ae4, "-n", 10**9, "--out", tmp_path / "s.npy"), "at most 1,000,000")
    assert not (tmp_path / "s.npy").exists()


def test_samples_are_streamed_in_blocks_equal_to_one_draw(cli, runs, tmp_path, monkeypatch):
    from minigen.cli import sample as sample_command
    from minigen.metrics import draw_samples
    from minigen.train import load_model

    monkeypatch.setattr(sample_command, "BLOCK", 1000)
    status, _, err = cli("sample", runs / "ae4", "-n", 2300, "--out", tmp_path / "s.npy",
                         "--seed", 3)
    assert status == 0, err
    model, _ = load_model(runs / "ae4")
    mg.manual_seed(3)
    np.save(tmp_path / "one.npy", draw_samples(model, 2300))
    assert (tmp_path / "s.npy").read_bytes() == (tmp_path / "one.npy").read_bytes()
