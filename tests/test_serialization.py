"""mg.save / mg.load: round trips, devices, atomic writes, and clear refusals of bad files."""

from __future__ import annotations

import io
import json
import math
import os
import pickle
import zipfile

import numpy as np
import pytest

import minigen as mg
from minigen import serialization
from minigen.serialization import CheckpointError


def roundtrip(obj, tmp_path, **load_options):
    path = tmp_path / "obj.ckpt"
    mg.save(obj, path)
    return mg.load(path, **load_options)


# -- round trips --------------------------------------------------------------------------
def test_plain_values_keep_their_types(tmp_path):
    obj = {
        "epoch": 7, "big": 2**130, "neg": -3, "flag": True, "none": None, "name": "vae ✓ \ud800",
        "floats": [0.1, -0.0, 1e308, 5e-324, math.inf, -math.inf],
        "tuple": (1, "a", (2.5, None)), "list": [1, [2, [3]]], "empty": {}, "nested": {"": []},
        0: "int key", 1.5: "float key", None: "none key", True: "bool key", -1: [],
    }
    back = roundtrip(obj, tmp_path)
    assert back == obj
    assert list(back) == list(obj)  # order too
    assert type(back["tuple"]) is tuple and type(back["tuple"][2]) is tuple
    assert type(back["list"]) is list and type(back["flag"]) is bool
    assert math.copysign(1.0, back["floats"][1]) == -1.0
    assert all(type(k) is type(k0) for k, k0 in zip(back, obj, strict=True))
    assert math.isnan(roundtrip([math.nan], tmp_path)[0])


@pytest.mark.parametrize(
    "dtype", ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8",
              "uint16", "bool", "complex64"],
)
def test_numpy_arrays_of_every_dtype(tmp_path, dtype):
    rng = np.random.default_rng(0)
    arrays = {
        "matrix": (rng.standard_normal((3, 4)) * 10).astype(dtype),
        "transposed": (rng.standard_normal((2, 5)) * 10).astype(dtype).T,  # not C-contiguous
        "scalar0d": np.asarray(3).astype(dtype),
        "empty": np.zeros((0, 3), dtype=dtype),
        "numpy_scalar": np.ones((), dtype=dtype)[()],
    }
    back = roundtrip(arrays, tmp_path)
    for name, array in arrays.items():
        assert type(back[name]) is type(array), name
        assert back[name].dtype == array.dtype and back[name].shape == array.shape
        np.testing.assert_array_equal(back[name], array)


def test_nonfinite_values_inside_arrays(tmp_path):
    array = np.array([np.nan, np.inf, -np.inf, -0.0], dtype=np.float32)
    np.testing.assert_array_equal(roundtrip(array, tmp_path), array)


@pytest.mark.parametrize("dtype", [mg.float16, mg.float32, mg.float64, mg.int32, mg.int64,
                                   mg.uint8, mg.bool_])
def test_tensors_keep_dtype_values_and_requires_grad(tmp_path, dtype):
    x = mg.tensor(np.arange(6).reshape(2, 3) % 2, dtype=dtype)
    w = mg.randn(3, 2, requires_grad=True)
    back = roundtrip({"x": x, "w": w}, tmp_path)
    assert back["x"].dtype == dtype and not back["x"].requires_grad
    assert back["w"].requires_grad and back["w"].is_leaf and back["w"].grad is None
    np.testing.assert_array_equal(back["x"].numpy(), x.numpy())
    np.testing.assert_array_equal(back["w"].numpy(), w.numpy())


def test_parameters_come_back_as_parameters(tmp_path):
    from minigen.nn.parameter import Parameter

    back = roundtrip([Parameter(mg.ones(2)), mg.ones(2)], tmp_path)
    assert type(back[0]) is Parameter and back[0].requires_grad
    assert type(back[1]) is mg.Tensor


def test_a_tensor_saved_twice_is_stored_once_and_loads_shared(tmp_path):
    w = mg.randn(100)
    back = roundtrip({"encoder": {"w": w}, "decoder": [w], "other": mg.randn(100)}, tmp_path)
    assert back["encoder"]["w"] is back["decoder"][0]
    assert back["other"] is not back["decoder"][0]
    assert len(zipfile.ZipFile(tmp_path / "obj.ckpt").namelist()) == 3  # meta + 2 arrays


