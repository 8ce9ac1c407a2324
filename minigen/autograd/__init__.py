"""Reverse-mode automatic differentiation: Tensor, Function, backward, no_grad, gradcheck."""

# Tensor first: tensor.py ends by importing minigen.functions, whose Functions import
# minigen.autograd.function, which needs the (by then defined) Tensor class.
from minigen.autograd.tensor import Tensor  # isort: skip
from minigen.autograd.engine import grad
from minigen.autograd.function import Function
from minigen.autograd.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled

__all__ = ["Function", "Tensor", "grad", "enable_grad", "is_grad_enabled", "no_grad", "set_grad_enabled"]
