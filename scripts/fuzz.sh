#!/usr/bin/env bash
# Fuzzes every target of fuzz/ for SECONDS each (default 600), one after another, each
# starting from its committed seeds (fuzz/seeds/<target>/) and what earlier runs found
# (fuzz/corpus/<target>/, generated), and prints per target the inputs run, their rate
# and whether it crashed. Exits 1 when a target crashed; libFuzzer writes the input to
# fuzz/artifacts/<target>/, and a fixed crash's input goes to fuzz/regressions/<target>/.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#   FUZZ_RUNS=10000000 scripts/fuzz.sh 3600   # stop each target after 10 million inputs
#   FUZZ_BUILD=quick scripts/fuzz.sh 10       # CI's short run: a build in ~3 min, not ~14
#
# Needs nightly Rust and cargo-fuzz (installed here when nightly is there and it is not);
# without nightly it says so and exits 0, so CI machines without it pass.
set -uo pipefail
cd "$(dirname "$0")/../fuzz"
# cargo-fuzz builds into fuzz/target; a target folder set for the main workspace would
# mix its instrumented builds with the ordinary ones.
unset CARGO_TARGET_DIR CARGO_BUILD_TARGET_DIR

seconds=${1:-600}
shift $(($# > 0 ? 1 : 0))
if ! [[ $seconds =~ ^[0-9]+$ ]] || [ "$seconds" -eq 0 ]; then
  echo "usage: scripts/fuzz.sh [SECONDS] [TARGET...]" >&2
  exit 2
fi

if ! cargo +nightly --version >/dev/null 2>&1; then
  echo "fuzz: nightly Rust is not installed (rustup toolchain install nightly); not fuzzing"
  exit 0
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "fuzz: installing cargo-fuzz" >&2
  if ! cargo install cargo-fuzz --locked >&2; then
    echo "fuzz: cargo-fuzz could not be installed (cargo install cargo-fuzz --locked); not fuzzing"
    exit 0
  fi
fi

# The targets are safe Rust over a few C libraries (SQLite, ring), so they are built
# without AddressSanitizer, which would halve the rate; debug assertions and overflow
# checks stay on (cargo-fuzz's default).
fuzz=(cargo +nightly fuzz)
build=(-s none)
# A quick build (fuzz/Cargo.toml's dev profile: unoptimised but for the arithmetic, the
# hashes and SQLite) costs ~3 min on 2 cores where the release build costs ~14; its
# targets run 2-20 times slower, which a short run from the seeds can afford and a long
# run cannot.
case ${FUZZ_BUILD:-release} in
  release) ;;
  quick) build+=(--dev) ;;
  *)
    echo "fuzz: FUZZ_BUILD is 'release' or 'quick'" >&2
    exit 2
    ;;
esac

if [ $# -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <("${fuzz[@]}" list)
fi

started=$(date +%s)
if ! "${fuzz[@]}" build "${build[@]}" >&2; then
  echo "fuzz: the fuzz targets do not build" >&2
  exit 1
fi
echo "fuzz: built in $(($(date +%s) - started)) s"

runs=()
[ -n "${FUZZ_RUNS:-}" ] && runs=("-runs=$FUZZ_RUNS")
crashed=()
printf '%-24s %12s %10s  %s\n' target executions exec/s result
for target in "${targets[@]}"; do
  mkdir -p "corpus/$target" "artifacts/$target"
  log=$(mktemp)
  # The file targets and the bank CA make their folders under TMPDIR: in memory where
  # there is /dev/shm (ten times the rate of a disk), and one per run, removed after it,
  # since libFuzzer ends without running destructors.
  tmp=$(mktemp -d -p /dev/shm 2>/dev/null || mktemp -d)
  t0=$(date +%s)
  TMPDIR=$tmp "${fuzz[@]}" run "${build[@]}" "$target" "corpus/$target" "seeds/$target" -- \
    -max_total_time="$seconds" "${runs[@]}" -timeout=20 -rss_limit_mb=2048 \
    -print_final_stats=1 >"$log" 2>&1
  status=$?
  elapsed=$(($(date +%s) - t0))
  rm -rf "$tmp"
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  [ -n "$execs" ] || execs=$(grep -oE '^#[0-9]+' "$log" | tail -n 1 | tr -d '#')
  [ -n "$execs" ] || execs=0
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  [ -n "$rate" ] || rate=$((execs / (elapsed > 0 ? elapsed : 1)))
  if [ "$status" -eq 0 ]; then
    result="no crash"
  else
    crashed+=("$target")
    input=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
    result="CRASHED${input:+: fuzz/$input}"
    grep -E 'panicked at|ERROR: libFuzzer|SUMMARY' "$log" | head -n 5 >&2
    cp "$log" "artifacts/$target/last-run.log"
  fi
  printf '%-24s %12s %10s  %s\n' "$target" "$execs" "$rate" "$result"
  rm -f "$log"
done

if [ ${#crashed[@]} -gt 0 ]; then
  echo "fuzz: crashed: ${crashed[*]} (the inputs are in fuzz/artifacts/; the logs beside them)" >&2
  exit 1
fi
