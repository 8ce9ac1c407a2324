"""Bad options give one clear line on stderr, exit status 2, and no traceback."""

import pytest


def check_error(result, *phrases):
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    for phrase in phrases:
        assert phrase in result.stderr, result.stderr


def test_unknown_model(minigen):
    check_error(minigen("train", "transformer"), "invalid choice: 'transformer'", "vae")


def test_missing_data_folder(minigen, tmp_path):
    missing = tmp_path / "nowhere"
    check_error(minigen("train", "vae", "--data", "fashion-mnist", "--data-dir", missing,
                        "--out", tmp_path / "r"), f"--data-dir {missing}: no such folder")


def test_bad_numbers(minigen, tmp_path):
    check_error(minigen("train", "vae", "--epochs", "0"), "must be at least 1")
    check_error(minigen("train", "vae", "--lr", "-1"), "must be greater than 0")


def test_unknown_device(minigen, tmp_path):
    check_error(minigen("train", "vae", "--device", "tpu", "--out", tmp_path / "r"),
                "unknown device 'tpu'")


def test_checkpoint_of_another_model(minigen, tmp_path):
    out = tmp_path / "run"
    assert minigen("train", "ae", "--max-steps", "1", "--out", out, "--no-progress").returncode == 0
    check_error(minigen("train", "vae", "--resume", "--out", out),
                "checkpoint of model 'ae', not 'vae'")
    check_error(minigen("train", "ae", "--out", out), "already holds a run", "--resume")
    check_error(minigen("sample", out, "--label", "3", "--out", tmp_path / "s.npy"),
                "--label needs a conditional model")
    check_error(minigen("eval", out, "--classifier", out), "not 'classifier'")


def test_resume_without_a_checkpoint(minigen, tmp_path):
    check_error(minigen("train", "vae", "--resume", "--out", tmp_path / "empty"), "no checkpoint")


def test_sample_from_a_folder_that_is_no_run(minigen, tmp_path):
    check_error(minigen("sample", tmp_path, "--out", tmp_path / "s.npy"), "no checkpoint")
    (tmp_path / "checkpoint.mg").write_bytes(b"not a checkpoint")
    check_error(minigen("sample", tmp_path, "--out", tmp_path / "s.npy"), "checkpoint")


def test_cuda_without_a_gpu(minigen, tmp_path):
    import minigen as mg

    if mg.cuda.is_available():
        pytest.skip("this machine has a usable GPU")
    check_error(minigen("train", "vae", "--device", "cuda", "--out", tmp_path / "r"),
                "device 'cuda'", "use device='cpu'")
