"""Tensors behave as PyTorch's: comparisons, Python conversions, the legacy constructor, when
``requires_grad`` is read, and errors raised inside a Function (docs/engine.md)."""

from __future__ import annotations

import re
import traceback
from pathlib import Path

import numpy as np
import pytest

import minigen as mg
from minigen.errors import GradError, ShapeError


# -- comparisons --------------------------------------------------------------------------------
def test_equality_is_elementwise_and_hash_stays_identity():
    A = mg.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert (A[0] == A[0]).tolist() == [True, True]
    assert (A != 2).tolist() == [[True, False], [True, True]]
    pred, target = mg.tensor([1, 2, 3, 1]), mg.tensor([1, 0, 3, 2])
    assert int((pred == target).sum()) == 2  # the accuracy idiom
    assert len({A, A[0], A}) == 2 and {A: 1}[A] == 1  # sets and dicts by identity
    assert (A == None) is False and (A != "x") is True  # noqa: E711


@pytest.mark.parametrize("device", ["cpu", "strict"])
def test_every_comparison_with_tensors_and_numbers_on_either_side(device):
    x = mg.tensor([1.0, 2.0, 3.0], device=device)
    ints = mg.tensor([1, 2, 3], device=device)
    assert (x < 2).tolist() == [True, False, False] and (2 < x).tolist() == [False, False, True]
    assert (x <= 2).tolist() == [True, True, False] and (x >= 2).tolist() == [False, True, True]
    assert (x > ints).tolist() == [False] * 3 and (x == ints).tolist() == [True] * 3
    assert (ints < 1.5).tolist() == [True, False, False]  # compared as floats, as in PyTorch
    assert x.eq(2).dtype == mg.bool_ and x.lt(ints).tolist() == [False] * 3
    assert not (x == 2).requires_grad


def test_comparing_shapes_that_do_not_broadcast_is_one_clear_error():
    with pytest.raises(ShapeError, match=r"\(2,\) and \(3,\)"):
        mg.tensor([1, 2]) == mg.tensor([1, 2, 3])  # noqa: B015


def test_truth_value_only_for_one_element():
    assert bool(mg.tensor([0.5])) and not bool(mg.tensor(0.0))
    with pytest.raises(RuntimeError, match="Boolean value of Tensor with more than one value is ambiguous"):
        bool(mg.tensor([1.0, 2.0]))


# -- Python numbers -----------------------------------------------------------------------------
def test_float_int_complex_index_and_format():
    t = mg.tensor([2.75])
    assert float(t) == 2.75 and int(t) == 2 and complex(t) == 2.75 + 0j
    assert f"{mg.tensor(2.5):.3f}" == "2.500" and f"{mg.tensor(3):>3}" == "  3"
    assert ["a", "b", "c"][mg.tensor(1)] == "b"
    with pytest.raises(TypeError, match="only integer tensors of a single element"):
        ["a", "b"][mg.tensor(1.0)]
    with pytest.raises(ValueError, match="only one element tensors"):
        float(mg.tensor([1.0, 2.0]))
    with pytest.raises(TypeError, match="unsupported format string"):
        f"{mg.tensor([1.0, 2.0]):.2f}"
    assert f"{mg.tensor([1.0, 2.0])}" == repr(mg.tensor([1.0, 2.0]))


# -- the legacy constructor ------------------------------------------------------------------------
def test_tensor_class_is_pytorchs_legacy_constructor():
    t = mg.Tensor([[1, 2], [3, 4]])
    assert t.dtype == mg.float32 and t.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert mg.Tensor(2, 3).shape == (2, 3) and mg.Tensor(2, 3).dtype == mg.float32
    assert mg.Tensor().shape == (0,)
    assert mg.Tensor(np.array([1, 2])).dtype == mg.float32
    assert mg.Tensor([1.5], requires_grad=True).requires_grad
    for bad in (3.5, "abc", None):
        with pytest.raises(TypeError, match="mg.Tensor"):
            mg.Tensor(bad)


