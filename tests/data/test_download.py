"""Finding and downloading dataset files, against a real HTTP server on 127.0.0.1.

Each test uses a tiny 4-file dataset spec (conftest.tiny_spec) whose checksums match the
files the test serves; the cache and system folders point into tmp_path.
"""

from __future__ import annotations

import gzip
import hashlib
import socket
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from datahelpers import tiny_arrays, tiny_spec, write_tiny_files

from minigen.data import (
    MNIST,
    DatasetNotFoundError,
    FashionMNIST,
    IDXDataset,
)
from minigen.data.idx import encode_idx
from minigen.data.sources import cache_dir, mirror_urls

SPEC = tiny_spec()


def _cache(tmp_path: Path) -> Path:
    return tmp_path / "cache" / "minigen" / "tiny"


def _cached(tmp_path: Path) -> list[str]:
    """The files in the cache, less its lock file (downloads share the folder's lock)."""
    cache = _cache(tmp_path)
    return sorted(p.name for p in cache.iterdir() if p.name != ".lock") if cache.exists() else []


def _closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"  # nobody listens: connection refused at once


def _assert_tiny(ds, n=20):
    images, labels = tiny_arrays(n)
    assert len(ds) == n
    np.testing.assert_array_equal(ds.images, images)
    np.testing.assert_array_equal(ds.labels, labels.astype(np.int64))
    assert ds.labels.dtype == np.int64


def test_cache_location_follows_xdg(tmp_path):
    assert cache_dir(SPEC) == _cache(tmp_path)


def test_good_download_lands_in_cache_and_is_reused(tmp_path, server):
    write_tiny_files(server.root / "good")
    ds = IDXDataset(spec=SPEC, mirrors=[server.url + "good"])
    _assert_tiny(ds)
    cached = _cached(tmp_path)
    # Only the train split was needed; no temporary .part file is left behind.
    assert cached == ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"]
    requests = len(server.requests)
    again = IDXDataset(spec=SPEC, download=False)
    _assert_tiny(again)
    assert len(server.requests) == requests  # the cache, not the network


def test_404_on_first_location_then_mirror(server):
    write_tiny_files(server.root / "good")
    ds = IDXDataset(spec=SPEC, train=False, mirrors=[server.url + "missing/", server.url + "good/"])
    assert len(ds) == 10
    assert server.requests[:2] == [
        "/missing/t10k-images-idx3-ubyte.gz",
        "/good/t10k-images-idx3-ubyte.gz",
    ]


def test_mirrors_from_environment(monkeypatch, server):
    write_tiny_files(server.root / "good")
    monkeypatch.setenv("MINIGEN_MIRRORS", f"{server.url}missing, {server.url}good")
    _assert_tiny(IDXDataset(spec=SPEC))
    assert mirror_urls(SPEC) == [server.url + "missing/", server.url + "good/"]
    monkeypatch.setenv("MINIGEN_MIRRORS", "http://a/x\n  http://b/y/")
    assert mirror_urls(SPEC) == ["http://a/x/", "http://b/y/"]
    assert mirror_urls(SPEC, ["http://c"]) == ["http://c/"]  # the argument wins


