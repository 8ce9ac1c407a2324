# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 9. GPU vs CPU: timing, and why a GPU needs large batches
#
# A GPU is not "faster" in general: it is faster at large amounts of the same arithmetic, and
# slower at small ones. This lesson measures where the line falls, and first learns to
# measure at all, because timing a GPU the obvious way gives numbers that are wrong by orders
# of magnitude. The four rules, each with its own section:
#
# 1. **repeat and take the median**, because one run measures the noise;
# 2. **warm up**, because first calls pay one-off costs;
# 3. **synchronise before reading the clock**, because a GPU runs asynchronously;
# 4. **keep data on the device**, because copies between host and GPU are slow and are counted
#    apart.
#
# Then: throughput against size and the crossover where the GPU starts to pay, copy bandwidth,
# float32 against float64. Everything here runs on the CPU of any machine; the GPU half runs
# too when `mg.cuda.is_available()`, and otherwise the text says what it would show. The tool
# that does all of it for every layer and model is `minigen bench` (`minigen bench --help`);
# its code is in `minigen/bench/`. Figures go to `$MINIGEN_FIGURES` (default
# `walkthroughs/figures/`); `MINIGEN_FAST=1` makes the sweeps shorter.

# %%
# In Colab, or in any Python where minigen is not installed yet, this cell installs it from
# SOURCE, a copy of the repository (walkthroughs/README.md, "Open them as notebooks").
import importlib.util
import subprocess
import sys

if importlib.util.find_spec("minigen") is None:
    SOURCE = "/content/minigen"  # or any other pip requirement that names minigen's source
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", SOURCE], check=True)

# %%
import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

import minigen as mg
from minigen.bench import measure
from minigen.bench.runner import blas_description
from minigen.viz.lesson import figure_saver, figures_folder, new_figure

FAST = os.environ.get("MINIGEN_FAST") == "1"  # shorter sweeps, fewer repeats
FIGURES = figures_folder(globals().get("__file__"))  # $MINIGEN_FIGURES, else figures/ here
save = figure_saver(FIGURES)
GPU = mg.cuda.is_available()

mg.manual_seed(0)
print("BLAS:", blas_description())
print("GPU:", "yes" if GPU else "none found: the GPU half below is explained, not run")

# %% [markdown]
# ## 1. One run measures the noise
#
# `time.perf_counter()` is the right clock (monotonic, the finest resolution the system has).
# Time one matrix product a few times and the numbers disagree, by a few percent on a quiet
# machine and by much more when other programs run: the operating system interrupts, another
# process takes the core, the CPU changes its clock speed. The noise only ever *adds* time.
# So: repeat, and report the **median** (robust to a few slow runs) with the **spread** (the
# interquartile range: how much the middle half of the runs disagree). `minigen.bench.measure`
# does exactly this.

# %%
a = mg.randn(512, 512)
b = mg.randn(512, 512)


def matmul():
    with mg.no_grad():
        return a @ b


single = []
for _ in range(8):
    start = time.perf_counter()
    matmul()
    single.append(time.perf_counter() - start)
print("eight single runs (ms):", " ".join(f"{s * 1e3:.3f}" for s in single))

t = measure(matmul, warmup=3, repeats=10 if FAST else 30)
flops = 2 * 512**3
print(f"median {t.median * 1e3:.3f} ms, spread +-{100 * t.relative_spread:.0f}%, "
      f"best {t.best * 1e3:.3f} ms -> {flops / t.median / 1e9:.0f} GFLOP/s")

# %% [markdown]
# When two implementations are compared on a busy machine, time them in **alternating
# rounds** (`minigen.bench.interleaved`): a burst of background load then falls on both, and
# their *ratio* stays right even when the absolute times move. `minigen bench
# --compare-torch` compares minigen with PyTorch this way.

# %% [markdown]
# ## 2. Warm-up
#
# The first call of an operation pays costs the later ones do not: memory is allocated and
# touched for the first time (the operating system maps and zeroes every new page), the BLAS
# library starts its threads, caches are cold. On a GPU the first call is far more expensive:
# CuPy **compiles** each elementwise kernel for its dtypes the first time it is used (tens to
# hundreds of milliseconds) and the **memory pool** grows. None of that recurs, so it must
# stay out of the measurement: run a few untimed calls first.

