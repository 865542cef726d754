#!/usr/bin/env bash
# tcpsim's one entry point for set-up, build, demo and tests on Debian 12.
#
#   ./build.sh demo    install what is missing, build tcpsim (and tcpsim-gui), run a bundled
#                      scenario, check the library, say how to open it in the GUI
#   ./build.sh test    install what is missing, build (warnings are errors), run every test,
#                      then build again with ASan+UBSan and run the unit tests under it, then
#                      fuzz the scenario loader for 60 s
#   ./build.sh fuzz [seconds]   build the loader's libFuzzer harness with clang (build-fuzz/)
#                      and fuzz it (default 600 s); crashes land in build-fuzz/crashes/
#   ./build.sh deps    only install what is missing (idempotent; nothing to do = no apt call);
#                      `deps test` also installs what only the tests need (tshark, chromium, jq, clang)
#   ./build.sh build   only configure and build (build/)
#   ./build.sh install build tcpsim (and tcpsim-gui) and install them under PREFIX/bin
#
# Environment: JOBS (default: number of cores), BUILD_DIR (default: build), TCPSIM_GUI=OFF to
# skip the Qt GUI, PREFIX (install; default /usr/local), FUZZ_DIR (default: build-fuzz).
set -euo pipefail
cd "$(dirname "$0")"

JOBS=${JOBS:-$(nproc)}
BUILD_DIR=${BUILD_DIR:-build}
SAN_DIR=${SAN_DIR:-build-asan}

# Debian 12 packages the project needs, and why: see README.md "Dependencies".
PACKAGES=(
  cmake g++ make pkg-config
  libboost-graph-dev nlohmann-json3-dev catch2 libcli11-dev libbenchmark-dev libpcap-dev libre2-dev zlib1g-dev
  qt6-base-dev qt6-charts-dev libqt6opengl6-dev libgl-dev
)
# Only for `test`: tshark decodes our pcap captures in the tshark-labelled tests; chromium (headless)
# and jq for the report-labelled test of the HTML page `tcpsim check --out` writes.
TEST_PACKAGES=(tshark chromium jq)
# Only for `fuzz` (and `test`, which fuzzes briefly): clang, its libFuzzer and sanitizer
# runtimes, and llvm-symbolizer for readable stacks.
FUZZ_PACKAGES=(clang libclang-rt-14-dev llvm)
FUZZ_DIR=${FUZZ_DIR:-build-fuzz}

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

