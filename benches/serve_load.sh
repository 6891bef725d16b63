#!/usr/bin/env bash
# Load test of `zero_g serve` on loopback: starts the server on a model (default: the
# flagship), measures the CPU seconds of one warm proof, then drives N concurrent clients
# for a bounded time per row (examples/serve_load.rs) and prints a table: clients, seconds,
# proofs served, proofs/s, p50/p95/p99 latency (s), the server's CPU seconds per proof served,
# 429 rejections, errors, and the server's RSS (MiB, first → last sample, max); the RSS over
# time goes to stderr. Loopback only.
#   usage: [SECONDS=60] [CLIENTS="1 2 16"] [PROVERS=<cores>] [QUEUE=<4×provers>] \
#          benches/serve_load.sh [MODEL.hdf5]
# Needs data/mnist (scripts/fetch-mnist.sh). Keys go to bench-out/serve (kept between runs).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/env.sh
MODEL="${1:-models/lutnet_mnist_2000.hdf5}"
SECONDS_PER_ROW="${SECONDS:-60}"
CLIENTS="${CLIENTS:-1 2 16}"
CORES="$(nproc)"
PROVERS="${PROVERS:-$CORES}"
QUEUE="${QUEUE:-$((4 * PROVERS))}"
cargo build --release --quiet --bin zero_g --example serve_load
ZG="$ROOT/target/release/zero_g"
LOAD="$ROOT/target/release/examples/serve_load"
OUT="$ROOT/bench-out/serve"
mkdir -p "$OUT"
name="$(basename "$MODEL" .hdf5)"
if [ ! -f "$OUT/digits/0000_7.png" ]; then
  "$ZG" -q export-mnist --mnist-dir data/mnist -o "$OUT/digits" >/dev/null
fi
IMG="$OUT/digits/0000_7.png"
if [ ! -f "$OUT/$name.pk" ] || [ "$MODEL" -nt "$OUT/$name.pk" ]; then
  echo "==> SRS and keys for $name (once)" >&2
  "$ZG" -q generate-srs --seed 1 -m "$MODEL" -s "$OUT/$name.srs" 2>/dev/null
  "$ZG" -q generate-keys -m "$MODEL" -s "$OUT/$name.srs" -v "$OUT/$name.vk" -p "$OUT/$name.pk" >/dev/null
fi
PORT=18080
while (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null; do PORT=$((PORT + 1)); done
ADDR="127.0.0.1:$PORT"
"$ZG" serve -m "$MODEL" -p "$OUT/$name.pk" -s "$OUT/$name.srs" --listen "$ADDR" \
  --provers "$PROVERS" --queue "$QUEUE" >"$OUT/serve.out" 2>"$OUT/serve.log" &
PID=$!
trap 'kill $PID 2>/dev/null || true; wait $PID 2>/dev/null || true' EXIT
until grep -q "listening on" "$OUT/serve.out" 2>/dev/null; do
  kill -0 $PID 2>/dev/null || { cat "$OUT/serve.log" >&2; exit 1; }
  sleep 0.2
done
echo "model $name, $CORES cores, $PROVERS prover(s), queue $QUEUE, $SECONDS_PER_ROW s per row, loopback $ADDR"
"$LOAD" --addr "$ADDR" --image "$IMG" --pid $PID --calibrate 5
echo
echo "| clients | s | proofs | proofs/s | p50 s | p95 s | p99 s | CPU s/proof | 429 | errors | RSS MiB |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
for c in $CLIENTS; do
  "$LOAD" --addr "$ADDR" --image "$IMG" --pid $PID --clients "$c" --seconds "$SECONDS_PER_ROW"
done
kill -TERM $PID
wait $PID
trap - EXIT
echo "server exited cleanly on SIGTERM" >&2