def test_engine_code_wraps_arrays_with_tensor_wrap():
    """``Tensor(...)`` is PyTorch's legacy constructor (float32 whatever the data); engine code
    that wraps an array it computed must use ``Tensor.wrap`` or it silently casts to float32."""
    root = Path(__file__).resolve().parents[1] / "minigen"
    call = re.compile(r"(?<![.\w])Tensor\(")
    found = []
    for path in sorted(root.rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if call.search(code) and "class " not in code and "``" not in code and "mg.Tensor(" not in code:
                found.append(f"{path.relative_to(root.parent)}:{number}: {line.strip()}")
    assert not found, "use Tensor.wrap(array) in engine code:\n" + "\n".join(found)


# -- requires_grad is read when the graph is built ----------------------------------------------------
def test_freezing_after_the_forward_still_fills_nothing_and_unfreezing_adds_nothing():
    x = mg.ones(2, requires_grad=True)
    w = mg.ones(2, requires_grad=True)
    w.requires_grad_(False)
    y = (x * w).sum()  # built while w is frozen: the graph has no edge to w
    w.requires_grad_(True)
    y.backward()
    assert w.grad is None and x.grad.tolist() == [1.0, 1.0]

    a = mg.ones(2, requires_grad=True)
    z = (a * 2).sum()
    a.requires_grad_(False)  # frozen between forward and backward: no gradient is kept
    z.backward()
    assert a.grad is None


def test_requires_grad_of_a_computed_tensor_cannot_be_switched_off():
    y = mg.ones(2, requires_grad=True) * 2
    with pytest.raises(GradError, match="only change requires_grad flags of leaf"):
        y.requires_grad_(False)


def test_gan_generator_step_leaves_the_discriminators_gradient_untouched():
    from minigen.models import GAN
    from minigen.train import GANStep

    mg.manual_seed(0)
    model = GAN()
    step = GANStep(model)
    real = mg.rand(8, 784) * 2 - 1
    # Give D's weights a recognisable gradient, then run only the G half of a step.
    for p in model.discriminator.parameters():
        p.grad = mg.full(p.shape, 7.0)
    ones, zeros = mg.ones(8), mg.zeros(8)
    fake = model.generate(model.noise(8, real.device), None)
    step._generator_step(fake, None, ones, zeros)
    for p in model.discriminator.parameters():
        assert p.requires_grad
        np.testing.assert_array_equal(p.grad.numpy(), np.full(p.shape, 7.0, dtype=np.float32))
    assert all(p.grad is not None for p in model.generator.parameters())


# -- errors inside a Function --------------------------------------------------------------------------
class Typo(mg.Function):
    def forward(self, x):
        return x * self.scale_factor_typo  # AttributeError-free typo: a TypeError below

    def backward(self, gy):
        return gy


class BadShapes(mg.Function):
    def forward(self, x):
        return np.add(x, np.ones(7))  # a ValueError of the student's own making


def test_errors_in_your_own_function_keep_their_traceback():
    Typo.scale_factor_typo = None
    with pytest.raises(TypeError) as info:
        Typo.apply(mg.ones(3))
    frames = traceback.extract_tb(info.value.__traceback__)
    assert frames[-1].name == "forward" and "scale_factor_typo" in frames[-1].line
    with pytest.raises(ValueError) as info:
        BadShapes.apply(mg.ones(3))
    assert not isinstance(info.value, ShapeError)
    assert "np.add(x, np.ones(7))" in traceback.extract_tb(info.value.__traceback__)[-1].line


def test_shape_errors_of_minigens_functions_stay_one_line_and_keep_their_cause():
    with pytest.raises(ShapeError, match=r"MatMul cannot take inputs of shapes \(2, 3\) and \(2, 3\)") as info:
        mg.ones(2, 3) @ mg.ones(2, 3)
    assert "\n" not in str(info.value) and isinstance(info.value.__cause__, ValueError)