def test_truncated_file_is_refused(tmp_path, server):
    write_tiny_files(server.root / "good")
    (server.root / "cut").mkdir()
    data = (server.root / "good" / "train-images-idx3-ubyte.gz").read_bytes()
    (server.root / "cut" / "train-images-idx3-ubyte.gz").write_bytes(data[: len(data) // 2])
    with pytest.raises(DatasetNotFoundError, match="truncated"):
        IDXDataset(spec=SPEC, mirrors=[server.url + "cut/"])
    assert _cached(tmp_path) == []


def test_connection_closed_early_is_refused(tmp_path, server):
    with pytest.raises(DatasetNotFoundError, match="incomplete download: received 102 of 1102"):
        IDXDataset(spec=SPEC, mirrors=[server.url + "lie/"])
    assert _cached(tmp_path) == []


def test_wrong_content_is_refused_by_checksum(tmp_path, server):
    write_tiny_files(server.root / "wrong", seed=1)  # valid IDX, right shapes, other pixels
    with pytest.raises(DatasetNotFoundError, match="SHA-256 of the decompressed") as info:
        IDXDataset(spec=SPEC, mirrors=[server.url + "wrong/"])
    assert server.url + "wrong/train-images-idx3-ubyte.gz" in str(info.value)
    assert _cached(tmp_path) == []


def test_wrong_content_then_good_mirror(server):
    write_tiny_files(server.root / "wrong", seed=1)
    write_tiny_files(server.root / "good")
    _assert_tiny(IDXDataset(spec=SPEC, mirrors=[server.url + "wrong/", server.url + "good/"]))


def test_corrupt_cached_file_is_reported_moved_aside_and_fetched_again(tmp_path, server):
    write_tiny_files(server.root / "good")
    cache = _cache(tmp_path)
    write_tiny_files(cache)
    good = (cache / "train-images-idx3-ubyte.gz").read_bytes()
    (cache / "train-images-idx3-ubyte.gz").write_bytes(good[:-40])  # a torn write
    with pytest.warns(UserWarning, match="cached file failed verification, not used"):
        ds = IDXDataset(spec=SPEC, mirrors=[server.url + "good/"])
    _assert_tiny(ds)
    assert (cache / "train-images-idx3-ubyte.gz.corrupt").read_bytes() == good[:-40]
    assert (cache / "train-images-idx3-ubyte.gz").read_bytes() == good
    assert server.requests == ["/good/train-images-idx3-ubyte.gz"]  # labels came from the cache


def test_cached_file_with_wrong_content_is_not_used(tmp_path, server):
    write_tiny_files(server.root / "good")
    write_tiny_files(_cache(tmp_path), seed=1)
    with pytest.warns(UserWarning, match="SHA-256"):
        _assert_tiny(IDXDataset(spec=SPEC, mirrors=[server.url + "good/"]))


def test_everything_failing_gives_one_error_listing_what_was_tried(tmp_path, server):
    empty = tmp_path / "empty"
    empty.mkdir()
    dead = _closed_port_url()
    with pytest.raises(DatasetNotFoundError) as info:
        IDXDataset(spec=SPEC, root=empty, mirrors=[server.url + "missing/", dead])
    message = str(info.value)
    for expected in [
        str(empty),
        str(empty / "tiny"),
        str(_cache(tmp_path)),
        str(tmp_path / "share" / "datasets" / "tiny"),
        server.url + "missing/train-images-idx3-ubyte.gz: HTTP 404",
        dead + "train-images-idx3-ubyte.gz: cannot connect",
        "--data-dir",
        "MINIGEN_DATA_DIR",
        "MINIGEN_MIRRORS",
        "train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz",
    ]:
        assert expected in message
    assert isinstance(info.value, FileNotFoundError)


def test_download_false_makes_no_request(server):
    with pytest.raises(DatasetNotFoundError, match=r"not attempted \(download=False\)"):
        IDXDataset(spec=SPEC, download=False, mirrors=[server.url])
    assert server.requests == []


def test_explicit_folder_from_environment_with_subfolder_and_raw_files(tmp_path, monkeypatch):
    write_tiny_files(tmp_path / "data" / "tiny", compress=False)
    monkeypatch.setenv("MINIGEN_DATA_DIR", str(tmp_path / "data"))
    _assert_tiny(IDXDataset(spec=SPEC, download=False))


def test_root_argument_beats_environment(tmp_path, monkeypatch):
    write_tiny_files(tmp_path / "mine")
    monkeypatch.setenv("MINIGEN_DATA_DIR", str(tmp_path / "nowhere"))
    _assert_tiny(IDXDataset(spec=SPEC, root=tmp_path / "mine", download=False))


def test_system_copy_is_found(tmp_path):
    write_tiny_files(tmp_path / "share" / "datasets" / "tiny")  # as Debian installs
    _assert_tiny(IDXDataset(spec=SPEC, download=False))


def test_bad_copy_in_explicit_folder_is_skipped_not_touched(tmp_path, server):
    write_tiny_files(tmp_path / "mine", seed=1)
    write_tiny_files(server.root / "good")
    with pytest.warns(UserWarning, match="ignoring"):
        _assert_tiny(IDXDataset(spec=SPEC, root=tmp_path / "mine", mirrors=[server.url + "good"]))
    assert not list((tmp_path / "mine").glob("*.corrupt"))  # the user's files are left alone


def test_compressed_checksum_accepts_gz_and_refuses_raw(tmp_path):
    gz_spec = tiny_spec(by="gz")  # as MNIST: only the published .gz checksums are known
    write_tiny_files(tmp_path / "gz")
    _assert_tiny(IDXDataset(spec=gz_spec, root=tmp_path / "gz", download=False))
    write_tiny_files(tmp_path / "raw", compress=False)
    with pytest.warns(UserWarning, match="cannot be verified"):
        with pytest.raises(DatasetNotFoundError, match="supply the original"):
            IDXDataset(spec=gz_spec, root=tmp_path / "raw", download=False)


def test_md5_of_gz_is_accepted(tmp_path):
    from dataclasses import replace

    images, _ = tiny_arrays()
    md5 = hashlib.md5(gzip.compress(encode_idx(images), mtime=0)).hexdigest()
    spec = tiny_spec(by="gz")
    spec = replace(spec, train_images=replace(spec.train_images, gz_sha256=(), gz_md5=(md5,)))
    write_tiny_files(tmp_path / "d")
    _assert_tiny(IDXDataset(spec=spec, root=tmp_path / "d", download=False))


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a test tried to reach the network")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)


def test_real_datasets_offline_say_how_to_supply_files(tmp_path, no_network):
    with pytest.raises(DatasetNotFoundError) as info:
        FashionMNIST(root=tmp_path, download=False)
    message = str(info.value)
    assert "apt-get install dataset-fashion-mnist" in message
    assert "t10k-labels-idx1-ubyte.gz" in message
    with pytest.raises(DatasetNotFoundError, match="MNIST: no usable copy of train-images"):
        MNIST(root=tmp_path, download=False)


def test_real_dataset_download_errors_are_collected(no_network, monkeypatch):
    import minigen.data.download as download_module

    def unreachable(request, timeout):
        raise OSError("network is unreachable")

    monkeypatch.setattr(download_module.urllib.request, "urlopen", unreachable)
    with pytest.raises(DatasetNotFoundError) as info:
        MNIST(train=False)
    message = str(info.value)
    assert "https://ossci-datasets.s3.amazonaws.com/mnist/t10k-images-idx3-ubyte.gz" in message
    assert "https://storage.googleapis.com/cvdf-datasets/mnist/t10k-images-idx3-ubyte.gz" in message
    assert "network is unreachable" in message
