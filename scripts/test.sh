#!/usr/bin/env bash
# Runs every test of the workspace, after installing what the tests need.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo test --workspace "$@"