# %%
def first_and_rest(make_input, op, repeats=5):
    """The time of the first call on a fresh input, and the median of the next ones."""
    x = make_input()
    start = time.perf_counter()
    op(x)
    first = time.perf_counter() - start
    rest = measure(lambda: op(x), warmup=0, repeats=repeats).median
    return first, rest


layer = mg.nn.Conv2d(64, 128, 4, 2, 1)
warm_batch = 8 if FAST else 32
first, rest = first_and_rest(lambda: mg.randn(warm_batch, 64, 14, 14),
                             lambda x: layer(x).sum().backward())
print(f"Conv2d forward + backward at batch {warm_batch}: first call {first * 1e3:.1f} ms, "
      f"then {rest * 1e3:.1f} ms ({first / rest:.1f}x)")

# %% [markdown]
# On this CPU the first call is only somewhat slower. On a GPU, the same first call can take
# 100 to 1000 times longer than the later ones: that is compilation, not computing. (CuPy keeps
# compiled kernels in a cache on disk, so the next program loads them instead of compiling, but
# its first call is still far slower than a warm one.)

# %% [markdown]
# ## 3. Asynchronous execution: synchronise before you read the clock
#
# A GPU receives work through a **queue** (a CUDA *stream*). `y = a @ b` on CuPy puts the
# product in the queue and returns at once, typically after 5 to 20 microseconds, long before
# the GPU has finished (or even started). The CPU runs ahead, queuing more work. That is what
# makes GPUs efficient, and it is why
#
# ```python
# start = time.perf_counter(); y = a @ b; elapsed = time.perf_counter() - start   # WRONG on a GPU
# ```
#
# measures the time to *queue* the product, not to compute it. The fix is to wait until the
# queue is empty before reading the clock: `mg.synchronize("cuda")` (or CUDA events, which
# timestamp the stream itself). `measure(fn, sync=...)` synchronises before the start and
# before the stop of every timed run.
#
# Without a GPU we can still watch the effect, with an asynchronous device built from one
# worker thread: `launch` queues the product and returns, `synchronize` waits for the queue,
# exactly the contract of a CUDA stream. (NumPy releases Python's lock while it multiplies,
# so the worker really runs beside the main thread.)

# %%
class ThreadStream:
    """A queue of work run in order by one worker thread: a CPU stand-in for a CUDA stream."""

    def __init__(self):
        self.pool = ThreadPoolExecutor(max_workers=1)
        self.pending = []

    def launch(self, fn):
        self.pending.append(self.pool.submit(fn))  # returns at once, like a kernel launch

    def synchronize(self):
        for job in self.pending:
            job.result()  # wait until everything queued has run
        self.pending = []


stream = ThreadStream()
rng = np.random.default_rng(0)
side = 512 if FAST else 1024
big_a = rng.random((side, side), dtype=np.float32)
big_b = rng.random((side, side), dtype=np.float32)


def launch_product():
    stream.launch(lambda: big_a @ big_b)


no_sync = measure(launch_product, warmup=2, repeats=5)
stream.synchronize()  # let the queue drain before the honest measurement
with_sync = measure(launch_product, sync=stream.synchronize, warmup=2, repeats=5)
print(f"without sync: {no_sync.median * 1e6:8.1f} us  (the time to queue the work)")
print(f"with sync:    {with_sync.median * 1e6:8.1f} us  (the time to do it)")
print(f"timing without a sync was off by {with_sync.median / no_sync.median:.0f}x")

# %% [markdown]
# The unsynchronised number is not just too small, it is not a measurement of the product at
# all: make the matrices ten times larger and it stays the same. On a real GPU the error is
# the same kind and often larger. The GPU half, when there is one:

# %%
if GPU:
    ga, gb = mg.randn(2048, 2048, device="cuda"), mg.randn(2048, 2048, device="cuda")

    def gpu_matmul():
        with mg.no_grad():
            return ga @ gb

    wrong = measure(gpu_matmul, warmup=3, repeats=10)
    right = measure(gpu_matmul, sync=lambda: mg.synchronize("cuda"), warmup=3, repeats=10)
    print(f"GPU 2048^3 product: {wrong.median * 1e6:.0f} us without sync, "
          f"{right.median * 1e6:.0f} us with sync")
