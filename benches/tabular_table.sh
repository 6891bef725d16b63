#!/usr/bin/env bash
# Prints one row per bundled tabular model (models/*.hdf5 whose input is a row of features):
# features, classes, family, test accuracy on data/tabular/<model>/test.csv, the classical
# baselines of the same split computed by the project (examples/baseline/: logistic
# regression and a random forest from smartcore, gradient-boosted trees of its own, on the
# same columns standardised), the best of the three less zero_g's accuracy in test rows (≤ 1:
# the issue-15 target), the layout (LAYOUT=auto by default, as `generate-keys` chooses:
# compact unless fast needs a smaller k), circuit rows and k, proving time (median of 5 runs of the whole
# `zero_g proof` process, the first test row; cpu_s: the median of the same runs' user + system
# CPU seconds, the figure a loaded machine changes least) and the verification gas of the
# verifier of those keys
# (`dry-run-evm-verifier --json`, in-process EVM).
#   usage: [LAYOUT=auto|fast|compact] benches/tabular_table.sh [MODEL.hdf5 ...]
# Needs a release build, the data sets (scripts/fetch-datasets.sh) and the pinned npm tools
# (scripts/setup.sh).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/env.sh"
ZG="$ROOT/target/release/zero_g"
(cd "$ROOT" && cargo build --release --quiet --example baseline)
BASE="$ROOT/target/release/examples/baseline"
MODELS=("$@"); [ ${#MODELS[@]} -eq 0 ] && MODELS=("$ROOT"/models/*.hdf5)
LAYOUT="${LAYOUT:-auto}"
OUT="$(mktemp -d)"; trap 'rm -rf "$OUT"' EXIT
field() { python3 -c 'import json,sys; d=json.load(sys.stdin)
for k in sys.argv[1].split("."): d=d[k]
print(d)' "$1"; }

printf "%-14s %8s %7s %-8s %18s %24s %4s %-7s %6s %3s %8s %6s %10s\n" \
  model features classes family "accuracy" "LR / RF / GB" gap layout rows k prove_s cpu_s verify_gas
for M in "${MODELS[@]}"; do
  name="$(basename "$M" .hdf5)"
  info="$("$ZG" info --json -m "$M")"
  [ "$(field input.kind <<<"$info")" = tabular ] || continue
  TEST="$ROOT/data/tabular/$name/test.csv"
  [ -f "$TEST" ] || { echo "$name: $TEST is missing (scripts/fetch-datasets.sh)" >&2; continue; }
  features=$(python3 -c 'import json,sys; print(len(json.load(sys.stdin)["input"]["features"]))' <<<"$info")
  classes=$(field num_classes <<<"$info")
  family=$(field family <<<"$info")
  acc="$("$ZG" -q compute-accuracy --json -m "$M" -t "$TEST")"
  accuracy=$(python3 -c 'import json,sys; d=json.load(sys.stdin); print("%.2f %% (%d/%d)" % (100*d["accuracy"], d["correct"], d["total"]))' <<<"$acc")
  base_json="$("$BASE" --json "$ROOT/data/tabular/$name")"
  baseline=$(python3 -c 'import json,sys; d=json.load(sys.stdin)[0]; print("%.2f / %.2f / %.2f %%" % (100*d["lr"], 100*d["rf"], 100*d["gb"]))' <<<"$base_json")
  gap=$(python3 -c 'import json,sys; d=json.load(sys.stdin)[0]; print(max(d["lr_correct"], d["rf_correct"], d["gb_correct"]) - int(sys.argv[1]))' "$(field correct <<<"$acc")" <<<"$base_json")
  layout="$LAYOUT"
  if [ "$layout" = auto ]; then
    kf=$(field k <<<"$("$ZG" mock-proof --json --layout fast -m "$M" --csv-row "$TEST:1")")
    kc=$(field k <<<"$("$ZG" mock-proof --json --layout compact -m "$M" --csv-row "$TEST:1")")
    if [ "$kc" -le "$kf" ]; then layout=compact; else layout=fast; fi
  fi
  mock="$("$ZG" mock-proof --json --layout "$layout" -m "$M" --csv-row "$TEST:1")"
  k=$(field k <<<"$mock"); rows=$(field rows.circuit <<<"$mock")
  "$ZG" -q generate-srs --seed 1 --layout "$layout" -m "$M" -s "$OUT/$name.srs" 2>/dev/null >/dev/null
  "$ZG" -q generate-keys --layout "$layout" -m "$M" -s "$OUT/$name.srs" -v "$OUT/$name.vk" -p "$OUT/$name.pk" >/dev/null
  times=(); cpus=()
  for _ in 1 2 3 4 5; do
    t0=$(date +%s.%N)
    /usr/bin/time -f "%U %S" -o "$OUT/time" \
      "$ZG" -q proof -m "$M" --csv-row "$TEST:1" -s "$OUT/$name.srs" --pk-path "$OUT/$name.pk" --proof-path "$OUT/$name.json" >/dev/null
    t1=$(date +%s.%N)
    times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')")
    cpus+=("$(awk '{ print $1 + $2 }' "$OUT/time")")
  done
  prove=$(printf "%s\n" "${times[@]}" | sort -g | sed -n 3p)
  cpu=$(printf "%s\n" "${cpus[@]}" | sort -g | sed -n 3p)
  gas=$(field verify_gas <<<"$("$ZG" -q dry-run-evm-verifier --json --proof-path "$OUT/$name.json" -v "$OUT/$name.vk" -s "$OUT/$name.srs")")
  printf "%-14s %8s %7s %-8s %18s %24s %4s %-7s %6s %3s %8.2f %6.2f %10s\n" \
    "$name" "$features" "$classes" "$family" "$accuracy" "$baseline" "$gap" "$layout" "$rows" "$k" "$prove" "$cpu" "$gas"
done
