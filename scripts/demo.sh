#!/usr/bin/env bash
# The main job: `smartkey demo`, on virtual tokens against a bank CA run in-process.
# It plays its built-in script (scripts/demo-script.jsonl): a first certificate on a blank
# token (N2.1-N2.8), the renewal from an old carrier onto a Rutoken ECP 2.0 with the two
# token swaps (R2.1-R2.9), and saving the renewed certificate from the e-mailed link
# (R2.10-R2.12). Nothing outside a temporary directory is touched (smartkey's log,
# records and transcripts go there too). Pass --plain to type the answers yourself.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# The virtual Rutoken (module and command) is built next to smartkey.
cargo build --quiet --workspace
smartkey="${CARGO_TARGET_DIR:-target}/debug/smartkey"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export XDG_STATE_HOME="$work/state" XDG_CONFIG_HOME="$work/config"
if [ "${1:-}" = "--plain" ]; then
  "$smartkey" demo --plain --dir "$work/demo"
else
  "$smartkey" demo --dir "$work/demo" < /dev/null
fi