else:
    print("no GPU: on an NVIDIA H200 (section 8), this cell measured 23 us without sync and "
          "371 us with sync; 'without sync' stays near 10-20 us for any matrix size, while "
          "'with sync' grows with the work.")

# %% [markdown]
# Host synchronisation also hides in ordinary code: `loss.item()`, `print(loss)`,
# `x.numpy()` and `if (x > 0).any():` all need a number on the host, so each waits for the
# queue to empty. One per step stalls the GPU every step. minigen's training loop keeps
# metrics on the device and copies them to the host once every 50 steps
# (`minigen/train/metrics_log.py`).

# %% [markdown]
# ## 4. Throughput against size: why a GPU needs large batches
#
# Every operation costs a fixed overhead plus a part that grows with the work:
#
# $$t(n) \approx t_0 + \frac{\text{work}(n)}{\text{peak rate}} .$$
#
# On the CPU, $t_0$ is about a microsecond of Python and NumPy per operation, and the peak is
# what two cores reach (the BLAS line above). On a GPU, $t_0$ is 5 to 20 microseconds per
# operation (Python, CuPy and the kernel launch), paid for every one of the dozens of array
# operations in a layer, and the peak is 50 to 100 times the CPU's, reached only when the
# work can keep tens of thousands of threads busy. So small problems run faster on the CPU,
# large ones on the GPU, and somewhere between lies the **crossover**.
#
# Here is the CPU half for a layer, the DCGAN discriminator's `Conv2d(64, 128, 4, 2, 1)`,
# forward and backward, over batch sizes:

# %%
batches = [1, 4, 16, 32] if FAST else [1, 2, 4, 8, 16, 32, 64, 128]
conv = mg.nn.Conv2d(64, 128, 4, 2, 1)
conv_flops = 3 * 2 * 7 * 7 * 128 * 64 * 4 * 4  # forward, input gradient, weight gradient
cpu_ms = []
for n in batches:
    x = mg.randn(n, 64, 14, 14, requires_grad=True)
    gy = mg.randn(n, 128, 7, 7)

    def step(x=x, gy=gy):
        conv.zero_grad()
        x.grad = None
        conv(x).backward(gy)

    t = measure(step, warmup=2, repeats=3 if FAST else 7)
    cpu_ms.append(t.median * 1e3)
    print(f"batch {n:4d}: {t.median * 1e3:8.3f} ms, {conv_flops * n / t.median / 1e9:6.1f} GFLOP/s")

# %% [markdown]
# The throughput rises with the batch: at batch 1 the fixed costs dominate, from a few dozen
# images on the CPU's two cores are busy and the rate levels off.
#
# What a GPU would show follows from the same model. Take $t_0$ = 15 us per array operation
# and about 40 array operations for this layer's forward and backward on the engine the H200
# below ran (about 0.6 ms of fixed cost; today's engine makes 22, counted with
# `minigen.bench.op_count` on the strict device: the windows gathered with one `take`, one
# contraction each for the output and the two gradients, and the reshapes around them, so
# its fixed cost would be about 0.33 ms), and an effective 20 TFLOP/s for the products (a
# recent data-centre GPU in float32). These are assumptions, not measurements; section 8
# puts them beside what an NVIDIA H200 measured, and `minigen bench` on a machine with a GPU
# draws this plot from real runs.

# %%
LAUNCH_S, OPS_PER_STEP, GPU_FLOPS = 15e-6, 40, 20e12


def modelled_gpu_ms(n):
    """The model's forward + backward time of the layer at batch n, in ms."""
    return 1e3 * (OPS_PER_STEP * LAUNCH_S + conv_flops * n / GPU_FLOPS)


def crossover_plot(ax, title):
    """The axes of a time-against-batch plot: log scales, labels, title, legend."""
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("batch size")
    ax.set_ylabel("forward + backward (ms)")
    ax.set_title(title)
    ax.legend(fontsize=8)