deps() {  # [extra packages...]
  local missing=()
  for p in "${PACKAGES[@]}" "$@"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
  if [ ${#missing[@]} -eq 0 ]; then
    log "dependencies: all $((${#PACKAGES[@]} + $#)) packages present"
    return
  fi
  log "dependencies: installing ${missing[*]}"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  # tshark asks whether non-root users may capture; answer no without a prompt.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | $sudo debconf-set-selections
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

configure_and_build() {  # dir, extra cmake args...
  local dir=$1; shift
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release -DTCPSIM_WERROR=ON "$@" >/dev/null
  cmake --build "$dir" -j "$JOBS"
}

build() {
  log "building (${BUILD_DIR}, -j${JOBS}, warnings are errors)"
  configure_and_build "$BUILD_DIR" -DTCPSIM_BUILD_GUI="${TCPSIM_GUI:-ON}"
}

# Only the programs (tcpsim, and tcpsim-gui unless TCPSIM_GUI=OFF): no tests, no benchmarks.
build_programs() {
  local gui=${TCPSIM_GUI:-ON} targets=(tcpsim)
  if [ "$gui" = ON ]; then targets+=(tcpsim-gui); fi
  log "building ${targets[*]} (${BUILD_DIR}, -j${JOBS}, warnings are errors)"
  cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DTCPSIM_WERROR=ON -DTCPSIM_BUILD_GUI="$gui" >/dev/null
  cmake --build "$BUILD_DIR" -j "$JOBS" --target "${targets[@]}"
}

demo() {
  deps
  build_programs
  local tcpsim="./${BUILD_DIR}/sim/cli/tcpsim"
  mkdir -p results
  log "running scenarios/loss/lost-final-ack.json (ladder; trace, diagram and capture in results/)"
  "$tcpsim" run scenarios/loss/lost-final-ack.json --trace results/lost-final-ack.jsonl \
    --svg results/lost-final-ack.svg --pcap results/lost-final-ack.pcap
  log "checking the scenario library (results/check/index.html)"
  "$tcpsim" check -q scenarios --out results/check --junit results/check/junit.xml
  log "done"
  echo "The library's report: file://$PWD/results/check/index.html"
  if [ "${TCPSIM_GUI:-ON}" = ON ]; then
    echo "Open the demo scenario in the GUI (needs a display):"
    echo "  ./${BUILD_DIR}/gui/tcpsim-gui scenarios/loss/lost-final-ack.json"
  fi
}

install_programs() {
  deps
  build_programs
  local prefix=${PREFIX:-/usr/local} sudo=""
  mkdir -p "$prefix" 2>/dev/null || true
  if [ ! -w "$prefix" ] && [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  log "installing into ${prefix}/bin"
  $sudo cmake --install "$BUILD_DIR" --prefix "$prefix"
}

# The scenario loader under libFuzzer, ASan and UBSan (tests/fuzz/loader_fuzz.cpp). The working
# corpus (git-ignored) starts from the bundled scenarios and tests/fuzz/regressions and keeps
# what earlier runs found.
fuzz() {  # seconds
  local seconds=${1:-600}
  log "fuzz build (${FUZZ_DIR}, clang, libFuzzer + ASan + UBSan, warnings are errors)"
  cmake -S . -B "$FUZZ_DIR" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTCPSIM_WERROR=ON \
    -DTCPSIM_FUZZ=ON -DTCPSIM_BUILD_GUI=OFF -DTCPSIM_BUILD_BENCH=OFF -DTCPSIM_BUILD_TESTS=OFF >/dev/null
  cmake --build "$FUZZ_DIR" -j "$JOBS" --target loader_fuzz
  local corpus="$FUZZ_DIR/corpus" crashes="$FUZZ_DIR/crashes"
  mkdir -p "$corpus" "$crashes"
  local f
  for f in scenarios/*/*.json tests/fuzz/regressions/*; do
    [ -f "$f" ] && cp "$f" "$corpus/seed-$(echo "$f" | tr / -)"
  done
  log "fuzzing the scenario loader for ${seconds}s (corpus ${corpus}, crashes go to ${crashes}/)"
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 "./$FUZZ_DIR/tests/fuzz/loader_fuzz" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -dict=tests/fuzz/scenario.dict \
    -artifact_prefix="$crashes/" -print_final_stats=1 "$corpus"
}

test_all() {
  deps "${TEST_PACKAGES[@]}" "${FUZZ_PACKAGES[@]}"
  build
  log "running every test (ctest)"
  (cd "$BUILD_DIR" && ctest --output-on-failure -j "$JOBS")
  # The kernel as oracle: the linux-profile scenarios on real sockets next to the model. The
  # agreement is reported, not required (making the model agree is the model's work); a kernel
  # run that fails fails the build.
  if [ "$(id -u)" -eq 0 ] && [ -c /dev/net/tun ]; then
    log "tcpsim check --kernel scenarios/linux-profile (real time, about 3 minutes)"
    "./$BUILD_DIR/sim/cli/tcpsim" check --kernel scenarios/linux-profile -j 8 --max-real-time 75s --out results/kernel
  else
    log "skipping tcpsim check --kernel: it needs root and /dev/net/tun"
  fi
  log "sanitizer build (ASan+UBSan) of the core and its unit tests"
  configure_and_build "$SAN_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTCPSIM_SANITIZE=ON -DTCPSIM_BUILD_GUI=OFF \
    -DTCPSIM_BUILD_BENCH=OFF
  (cd "$SAN_DIR" && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --output-on-failure -j "$JOBS" -L unit)
  fuzz 60
}

case "${1:-}" in
  deps) if [ "${2:-}" = test ]; then deps "${TEST_PACKAGES[@]}" "${FUZZ_PACKAGES[@]}"; else deps; fi ;;
  build) deps; build ;;
  demo) demo ;;
  install) install_programs ;;
  test) test_all ;;
  fuzz) deps "${FUZZ_PACKAGES[@]}"; fuzz "${2:-600}" ;;
  *) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
