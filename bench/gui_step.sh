#!/bin/sh
# Whole-process wall time and peak RSS (from /usr/bin/time -v, outside the process) of opening a
# scenario in tcpsim-gui's window offscreen and stepping it, beside the in-run per-step figures.
#   bench/gui_step.sh [BUILD_DIR] [FILE] [STEPS] [TAB]
# Default: churn-1000, 200 steps, with the Events tab (0) shown; TAB 2 steps with the Load tab shown.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
file=${2:-$here/scenarios/performance/churn-1000.json}
steps=${3:-200}
tab=${4:-0}
out=$(mktemp)
QT_QPA_PLATFORM=offscreen /usr/bin/time -v "$build/bench/gui_step_bench" "$file" "$steps" "$tab" 2>"$out"
grep -E "Elapsed \(wall clock\)|Maximum resident set size" "$out"
rm -f "$out"
