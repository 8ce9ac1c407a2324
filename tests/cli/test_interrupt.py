"""Ctrl-C saves a checkpoint and says how to resume; --resume then carries on."""

import signal
import time

from clihelpers import run_minigen, start_minigen


def test_ctrl_c_saves_and_resumes(tmp_path):
    out = tmp_path / "run"
    process = start_minigen("train", "vae", "--epochs", "50", "--log-every", "1", "--out", out,
                            "--no-progress")
    metrics = out / "metrics.csv"
    deadline = time.monotonic() + 60
    while not (metrics.exists() and metrics.stat().st_size > 200):  # a few steps are done
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "training did not start"
        time.sleep(0.1)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert "checkpoint saved" in stdout
    assert f"Resume with: minigen train vae --out {out} --resume" in stdout
    assert (out / "checkpoint.mg").exists()
    stopped_at = int(stdout.split("Interrupted at step ")[1].split(":")[0])

    result = run_minigen("train", "vae", "--resume", "--out", out, "--max-steps",
                         stopped_at + 3, "--no-progress")
    assert result.returncode == 0, result.stderr
    assert f"step {stopped_at + 3}" in result.stdout
    steps = [int(line.split(",")[0]) for line in metrics.read_text().splitlines()[1:]]
    assert steps == list(range(1, stopped_at + 4))  # no step lost or repeated