model_gpu_ms = [modelled_gpu_ms(n) for n in batches]
fig = new_figure(6.5, 4)
ax = fig.add_subplot()
ax.plot(batches, cpu_ms, "o-", label="CPU, measured here")
ax.plot(batches, model_gpu_ms, "s--", label="GPU, modelled: 40 x 15 us + flops / 20 TFLOP/s")
if GPU:
    gpu_ms = []
    cconv = mg.nn.Conv2d(64, 128, 4, 2, 1).to("cuda")
    for n in batches:
        x = mg.randn(n, 64, 14, 14, device="cuda", requires_grad=True)
        gy = mg.randn(n, 128, 7, 7, device="cuda")

        def gpu_step(x=x, gy=gy):
            cconv.zero_grad()
            x.grad = None
            cconv(x).backward(gy)

        gpu_ms.append(1e3 * measure(gpu_step, sync=lambda: mg.synchronize("cuda"),
                                    warmup=3, repeats=7).median)
    ax.plot(batches, gpu_ms, "^-", label="GPU, measured")
crossover_plot(ax, "Conv2d(64, 128, 4, 2, 1): where does the GPU start to pay?")
save(fig, "09_crossover.png")
model_cross = next((n for n, c, g in zip(batches, cpu_ms, model_gpu_ms, strict=True) if g < c),
                   None)
print("modelled crossover batch size:", model_cross if model_cross else f"above {batches[-1]}")

# %% [markdown]
# Below the crossover the GPU waits on Python: its time is flat, set by the number of
# operations, not by their size. Above it the GPU's time grows far more slowly than the CPU's.
# The lesson for training: a GPU wants large batches and large layers; an MLP with 784 inputs at
# batch 64 gives it too little to do per operation. (On the CPU the same per-operation
# overhead is why minigen fuses Linear, BatchNorm and BCE-with-logits into single Functions.)

# %% [markdown]
# ## 5. Copies between host and device
#
# A GPU has its own memory. Data gets there through the PCIe bus: roughly 10 to 25 GB/s from
# ordinary (pageable) host memory, up to about 50 GB/s from pinned memory on PCIe 5, while the
# GPU reads its own memory at 1 to 3 TB/s. So a copy costs a latency (about 10 us) plus the
# bytes over the bus, and `minigen bench` times copies as rows of their own (`h2d`, `d2h`),
# never inside another row: every other row has its data on the device already. A batch of 64
# MNIST images is 200 KB, about 15 us over the bus: fine once per step. Copying the model, or
# the whole dataset, every step is not.
#
# On the CPU there is no bus, but there is a bandwidth: copying an array reads and writes main
# memory. Measure it, the same way a GPU copy is measured:

