#!/usr/bin/env bash
# Run every walkthrough (walkthroughs/[0-9]*.py) in order, as plain scripts, and stop at the
# first one that fails.
#
#   walkthroughs/run_all.sh                    # full size
#   MINIGEN_FAST=1 walkthroughs/run_all.sh     # fast mode (what CI runs: .ci/run)
#   MINIGEN_FAST=1 MINIGEN_DEVICE=strict walkthroughs/run_all.sh   # on the strict stand-in device
#   MINIGEN_FIGURES=out/ walkthroughs/run_all.sh   # keep the figures in out/
#
# Uses `python` from PATH (put a virtual environment's bin/ first), MPLBACKEND=Agg, and writes
# figures to $MINIGEN_FIGURES, or else to a fresh temporary folder (printed at the start).
# Each walkthrough's output goes to a log file beside the figures; on a failure, the log is
# printed, with the file name and its exit status. Prints one line per walkthrough with its
# time in seconds and the CPU seconds it used, and in fast mode a warning for a lesson over
# its 30 s.
set -uo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
python="${PYTHON:-python}"
export MPLBACKEND=Agg
if [ -n "${MINIGEN_FIGURES:-}" ]; then
  mkdir -p "$MINIGEN_FIGURES"
else
  MINIGEN_FIGURES="$(mktemp -d "${TMPDIR:-/tmp}/minigen-figures.XXXXXX")"
fi
export MINIGEN_FIGURES
logs="$MINIGEN_FIGURES/logs"
mkdir -p "$logs"

shopt -s nullglob
files=("$here"/[0-9]*.py)
if [ ${#files[@]} -eq 0 ]; then
  echo "no walkthroughs found in $here" >&2
  exit 1
fi

mode="full"
[ "${MINIGEN_FAST:-}" = "1" ] && mode="fast (MINIGEN_FAST=1)"
echo "walkthroughs: ${#files[@]} files, $mode mode, device ${MINIGEN_DEVICE:-cpu}, $("$python" --version 2>&1), figures in $MINIGEN_FIGURES"

now() { date +%s.%N; }
total_start=$(now)
for file in "${files[@]}"; do
  name="$(basename "$file")"
  log="$logs/${name%.py}.log"
  start=$(now)
  # bash's `time` also gives the CPU seconds the lesson used (user + sys): on a shared
  # machine the wall-clock time grows with the other programs' load, the CPU time hardly.
  TIMEFORMAT='%U %S'
  { time "$python" "$file" >"$log" 2>&1; } 2>"$log.cpu"
  status=$?
  seconds=$(awk -v a="$start" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')
  cpu=$(awk '{ printf "%.1f", $1 + $2 }' "$log.cpu")
  if [ $status -ne 0 ]; then
    echo "FAIL  $name  (exit $status after ${seconds} s); its output:" >&2
    sed 's/^/    /' "$log" >&2
    echo "walkthroughs: FAILED at walkthroughs/$name" >&2
    exit 1
  fi
  printf 'ok    %-28s %6s s   (CPU time %5s s)\n' "$name" "$seconds" "$cpu"
  if [ "${MINIGEN_FAST:-}" = "1" ] && awk -v s="$seconds" 'BEGIN { exit !(s > 30) }'; then
    # Fast mode promises at most 30 s a lesson on a 2-core machine; a busy machine can break
    # that without the lesson being at fault, so this warns rather than fails.
    echo "      warning: $name took more than the 30 s fast mode allows a lesson" >&2
  fi
done
total=$(awk -v a="$total_start" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')
echo "walkthroughs: all ${#files[@]} passed in ${total} s"
