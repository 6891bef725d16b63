#!/usr/bin/env bash
# Accuracy, inference speed and training time of the four bundled MNIST models.
#
# Usage (from the repository root, after `cargo build --release` and scripts/fetch-mnist.sh):
#   benches/train_table.sh            # re-trains each model into a temp dir to time it
#   benches/train_table.sh --no-train # only measures the bundled models
# Environment: ZERO_G (binary, default target/release/zero_g), MNIST (default data/mnist).
#
# Columns:
#   test acc    compute-accuracy of the bundled models/<name>.hdf5 on the 10k MNIST test set
#   µs/image    wall time of `compute-accuracy --json` / 10,000 (includes loading the model and
#               the test set, so it is an upper bound of the per-image inference time)
#   train s     train_seconds reported by `zero_g train --json` with the bundled model's
#               command (seed 0, default flags); the re-trained file is compared byte for byte
#               with the bundled one ("same" column)
set -euo pipefail

ZERO_G=${ZERO_G:-target/release/zero_g}
MNIST=${MNIST:-data/mnist}
TRAIN=1
[[ "${1:-}" == "--no-train" ]] && TRAIN=0

[[ -x "$ZERO_G" ]] || { echo "missing $ZERO_G: run cargo build --release first" >&2; exit 1; }
[[ -f "$MNIST/t10k-images-idx3-ubyte" ]] || { echo "missing MNIST in $MNIST: run scripts/fetch-mnist.sh" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

json_field() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

printf '%-42s %9s %9s %8s %5s\n' model "test acc" "µs/image" "train s" same
# name: n E K bpi
for spec in "28 256 1 1" "28 1024 2 2" "28 2048 2 3" "49 8192 4 6"; do
  read -r n e k b <<<"$spec"
  name="model_${n}input_${e}entry_${k}hash_${b}bpi.hdf5"
  model="models/$name"
  [[ -f "$model" ]] || { printf '%-42s missing\n' "$name"; continue; }
  start=$(date +%s.%N)
  acc=$("$ZERO_G" -q compute-accuracy --model-path "$model" --test-set-path "$MNIST" --json |
    json_field "'%.2f %%' % (100 * d['accuracy'])")
  end=$(date +%s.%N)
  us=$(python3 -c "print(f'{($end - $start) * 1e6 / 10000:.1f}')")
  secs="-"
  same="-"
  if [[ $TRAIN == 1 ]]; then
    secs=$("$ZERO_G" -q train --train-set-path "$MNIST" --filter-inputs "$n" --filter-entries "$e" \
      --filter-hashes "$k" --bits-per-input "$b" --seed 0 -o "$tmp/$name" --json |
      json_field "'%.1f' % d['train_seconds']")
    if cmp -s "$tmp/$name" "$model"; then same=yes; else same=no; fi
  fi
  printf '%-42s %9s %9s %8s %5s\n' "$name" "$acc" "$us" "$secs" "$same"
done
