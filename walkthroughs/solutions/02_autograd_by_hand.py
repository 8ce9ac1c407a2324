"""Solutions to the "implement it" exercises of walkthroughs/02_autograd_by_hand.py.

Each function replaces the skeleton of the same name in the lesson (tests/test_exercises.py
runs the lesson's check cells with it).
"""


def linear_backward(x, W, grad_y):
    """(grad_x, grad_W, grad_b) of y = x @ W.T + b, from grad_y = dL/dy of shape (N, out)."""
    grad_x = grad_y @ W  # (N, out) (out, in): each input meets every output through W
    grad_W = grad_y.T @ x  # (out, N) (N, in): summed over the batch
    grad_b = grad_y.sum(axis=0)  # the bias meets every row, multiplied by 1
    return grad_x, grad_W, grad_b
