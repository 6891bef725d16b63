#!/usr/bin/env bash
# Fetches Fashion-MNIST (60,000 train + 10,000 test 28×28 images of clothing, 10 classes) from
# Debian's dataset-fashion-mnist package, checks every sha256 sum, and unpacks the IDX files
# into data/fashion-mnist/ (git-ignored). Idempotent: does nothing when the checked files are
# already there.
#   usage: scripts/fetch-fashion-mnist.sh [DEST]   (default: data/fashion-mnist)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="${1:-$ROOT/data/fashion-mnist}"
SRC=/usr/share/datasets/fashion-mnist
GZ_SUMS="b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7  train-images-idx3-ubyte.gz
0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056  train-labels-idx1-ubyte.gz
cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa  t10k-images-idx3-ubyte.gz
8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05  t10k-labels-idx1-ubyte.gz"
SUMS="c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888  train-images-idx3-ubyte
bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9  train-labels-idx1-ubyte
5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b  t10k-images-idx3-ubyte
0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34  t10k-labels-idx1-ubyte"

if [ -f "$DEST/class-names.txt" ] && (cd "$DEST" && echo "$SUMS" | sha256sum --check --status 2>/dev/null); then
  echo "Fashion-MNIST already present and verified in $DEST"
  exit 0
fi
if [ ! -d "$SRC" ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "installing Debian's dataset-fashion-mnist (apt)..."
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq dataset-fashion-mnist >/dev/null
fi
(cd "$SRC" && echo "$GZ_SUMS" | sha256sum --check --quiet) \
  || { echo "error: a Fashion-MNIST file has the wrong sha256" >&2; exit 2; }
rm -rf "$DEST.partial"
mkdir -p "$DEST.partial"
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  gzip -dc "$SRC/$f.gz" > "$DEST.partial/$f"
done
(cd "$DEST.partial" && echo "$SUMS" | sha256sum --check --quiet) \
  || { echo "error: an unpacked Fashion-MNIST file has the wrong sha256" >&2; exit 2; }
# the class names by label index (the data set's documentation), read by `zero_g train`
printf '%s\n' "T-shirt/top" "Trouser" "Pullover" "Dress" "Coat" "Sandal" "Shirt" "Sneaker" \
  "Bag" "Ankle boot" > "$DEST.partial/class-names.txt"
rm -rf "$DEST"
mv "$DEST.partial" "$DEST"
echo "Fashion-MNIST verified and unpacked into $DEST"
