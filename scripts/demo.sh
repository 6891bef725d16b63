#!/usr/bin/env bash
# The main job end to end: set up, load (or train) a model, predict an MNIST digit, measure
# accuracy, prove the prediction in zero knowledge, verify it, then deploy the verifier to a
# local anvil and verify the proof in a transaction; then the same for a proven class about a
# committed image, paid by the example bounty contract.
#   usage: scripts/demo.sh [MODEL.hdf5 | train | serve [MODEL.hdf5]]
#   default: the bundled flagship, a 98.5 %-accurate LUT network (models/lutnet_mnist_2000.hdf5);
#   `train` first trains a small LUT network in under a minute and uses that;
#   `serve` starts `zero_g serve` on the flagship with a local anvil (its verifier deployed)
#   and prints the URL of its web page (Ctrl-C stops both).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
scripts/setup.sh
source scripts/env.sh
echo "==> building zero_g (release; the first build takes ~15 minutes)"
cargo build --release --quiet
ZG="$ROOT/target/release/zero_g"
OUT="$ROOT/out/demo"
mkdir -p "$OUT"
free_port() {
  local p="$1"
  while (exec 3<>/dev/tcp/127.0.0.1/"$p") 2>/dev/null; do p=$((p + 1)); done
  echo "$p"
}
if [ "${1:-}" = "serve" ]; then
  MODEL="${2:-models/lutnet_mnist_2000.hdf5}"
  SOUT="$ROOT/out/demo-serve"
  mkdir -p "$SOUT"
  name="$(basename "$MODEL" .hdf5)"
  if [ ! -f "$SOUT/$name.pk" ] || [ "$MODEL" -nt "$SOUT/$name.pk" ]; then
    echo "==> SRS and keys for $name (compact layout: a verifier small enough to deploy)"
    "$ZG" -q generate-srs --model-path "$MODEL" --layout compact --srs-path "$SOUT/$name.srs"
    "$ZG" -q generate-keys --model-path "$MODEL" --layout compact --srs-path "$SOUT/$name.srs" \
      --vk-path "$SOUT/$name.vk" --pk-path "$SOUT/$name.pk"
  fi
  APORT="$(free_port 8545)"
  echo "==> starting anvil on port $APORT"
  anvil --port "$APORT" --silent &
  ANVIL=$!
  trap 'kill $ANVIL 2>/dev/null || true' EXIT
  until (exec 3<>/dev/tcp/127.0.0.1/$APORT) 2>/dev/null; do sleep 0.2; done
  PORT="$(free_port 8080)"
  echo "==> zero_g serve on http://127.0.0.1:$PORT/ (Ctrl-C to stop)"
  echo "    open it in a browser, or try:"
  echo "    curl -s -H 'Content-Type: image/png' --data-binary @out/demo/digits/0000_7.png http://127.0.0.1:$PORT/v1/predict"
  echo "    curl -s -H 'Content-Type: image/png' --data-binary @out/demo/digits/0000_7.png 'http://127.0.0.1:$PORT/v1/prove?submit=true'"
  rm -rf "$OUT/digits"
  "$ZG" -q export-mnist --mnist-dir data/mnist -o "$OUT/digits" >/dev/null
  "$ZG" serve --model-path "$MODEL" --pk-path "$SOUT/$name.pk" --srs-path "$SOUT/$name.srs" \
    --name "$name" --listen "127.0.0.1:$PORT" --rpc-url "http://127.0.0.1:$APORT" --deploy-verifiers
  exit 0
fi
MODEL="${1:-models/lutnet_mnist_2000.hdf5}"
if [ "$MODEL" = "train" ]; then
  MODEL="$OUT/lutnet_demo.hdf5"
  echo "==> zero_g train --family lutnet (a small LUT network: 300 LUT-6 nodes, 4 epochs)"
  "$ZG" train --family lutnet --layers 300 --epochs 4 --shift 1 --seed 0 \
    --train-set-path data/mnist --test-set-path data/mnist -o "$MODEL"
