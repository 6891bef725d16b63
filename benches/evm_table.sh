#!/usr/bin/env bash
# The verifier's bill, per model and layout: committed polynomials by class (advice, fixed
# with selectors and tables, sigmas, permutation products, lookup polynomials, quotient
# pieces; + the random polynomial), verification gas in an in-process EVM (revm, Prague
# rules: `dry-run-evm-verifier`) and as a transaction on a real anvil (its default
# hardfork), runtime code bytes, deployment gas, proof bytes, and the median whole-process
# `zero_g proof` time over RUNS runs; then the shared verifier of the same key
# (`deploy-evm-verifier --shared`): its verification gas as an anvil transaction, its code
# bytes, and the gas to deploy one model's key data (what every further model of the circuit
# pays instead of a verifier).
#   usage: [LAYOUTS="fast compact evm"] [RUNS=5] benches/evm_table.sh [MODEL.hdf5 ...]
#   (default: every bundled MNIST model)
# Needs a release build, data/mnist and the pinned npm tools (scripts/setup.sh).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/env.sh"
ZG="$ROOT/target/release/zero_g"
LAYOUTS="${LAYOUTS:-fast compact evm}"
RUNS="${RUNS:-5}"
MODELS=("$@")
if [ ${#MODELS[@]} -eq 0 ]; then
  source "$ROOT/benches/lib.sh"
  mapfile -t MODELS < <(mnist_models "$ZG")
fi
OUT="$(mktemp -d)"
PORT="${PORT:-8645}"
anvil --port "$PORT" --silent --code-size-limit 100000 &
ANVIL=$!
trap 'kill $ANVIL 2>/dev/null; rm -rf "$OUT"' EXIT
RPC="http://127.0.0.1:$PORT"
sleep 2
"$ZG" -q export-mnist --mnist-dir "$ROOT/data/mnist" -o "$OUT/png" >/dev/null
IMG="$OUT/png/0000_7.png"
echo "anvil $(anvil --version | head -1 | awk '{print $3}') (default hardfork), EIP-170 limit 24,576 B; prove: median of $RUNS"
printf "%-34s %-7s %2s | %3s %3s %3s %3s %3s %3s %3s = %3s | %7s %7s | %6s %9s %6s %7s | %7s %6s %8s\n" \
  model layout k adv fix sig prm lkp quo rnd com revm_gas anvil_gas code_B deploy_gas proof_B prove_s \
  shr_gas shr_B keydata_gas
for M in "${MODELS[@]}"; do
  name="$(basename "$M" .hdf5)"
  for L in $LAYOUTS; do
    p="$OUT/$name-$L"
    "$ZG" -q generate-srs --seed 1 --layout "$L" -m "$M" -s "$p.srs" >/dev/null 2>&1
    "$ZG" -q generate-keys --layout "$L" -m "$M" -s "$p.srs" -v "$p.vk" -p "$p.pk" >/dev/null
    times=()
    for _ in $(seq "$RUNS"); do
      s=$(date +%s.%N)
      "$ZG" -q proof --model-path "$M" --img-path "$IMG" --srs-path "$p.srs" --pk-path "$p.pk" \
        --proof-path "$p.proof.json" >/dev/null
      times+=("$(python3 -c "import sys; print(float(sys.argv[2]) - float(sys.argv[1]))" "$s" "$(date +%s.%N)")")
    done
    "$ZG" -q dry-run-evm-verifier --json --proof-path "$p.proof.json" --vk-path "$p.vk" \
      -s "$p.srs" >"$p.dry.json"
    "$ZG" -q deploy-evm-verifier -s "$p.srs" -v "$p.vk" --rpc-url "$RPC" \
      --deployment-path "$p.dep.json" >/dev/null
    "$ZG" -q submit-proof --json --proof-path "$p.proof.json" --deployment-path "$p.dep.json" \
      --rpc-url "$RPC" >"$p.tx.json"
    "$ZG" -q deploy-evm-verifier --shared -s "$p.srs" -v "$p.vk" --rpc-url "$RPC" \
      --deployment-path "$p.shdep.json" >/dev/null
    "$ZG" -q submit-proof --json --proof-path "$p.proof.json" --deployment-path "$p.shdep.json" \
      --rpc-url "$RPC" >"$p.shtx.json"
    python3 - "$name" "$L" "$p.dry.json" "$p.tx.json" "$p.shdep.json" "$p.shtx.json" "${times[@]}" <<'EOF'
import json, statistics, sys
name, layout, dry, tx, shdep, shtx = sys.argv[1:7]
times = [float(t) for t in sys.argv[7:]]
d, t = json.load(open(dry)), json.load(open(tx))
sd, st = json.load(open(shdep)), json.load(open(shtx))
p = d["polys"]
assert d["accepted"] and d["tampered_rejected"] and t["success"] and st["success"], (d, t, st)
print("%-34s %-7s %2d | %3d %3d %3d %3d %3d %3d %3d = %3d | %7d %7d | %6d %9d %6d %7.2f | %7d %6d %8d" % (
    name, layout, d["k"], p["advice"], p["fixed"], p["sigmas"], p["permutation_products"],
    p["lookup_polys"], p["quotient"], p["random"], p["commitments"], d["verify_gas"],
    t["gas_used"], d["runtime_bytes"], d["deploy_gas"], d["proof_bytes"],
    statistics.median(times), st["gas_used"], sd["runtime_bytes"], sd["key_data"]["gas_used"]))
EOF
  done
done