def test_rng_state_round_trip_restores_the_random_stream(tmp_path):
    mg.manual_seed(5)
    mg.randn(3)
    state = mg.get_rng_state()
    expected = mg.randn(4).numpy()
    restored = roundtrip({"rng": state}, tmp_path)["rng"]
    assert restored == state and restored["state"]["state"] > 2**64  # 128-bit ints survive
    mg.manual_seed(99)
    mg.set_rng_state(restored)
    np.testing.assert_array_equal(mg.randn(4).numpy(), expected)


def test_the_file_is_a_valid_npz_with_readable_json(tmp_path):
    path = tmp_path / "m.ckpt"
    mg.save({"w": mg.ones(2)}, path)
    with np.load(path, allow_pickle=False) as npz:
        assert "minigen.json" in npz.files
        np.testing.assert_array_equal(npz["arrays/0"], [1.0, 1.0])
    meta = json.loads(zipfile.ZipFile(path).read("minigen.json"))
    assert meta["format"] == "minigen-checkpoint" and meta["version"] == 1
    assert mg.load(str(path))["w"].numpy().tolist() == [1.0, 1.0]  # str paths too


# -- devices ------------------------------------------------------------------------------
def test_strict_device_to_cpu_and_back(tmp_path):
    # "strict" stands in for a GPU: this is the cuda -> cpu -> cuda path without a GPU.
    x = mg.randn(3, 2, device="strict", requires_grad=True)
    kept = roundtrip({"x": x}, tmp_path)["x"]
    assert kept.device == mg.device("strict") and kept.requires_grad
    on_cpu = mg.load(tmp_path / "obj.ckpt", map_location="cpu")["x"]
    assert on_cpu.device == mg.device("cpu") and on_cpu.dtype == mg.float32
    back = roundtrip({"x": on_cpu}, tmp_path, map_location="strict")["x"]
    assert back.device == mg.device("strict")
    np.testing.assert_array_equal(back.numpy(), x.numpy())


def test_numpy_arrays_stay_numpy_whatever_the_map_location(tmp_path):
    back = roundtrip({"a": np.arange(3)}, tmp_path, map_location="strict")
    assert type(back["a"]) is np.ndarray


def rewrite(path, change_meta=None, members=None):
    """Rebuild the archive at ``path`` with edited metadata and/or replaced members."""
    with zipfile.ZipFile(path) as archive:
        contents = {name: archive.read(name) for name in archive.namelist()}
    if change_meta is not None:
        meta = json.loads(contents["minigen.json"])
        change_meta(meta)
        contents["minigen.json"] = json.dumps(meta).encode()
    contents.update(members or {})
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in contents.items():
            archive.writestr(name, data)


@pytest.mark.skipif(mg.cuda.is_available(), reason="checks the error on a machine without a GPU")
def test_a_cuda_checkpoint_without_a_gpu_says_to_use_map_location(tmp_path):
    path = tmp_path / "gpu.ckpt"
    mg.save({"w": mg.randn(2, device="strict")}, path)
    rewrite(path, lambda meta: meta["root"]["items"][0][1].update(device="cuda:0"))
    with pytest.raises(CheckpointError, match=r"gpu\.ckpt.*cuda:0.*map_location='cpu'"):
        mg.load(path)
    w = mg.load(path, map_location="cpu")["w"]
    assert w.device == mg.device("cpu") and w.shape == (2,)


# -- atomic writes ------------------------------------------------------------------------
def leftovers(directory):
    return sorted(p.name for p in directory.iterdir() if p.name != "run.ckpt")


