#!/usr/bin/env bash
# The accuracy / proving-time frontier: every bundled MNIST model of both families (accuracy on
# the 10,000 test images, median whole-process `zero_g proof` time, verifier bytes and
# verification gas), beside EZKL's points measured on this machine kind (../shared/PEERS.md),
# as one table, and drawn into benches/frontier.svg (examples/frontier_plot.rs).
#   usage: [LAYOUT=auto|fast|compact] [EVM_LAYOUT=compact|fast] benches/frontier.sh [N] [MODEL.hdf5 ...]
#          proving time in LAYOUT (default auto, what `generate-keys` picks), 5 runs; gas and
#          verifier bytes from keys in EVM_LAYOUT (default compact, the one a contract deploys)
# Needs a release build, data/mnist and the pinned npm tools (scripts/setup.sh).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/env.sh"
ZG="$ROOT/target/release/zero_g"
N="${1:-5}"; shift || true
LAYOUT="${LAYOUT:-auto}"
EVM_LAYOUT="${EVM_LAYOUT:-compact}"
MODELS=("$@")
if [ ${#MODELS[@]} -eq 0 ]; then
  source "$ROOT/benches/lib.sh"
  mapfile -t MODELS < <(mnist_models "$ZG")
fi
OUT="$(mktemp -d)"; trap 'rm -rf "$OUT"' EXIT
"$ZG" -q export-mnist --mnist-dir "$ROOT/data/mnist" -o "$OUT/png" >/dev/null
IMG="$OUT/png/0000_7.png"
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
field() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }
TSV="$OUT/frontier.tsv"
echo "# system	model	accuracy	prove_s	gas	verifier_B	k" >"$TSV"
echo "proving: $LAYOUT layout, $N runs per model (median); EVM: $EVM_LAYOUT layout; image $(basename "$IMG")"
printf "%-26s %-30s %9s %3s %8s %9s %11s\n" system model accuracy k prove_s gas verifier_B
for M in "${MODELS[@]}"; do
  name="$(basename "$M" .hdf5)"
  case "$("$ZG" info --json -m "$M" | field 'd["family"]')" in
    lutnet) fam="zero_g LUT network" ;;
    *) fam="zero_g BTHOWeN" ;;
  esac
  acc="$("$ZG" -q compute-accuracy --json -m "$M" -t "$ROOT/data/mnist" | field 'round(100*d["accuracy"], 2)')"
  keys() {  # layout, prefix: an SRS of the circuit's size and its keys
    "$ZG" -q generate-srs --seed 1 --layout "$1" -m "$M" -s "$OUT/$2.srs" 2>/dev/null >/dev/null
    "$ZG" -q generate-keys --layout "$1" -m "$M" -s "$OUT/$2.srs" -v "$OUT/$2.vk" -p "$OUT/$2.pk" >/dev/null
  }
  keys "$LAYOUT" "$name"
  keys "$EVM_LAYOUT" "$name-evm"
  k="$("$ZG" mock-proof --json --layout "$LAYOUT" -m "$M" -i "$IMG" | field 'd["k"]')"
  : >"$OUT/prove"
  for _ in $(seq "$N"); do
    /usr/bin/time -f "%e" -o "$OUT/t" "$ZG" -q proof -m "$M" -i "$IMG" -s "$OUT/$name.srs" \
      --pk-path "$OUT/$name.pk" --proof-path "$OUT/$name.json" >/dev/null
    cat "$OUT/t" >>"$OUT/prove"
  done
  t="$(median <"$OUT/prove")"
  "$ZG" -q proof -m "$M" -i "$IMG" -s "$OUT/$name-evm.srs" --pk-path "$OUT/$name-evm.pk" \
    --proof-path "$OUT/$name-evm.json" >/dev/null
  evm="$("$ZG" -q dry-run-evm-verifier --json -s "$OUT/$name-evm.srs" -v "$OUT/$name-evm.vk" --proof-path "$OUT/$name-evm.json")"
  gas="$(field 'd["verify_gas"]' <<<"$evm")"; bytes="$(field 'd["runtime_bytes"]' <<<"$evm")"
  printf "%-26s %-30s %8s%% %3s %8s %9s %11s\n" "$fam" "$name" "$acc" "$k" "$t" "$gas" "$bytes"
  printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\n" "$fam" "$name" "$acc" "$t" "$gas" "$bytes" "$k" >>"$TSV"
done
# EZKL 23.0.5 on this machine kind (../shared/PEERS.md: single image, weights fixed, image
# private, logits public, fresh process, median of 3; the two smallest MLPs with tuned
# settings, the rest with EZKL's defaults); its verifiers are ≈ 13.4 KB.
while IFS=$'\t' read -r model acc k t; do
  printf "%-26s %-30s %8s%% %3s %8s %9s %11s\n" "EZKL" "$model" "$acc" "$k" "$t" "–" "≈13,400"
  printf "EZKL\t%s\t%s\t%s\t\t\t%s\n" "$model" "$acc" "$t" "$k" >>"$TSV"
done <<'EOF'
MLP 784-8-10	92.4	13	0.87
MLP 784-24-10	96.5	14	1.58
MLP 784-64-10	97.38	15	3.09
CNN 2-8-32	98.18	15	3.18
MLP 784-128-10	97.91	16	5.93
CNN 4-16-32	98.72	16	6.20
MLP 784-256-10	98.19	17	11.58
LeNet-5 (float accuracy)	99.24	19	52.9
EOF
cp "$TSV" "$ROOT/benches/frontier.tsv"
cargo run --quiet --release --example frontier_plot -- "$ROOT/benches/frontier.tsv" "$ROOT/benches/frontier.svg"
