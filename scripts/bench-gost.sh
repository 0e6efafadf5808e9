#!/usr/bin/env bash
# GOST R 34.10-2012 signing and verification, gost3410 beside OpenSSL's GOST engine, for
# the three parameter sets banks use: the same Streebog-sized digest, the same count, one
# thread each, run in turns (ours, OpenSSL, ours, ...) ROUNDS times, the best of each kept.
# Prints microseconds per operation and the ratio ours / OpenSSL (below 1: we are faster).
#
#   scripts/bench-gost.sh [COUNT] [ROUNDS]      defaults 2000 and 3 (512-bit sets: COUNT/4)
#
# Needs a C compiler, OpenSSL's headers (libssl-dev) and its GOST engine
# (libengine-gost-openssl).
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-2000}
rounds=${2:-3}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if ! cc -O2 -o "$work/gost_speed" crates/gost3410/benches/openssl/gost_speed.c -lcrypto; then
  echo "bench-gost: cannot build the OpenSSL side (apt-get install gcc libssl-dev)" >&2
  exit 1
fi
engines=$(openssl version -e | cut -d'"' -f2)
if [ ! -e "$engines/gost.so" ]; then
  echo "bench-gost: OpenSSL's GOST engine is missing (apt-get install libengine-gost-openssl)" >&2
  exit 1
fi
cat >"$work/gost.cnf" <<CNF
openssl_conf = openssl_def
[openssl_def]
engines = engine_section
[engine_section]
gost = gost_section
[gost_section]
engine_id = gost
dynamic_path = $engines/gost.so
default_algorithms = ALL
CNF
cargo build --release -q -p gost3410 --example speed
ours=(cargo run --release -q -p gost3410 --example speed --)

# The smaller of two numbers, as awk prints it.
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b + 0 < a + 0) ? b : a }'; }

printf '%-12s %10s %10s %7s   %10s %10s %7s\n' set "sign us" OpenSSL ratio "verify us" OpenSSL ratio
for entry in CryptoPro-A:gost2012_256:A TC26-256-A:gost2012_256:TCA TC26-512-A:gost2012_512:A; do
  IFS=: read -r set algorithm paramset <<<"$entry"
  n=$count
  [ "$algorithm" = gost2012_512 ] && n=$((count / 4))
  our_sign="" our_verify="" their_sign="" their_verify=""
  for _ in $(seq "$rounds"); do
    read -r _ s _ v < <("${ours[@]}" "$set" "$n")
    our_sign=$(min "$our_sign" "$s")
    our_verify=$(min "$our_verify" "$v")
    read -r _ s _ v < <(OPENSSL_CONF="$work/gost.cnf" "$work/gost_speed" "$algorithm" "$paramset" "$n")
    their_sign=$(min "$their_sign" "$s")
    their_verify=$(min "$their_verify" "$v")
  done
  awk -v set="$set" -v os="$our_sign" -v ts="$their_sign" -v ov="$our_verify" -v tv="$their_verify" \
    'BEGIN { printf "%-12s %10.1f %10.1f %6.2fx   %10.1f %10.1f %6.2fx\n", set, os, ts, os / ts, ov, tv, ov / tv }'
done
