# Sourced by the MNIST benches (frontier.sh, prove_table.sh, evm_table.sh):
# `mnist_models ZG` prints the bundled models that take a 28×28 image and have 10 classes,
# one per line (the tabular models have benches/tabular_table.sh).
mnist_models() {
  local zg="$1" root m
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  for m in "$root"/models/*.hdf5; do
    "$zg" info --json -m "$m" | python3 -c 'import json,sys
d = json.load(sys.stdin); i = d["input"]
sys.exit(not (i["kind"] == "image" and i["width"] == 28 and i["height"] == 28 and d["num_classes"] == 10))' \
      && echo "$m"
  done
  return 0
}
