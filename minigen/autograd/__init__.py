"""Reverse-mode automatic differentiation: Tensor, Function, backward, no_grad, gradcheck."""

from minigen.autograd.engine import grad
from minigen.autograd.function import Function
from minigen.autograd.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from minigen.autograd.tensor import Tensor

__all__ = ["Function", "Tensor", "grad", "enable_grad", "is_grad_enabled", "no_grad", "set_grad_enabled"]
