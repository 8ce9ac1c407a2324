"""benchmarks/pytorch_examples.py and its shims, on tiny examples written here (no checkout of
pytorch/examples needed): the rewrite changes only imports and DataLoader calls, line for line;
a run reports completion or the example's failing line; the shims batch like PyTorch's."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

import minigen as mg

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import pytorch_examples as runner  # noqa: E402
import torch_data_shim  # noqa: E402
from torchvision_shim import datasets, transforms  # noqa: E402

TINY = '''\
import argparse
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import optim
from torchvision import datasets, transforms
from torchvision.utils import save_image

parser = argparse.ArgumentParser()
parser.add_argument("--dry-run", action="store_true")
args = parser.parse_args()
torch.manual_seed(1)
transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
loader = torch.utils.data.DataLoader(datasets.MNIST("../data", train=False, transform=transform),
                                     batch_size=32, shuffle=True, num_workers=1, pin_memory=True)
model = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
optimizer = optim.SGD(model.parameters(), lr=0.1)
for batch_idx, (data, target) in enumerate(loader):
    optimizer.zero_grad()
    loss = F.cross_entropy(model(data), target)
    loss.backward()
    optimizer.step()
    print("batch", batch_idx, data.shape, target.dtype, loss.item())
    if args.dry_run:
        break
save_image(data[:8], "grid.png", normalize=True)
torch.save(model.state_dict(), "tiny.pt")
print("done", len(loader))
'''


def test_rewrite_changes_only_imports_and_data_loading_line_for_line():
    source = (
        "import torch\nimport torch.nn.parallel\nimport torch.utils.data\n"
        "from torch.optim.lr_scheduler import (\n    StepLR,\n)\nimport torchvision.utils as vutils\n"
        "import os  # stays\nx = torch.utils.data.DataLoader(ds)\ny = torch.ones(2)  # torch.utils.data.\n"
    )
    rewrite = runner.rewrite_source(source)
    new = rewrite.source.splitlines()
    assert len(new) == len(source.splitlines())
    assert new[0] == "import minigen as torch"
    assert new[1] == "import minigen.nn.parallel; import minigen as torch"
    assert new[2] == "import torch_data_shim; import minigen as torch"
    assert new[3] == "from minigen.optim.lr_scheduler import StepLR" and new[4] == new[5] == ""
    assert new[6] == "import torchvision_shim.utils as vutils"
    assert new[7] == "import os  # stays" and new[8] == "x = torch_data_shim.DataLoader(ds)"
    assert new[9].startswith("y = torch.ones(2)")
    assert [line for line, _, _ in rewrite.changes] == [1, 2, 3, 4, 5, 6, 7, 9, 10]


def test_data_loader_use_without_its_import_gets_the_shim_on_the_torch_line():
    rewrite = runner.rewrite_source("import torch as th\nloader = th.utils.data.DataLoader([1, 2])\n")
    assert rewrite.source == (
        "import minigen as th; import torch_data_shim\nloader = torch_data_shim.DataLoader([1, 2])\n"
    )


@pytest.fixture
def examples(tmp_path):
    def write(name: str, source: str) -> runner.Example:
        folder = tmp_path / "examples" / name
        folder.mkdir(parents=True)
        (folder / "main.py").write_text(source)
        return runner.Example(name, f"{name}/main.py", ["--dry-run"], [])

    return write


def test_a_tiny_example_runs_to_completion(examples, tmp_path):
    example = examples("tiny", TINY)
    result = runner.run_example(example, tmp_path / "examples", tmp_path / "work", timeout=120)
    assert result.ok, result.log.read_text()
    assert result.summary == "ran to completion; last output: done 53"  # 1,666 test digits / 32
    assert result.missing == []
    out = tmp_path / "work" / "tiny"
    assert (out / "grid.png").is_file() and set(mg.load(str(out / "tiny.pt"))) == {"1.weight", "1.bias"}
    assert "batch 0 (32, 1, 28, 28) minigen.int64" in result.log.read_text()


def test_a_failure_names_the_examples_line_and_what_minigen_lacks(examples, tmp_path):
    source = "import torch\n\nx = torch.ones(3)\ny = x.sum()\nz = torch.no_such_function(y)\n"
    result = runner.run_example(examples("broken", source), tmp_path / "examples", tmp_path / "work", timeout=120)
    assert not result.ok
    assert result.summary.startswith("failed at main.py:5 `z = torch.no_such_function(y)`")
    assert "AttributeError" in result.summary and "no_such_function" in result.summary
    assert "torch.no_such_function" in result.missing


def test_missing_names_checks_keywords_against_minigens_signatures():
    missing = runner.missing_names("import minigen as torch\nx = torch.ones(2, no_such_keyword=1)\n")
    assert missing and missing[0].startswith("torch.ones(...)") and "no_such_keyword" in missing[0]


def test_pytorch_names_are_spelled_as_in_pytorch():
    source = (
        "import minigen as torch\nimport minigen.nn.functional as F\n"
        "y = F.relu(torch.ones(2))\nz = torch.nn.init.zeros_\n"
    )
    used, missing = runner.pytorch_names(source)
    assert used == ["torch.nn.functional.relu", "torch.nn.init.zeros_", "torch.ones"] and missing == []


def test_first_error_points_into_minigen_when_it_failed_there(tmp_path):
    script = tmp_path / "main.py"
    stderr = (
        "Traceback (most recent call last):\n"
        f'  File "{script}", line 7, in <module>\n    y = f(x)\n'
        '  File "/x/minigen/nn/functional.py", line 12, in f\n    raise ValueError("bad")\n'
        "ValueError: bad\n"
    )
    where = runner.first_error(stderr, script)
    assert where == "main.py:7 `y = f(x)` (in minigen/nn/functional.py:12): ValueError: bad"


# -- the shims --------------------------------------------------------------------------------------

def test_loader_batches_shuffles_and_collates_as_pytorch(monkeypatch):
    items = [(np.full((2,), i, dtype=np.float32), i) for i in range(10)]
    loader = torch_data_shim.DataLoader(items, batch_size=4, num_workers=2, pin_memory=True)
    batches = list(loader)
    assert len(loader) == 3 and [b[0].shape for b in batches] == [(4, 2), (4, 2), (2, 2)]
    assert batches[2][1].tolist() == [8, 9] and batches[2][1].dtype == mg.int64
    assert len(torch_data_shim.DataLoader(items, batch_size=4, drop_last=True)) == 2
    mg.manual_seed(7)
    first = [y.tolist() for _, y in torch_data_shim.DataLoader(items, batch_size=5, shuffle=True)]
    mg.manual_seed(7)
    again = [y.tolist() for _, y in torch_data_shim.DataLoader(items, batch_size=5, shuffle=True)]
    assert first == again and sorted(sum(first, [])) == list(range(10)) and first != [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]
    collated = torch_data_shim.default_collate([{"a": 1.5, "b": (mg.ones(2), 3)}, {"a": 2.5, "b": (mg.zeros(2), 4)}])
    assert collated["a"].dtype == mg.float64 and collated["b"][0].tolist() == [[1, 1], [0, 0]]
    monkeypatch.setenv(torch_data_shim.MAX_BATCHES_ENV, "2")
    capped = torch_data_shim.DataLoader(items, batch_size=3)
    assert len(capped) == 2 and len(list(capped)) == 2
    with pytest.raises(ValueError, match="mutually exclusive"):
        torch_data_shim.DataLoader(items, sampler=range(10), shuffle=True)


def test_mnist_and_transforms_against_numpy():
    test = datasets.MNIST("unused", train=False)
    image, label = test[0]
    assert len(test) == 1666 and image.dtype == np.uint8 and image.shape == (28, 28) and isinstance(label, int)
    x = transforms.ToTensor()(image)
    np.testing.assert_array_equal(x.numpy(), (image.astype(np.float32) / np.float32(255))[None])
    normed = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.25,))])(image)
    np.testing.assert_allclose(normed.numpy(), (x.numpy() - 0.5) / 0.25, rtol=1e-6)
    crop = transforms.CenterCrop(10)(image)
    np.testing.assert_array_equal(crop, image[9:19, 9:19])
    assert transforms.Lambda(lambda a: a.sum())(np.ones(3)) == 3


def _bilinear(a: np.ndarray, out: int) -> np.ndarray:
    """Half-pixel-centre bilinear resize of a square image (PIL's and align_corners=False)."""
    n = a.shape[0]
    pos = np.clip((np.arange(out) + 0.5) * n / out - 0.5, 0, n - 1)
    lo = np.floor(pos).astype(int)
    hi = np.minimum(lo + 1, n - 1)
    w = pos - lo
    rows = a[lo] * (1 - w)[:, None] + a[hi] * w[:, None]
    return rows[:, lo] * (1 - w)[None] + rows[:, hi] * w[None]


def test_resize_enlarges_bilinearly_and_keeps_uint8_images():
    image = np.random.default_rng(0).integers(0, 256, (7, 7)).astype(np.uint8)
    big = transforms.Resize(16)(image)
    assert big.dtype == np.uint8 and big.shape == (16, 16)
    expected = np.floor(_bilinear(image.astype(np.float64), 16) + 0.5)
    assert np.abs(big.astype(int) - expected).max() <= 1  # float32 rounding at .5 ties
    tensor = transforms.Resize((16, 16))(mg.tensor(image[None].astype(np.float32)))
    np.testing.assert_allclose(tensor.numpy()[0], _bilinear(image.astype(np.float64), 16), rtol=1e-5, atol=1e-4)
    assert transforms.Resize(14)(np.zeros((7, 21), np.uint8)).shape == (14, 42)
