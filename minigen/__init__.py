"""minigen: a from-scratch deep-learning engine for teaching generative models.

The names mirror PyTorch's: ``mg.tensor``, ``mg.randn_like``, ``x.backward()``, ``x.grad``,
``mg.no_grad()``, ``x.to("cuda")``. Devices are backends: "cpu" computes with NumPy, "cuda"
with CuPy.
"""

# First, before anything below computes with tensors: Tensor's operators and methods are
# attached in one place, minigen/functions/tensor_methods.py.
from minigen.functions import tensor_methods as _tensor_methods  # noqa: F401  # isort: skip
from minigen import accelerator, backends, nn, optim
from minigen.autograd.function import Function
from minigen.autograd.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from minigen.autograd.gradcheck import GradcheckError, gradcheck
from minigen.autograd.tensor import Tensor
from minigen.backend import cuda
from minigen.backend.device import Device, get_default_device, set_default_device, synchronize
from minigen.backend.random import Generator, get_rng_state, initial_seed, manual_seed, set_rng_state
from minigen.creation import (
    arange,
    empty,
    eye,
    from_numpy,
    full,
    full_like,
    is_tensor,
    linspace,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from minigen.dtypes import DType, bool_, float16, float32, float64, int32, int64, uint8
from minigen.functions import (
    abs,
    argmax,
    argmin,
    cat,
    chunk,
    clamp,
    exp,
    expm1,
    flatten,
    gather,
    log,
    log1p,
    log_softmax,
    matmul,
    max,
    maximum,
    mean,
    min,
    minimum,
    mm,
    norm,
    permute,
    relu,
    reshape,
    sigmoid,
    softmax,
    split,
    sqrt,
    squeeze,
    stack,
    std,
    sum,
    tanh,
    transpose,
    unsqueeze,
    var,
    where,
)
from minigen.info import info
from minigen.safetensors_file import load_safetensors, save_safetensors
from minigen.serialization import load, save
from minigen.version import __version__ as __version__

device = Device

# PyTorch's dtype aliases. Defined last: inside this file they shadow the builtins float, int
# and bool, which nothing below uses.
long, int, double, float, half, bool = int64, int32, float64, float32, float16, bool_  # noqa: A001

__all__ = [
    "DType", "Device", "Function", "Generator", "GradcheckError", "Tensor", "abs", "arange", "bool_", "cat",
    "clamp", "cuda", "device", "enable_grad", "exp", "flatten", "float16", "float32", "float64",
    "from_numpy", "full", "full_like", "get_default_device", "get_rng_state", "gradcheck",
    "info", "initial_seed", "int32", "int64", "is_grad_enabled", "log", "manual_seed", "matmul",
    "max", "maximum", "mean", "no_grad", "ones", "ones_like", "permute", "rand", "rand_like",
    "randn", "randn_like", "relu", "reshape", "set_default_device", "set_grad_enabled",
    "set_rng_state", "sigmoid", "sqrt", "squeeze", "stack", "sum", "synchronize", "tanh",
    "tensor", "transpose", "uint8", "unsqueeze", "var", "where", "zeros", "zeros_like",
    "load", "nn", "optim", "save", "argmax", "argmin", "empty", "eye", "is_tensor", "linspace",
    "randint", "randperm", "long", "int", "double", "float", "half", "bool", "autograd",
    "accelerator", "backends", "load_safetensors", "save_safetensors",
    "chunk", "expm1", "gather", "log1p", "log_softmax", "min", "minimum", "mm", "norm", "softmax",
    "split", "std",
]
