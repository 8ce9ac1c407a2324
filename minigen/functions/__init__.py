"""The differentiable operations: ``from minigen import functions as F``, then ``F.add(a, b)``,
``F.sum(x, dim)``, ...

Each theme file holds its Function classes (forward, backward and a docstring with the local
derivative), each followed by the plain function that applies it (``add`` beside ``Add``).
This module only gathers them:

- arithmetic.py   add, sub, mul, div, neg (and PyTorch's integer-to-float promotion)
- elementwise.py  exp, log, sqrt, abs, pow, log1p, expm1
- activations.py  tanh, sigmoid, relu, leaky_relu
- matmul.py       matmul, mm
- reductions.py   sum, mean, var, max, min, argmax, argmin
- norms.py        std, norm
- selection.py    clamp, maximum, minimum, where
- softmax.py      softmax, log_softmax
- shape.py        reshape, flatten, unsqueeze, squeeze, repeat, permute, transpose
- broadcasting.py broadcast_to (and ``sum_to``, broadcasting's backward)
- join.py         cat, stack
- indexing.py     getitem, split, chunk (and ``index_key``)
- gather.py       gather
- cast.py         cast, to_device, clone
- comparison.py   compare (``==``, ``<``, ...)
- inplace.py      inplace, setitem, assign, fill_value, random_like (``add_``, ``x[k] = v``, ...)
- new_tensors.py  new_like (``x.new_zeros(...)`` and friends)
- arguments.py    the checks several of them share: a dim in range, a floating-point input

The layers' Functions (linear, conv, batchnorm, pooling, dropout, embedding, losses, pad,
interpolate) are called from ``minigen.nn.functional``, which imports them from their files.
"""

from __future__ import annotations

from minigen.autograd.tensor import MaxResult, Tensor
from minigen.functions.activations import LeakyReLU, ReLU, Sigmoid, Tanh, leaky_relu, relu, sigmoid, tanh
from minigen.functions.arithmetic import Add, Div, Mul, Neg, Sub, add, div, mul, neg, sub
from minigen.functions.broadcasting import BroadcastTo, broadcast_to
from minigen.functions.cast import Cast, Copy, ToDevice, cast, clone, to_device
from minigen.functions.comparison import compare
from minigen.functions.elementwise import Abs, Exp, Expm1, Log, Log1p, Pow, Sqrt, abs, exp, expm1, log, log1p, pow, sqrt
from minigen.functions.gather import Gather, gather
from minigen.functions.indexing import GetItem, chunk, getitem, index_key, split
from minigen.functions.inplace import assign, fill_value, inplace, random_like, setitem
from minigen.functions.join import Cat, Stack, cat, stack
from minigen.functions.matmul import MatMul, matmul, mm
from minigen.functions.new_tensors import new_like
from minigen.functions.norms import Norm, Std, norm, std
from minigen.functions.reductions import Max, Mean, Sum, Var, argmax, argmin, max, mean, min, sum, var
from minigen.functions.selection import Clamp, Maximum, Where, clamp, maximum, minimum, where
from minigen.functions.shape import Permute, Reshape, flatten, permute, repeat, reshape, squeeze, transpose, unsqueeze
from minigen.functions.softmax import LogSoftmax, Softmax, log_softmax, softmax

__all__ = [
    # Function classes
    "Abs", "Add", "BroadcastTo", "Cast", "Cat", "Clamp", "Copy", "Div", "Exp", "Expm1", "Gather",
    "GetItem", "LeakyReLU", "Log", "Log1p", "LogSoftmax", "MatMul", "Max", "Maximum", "Mean", "Mul",
    "Neg", "Norm", "Permute", "Pow", "ReLU", "Reshape", "Sigmoid", "Softmax", "Sqrt", "Stack", "Std",
    "Sub", "Sum", "Tanh", "ToDevice", "Var", "Where",
    # plain functions
    "abs", "add", "argmax", "argmin", "broadcast_to", "cast", "cat", "chunk", "clamp", "clone", "div",
    "exp", "expm1", "flatten", "gather", "getitem", "leaky_relu", "log", "log1p", "log_softmax",
    "matmul", "max", "maximum", "mean", "min", "minimum", "mm", "mul", "neg", "norm", "permute", "pow",
    "relu", "repeat", "reshape", "sigmoid", "softmax", "split", "sqrt", "squeeze", "stack", "std",
    "sub", "sum", "tanh", "to_device", "transpose", "unsqueeze", "var", "where",
    # what Tensor's methods and operators call besides
    "MaxResult", "Tensor", "assign", "compare", "fill_value", "index_key", "inplace", "new_like",
    "random_like", "setitem",
]
