#!/usr/bin/env bash
# Prints one row per model: rows, k, columns, lookups, keygen s, prove s (median of N runs),
# verify ms (in-process), proof bytes, pk and vk bytes, peak RSS of `proof`.
#   usage: [LAYOUT=auto|fast|compact] benches/prove_table.sh [N] [MODEL.hdf5 ...]
#          (default: auto layout, 5 runs, every models/*.hdf5)
# Needs a release build (cargo build --release) and data/mnist (scripts/fetch-mnist.sh).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ZG="$ROOT/target/release/zero_g"
N="${1:-5}"; shift || true
LAYOUT="${LAYOUT:-auto}"
MODELS=("$@")
if [ ${#MODELS[@]} -eq 0 ]; then
  source "$ROOT/benches/lib.sh"
  mapfile -t MODELS < <(mnist_models "$ZG")
fi
OUT="$(mktemp -d)"; trap 'rm -rf "$OUT"' EXIT
"$ZG" -q export-mnist --mnist-dir "$ROOT/data/mnist" -o "$OUT/png" >/dev/null
IMG="$OUT/png/0000_7.png"
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
secs() { /usr/bin/time -f "%e %M" "$@" 2>&1 >/dev/null | tail -1; }
echo "layout: $LAYOUT, $N proving runs per model (median), image $(basename "$IMG")"
printf "%-40s %6s %3s %5s %4s %8s %8s %9s %7s %11s %7s %9s\n" model rows k advice lkps keygen_s prove_s verify_ms proof_B pk_B vk_B rss_MB
for M in "${MODELS[@]}"; do
  name="$(basename "$M" .hdf5)"
  mock="$("$ZG" mock-proof --json --layout "$LAYOUT" -m "$M" -i "$IMG")"
  read -r k rows adv lk < <(python3 -c 'import json,sys; d=json.load(sys.stdin); r=d["rows"]; print(d["k"], r["circuit"], d["advice_columns"], d["lookups"])' <<<"$mock")
  "$ZG" -q generate-srs --seed 1 -k "$k" -s "$OUT/$name.srs" 2>/dev/null >/dev/null
  kg="$(secs "$ZG" -q generate-keys --layout "$LAYOUT" -m "$M" -s "$OUT/$name.srs" -v "$OUT/$name.vk" -p "$OUT/$name.pk" | cut -d' ' -f1)"
  : >"$OUT/prove"; : >"$OUT/rss"
  for _ in $(seq "$N"); do
    read -r t rss < <(secs "$ZG" -q proof -m "$M" -i "$IMG" -s "$OUT/$name.srs" --pk-path "$OUT/$name.pk" --proof-path "$OUT/$name.json")
    echo "$t" >>"$OUT/prove"; echo "$rss" >>"$OUT/rss"
  done
  : >"$OUT/verify"
  for _ in 1 2 3; do
    # in-process verification time, as the command reports it
    "$ZG" verify -s "$OUT/$name.srs" -v "$OUT/$name.vk" --proof-path "$OUT/$name.json" \
      | head -1 | sed -E 's/.*\(([0-9]+) ms.*/\1/' >>"$OUT/verify"
  done
  proof_b=$(python3 -c 'import json,sys; print((len(json.load(open(sys.argv[1]))["proof"])-2)//2)' "$OUT/$name.json")
  printf "%-40s %6s %3s %5s %4s %8s %8s %9s %7s %11s %7s %9s\n" "$name" "$rows" "$k" "$adv" "$lk" "$kg" \
    "$(median <"$OUT/prove")" "$(median <"$OUT/verify")" "$proof_b" "$(stat -c %s "$OUT/$name.pk")" \
    "$(stat -c %s "$OUT/$name.vk")" "$(( $(sort -n "$OUT/rss" | tail -1) / 1024 ))"
done
