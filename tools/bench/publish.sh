#!/usr/bin/env bash
# Times, side by side in one run, on a synthetic delivery of ROWS rows per
# export (default 1,000,000): wco publish of the whole delivery (parse,
# validate, pseudonymize, aggregate, protect, write), a bare encoding/csv
# read of the same four files, and Miller counting them by beat, one file
# after another. Prints wall time and peak memory of each.
#
#   bash tools/bench/publish.sh            # 1,000,000 rows per export
#   ROWS=200000 bash tools/bench/publish.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
rows=${ROWS:-1000000}
work=${TMPDIR:-/tmp}/wco-bench-publish-$rows
mkdir -p "$work"

if ! command -v mlr >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    apt-get install -y -qq miller >/dev/null || { apt-get update -qq && apt-get install -y -qq miller >/dev/null; }
  else
    echo "Miller (mlr) is needed: apt-get install miller" >&2; exit 1
  fi
fi
[ -x /usr/bin/time ] || { echo "/usr/bin/time is needed: apt-get install time" >&2; exit 1; }

go build -o "$work/wco" ./tools/cmd/wco
go build -o "$work/csvread" ./tools/bench/csvread
if [ ! -f "$work/delivery/manifest.json" ]; then
  "$work/wco" synth --rows "$rows" --seed 1 --out "$work/delivery" >/dev/null
fi
files=("$work"/delivery/*.csv)
bytes=$(cat "${files[@]}" | wc -c)

# measure NAME COMMAND...: wall seconds and peak RSS of a command, after
# one warm-up run so every tool reads the files from the page cache.
measure() {
  local name=$1; shift
  "$@" >/dev/null 2>&1 || true
  /usr/bin/time -f "%e %M" -o "$work/time.$name" "$@" >/dev/null 2>"$work/err.$name" || {
    echo "$name failed:" >&2; cat "$work/err.$name" >&2; exit 1; }
  read -r secs kb < "$work/time.$name"
  printf '%s %s %s\n' "$name" "$secs" "$kb" >> "$work/results"
}

rm -f "$work/results"
measure "wco-publish" env WCO_PSEUDONYM_KEY=bench-key "$work/wco" publish --config config.yaml \
  --source "$work/delivery" --data "$work/out/data"
measure "encoding-csv" "$work/csvread" "${files[@]}"
measure "miller-count" sh -c 'for f in "$@"; do mlr --icsv --ojson count -g beat "$f"; done' sh "${files[@]}"

echo "delivery: $rows rows per export, 4 exports, $((bytes / 1000000)) MB; $(nproc) cores"
awk -v miller="$(awk '$1=="miller-count"{print $2}' "$work/results")" '
  BEGIN { printf "%-14s %10s %14s %16s\n", "tool", "wall (s)", "peak RSS (MB)", "time / Miller" }
  { printf "%-14s %10.2f %14.1f %16.2f\n", $1, $2, $3/1024, $2/miller }' "$work/results"
