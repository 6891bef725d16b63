#!/usr/bin/env bash
# The accuracy / proving-time frontier of each image data set: every bundled model of every
# family (accuracy on the 10,000 test images, median whole-process `zero_g proof` time,
# peak memory of a proving process, verifier bytes and verification gas), beside EZKL's points measured on this machine kind
# (../shared/PEERS.md), as one table per data set, drawn into benches/frontier-<DATASET>.svg
# (examples/frontier_plot.rs).
#   usage: [DATASETS="mnist fashion"] [LAYOUT=auto|fast|compact] [EVM_LAYOUT=compact|fast]
#          benches/frontier.sh [N] [MODEL.hdf5 ...]
#          proving time in LAYOUT (default auto, what `generate-keys` picks), N runs (default
#          5); gas and verifier bytes from keys in EVM_LAYOUT (default compact, the one a
#          contract deploys). Models given on the command line are measured on the first
#          data set of DATASETS.
# Needs a release build, data/mnist, data/fashion-mnist and the pinned npm tools
# (scripts/setup.sh).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/env.sh"
source "$ROOT/benches/lib.sh"
ZG="$ROOT/target/release/zero_g"
N="${1:-5}"; shift || true
LAYOUT="${LAYOUT:-auto}"
EVM_LAYOUT="${EVM_LAYOUT:-compact}"
read -r -a DATASETS <<<"${DATASETS:-mnist fashion}"
GIVEN=("$@")
OUT="$(mktemp -d)"; trap 'rm -rf "$OUT"' EXIT
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
field() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }

# EZKL 23.0.5 on this machine kind (../shared/PEERS.md: single image, weights fixed, image
# private, logits public, fresh process, median of 3; on MNIST the two smallest MLPs with tuned
# settings, the rest with EZKL's defaults); its verifiers are ≈ 13.4 KB.
ezkl_points() {
  case "$1" in
    mnist) cat <<'EOF'
MLP 784-8-10	92.4	13	0.87
MLP 784-24-10	96.5	14	1.58
MLP 784-64-10	97.38	15	3.09
CNN 2-8-32	98.18	15	3.18
MLP 784-128-10	97.91	16	5.93
CNN 4-16-32	98.72	16	6.20
MLP 784-256-10	98.19	17	11.58
LeNet-5 (float accuracy)	99.24	19	52.9
EOF
    ;;
    fashion) cat <<'EOF'
CNN 2-8-32 (float accuracy)	86.29	15	3.98
CNN 4-16-32 (float accuracy)	87.12	16	8.46
LeNet-5 (float accuracy)	90.79	19	50
EOF
    ;;
  esac
}

frontier() {  # dataset
  local ds="$1" data title models=() M name fam acc k t mem evm gas bytes
  case "$ds" in
    mnist) data="$ROOT/data/mnist"; title="MNIST" ;;
    fashion) data="$ROOT/data/fashion-mnist"; title="Fashion-MNIST" ;;
    *) echo "unknown data set $ds (mnist or fashion)" >&2; exit 2 ;;
  esac
  if [ ${#GIVEN[@]} -gt 0 ]; then models=("${GIVEN[@]}"); GIVEN=(); else mapfile -t models < <(image_models "$ZG" "$ds"); fi
  rm -rf "$OUT/png"
  "$ZG" -q export-mnist --mnist-dir "$data" -o "$OUT/png" >/dev/null
  local pngs=("$OUT"/png/0000_*.png) img
  img="${pngs[0]}"
  local tsv="$OUT/frontier-$ds.tsv"
  echo "# system	model	accuracy	prove_s	gas	verifier_B	k	peak_MB" >"$tsv"
  echo
  echo "== $title: proving in the $LAYOUT layout, $N runs per model (median); EVM: $EVM_LAYOUT layout; image $(basename "$img")"
  printf "%-26s %-34s %9s %3s %8s %7s %9s %11s\n" system model accuracy k prove_s peak_MB gas verifier_B
  for M in "${models[@]}"; do
    name="$(basename "$M" .hdf5)"
    case "$("$ZG" info --json -m "$M" | field '(d["family"], d["shape"].get("architecture") is not None)')" in
      "('lutnet', True)") fam="zero_g deep LUT network" ;;
      "('lutnet', False)") fam="zero_g LUT network" ;;
      *) fam="zero_g BTHOWeN" ;;
    esac
    acc="$("$ZG" -q compute-accuracy --json -m "$M" -t "$data" | field 'round(100*d["accuracy"], 2)')"
    keys() {  # layout, prefix: an SRS of the circuit's size and its keys
      "$ZG" -q generate-srs --seed 1 --layout "$1" -m "$M" -s "$OUT/$2.srs" 2>/dev/null >/dev/null
      "$ZG" -q generate-keys --layout "$1" -m "$M" -s "$OUT/$2.srs" -v "$OUT/$2.vk" -p "$OUT/$2.pk" >/dev/null
    }
    keys "$LAYOUT" "$name"
    keys "$EVM_LAYOUT" "$name-evm"
    k="$("$ZG" mock-proof --json --layout "$LAYOUT" -m "$M" -i "$img" | field 'd["k"]')"
    : >"$OUT/prove"; : >"$OUT/mem"
    for _ in $(seq "$N"); do
      /usr/bin/time -f "%e %M" -o "$OUT/t" "$ZG" -q proof -m "$M" -i "$img" -s "$OUT/$name.srs" \
        --pk-path "$OUT/$name.pk" --proof-path "$OUT/$name.json" >/dev/null
      awk '{print $1}' "$OUT/t" >>"$OUT/prove"
      awk '{print $2}' "$OUT/t" >>"$OUT/mem"
    done
    t="$(median <"$OUT/prove")"
    mem="$(sort -n "$OUT/mem" | tail -1 | awk '{printf "%d", $1 / 1024}')"  # the largest, MB
    "$ZG" -q proof -m "$M" -i "$img" -s "$OUT/$name-evm.srs" --pk-path "$OUT/$name-evm.pk" \
      --proof-path "$OUT/$name-evm.json" >/dev/null
    evm="$("$ZG" -q dry-run-evm-verifier --json -s "$OUT/$name-evm.srs" -v "$OUT/$name-evm.vk" --proof-path "$OUT/$name-evm.json")"
    gas="$(field 'd["verify_gas"]' <<<"$evm")"; bytes="$(field 'd["runtime_bytes"]' <<<"$evm")"
    printf "%-26s %-34s %8s%% %3s %8s %7s %9s %11s\n" "$fam" "$name" "$acc" "$k" "$t" "$mem" "$gas" "$bytes"
    printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n" "$fam" "$name" "$acc" "$t" "$gas" "$bytes" "$k" "$mem" >>"$tsv"
  done
  while IFS=$'\t' read -r model acc k t; do
    printf "%-26s %-34s %8s%% %3s %8s %7s %9s %11s\n" "EZKL" "$model" "$acc" "$k" "$t" "–" "–" "≈13,400"
    printf "EZKL\t%s\t%s\t%s\t\t\t%s\n" "$model" "$acc" "$t" "$k" >>"$tsv"
  done < <(ezkl_points "$ds")
  cp "$tsv" "$ROOT/benches/frontier-$ds.tsv"
  cargo run --quiet --release --example frontier_plot -- "$ROOT/benches/frontier-$ds.tsv" \
    "$ROOT/benches/frontier-$ds.svg" "$title"
}

for ds in "${DATASETS[@]}"; do frontier "$ds"; done
