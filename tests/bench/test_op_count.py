"""The array-operation counter (minigen/bench/op_count.py) counts what it says, and the same
number every run."""

from __future__ import annotations

import argparse

import pytest

import minigen as mg
from minigen.backend.array_module import get_array_module
from minigen.bench import op_count, report
from minigen.bench.op_count import count_ops, counting_ops, step_op_count

array_api_strict = pytest.importorskip("array_api_strict")


def test_a_tiny_computation_counts_what_a_hand_count_says():
    a = mg.randn(3, 4, device="strict").array
    b = mg.randn(4, 2, device="strict").array
    with counting_ops() as counter:
        xp = get_array_module(a)
        c = xp.matmul(a, b)  # 1
        d = c + 1.0  # 2
        d[0, :] = 2.0  # 3: a write is an operation
        e = d.T  # 4: so is a transpose (a new array)
        f = xp.sum(e * e)  # 5 (the product) and 6 (the sum)
        # Not operations: shapes, dtypes, dtype questions, devices.
        _ = (e.shape, e.dtype, e.device, e.ndim, xp.float32,
             xp.isdtype(e.dtype, "real floating"), xp.finfo(xp.float32).eps)
    assert dict(counter.counts) == {"xp.matmul": 1, "array.__add__": 1, "array.__setitem__": 1,
                                    "array.T": 1, "array.__mul__": 1, "xp.sum": 1}
    assert dict(counter.sources) == {"elsewhere": 6}  # this file is not in the engine
    assert float(f) > 0  # after the block: the result is the real one, and nothing is counted
    assert counter.counts.total() == 6


def test_a_call_inside_a_counted_call_is_part_of_it():
    counter = op_count._Counter()
    inner = counter.wrap("inner", lambda x: x + 1)
    outer = counter.wrap("outer", lambda x: inner(inner(x)))
    assert outer(1) == 3 and inner(0) == 1
    assert dict(counter.counts) == {"outer": 1, "inner": 1}


def test_counting_leaves_the_engine_as_it_found_it():
    a = mg.ones(2, device="strict").array
    array_type = type(a)
    add, transpose = array_type.__add__, array_type.__dict__["T"]
    with counting_ops():
        assert get_array_module(a) is not array_api_strict
        assert array_type.__add__ is not add
    assert get_array_module(a) is array_api_strict
    assert mg.Device("strict").xp is array_api_strict
    assert array_type.__add__ is add and array_type.__dict__["T"] is transpose


def test_the_engine_s_operations_are_counted_by_file():
    x = mg.randn(4, 3, device="strict", requires_grad=True)

    def forward_backward():
        (x * x).sum().backward()

    count = count_ops(forward_backward)
    assert count.total > 0 and sum(count.by_source.values()) == count.total
    assert "minigen/functions/arithmetic.py" in count.by_source
    assert "elsewhere" not in count.by_source  # every call came from the engine
    assert count_ops(lambda: None).total == 0


@pytest.mark.parametrize("name", op_count.MODELS)
def test_step_counts_are_the_same_every_run(name):
    first, again = step_op_count(name, 2), step_op_count(name, 2)
    assert first.total > 50
    assert first == again, f"{name}: the count changed between two runs"


def test_step_counts_do_not_depend_on_the_batch_size():
    """So the bench may quote one count per model, whatever the batch."""
    assert step_op_count("dcgan", 2) == step_op_count("dcgan", 5)
    assert step_op_count("dcgan", 2).total > step_op_count("ae", 2).total  # convolutions cost


def test_tables_show_the_counts_and_the_gpu_floor():
    counts = {"ae": op_count.OpCount({"xp.sum": 150, "array.__mul__": 50},
                                     {"minigen/optim/adam.py": 200})}
    text = op_count.table(counts)
    assert "ae" in text and "200" in text and "2.0 ms" in text and "4.0 ms" in text
    assert "xp.sum 150, array.__mul__ 50" in text
    assert op_count.markdown(counts).splitlines()[2] == "| ae | 200 | 2.0 ms | 4.0 ms |"
    assert "200  minigen/optim/adam.py" in op_count.breakdown(counts)


def test_bench_table_and_csv_carry_the_counts_beside_the_step_rows(tmp_path):
    from test_bench_report import fake_results

    results = fake_results(with_gpu=False, with_torch=False)
    text = report.table(results, {"dcgan": 1234})
    dcgan = next(line for line in text.splitlines() if line.startswith("dcgan step"))
    assert "array ops" in text.splitlines()[0] and " 1234 " in dcgan
    assert " 1234 " not in next(line for line in text.splitlines() if line.startswith("vae step"))
    path = report.write_csv(results, tmp_path / "bench.csv", {"dcgan": 1234})
    assert ",1234" in next(line for line in path.read_text().splitlines() if "dcgan" in line)


def test_count_ops_alone_counts_without_timing(tmp_path, monkeypatch, capsys):
    from minigen.cli import bench

    monkeypatch.setattr(op_count, "step_op_counts",
                        lambda: {name: step_op_count(name, 2) for name in ("ae", "gan")})
    monkeypatch.setattr("minigen.bench.runner.run", lambda *a, **k: pytest.fail("timed"))
    args = argparse.Namespace(out=str(tmp_path), count_ops=True, rows=None)
    assert bench.run(args) == 0
    printed = capsys.readouterr().out
    assert "array operations per training step" in printed and "gan" in printed
    assert (tmp_path / "ops.md").read_text().startswith("| model | array ops per step")
    assert "by engine file" in (tmp_path / "ops.txt").read_text()
