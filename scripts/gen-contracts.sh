#!/usr/bin/env bash
# Regenerates contracts/<model>/ (Verifier.sol, Verifier.bin, Verifier.runtime.bin, vk
# fingerprint) for every bundled model, with the compact layout and a deterministic TEST SRS
# (seed 1). These contracts are for reading, size and gas; anyone can forge proofs for a test
# SRS, so deploy verifiers generated from your own ceremony parameters instead.
#   usage: scripts/gen-contracts.sh [models/NAME.hdf5 ...]   (default: every bundled model)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/env.sh
ZG="$ROOT/target/release/zero_g"
[ -x "$ZG" ] || cargo build --release --quiet
TMP="$(mktemp -d)"; trap 'rm -rf "$TMP"' EXIT
MODELS=("$@"); [ ${#MODELS[@]} -eq 0 ] && MODELS=(models/*.hdf5)
for M in "${MODELS[@]}"; do
  name="$(basename "$M" .hdf5)"
  "$ZG" -q generate-srs --seed 1 --layout compact -m "$M" -s "$TMP/$name.srs" 2>/dev/null >/dev/null
  "$ZG" -q generate-keys --layout compact -m "$M" -s "$TMP/$name.srs" -v "$TMP/$name.vk" -p "$TMP/$name.pk" \
    -c "contracts/$name.keys.json" >/dev/null
  "$ZG" -q generate-evm-verifier -s "$TMP/$name.srs" -v "$TMP/$name.vk" --output-dir "contracts/$name"
done