fi
# the compact layout: the verifier a contract deploys (smaller and cheaper; see README)
LAYOUT=(--layout compact)
run() { echo; echo "\$ zero_g $*"; "$ZG" "$@"; }
rm -rf "$OUT/digits"  # a fresh export each run (export-mnist never writes into a full folder)
"$ZG" -q export-mnist --mnist-dir data/mnist -o "$OUT/digits" >/dev/null
IMG="$OUT/digits/0000_7.png"
run predict --model-path "$MODEL" --img-path "$IMG"
run compute-accuracy --model-path "$MODEL" --test-set-path data/mnist
run info --model-path "$MODEL"
run generate-srs --model-path "$MODEL" "${LAYOUT[@]}" --srs-path "$OUT/kzg.srs"
run generate-keys --model-path "$MODEL" "${LAYOUT[@]}" --srs-path "$OUT/kzg.srs" --vk-path "$OUT/model.vk" --pk-path "$OUT/model.pk"
run proof --model-path "$MODEL" --img-path "$IMG" --srs-path "$OUT/kzg.srs" --pk-path "$OUT/model.pk" --proof-path "$OUT/proof.json"
run verify --srs-path "$OUT/kzg.srs" --vk-path "$OUT/model.vk" --proof-path "$OUT/proof.json"

PORT=8545
while (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null; do PORT=$((PORT + 1)); done
echo; echo "==> starting anvil on port $PORT"
anvil --port "$PORT" --silent &
ANVIL=$!
trap 'kill $ANVIL 2>/dev/null || true' EXIT
until (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null; do sleep 0.2; done
RPC="http://127.0.0.1:$PORT"
run deploy-evm-verifier --srs-path "$OUT/kzg.srs" --vk-path "$OUT/model.vk" --rpc-url "$RPC" \
  --deployment-path "$OUT/deployment.json" --output-dir "$OUT/contract"
ADDR="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["address"])' "$OUT/deployment.json")"
run submit-proof --proof-path "$OUT/proof.json" --contract-address "$ADDR" --rpc-url "$RPC" --deployment-path "$OUT/deployment.json"
run verify-evm --proof-path "$OUT/proof.json" --contract-address "$ADDR" --rpc-url "$RPC" --deployment-path "$OUT/deployment.json"

echo; echo "==> a statement worth proving: only the class is public, proven in-circuit, about an"
echo "    image committed to beforehand, for this model, bound to the account that submits it;"
echo "    a contract (contracts/ClassificationBounty.sol) records it and pays a reward"
field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$@"; }
ST=(--public class --commitment --model-digest --bind)
ACCOUNT0=0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266   # anvil's dev account 0: the prover
ACCOUNT1=0x70997970C51812dc3A010C7d01b50e0d17dc79C8   # anvil's dev account 1: the attester
KEY1=0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d
CLASS="$("$ZG" predict --json --model-path "$MODEL" --img-path "$IMG" | python3 -c 'import json,sys; print(json.load(sys.stdin)["class"])')"
run commit --img-path "$IMG" --model-path "$MODEL" -o "$OUT/opening.json"
run generate-srs --model-path "$MODEL" --layout compact "${ST[@]}" --srs-path "$OUT/kzg-class.srs"
run generate-keys --model-path "$MODEL" --layout compact "${ST[@]}" --srs-path "$OUT/kzg-class.srs" \
  --vk-path "$OUT/class.vk" --pk-path "$OUT/class.pk"
run deploy-evm-verifier --srs-path "$OUT/kzg-class.srs" --vk-path "$OUT/class.vk" --rpc-url "$RPC" \
  --deployment-path "$OUT/class-verifier.json"
run deploy-bounty --verifier "$(field "$OUT/class-verifier.json" address)" --vk-path "$OUT/class.vk" \
  --srs-path "$OUT/kzg-class.srs" --target-class "$CLASS" --reward 0.01ether --fund 0.05ether \
  --attester "$ACCOUNT1" --rpc-url "$RPC" --deployment-path "$OUT/bounty.json"
BOUNTY="$(field "$OUT/bounty.json" address)"
run attest-commitments --bounty "$BOUNTY" --opening-path "$OUT/opening.json" --private-key "$KEY1" --rpc-url "$RPC"
run proof --model-path "$MODEL" --img-path "$IMG" --srs-path "$OUT/kzg-class.srs" --pk-path "$OUT/class.pk" \
  --opening-path "$OUT/opening.json" --bind-to "$ACCOUNT0" --proof-path "$OUT/class-proof.json"
run verify --srs-path "$OUT/kzg-class.srs" --vk-path "$OUT/class.vk" --proof-path "$OUT/class-proof.json"
run submit-proof --proof-path "$OUT/class-proof.json" --bounty "$BOUNTY" --rpc-url "$RPC" \
  --deployment-path "$OUT/bounty.json"
run bounty-status --bounty "$BOUNTY" --commitment "$(field "$OUT/opening.json" commitment)" --rpc-url "$RPC"
echo; echo "done: artifacts in $OUT"
