#!/usr/bin/env bash
# The cost of each statement (issue 5): one row per statement for one model — rows, k,
# prove s (median of N runs), per-image prove s, verifier runtime bytes, verification gas
# (per proof and per image), calldata bytes, all measured in one run.
#   usage: [LAYOUT=compact|auto|fast] benches/modes_table.sh [N] [MODEL.hdf5]
#          (default: compact — every statement on chain —, 3 runs, the bundled Tiny)
# Needs a release build, data/mnist and the pinned npm tools (scripts/setup.sh).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/env.sh"
ZG="$ROOT/target/release/zero_g"
N="${1:-3}"
M="${2:-$ROOT/models/model_28input_256entry_1hash_1bpi.hdf5}"
LAYOUT="${LAYOUT:-compact}"
OUT="$(mktemp -d)"; trap 'rm -rf "$OUT"' EXIT
"$ZG" -q export-mnist --mnist-dir "$ROOT/data/mnist" -o "$OUT/png" >/dev/null
mapfile -t DIGITS < <(ls "$OUT"/png/*.png | head -16)
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
STATEMENTS=(
  ""
  "--public class"
  "--public both"
  "--model-digest"
  "--commitment"
  "--public class --commitment --model-digest --bind"
  "--batch 2"
  "--batch 4"
  "--batch 8"
  "--public class --commitment --batch 4"
)
echo "model $(basename "$M" .hdf5), layout $LAYOUT, $N proving runs (median); EIP-170 limit 24,576 B"
printf "%-52s %6s %3s %8s %9s %9s %9s %9s %9s\n" statement rows k prove_s s/image code_B gas gas/image calldata
for S in "${STATEMENTS[@]}"; do
  read -ra FLAGS <<<"$S"
  batch=1; [[ "$S" =~ --batch\ ([0-9]+) ]] && batch="${BASH_REMATCH[1]}"
  IMGS=(); for ((i = 0; i < batch; i++)); do IMGS+=(-i "${DIGITS[$i]}"); done
  mock="$("$ZG" mock-proof --json --layout "$LAYOUT" "${FLAGS[@]}" -m "$M" "${IMGS[@]}")"
  read -r k rows < <(python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["k"], d["rows"]["circuit"])' <<<"$mock")
  "$ZG" -q generate-srs --seed 1 -k "$k" -s "$OUT/s.srs" 2>/dev/null >/dev/null
  "$ZG" -q generate-keys --layout "$LAYOUT" "${FLAGS[@]}" -m "$M" -s "$OUT/s.srs" -v "$OUT/k.vk" -p "$OUT/k.pk" >/dev/null
  BIND=(); [[ "$S" == *--bind* ]] && BIND=(--bind-to 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266)
  : >"$OUT/t"
  for _ in $(seq "$N"); do
    "$ZG" -q proof --json -m "$M" "${IMGS[@]}" -s "$OUT/s.srs" --pk-path "$OUT/k.pk" \
      --proof-path "$OUT/p.json" "${BIND[@]}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["seconds"])' >>"$OUT/t"
  done
  t="$(median <"$OUT/t")"
  j="$("$ZG" -q dry-run-evm-verifier --json -s "$OUT/s.srs" -v "$OUT/k.vk" --proof-path "$OUT/p.json")"
  python3 -c '
import json, sys
d = json.load(sys.stdin)
label, rows, k, t, b = sys.argv[1] or "(default: scores)", sys.argv[2], sys.argv[3], float(sys.argv[4]), int(sys.argv[5])
code = "%d%s" % (d["runtime_bytes"], "" if d["within_eip170"] else "!")
print("%-52s %6s %3s %8.2f %9.2f %9s %9d %9d %9d" % (label, rows, k, t, t / b, code, d["verify_gas"], d["verify_gas"] // b, d["calldata_bytes"]))
' "$S" "$rows" "$k" "$t" "$batch" <<<"$j"
done
echo "(code_B ending in ! : over the EIP-170 limit, not deployable on mainnet)"
