#!/usr/bin/env bash
# Runs every test of the workspace, after installing what the tests need.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# The tests run the workspace's own programs and PKCS#11 modules (rutoken-emu, bankca,
# the hostile test module), which `cargo test` alone does not build for other members.
cargo build --workspace
cargo test --workspace "$@"
