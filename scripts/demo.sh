#!/usr/bin/env bash
# The main job end to end on a small default: set up, load (or train) a model, predict an
# image, and measure the model's accuracy on the MNIST test set.
#   usage: scripts/demo.sh [MODEL]   (default: the bundled Tiny model; "train" trains Small first)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
scripts/setup.sh
echo "==> building zero_g (release)"
cargo build --release --quiet
ZG=target/release/zero_g
OUT=out/demo
mkdir -p "$OUT"
MODEL="${1:-models/model_28input_256entry_1hash_1bpi.hdf5}"
if [ "$MODEL" = "train" ]; then
  MODEL="$OUT/model_28input_1024entry_2hash_2bpi.hdf5"
  echo "==> zero_g train (Small: 28 inputs, 1024 entries, 2 hashes, 2 bits per input)"
  $ZG train --train-set-path data/mnist --seed 1 -o "$MODEL"
fi
echo "==> an MNIST test digit as PNG"
$ZG -q export-mnist --mnist-dir data/mnist -o "$OUT/digits" >/dev/null
IMG="$OUT/digits/0000_7.png"
echo "==> zero_g predict --model-path $MODEL --img-path $IMG"
$ZG predict --model-path "$MODEL" --img-path "$IMG"
echo "==> zero_g compute-accuracy --model-path $MODEL --test-set-path data/mnist"
$ZG compute-accuracy --model-path "$MODEL" --test-set-path data/mnist