def test_a_crash_halfway_through_a_save_keeps_the_previous_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "run.ckpt"
    mg.save({"epoch": 1, "w": mg.zeros(3), "v": mg.zeros(3)}, path)
    before = path.read_bytes()
    real_write = serialization._write_array
    calls = []

    def crash_on_second_array(out, array):
        calls.append(1)
        if len(calls) == 2:
            raise OSError("disk full")  # after some bytes of the new checkpoint were written
        real_write(out, array)

    monkeypatch.setattr(serialization, "_write_array", crash_on_second_array)
    with pytest.raises(OSError, match="disk full"):
        mg.save({"epoch": 2, "w": mg.ones(3), "v": mg.ones(3)}, path)
    assert path.read_bytes() == before and leftovers(tmp_path) == []
    assert mg.load(path)["epoch"] == 1


def test_a_failed_rename_leaves_no_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / "run.ckpt"
    mg.save({"epoch": 1}, path)

    def failing_replace(src, dst):
        raise KeyboardInterrupt  # even an interrupt cleans up

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(KeyboardInterrupt):
        mg.save({"epoch": 2}, path)
    assert leftovers(tmp_path) == [] and mg.load(path)["epoch"] == 1


def test_data_is_fsynced_before_the_rename(tmp_path, monkeypatch):
    events = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: events.append("fsync") or real_fsync(fd))
    monkeypatch.setattr(os, "replace", lambda a, b: events.append("replace") or real_replace(a, b))
    mg.save({"epoch": 1}, tmp_path / "run.ckpt")
    assert events[:2] == ["fsync", "replace"]


def test_an_unsavable_value_is_refused_before_the_file_is_touched(tmp_path):
    path = tmp_path / "run.ckpt"
    mg.save({"epoch": 1}, path)
    with pytest.raises(TypeError, match=r"obj\['model'\]\['f'\] is a builtins.builtin_function"):
        mg.save({"model": {"f": print}}, path)
    with pytest.raises(TypeError, match="objects"):
        mg.save({"a": np.array([{}, 1], dtype=object)}, path)
    with pytest.raises(TypeError, match="key of type tuple"):
        mg.save({(1, 2): 0}, path)
    loop = []
    loop.append(loop)
    with pytest.raises(ValueError, match="contains itself"):
        mg.save(loop, path)
    assert mg.load(path) == {"epoch": 1} and leftovers(tmp_path) == []


def test_new_files_get_ordinary_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        mg.save({}, tmp_path / "run.ckpt")
    finally:
        os.umask(old)
    assert (tmp_path / "run.ckpt").stat().st_mode & 0o777 == 0o644


# -- bad files ------------------------------------------------------------------------------
class Payload:
    """Unpickling this would create a file: the tests check that it never exists."""

    marker = ""

    def __reduce__(self):
        return (open, (Payload.marker, "w"))


@pytest.fixture
def good(tmp_path):
    path = tmp_path / "good.ckpt"
    mg.save({"w": mg.randn(64), "epoch": 3}, path)
    return path


def corrupt(path, offset, new=b"\xff"):
    data = bytearray(path.read_bytes())
    data[offset : offset + len(new)] = new
    path.write_bytes(bytes(data))


def expect_refusal(path, *words):
    with pytest.raises(CheckpointError) as info:
        mg.load(path)
    message = str(info.value)
    assert str(path) in message, message
    for word in words:
        assert word in message, message
    error = info.value  # raised afresh: no zipfile or numpy traceback chained under it
    assert error.__cause__ is None and (error.__context__ is None or error.__suppress_context__)


