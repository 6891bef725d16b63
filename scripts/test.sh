#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what it needs, then format, lint and
# every test in release mode (proving is unusably slow unoptimised).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
scripts/setup.sh
source scripts/env.sh
echo "==> cargo fmt --check"
cargo fmt --all -- --check
echo "==> cargo clippy"
cargo clippy --release --all-targets -- -D warnings
echo "==> cargo doc (the library's documentation builds, every link resolved)"
cargo doc --no-deps --quiet
echo "==> cargo test --release"
cargo test --release --all-targets
