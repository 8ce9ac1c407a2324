#!/usr/bin/env bash
# The GPU checks of issue 16 in one call, for a session that is lent a GPU machine.
#
# What it runs, in order of priority, each part under a time cap inside one overall budget:
#   1. info: the GPU, the versions (nvidia-smi, minigen info);
#   2. gpu-tests: pytest -m gpu (CuPy against NumPy, every gradient-check case on cuda, the
#      pinned-memory copies);
#   3. bench: the array operations per training step (--count-ops), then
#      minigen bench --device all --compare-torch (every row, cpu and cuda, beside PyTorch);
#   4. walkthroughs: every lesson with MINIGEN_DEVICE=cuda MINIGEN_FAST=1;
#   5. suite-cuda: the whole default suite with MINIGEN_DEVICE=cuda (pytest -n 8; skip it with
#      GPU_CHECK_SUITE=0).
# Writes into $OUT (at most 8 files come back from the device tool): summary.txt (one line per
# part: exit status and seconds), log.txt (every part's output), bench.txt, bench.csv,
# speedup.png and ops.txt. Without $OUT (a run by hand) it writes into runs/gpu-check.
#
# The machine's python3 has CuPy, NumPy, matplotlib, tqdm, pytest, pytest-xdist and PyTorch, but
# not array-api-compat (a dependency of minigen) nor array-api-strict (the tests' stand-in
# device): they travel as wheels in .whl/ (git-ignored). Once, on the development machine, from
# the repository root:
#
#   PYTHON=.venv/bin/python bash benchmarks/gpu_check.sh --fetch-wheels
#
# then, with the device tool (about 6 minutes of its 15; leaves time for one more try):
#
#   run(command="bash benchmarks/gpu_check.sh", carry=[".whl"], timeout_s=560)
#
# GPU_CHECK_BUDGET (seconds, default 520) bounds the whole script: a part gets at most its own
# cap and what is left of the budget, so the script ends inside the call's limit.
set -uo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root" || exit 1
python="${PYTHON:-python3}"

if [ "${1:-}" = "--fetch-wheels" ]; then
  "$python" -m pip download --no-deps --only-binary=:all: --python-version 3.12 \
    --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
    --platform manylinux2014_x86_64 -d .whl array-api-compat==1.16.0 array-api-strict==2.6.1
  exit $?
fi

out="${OUT:-runs/gpu-check}"
mkdir -p "$out"
work="$(mktemp -d "${TMPDIR:-/tmp}/gpu-check.XXXXXX")"
log="$out/log.txt"
summary="$out/summary.txt"
: >"$log"
: >"$summary"
export PYTHONUNBUFFERED=1 MPLBACKEND=Agg
export PYTHONPATH="$root${PYTHONPATH:+:$PYTHONPATH}"

budget="${GPU_CHECK_BUDGET:-520}"
started=$(date +%s)
left() { echo $(( budget - ($(date +%s) - started) )); }

# part NAME CAP COMMAND...: run COMMAND for at most CAP seconds (less if the budget is short),
# its output into the log, and its exit status and time into the summary (124: it hit the cap).
part() {
  local name=$1 cap=$2
  shift 2
  local room=$(( $(left) - 5 ))
  [ "$room" -lt "$cap" ] && cap=$room
  if [ "$cap" -lt 10 ]; then
    printf '%-34s skipped: the budget of %ss is spent\n' "$name" "$budget" | tee -a "$summary" "$log"
    return 0
  fi
  echo "=== $(date +%T) +$(( $(date +%s) - started ))s $name (cap ${cap}s)" >>"$log"
  local t0 t1 rc
  t0=$(date +%s.%N)
  timeout "$cap" "$@" >>"$log" 2>&1
  rc=$?
  t1=$(date +%s.%N)
  local seconds
  seconds=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
  echo "=== $name rc=$rc in ${seconds}s" >>"$log"
  printf '%-34s rc=%-4s %7ss\n' "$name" "$rc" "$seconds" | tee -a "$summary"
  return 0
}

# -- 0. array-api-compat and array-api-strict, from the carried wheels ----------------------------
if ls .whl/*.whl >/dev/null 2>&1; then
  "$python" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target "$work/site" .whl/*.whl >>"$log" 2>&1 || { echo "installing .whl/ failed" | tee -a "$summary"; }
  export PYTHONPATH="$PYTHONPATH:$work/site"
fi
if ! "$python" -c "import array_api_compat, array_api_strict" >>"$log" 2>&1; then
  echo "array-api-compat or array-api-strict is missing: carry .whl (see the top of $0)" | tee -a "$summary"
  exit 1
fi

# -- 1. the machine --------------------------------------------------------------------------------
part info 60 bash -c "nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader; \
  nproc; $python -m minigen.cli info"

# -- 2. the gpu-marked tests -------------------------------------------------------------------------
part gpu-tests 150 "$python" -m pytest -m gpu -q -rfEs -p no:cacheprovider tests

# -- 3. the op counts, then every bench row on cpu and cuda beside PyTorch ---------------------------
part bench 240 "$python" -m minigen.cli bench --device all --compare-torch --count-ops \
  --rows all --out "$work/bench"
for file in bench.txt bench.csv speedup.png ops.txt; do
  [ -f "$work/bench/$file" ] && cp "$work/bench/$file" "$out/"
done

# -- 4. every walkthrough on the GPU, fast mode --------------------------------------------------------
export MINIGEN_FIGURES="$work/figures"
mkdir -p "$MINIGEN_FIGURES"
for lesson in walkthroughs/[0-9]*.py; do
  part "$lesson" 90 env MINIGEN_DEVICE=cuda MINIGEN_FAST=1 "$python" "$lesson"
done

# -- 5. the whole suite with cuda as the default device -------------------------------------------------
if [ "${GPU_CHECK_SUITE:-1}" != "0" ]; then
  part suite-cuda 200 env MINIGEN_DEVICE=cuda "$python" -m pytest -n 8 -q -p no:cacheprovider tests
fi

echo "=== done in $(( $(date +%s) - started ))s" | tee -a "$summary" >>"$log"
echo
echo "summary ($out/summary.txt):"
cat "$summary"
