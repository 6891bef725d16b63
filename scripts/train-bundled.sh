#!/usr/bin/env bash
# Retrains a bundled merged LUT network from scratch, member by member, timing each, and
# checks that the result is byte-identical to the bundled file (training is deterministic
# for a seed and a data set). Run it on an otherwise idle machine: the times it prints are
# the training-time figures of models/README.md.
#   usage: scripts/train-bundled.sh mnist|fashion [OUT_DIR]   (default OUT_DIR: a new temp dir)
# Each member's log (per-epoch loss and validation accuracy, where samples are held out) is
# OUT_DIR/<member>.log.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
case "${1:-}" in
  mnist)
    DATA=(--test-set-path data/mnist)
    BUNDLED=models/lutnet_mnist_ensemble_13000.hdf5
    # name | train flags (the bundled members, in the order `ensemble` merges them)
    MEMBERS=(
      "m4000s0|--layers 4000 --shift 1 --epochs 40 --lr-step 18 --seed 0"
      "m4000s1|--layers 4000 --shift 1 --epochs 40 --lr-step 18 --seed 1"
      "m2000s0|--layers 2000 --shift 1 --epochs 30 --seed 0"
      "m2000s1|--layers 2000 --shift 1 --epochs 30 --seed 1"
      "m1000s0|--layers 1000 --shift 1 --epochs 30 --seed 0"
    ) ;;
  fashion)
    DATA=(--train-set-path data/fashion-mnist --test-set-path data/fashion-mnist)
    BUNDLED=models/lutnet_fashion_ensemble_12000.hdf5
    MEMBERS=(
      "f4000s0|--layers 4000 --epochs 16 --lr-step 8 --bits-per-input 5 --tau 14.7 --validation-fraction 0 --seed 0"
      "f4000s1|--layers 4000 --epochs 16 --lr-step 8 --bits-per-input 5 --tau 14.7 --validation-fraction 0 --seed 1"
      "f4000s2|--layers 4000 --epochs 16 --lr-step 8 --bits-per-input 5 --tau 14.7 --validation-fraction 0 --seed 2"
    ) ;;
  *) echo "usage: scripts/train-bundled.sh mnist|fashion [OUT_DIR]" >&2; exit 2 ;;
esac
OUT="${2:-$(mktemp -d)}"
mkdir -p "$OUT"
[ -f "${DATA[-1]}/train-labels-idx1-ubyte" ] || scripts/setup.sh
cargo build --release --quiet
ZG="$ROOT/target/release/zero_g"
FILES=()
TOTAL=0
printf '%-8s %8s  %s\n' member seconds flags
for m in "${MEMBERS[@]}"; do
  name="${m%%|*}"; flags="${m#*|}"
  start=$SECONDS
  # shellcheck disable=SC2086
  "$ZG" train --family lutnet $flags "${DATA[@]}" --checkpoint "$OUT/$name.ckpt" \
    -o "$OUT/$name.hdf5" > "$OUT/$name.log" 2>&1
  secs=$((SECONDS - start))
  TOTAL=$((TOTAL + secs))
  printf '%-8s %8d  %s\n' "$name" "$secs" "$flags"
  FILES+=("$OUT/$name.hdf5")
done
"$ZG" -q ensemble -o "$OUT/ensemble.hdf5" "${FILES[@]}"
printf 'total    %8d s (%d min %d s) of training\n' "$TOTAL" $((TOTAL / 60)) $((TOTAL % 60))
if cmp -s "$OUT/ensemble.hdf5" "$BUNDLED"; then
  echo "$OUT/ensemble.hdf5 is byte-identical to $BUNDLED"
else
  echo "$OUT/ensemble.hdf5 differs from $BUNDLED" >&2
  exit 1
fi
