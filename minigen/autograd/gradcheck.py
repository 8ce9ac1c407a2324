"""``gradcheck``: compare backward() with central finite differences, in float64.

For a scalar L(x), the central difference

    dL/dx_i  ~  (L(x + eps e_i) - L(x - eps e_i)) / (2 eps)

has error O(eps^2), so with eps = 1e-6 in float64 it agrees with a correct analytic gradient to
about 1e-8. A non-scalar output y is reduced to the scalar L = sum(y * v) with a fixed random
upstream gradient v, which tests every output element's gradient at once.

The full mode perturbs every element of every input (2 forward passes per element). The
directional mode checks the derivative along random directions d instead:

    (L(x + eps d) - L(x - eps d)) / (2 eps)  ~  sum_i dL/dx_i d_i

which costs 2 forward passes per direction whatever the size, for large inputs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from minigen.autograd.grad_mode import no_grad
from minigen.autograd.tensor import Tensor
from minigen.backend.transfer import move_array
from minigen.errors import MinigenError

#: Inputs with more elements than this are checked along random directions by default.
DIRECTIONAL_ABOVE = 4096


class GradcheckError(MinigenError, AssertionError):
    """The analytic and numeric gradients disagree; the message is the report."""


def gradcheck(
    fn: Callable[..., Tensor],
    inputs: Sequence[Tensor] | Tensor,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    directional: bool | None = None,
    n_directions: int = 3,
    seed: int = 0,
) -> bool:
    """Check ``fn(*inputs)``'s backward against central differences; raise with a report.

    Every input that requires grad is checked (tensors ``fn`` reaches without taking them as
    arguments, such as a layer's weights, can be listed too: they are perturbed in place).
    Inputs must be float64. ``directional=None`` picks the directional mode for inputs with
    more than ``DIRECTIONAL_ABOVE`` elements. Returns True when every check passes.
    """
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    checked = [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]
    if not checked:
        raise ValueError("gradcheck: no input requires grad, so there is nothing to check")
    for i, t in enumerate(checked):
        if t.dtype.name != "float64":
            raise ValueError(
                f"gradcheck: input {i} is {t.dtype}; finite differences need float64 "
                "(use x.double() and module.double())"
            )
    rng = np.random.default_rng(seed)
    out = fn(*inputs)

    def scalar_loss() -> float:
        with no_grad():
            y = fn(*inputs)
        return float((y.numpy() * upstream_host).sum())

    upstream_host = rng.standard_normal(out.shape)
    upstream = _as_device(upstream_host, out)
    for t in checked:
        t.grad = None
    out.backward(upstream)
    analytic = [
        np.zeros(t.shape) if t.grad is None else t.grad.numpy().astype(np.float64) for t in checked
    ]

    use_directions = directional
    if use_directions is None:
        use_directions = any(t.numel() > DIRECTIONAL_ABOVE for t in checked)
    if use_directions:
        _check_directions(checked, analytic, scalar_loss, eps, atol, rtol, n_directions, rng)
    else:
        for index, (t, grad) in enumerate(zip(checked, analytic, strict=True)):
            numeric = _numeric_gradient(t, scalar_loss, eps)
            _compare(index, t, grad, numeric, atol, rtol)
    return True


def _as_device(host: np.ndarray, like: Tensor) -> Tensor:
    return Tensor.wrap(move_array(host.astype(like.dtype.native(np)), like.device))


def _numeric_gradient(t: Tensor, loss: Callable[[], float], eps: float) -> np.ndarray:
    original = t.array
    host = t.numpy().astype(np.float64).copy()
    numeric = np.zeros_like(host)
    flat = host.reshape(-1)
    try:
        for i in range(flat.size):
            keep = flat[i]
            flat[i] = keep + eps
            t.array = move_array(host.copy(), t.device)
            plus = loss()
            flat[i] = keep - eps
            t.array = move_array(host.copy(), t.device)
            minus = loss()
            flat[i] = keep
            numeric.reshape(-1)[i] = (plus - minus) / (2 * eps)
    finally:
        t.array = original
    return numeric


def _check_directions(
    checked: list[Tensor],
    analytic: list[np.ndarray],
    loss: Callable[[], float],
    eps: float,
    atol: float,
    rtol: float,
    n_directions: int,
    rng: np.random.Generator,
) -> None:
    originals = [t.array for t in checked]
    hosts = [t.numpy().astype(np.float64).copy() for t in checked]
    try:
        for k in range(n_directions):
            directions = [rng.standard_normal(h.shape) for h in hosts]
            values = []
            for sign in (1, -1):
                for t, h, d in zip(checked, hosts, directions, strict=True):
                    t.array = move_array(h + sign * eps * d, t.device)
                values.append(loss())
            numeric = (values[0] - values[1]) / (2 * eps)
            predicted = sum(float((g * d).sum()) for g, d in zip(analytic, directions, strict=True))
            if abs(numeric - predicted) > atol + rtol * abs(numeric):
                raise GradcheckError(
                    f"gradcheck failed along random direction {k} (all {len(checked)} inputs at "
                    f"once): analytic {predicted:.8g}, numeric {numeric:.8g}, "
                    f"abs err {abs(numeric - predicted):.3g} (atol {atol}, rtol {rtol})"
                )
    finally:
        for t, data in zip(checked, originals, strict=True):
            t.array = data


def _compare(index: int, t: Tensor, analytic: np.ndarray, numeric: np.ndarray, atol: float, rtol: float) -> None:
    error = np.abs(analytic - numeric)
    allowed = atol + rtol * np.abs(numeric)
    if np.all(error <= allowed):
        return
    worst = np.unravel_index(int(np.argmax(error - allowed)), error.shape) if error.ndim else ()
    a, n, e = analytic[worst], numeric[worst], error[worst]
    rel = e / max(abs(n), 1e-12)
    bad = int(np.sum(error > allowed))
    raise GradcheckError(
        f"gradcheck failed for input {index} (shape {t.shape}): {bad} of {error.size} elements "
        f"disagree. Worst at index {tuple(int(i) for i in worst)}: analytic {a:.8g}, "
        f"numeric {n:.8g}, abs err {e:.3g}, rel err {rel:.3g} (atol {atol}, rtol {rtol})"
    )
