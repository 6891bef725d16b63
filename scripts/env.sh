# Sourced by zero_g's scripts: puts the pinned tools on PATH (the solcjs-based `solc` in
# scripts/bin and the real anvil from npm).
ZERO_G_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$ZERO_G_ROOT/scripts/bin:$ZERO_G_ROOT/node_modules/@foundry-rs/anvil-linux-amd64/bin:$PATH"
