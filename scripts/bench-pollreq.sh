#!/usr/bin/env bash
# pollReq answers per second on loopback, bankca next to `openssl cmp -port`, each
# loaded from a second process (crates/cmp/examples/pollreq_load.rs) for the same time
# with the same number of workers. Both sign every answer with an RSA-2048 key.
#
#   bash scripts/bench-pollreq.sh [SECONDS] [WORKERS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-10}"
workers="${2:-1}"
target="${CARGO_TARGET_DIR:-target}"

cargo build --release -q -p bankca
cargo build --release -q -p cmp --features client --example pollreq_load
load="$target/release/examples/pollreq_load"

work="$(mktemp -d)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
cd "$work"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 100); do (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return; sleep 0.1; done; echo "port $1 did not open" >&2; exit 1; }

# A request both CAs leave waiting: an organisation INN and an e-mail for bankca's rules.
openssl req -new -newkey rsa:2048 -nodes -keyout load.key -out load.csr.der -outform DER \
    -subj "/CN=Load Test/INN=007707083893/emailAddress=load@example.ru" 2>/dev/null

echo "== bankca (agent 6184)"
"$OLDPWD/$target/release/bankca" init --dir ca >/dev/null
openssl x509 -in ca/ca-rsa.pem -outform DER -out ca-rsa.der
port="$(free_port)"
"$OLDPWD/$target/release/bankca" serve --dir ca --listen "127.0.0.1:$port" >bankca.log 2>&1 &
pids+=($!)
wait_port "$port"
"$OLDPWD/$load" "http://127.0.0.1:$port/.well-known/cmp/p/6184" ca-rsa.der load.csr.der "$seconds" "$workers"

echo "== openssl cmp -port (mock server, one transaction at a time)"
openssl req -x509 -newkey rsa:2048 -nodes -keyout mock.key -out mock.pem -subj "/CN=Mock CA" -days 2 2>/dev/null
openssl x509 -in mock.pem -outform DER -out mock.der
openssl req -in load.csr.der -inform DER -out load.csr 2>/dev/null
openssl x509 -req -in load.csr -CA mock.pem -CAkey mock.key -CAcreateserial -days 2 -out issued.pem 2>/dev/null
port="$(free_port)"
openssl cmp -port "$port" -srv_cert mock.pem -srv_key mock.key -srv_trusted mock.pem \
    -rsp_cert issued.pem -accept_unprotected -poll_count 100000000 -check_after 0 \
    >mock.log 2>&1 &
pids+=($!)
wait_port "$port"
"$OLDPWD/$load" "http://127.0.0.1:$port/pkix/" mock.der load.csr.der "$seconds" 1
