#!/usr/bin/env bash
# The main job, for now: a throw-away SoftHSM2 token with the factory PINs,
# `smartkey tokens` and the preflight `smartkey check` on it. Nothing outside a
# temporary directory is touched (smartkey's log and config go there too).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo build --quiet --bin smartkey
smartkey="${CARGO_TARGET_DIR:-target}/debug/smartkey"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' \
  "$work/tokens" > "$work/softhsm2.conf"
export SOFTHSM2_CONF="$work/softhsm2.conf"
export XDG_STATE_HOME="$work/state" XDG_CONFIG_HOME="$work/config"
softhsm2-util --init-token --free --label "smartkey demo" \
  --pin 12345678 --so-pin 87654321 >/dev/null

module=""
for m in /usr/lib/softhsm/libsofthsm2.so /usr/lib/*-linux-gnu/softhsm/libsofthsm2.so \
         /usr/local/lib/softhsm/libsofthsm2.so /usr/lib64/softhsm/libsofthsm2.so; do
  if [ -f "$m" ]; then module=$m; break; fi
done
if [ -z "$module" ]; then
  echo "demo: the SoftHSM2 module was not found after installing softhsm2" >&2
  exit 1
fi
echo "A throw-away SoftHSM2 token (PIN 12345678, admin PIN 87654321) in $work:"
"$smartkey" --module "$module" tokens
echo
echo "The preflight check (exit code 0: all OK, 1: warnings such as a virtual machine):"
"$smartkey" --module "$module" check || [ $? -eq 1 ]
