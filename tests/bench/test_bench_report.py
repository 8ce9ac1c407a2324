"""The report: the table, the CSV file and the plot are written, from fake results (no timing)."""

from __future__ import annotations

import csv

from minigen.bench import report
from minigen.bench.rows import row_specs
from minigen.bench.runner import Result
from minigen.bench.timer import Timing


def fake_results(with_gpu: bool, with_torch: bool) -> list[Result]:
    results = []
    for spec in row_specs(["matmul", "conv2d", "train_step", "h2d"], quick=True):
        devices = (["cpu"] if spec.family != "h2d" else []) + (["cuda:0"] if with_gpu else [])
        for device in devices:
            # The GPU: a fixed 1 ms per call plus a thousandth of the CPU's time per unit size,
            # so it loses at the smallest size and wins at the largest (a crossover).
            cpu = 1e-3 * spec.size / 64
            seconds = 1e-3 + cpu / 1000 if device.startswith("cuda") else cpu
            results.append(Result(spec, device, "minigen", Timing((seconds, seconds * 1.1))))
            if with_torch:
                results.append(Result(spec, device, "torch", Timing((seconds / 2,))))
    return results


def test_table_shows_times_rates_ratios_and_speedups():
    text = report.table(fake_results(with_gpu=True, with_torch=True))
    assert "matmul 64x64" in text and "dcgan step (batch 64)" in text
    assert "GFLOP/s" in text and "img/s" in text and "GB/s" in text
    assert "minigen/torch" in text and "2.10x" in text  # the median is 1.05 x, torch's 0.5 x
    assert "speedup cuda:0/cpu" in text
    assert "h2d 4 KB" in text


def test_markdown_ratio_table():
    md = report.markdown_ratios(fake_results(with_gpu=False, with_torch=True))
    assert md.splitlines()[0].startswith("| row | minigen ms")
    assert "| vae step (batch 128) |" in md and md.count("| 2.10 |") >= 5
    alone = report.markdown_ratios(fake_results(with_gpu=False, with_torch=False))
    assert alone.splitlines()[0] == "| row | minigen ms | rate |" and "img/s" in alone


def test_csv_has_one_line_per_row_device_and_engine(tmp_path):
    results = fake_results(with_gpu=True, with_torch=False)
    path = report.write_csv(results, tmp_path / "out" / "bench.csv")
    with open(path) as f:
        lines = list(csv.DictReader(f))
    assert len(lines) == len(results)
    assert set(lines[0]) == set(report.CSV_FIELDS)
    first = lines[0]
    assert first["family"] == "matmul" and first["device"] == "cpu"
    assert float(first["median_ms"]) == 1.05 and first["unit"] == "GFLOP/s"


def test_plot_is_written_with_and_without_a_gpu(tmp_path):
    for with_gpu in (True, False):
        path = report.plot(fake_results(with_gpu, with_torch=not with_gpu),
                           tmp_path / f"speedup_{with_gpu}.png", no_gpu_reason="test")
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
