#!/usr/bin/env bash
# Prints one row per model: verifier runtime bytes, deployment gas, verification gas and
# calldata bytes, measured in an in-process EVM (revm) by `dry-run-evm-verifier`.
#   usage: [LAYOUT=compact|fast] benches/evm_table.sh [MODEL.hdf5 ...]   (default: compact)
# Needs a release build, data/mnist and the pinned npm tools (scripts/setup.sh).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/env.sh"
ZG="$ROOT/target/release/zero_g"
LAYOUT="${LAYOUT:-compact}"
MODELS=("$@")
if [ ${#MODELS[@]} -eq 0 ]; then
  source "$ROOT/benches/lib.sh"
  mapfile -t MODELS < <(mnist_models "$ZG")
fi
OUT="$(mktemp -d)"; trap 'rm -rf "$OUT"' EXIT
"$ZG" -q export-mnist --mnist-dir "$ROOT/data/mnist" -o "$OUT/png" >/dev/null
IMG="$OUT/png/0000_7.png"
echo "layout: $LAYOUT (EIP-170 limit: 24,576 bytes)"
printf "%-40s %3s %14s %14s %16s %14s %9s\n" model k runtime_bytes deploy_gas verify_gas calldata_B tampered
for M in "${MODELS[@]}"; do
  name="$(basename "$M" .hdf5)"
  "$ZG" -q generate-srs --seed 1 --layout "$LAYOUT" -m "$M" -s "$OUT/$name.srs" 2>/dev/null >/dev/null
  "$ZG" -q generate-keys --layout "$LAYOUT" -m "$M" -s "$OUT/$name.srs" -v "$OUT/$name.vk" -p "$OUT/$name.pk" >/dev/null
  k=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["k"])' <("$ZG" mock-proof --json --layout "$LAYOUT" -m "$M" -i "$IMG"))
  j="$("$ZG" -q dry-run-evm-verifier --json -m "$M" -i "$IMG" -s "$OUT/$name.srs" -p "$OUT/$name.pk")"
  python3 -c '
import json, sys
d = json.load(sys.stdin)
print("%-40s %3s %14d %14d %16d %14d %9s" % (sys.argv[1], sys.argv[2], d["runtime_bytes"], d["deploy_gas"],
      d["verify_gas"], d["calldata_bytes"], "rejected" if d["tampered_rejected"] else "ACCEPTED"))' "$name" "$k" <<<"$j"
done