def test_truncated_files(good):
    data = good.read_bytes()
    for size in (len(data) // 2, len(data) - 10, 40):
        good.write_bytes(data[:size])
        expect_refusal(good, "truncated")


def test_a_flipped_byte_in_the_array_data(good):
    data = good.read_bytes()
    corrupt(good, data.index(b"\x93NUMPY") + 200)
    expect_refusal(good, "arrays/0.npy", "CRC")


def test_a_flipped_byte_in_the_metadata(good):
    corrupt(good, good.read_bytes().index(b'"format"') + 3, b"X")
    expect_refusal(good, "minigen.json", "CRC")


@pytest.mark.parametrize(
    "content, words",
    [
        (b"", ["empty"]),
        (b"epoch,loss\n1,0.5\n", ["not a zip archive", "epoch"]),
        (bytes(range(256)) * 4, ["not a zip archive"]),
        (pickle.dumps({"w": [1.0]}), ["pickle"]),
    ],
)
def test_foreign_files(tmp_path, content, words):
    path = tmp_path / "foreign.ckpt"
    path.write_bytes(content)
    expect_refusal(path, *words)


def test_a_npy_file(tmp_path):
    path = tmp_path / "a.npy"
    np.save(path, np.zeros(3))
    expect_refusal(path, ".npy")


def test_a_plain_npz(tmp_path):
    path = tmp_path / "data.npz"
    np.savez(path, x=np.zeros(3))
    expect_refusal(path, "no minigen.json", "np.savez")


def test_a_pytorch_style_zip(tmp_path):
    path = tmp_path / "model.pt"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("model/data.pkl", pickle.dumps({"w": 1}))
    expect_refusal(path, "PyTorch")


def test_a_pickle_inside_an_npz_is_never_loaded(tmp_path):
    Payload.marker = str(tmp_path / "pwned")
    path = tmp_path / "evil.npz"
    np.savez(path, x=np.array([Payload()], dtype=object), allow_pickle=True)
    expect_refusal(path)
    assert not os.path.exists(Payload.marker)


def test_a_forged_checkpoint_pointing_at_a_pickled_array_is_refused(good):
    Payload.marker = str(good.parent / "pwned")
    evil = io.BytesIO()
    np.lib.format.write_array(evil, np.array([Payload()], dtype=object), allow_pickle=True)
    rewrite(good, members={"arrays/0.npy": evil.getvalue()})
    expect_refusal(good, "pickled", "arrays/0.npy")
    assert not os.path.exists(Payload.marker)


@pytest.mark.parametrize(
    "edit, words",
    [
        (lambda m: m.update(format="something-else"), ["format 'something-else'"]),
        (lambda m: m.update(version=99), ["version 99", "upgrade"]),
        (lambda m: m["root"]["items"][0][1].update(array="arrays/7.npy"), ["arrays/7.npy"]),
        (lambda m: m["root"]["items"][0][1].update(dtype="int8"), ["recorded as int8"]),
        (lambda m: m["root"]["items"][0][1].update(shape=[8, 8]), ["[8, 8]"]),
        (lambda m: m["root"]["items"][0][1].update({"$": "module"}), ["unknown type 'module'"]),
        (lambda m: m["root"]["items"][0][1].update(device="tpu"), ["unknown device 'tpu'"]),
        (lambda m: m["root"].pop("items"), ["malformed", "items"]),
        (lambda m: m.update(root={"a": 1}), ["does not define"]),
    ],
)
def test_forged_or_damaged_metadata(good, edit, words):
    rewrite(good, change_meta=edit)
    expect_refusal(good, *words)


def test_metadata_that_is_not_json(good):
    rewrite(good, members={"minigen.json": b"{not json"})
    expect_refusal(good, "not valid JSON")


def test_a_missing_file_is_a_file_not_found_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        mg.load(tmp_path / "nope.ckpt")


# -- untrusted files: bounded, and every fault a CheckpointError (issue 13, items 5 and 8) ------
def test_a_compressed_member_is_refused_before_it_is_unpacked(tmp_path):
    # 8 MB of zeros deflate to a few KB: a stored-only reader never inflates them.
    path = tmp_path / "bomb.ckpt"
    mg.save({"w": np.zeros(2 * 2**20, np.float32)}, path)
    with zipfile.ZipFile(path) as archive:
        contents = {n: archive.read(n) for n in archive.namelist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in contents.items():
            archive.writestr(member, data)
    assert path.stat().st_size < 100_000
    expect_refusal(path, "compressed", "minigen.json")


def npy_bytes(header_shape, dtype="<f4", data=b""):
    """A .npy member whose header says ``header_shape`` whatever the data."""
    out = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        out, {"descr": dtype, "fortran_order": False, "shape": header_shape})
    return out.getvalue() + data


def test_a_header_declaring_a_huge_array_is_refused_before_allocating(good):
    def declare(meta):
        meta["root"]["items"][0][1].update(shape=[10**12])

    rewrite(good, change_meta=declare, members={"arrays/0.npy": npy_bytes((10**12,))})
    expect_refusal(good, "arrays/0.npy", "declares 4000000000000 bytes")


@pytest.mark.parametrize("dtype", ["<U3", "|V4", "<M8[s]", "<c8", "|S2", "<f4,<i4"])
def test_a_tensor_of_a_dtype_minigen_never_saves_is_refused(good, dtype):
    array = np.zeros(64, dtype=np.dtype(dtype))
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, allow_pickle=False)
    rewrite(good, change_meta=lambda m: m["root"]["items"][0][1].update(dtype=array.dtype.name),
            members={"arrays/0.npy": buffer.getvalue()})
    expect_refusal(good, "obj['w']", "dtype")


