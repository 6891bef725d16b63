# Sourced by the image benches (frontier.sh, prove_table.sh, evm_table.sh).
# `image_models ZG DATASET` prints the bundled models of a 28×28, 10-class image data set, one
# per line: DATASET `mnist` (no class names, or the digits) or `fashion` (the Fashion-MNIST
# class names, "T-shirt/top" first). The tabular models have benches/tabular_table.sh.
image_models() {
  local zg="$1" dataset="$2" root m
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  for m in "$root"/models/*.hdf5; do
    "$zg" info --json -m "$m" | python3 -c 'import json,sys
d = json.load(sys.stdin); i = d["input"]
fashion = i.get("class_names", [])[:1] == ["T-shirt/top"]
ok = i["kind"] == "image" and i["width"] == 28 and i["height"] == 28 and d["num_classes"] == 10
sys.exit(not (ok and fashion == (sys.argv[1] == "fashion")))' "$dataset" \
      && echo "$m"
  done
  return 0
}
# `mnist_models ZG`: the MNIST models.
mnist_models() { image_models "$1" mnist; }
