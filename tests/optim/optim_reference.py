"""NumPy references of PyTorch's SGD and Adam updates, line by line as torch/optim writes them.

They compute with the same operations in the same order as PyTorch's single-tensor CPU code
(``exp_avg.lerp_``, ``exp_avg_sq.mul_().addcmul_()``, ``param.addcdiv_()``), so minigen, which
follows the same order, must agree with them to the last bit. ``textbook_adam`` is the
algorithm as the paper writes it, which agrees to rounding.
"""

from __future__ import annotations

import math

import numpy as np


def torch_sgd(p, grads, lr, momentum=0.0, weight_decay=0.0):
    """Parameters after each step of torch.optim.SGD (dampening 0, no nesterov)."""
    p, buf, history = p.copy(), None, []
    for g in grads:
        if weight_decay != 0:
            g = g + weight_decay * p  # grad.add(param, alpha=weight_decay)
        if momentum != 0:
            if buf is None:
                buf = g.copy()  # torch.clone(grad).detach(): the buffer starts at the grad
            else:
                buf = buf * momentum + g  # buf.mul_(momentum).add_(grad, alpha=1 - 0)
            g = buf
        p = p - lr * g  # param.add_(grad, alpha=-lr)
        history.append(p.copy())
    return history


def torch_adam(p, grads, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    """Parameters after each step of torch.optim.Adam (amsgrad off, L2 weight decay)."""
    beta1, beta2 = betas
    p, history = p.copy(), []
    exp_avg, exp_avg_sq = np.zeros_like(p), np.zeros_like(p)
    for step, g in enumerate(grads, start=1):
        if weight_decay != 0:
            g = g + weight_decay * p
        exp_avg = exp_avg + (1 - beta1) * (g - exp_avg)  # exp_avg.lerp_(grad, 1 - beta1)
        exp_avg_sq = exp_avg_sq * beta2 + (1 - beta2) * g * g  # .mul_(b2).addcmul_(g, g, 1-b2)
        bias_correction1 = 1 - beta1**step
        bias_correction2 = 1 - beta2**step
        step_size = lr / bias_correction1
        bias_correction2_sqrt = math.sqrt(bias_correction2)
        denom = np.sqrt(exp_avg_sq) / bias_correction2_sqrt + eps
        p = p - step_size * exp_avg / denom  # param.addcdiv_(exp_avg, denom, value=-step_size)
        history.append(p.copy())
    return history


def textbook_adam(p, grads, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    """Algorithm 1 of Kingma & Ba (2015), with eps added after the bias-corrected sqrt(v).

    PyTorch's denom sqrt(v)/sqrt(1 - b2^t) + eps is sqrt(v_hat) + eps: the same algorithm.
    """
    beta1, beta2 = betas
    p, m, v, history = p.copy(), np.zeros_like(p), np.zeros_like(p), []
    for t, g in enumerate(grads, start=1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)
        p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
        history.append(p.copy())
    return history


def run_minigen(make_optimizer, p0, grads, device="cpu"):
    """minigen's parameters (as NumPy) after each step, feeding ``grads`` as ready gradients."""
    import minigen as mg

    p = mg.tensor(p0, device=device, requires_grad=True)
    optimizer = make_optimizer([p])
    history = []
    for g in grads:
        p.grad = mg.tensor(g, device=device)
        optimizer.step()
        assert p.dtype.name == p0.dtype.name and p.device == mg.device(device)
        history.append(p.numpy().copy())
    return history


def random_problem(dtype, steps=5, shape=(4, 3), seed=0):
    """A start point and a fixed sequence of gradients."""
    rng = np.random.default_rng(seed)
    p0 = rng.standard_normal(shape).astype(dtype)
    grads = [rng.standard_normal(shape).astype(dtype) for _ in range(steps)]
    return p0, grads