def test_mg_save_refuses_non_numeric_arrays(tmp_path):
    for array in (np.array(["a"]), np.zeros(2, "datetime64[s]"), np.zeros(1, "f4,i4")):
        with pytest.raises(TypeError, match="numeric arrays only"):
            mg.save({"a": array}, tmp_path / "x.ckpt")


@pytest.mark.parametrize("version", [True, -7, 0, 1.0, "1", None])
def test_a_version_that_is_not_a_positive_integer_is_refused(good, version):
    rewrite(good, change_meta=lambda m: m.update(version=version))
    expect_refusal(good, "version")


def test_a_duplicated_member_is_refused(good):
    with zipfile.ZipFile(good) as archive:
        meta = archive.read("minigen.json")
    forged = json.loads(meta)
    forged["root"]["items"][1][1] = 999
    with pytest.warns(UserWarning, match="Duplicate name"), zipfile.ZipFile(good, "a") as archive:
        archive.writestr("minigen.json", json.dumps(forged))
    expect_refusal(good, "two members named 'minigen.json'")


def set_central_field(path, offset, value):
    """Overwrite a 2-byte field of every central-directory entry of the zip at ``path``."""
    data = bytearray(path.read_bytes())
    start = 0
    while (start := data.find(b"PK\x01\x02", start)) >= 0:
        data[start + offset:start + offset + 2] = value.to_bytes(2, "little")
        start += 4
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("offset, value, words", [
    (6, 84, []),  # "version needed to extract" 8.4: zipfile raises NotImplementedError
    (8, 1, ["encrypted"]),  # the encryption flag bit: zipfile raises RuntimeError
    (10, 14, ["compressed"]),  # another compression method
])
def test_zip_header_fields_give_a_checkpoint_error(good, offset, value, words):
    set_central_field(good, offset, value)
    expect_refusal(good, *words)


def small_checkpoint(tmp_path):
    path = tmp_path / "small.ckpt"
    mg.save({"w": mg.arange(4).float(), "b": np.int8(3), "e": 2}, path)
    return path


def load_or_refuse(path):
    """mg.load either works or raises CheckpointError: never another exception."""
    try:
        mg.load(path)
    except CheckpointError:
        pass


def test_random_bit_flips_only_ever_give_checkpoint_errors(tmp_path):
    path = small_checkpoint(tmp_path)
    data = path.read_bytes()
    rng = np.random.default_rng(13)
    for bit in rng.choice(len(data) * 8, size=400, replace=False):
        flipped = bytearray(data)
        flipped[bit // 8] ^= 1 << (bit % 8)
        path.write_bytes(bytes(flipped))
        load_or_refuse(path)


def test_every_truncation_gives_a_checkpoint_error(tmp_path):
    path = small_checkpoint(tmp_path)
    data = path.read_bytes()
    for size in range(len(data)):
        path.write_bytes(data[:size])
        with pytest.raises(CheckpointError):
            mg.load(path)


@pytest.mark.slow
def test_every_bit_flip_only_ever_gives_a_checkpoint_error(tmp_path):
    path = small_checkpoint(tmp_path)
    data = path.read_bytes()
    for bit in range(len(data) * 8):
        flipped = bytearray(data)
        flipped[bit // 8] ^= 1 << (bit % 8)
        path.write_bytes(bytes(flipped))
        load_or_refuse(path)