# %%
copy_sizes = [2**12, 2**16, 2**20, 2**24] if FAST else [2**k for k in range(12, 27, 2)]
for nbytes in copy_sizes:
    host = np.ones(nbytes // 4, dtype=np.float32)
    t = measure(lambda host=host: mg.tensor(host), warmup=2, repeats=5,
                number=max(1, 2**22 // nbytes))
    print(f"copy {nbytes / 2**20:9.3f} MiB: {t.median * 1e6:9.1f} us, "
          f"{nbytes / t.median / 1e9:6.1f} GB/s")
if GPU:
    for nbytes in copy_sizes:
        host = np.ones(nbytes // 4, dtype=np.float32)
        t = measure(lambda host=host: mg.tensor(host, device="cuda"),
                    sync=lambda: mg.synchronize("cuda"), warmup=2, repeats=5)
        print(f"host -> GPU {nbytes / 2**20:9.3f} MiB: {nbytes / t.median / 1e9:6.1f} GB/s")

# %% [markdown]
# Small copies are dominated by the fixed cost (the GB/s are low); large ones reach the
# memory's bandwidth. A GPU copy shows the same two regimes, with a fixed cost about ten times
# larger and a bandwidth set by the bus.

# %% [markdown]
# ## 6. float32 against float64
#
# Training uses float32: half the bytes of float64, so half the memory traffic, and twice the
# numbers per SIMD instruction, so about twice the arithmetic rate on a CPU:

# %%
n = 256 if FAST else 1024
rates = {}
for dtype in ("float32", "float64"):
    p, q = mg.randn(n, n, dtype=dtype), mg.randn(n, n, dtype=dtype)

    def product(p=p, q=q):
        with mg.no_grad():
            return p @ q

    rates[dtype] = 2 * n**3 / measure(product, warmup=2, repeats=5).median / 1e9
    print(f"{dtype}: {rates[dtype]:6.0f} GFLOP/s")
print(f"float32 / float64: {rates['float32'] / rates['float64']:.1f}x")

# %% [markdown]
# On GPUs the gap is far wider on most cards: consumer and workstation GPUs run float64 at 1/32
# or 1/64 of their float32 rate (data-centre GPUs such as the A100 and H100 at 1/2), and
# float32 matrix products can use tensor cores (TF32) on top. minigen's layers and optimizers
# keep float32 in float32 for this reason; `mg.gradcheck` alone uses float64, on the host,
# because finite differences need the precision (see docs/engine.md).

# %% [markdown]
# ## 7. Whole training steps, and `minigen bench`
#
# The same rules apply to a whole training step. Timing one in minigen and reading the images
# per second:

# %%
from minigen.bench.rows import build_minigen, row_specs  # noqa: E402

for spec in row_specs(["train_step"]):
    if spec.params["model"] not in (("vae",) if FAST else ("vae", "gan", "dcgan")):
        continue
    t = measure(build_minigen(spec, mg.Device("cpu")), warmup=2, repeats=3 if FAST else 7)
    print(f"{spec.label:24s} {t.median * 1e3:8.1f} ms, {spec.throughput(t.median):8.0f} images/s")

# %% [markdown]
# `minigen bench` runs all of this, for matrix products over sizes, each layer over batch
# sizes, every model's training step and the copies, on the CPU and on the GPU when there is
# one, and writes a table, a CSV file and the speedup plot with its crossover:
#
# ```bash
# minigen bench --quick                 # a minute: a check
# minigen bench --compare-torch         # minigen and PyTorch side by side, with the ratio
# ```
#
# docs/results.md holds the numbers measured on the project's machine, with the BLAS kernel
# that ran.

# %% [markdown]
# ## 8. On a real GPU: what an H200 measured
#
# The numbers below were measured on 2026-12-04 on one NVIDIA H200 (driver 580.159.04, CUDA
# runtime 13.2, CuPy 14.2.0, PyTorch 2.11.0+cu130 for comparison, 16 Xeon cores for the host
# side, Python 3.12), with minigen at commit 068e200 and `MINIGEN_DEVICE=cuda`: `minigen
# bench --device all --compare-torch` for the layer rows and the training steps, and this
# lesson itself for the timing rules. They come from the project's GPU run record
# (`gpu-h200-2026-12-04/README.md` and its `bench.txt`, `run1-...txt`, `run3-...txt` in the
# folder `shared/` beside the repository), and are copied here by hand, so the cell runs
# anywhere.
#
# First the four rules, on that GPU:
#
# | rule | measured on the H200 |
# |---|---|
# | 1. repeat: eight single runs of a 512 x 512 product | 1.216, 0.384, 0.340, 0.332, 0.337, 0.318, 0.313, 0.356 ms |
# | 2. warm up: `Conv2d` forward + backward, batch 8 | first call 3.0 ms, then 1.3 ms |
# | 3. synchronise: 2048 x 2048 product | 23 us without sync, 371 us with sync (16x) |
# | 4. copies, host to GPU | 0.1 GB/s for 4 KiB, 1.6 GB/s for 64 KiB, 10.5 GB/s for 16 MiB |
#
# The first of the eight runs paid the warm-up (the timed median was 0.323 ms); the
# unsynchronised time measured the queue.
# Now the crossover model of section 4 against the H200's measured `Conv2d(64, 128, 4, 2, 1)`
# forward and backward:

# %%
H200 = {  # batch -> ms, Conv2d(64, 128, 4, 2, 1) forward + backward on (B, 64, 14, 14), float32
    1: 0.747, 4: 0.919, 16: 0.948, 64: 0.732, 256: 1.311,
}
print("batch   modelled (ms)   H200 measured (ms)   H200 rate")
for n, measured in H200.items():
    print(f"{n:5d}   {modelled_gpu_ms(n):13.3f}   {measured:18.3f}   "
          f"{conv_flops * n / measured / 1e9:6.2f} TFLOP/s")

fig = new_figure(6.5, 4)
ax = fig.add_subplot()
sizes = list(H200)
ax.plot(sizes, [modelled_gpu_ms(n) for n in sizes], "s--",
        label="GPU, modelled: 40 x 15 us + flops / 20 TFLOP/s")
ax.plot(sizes, list(H200.values()), "^-", label="NVIDIA H200, measured (2026-12-04)")
ax.plot(batches, cpu_ms, "o-", label="CPU, measured here")
crossover_plot(ax, "Conv2d(64, 128, 4, 2, 1): the model against an H200")
save(fig, "09_h200.png")

# %% [markdown]
# The model's shape holds: the H200's time is flat at 0.7 to 0.95 ms from batch 1 to 64, set
# by the number of operations and not their size, and grows only at 256 (1.3 ms, where the
# model says 1.1). The flat part is a little above the model's 0.6 ms: more operations, or
# more microseconds each, than assumed. At batch 1 the GPU computes at 0.05 TFLOP/s, less
# than the CPU; at 256 at 7.5 TFLOP/s, and the same product at 2048 x 2048 ran at 50 TFLOP/s.
#
# ### A whole training step is limited by the host
#
# The same holds for a whole DCGAN training step at batch 64, with a much larger count. How
# much arithmetic is in it? Each convolution's multiply-adds per image follow from its
# shapes; the backward costs about twice the forward (the input's gradient and the
# weight's). In one step $G$ runs forward once and backward once (3 forward-equivalents),
# and $D$ runs forward three times (real images, detached fakes, fakes for $G$'s loss) and
# backward three times (two batches for $D$'s loss, one for $G$'s through the frozen $D$):
# about 8 forward-equivalents, at the same batch.

# %%
from minigen import nn  # noqa: E402
from minigen.bench.op_count import step_op_count  # noqa: E402
from minigen.models import DCGAN  # noqa: E402


def multiply_adds(net, x):
    """The multiply-adds of each convolution of ``net`` on the batch ``x``, summed per image."""
    total = 0
    with mg.no_grad():
        for layer in net:
            y = layer(x)
            if isinstance(layer, nn.Conv2d):  # each output number: C_in * k * k products
                total += y[0].numel() * layer.in_channels * layer.kernel_size[0] * layer.kernel_size[1]
            elif isinstance(layer, nn.ConvTranspose2d):  # each input number meets C_out k k weights
                total += x[0].numel() * layer.out_channels * layer.kernel_size[0] * layer.kernel_size[1]
            x = y
    return total, x


dcgan = DCGAN()
g_macs, fake = multiply_adds(dcgan.generator, mg.randn(1, 100, 1, 1))
d_macs, _ = multiply_adds(dcgan.discriminator, fake)
step_flops = 2 * (3 * g_macs + 8 * d_macs) * 64  # 2 flops per multiply-add, batch 64
H200_STEP_MS, H200_PEAK = 18.1, 50e12  # measured: minigen's DCGAN step; the 2048^3 product's rate
print(f"per image: G {2 * g_macs / 1e6:.1f} MFLOP forward, D {2 * d_macs / 1e6:.1f} MFLOP forward")
print(f"one DCGAN step at batch 64: {step_flops / 1e9:.1f} GFLOP, "
      f"{1e3 * step_flops / H200_PEAK:.2f} ms at the H200's 50 TFLOP/s")
print(f"measured on the H200: {H200_STEP_MS} ms, of which the arithmetic would fill "
      f"{100 * (1e3 * step_flops / H200_PEAK) / H200_STEP_MS:.0f}%")
ops = step_op_count("dcgan")  # one step's array operations, counted on the strict device
print(f"array operations in one DCGAN step of this engine: {ops.total:,}, most from "
      + ", ".join(f"{Path(source).name} ({n})" for source, n in ops.top_sources(3)))
print(f"{H200_STEP_MS} ms / 1,420 operations (the engine the H200 ran) = "
      f"{1e3 * H200_STEP_MS / 1420:.0f} us per operation")

# %% [markdown]
# About 17 GFLOP, a third of a millisecond of the H200's arithmetic, in a step that took
# 18.1 ms (and 34.8 ms in a later run on the same kind of machine). The
# rest is the host: a minigen DCGAN step makes about 1,400 array operations (forward,
# backward and Adam: 1,420 on the engine the H200 ran; the cell counts this engine's with
# `minigen.bench.op_count`, on the strict device, which runs the same code as CuPy; `minigen
# bench --count-ops` does it for every model), and each costs about 10 to 20 us of Python,
# CuPy and kernel launch before the GPU sees it: $1420 \times 13\,\mu s \approx 18$ ms. The
# GPU finishes each kernel in microseconds and waits for the next. That is why, measured on
# the same H200:
#
# | DCGAN step, batch 64 | ms |
# |---|---|
# | minigen on the H200 (CuPy) | 18.1 and 34.8 (two runs) |
# | PyTorch on the H200, eager | 5.3 to 8.3 (its operations cost the host a few us each) |
# | PyTorch on the H200, the whole step captured as one CUDA graph | 1.8 (launched once) |
# | minigen on 16 CPU cores | 165 |
#
# The GPU is 5 to 9 times faster than 16 CPU cores here, not the 100 times its arithmetic
# would allow: a small-batch step is **host-limited**, not arithmetic-limited. The cures all
# reduce the host's work per image: larger batches (the same 1,400 operations carry more
# images), fewer and larger operations (fused kernels), or a captured graph that replays the
# whole step without Python (CuPy refused to capture minigen's step: cuBLAS calls are not
# allowed during capture).

# %% [markdown]
# ## Exercises
#
# 1. **Find the crossover batch size.** Using the measured CPU times of section 4 and the GPU
#    model, at which batch size does the GPU start to win? How does it move if the per-operation
#    overhead doubles (30 us), or if the layer has four times the channels (16 times the FLOPs,
#    the same number of operations)? If you have a GPU, read it off `minigen bench`'s plot.
# 2. **Show the error of timing without a sync.** With the `ThreadStream` of section 3, time
#    products of 256 x 256 and 2048 x 2048 matrices without and with `sync`. How does each
#    number change with the size, and what does that tell you about what the unsynchronised
#    number measures?
# 3. **Measure a copy's bandwidth.** From the copy table of section 5, estimate the fixed cost
#    of a copy and the bandwidth, by fitting $t = t_0 + \text{bytes}/B$ to the smallest and the
#    largest copy. At what size is half the time fixed cost?
# 4. Time the float32 and float64 products of section 6 at n = 64. Is the ratio still 2? Why
#    not?

# %% [markdown]
# ## Answers
#
# 1. Solve $40 \cdot 15\,\mu s + \text{flops}(n)/(20\,\text{TFLOP/s}) < t_{\text{CPU}}(n)$. The
#    GPU's side is almost flat (0.6 ms; the arithmetic adds about 2 us per image), while the
#    CPU's grows by a fixed amount per image (about 0.25 ms on the two cores this lesson was
#    written on). So the crossover is where the CPU's time passes 0.6 ms: a batch of one to
#    three there (printed above as the modelled crossover). Doubling the overhead to 1.2 ms moves
#    it to where the CPU's time passes 1.2 ms, about twice the batch. Sixteen times the
#    FLOPs per image makes the CPU's time per image sixteen times larger while the GPU's fixed
#    cost stays: the GPU wins from the first image. A tiny layer (an MLP on 2-D toy data) may
#    never cross: its CPU time stays below 1 ms at any reasonable batch.
# 2. Without sync the time is the same for both sizes (the cost of queuing: about ten
#    microseconds for the thread pool, 5-20 us for a CUDA launch); with sync it grows by a
#    factor of a few hundred from 256 to 2048 (the work grows $8^3 = 512$ times; small products
#    run at a lower rate). An unsynchronised number measures the queue, not the work.
# 3. With $t_1$ the time of the smallest copy ($b_1$ bytes) and $t_2$ of the largest ($b_2$):
#    $B \approx (b_2 - b_1)/(t_2 - t_1)$ and $t_0 \approx t_1 - b_1/B$. Half the time is fixed
#    cost at $\text{bytes} = t_0 B$: with $t_0 \approx 2\,\mu s$ and $B \approx 20$ GB/s, about
#    40 KB for host memory. On a GPU over PCIe ($t_0 \approx 10\,\mu s$, $B \approx 12$ GB/s
#    pageable) it is about 120 KB: below that, batch several small copies into one.
# 4. At n = 64 the ratio is well below 2 (1.4 where this lesson was written, against 2.2 at
#    n = 1024): a 64 x 64 product is only 0.5 MFLOP, so the fixed costs (Python, NumPy's
#    checks, BLAS's set-up) take much of the time, and they do not depend on the dtype. Rates,
#    and their ratios, only mean something once the work dominates the overhead: the same
#    reason a GPU needs large batches.
