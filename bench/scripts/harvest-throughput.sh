#!/usr/bin/env bash
# Harvest throughput on the shared stories260K: activation rows written per second by `sae4j harvest` (layer 2
# resid_post, BOS excluded), end to end through the CLI in a fresh JVM each run: forward passes, copying out the
# hooked rows and writing HDF5 shards; loading and tokenizing the corpus are timed apart and excluded.
#
#   bench/scripts/harvest-throughput.sh            # 200,000 rows, context 512 then 128, 3 runs each
#   TOKENS=500000 CONTEXTS="512" RUNS=1 bench/scripts/harvest-throughput.sh
#
# The machine's load average is printed with the results: on a shared 2-core box it moves the numbers a lot.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
data="${SAE4J_DATA:-$root/../shared/data}"
tokens="${TOKENS:-200000}"
contexts="${CONTEXTS:-512 128}"
runs="${RUNS:-3}"
for f in stories260K.bin tok512.bin tinystories-train-head2MiB.txt; do
  [ -f "$data/$f" ] || { echo "harvest-throughput: $data/$f not found (set SAE4J_DATA)" >&2; exit 2; }
done
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

"$root/sae4j" --help >/dev/null   # builds the jar first if needed, outside the timings
echo "cores: $(nproc); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-8s %-4s %12s %16s %10s\n' context run "rows/s" "model tokens/s" seconds
for ctx in $contexts; do
  for run in $(seq 1 "$runs"); do
    out="$scratch/acts-$ctx-$run"
    "$root/sae4j" harvest --model "$data/stories260K.bin" --tokenizer "$data/tok512.bin" \
      --text "$data/tinystories-train-head2MiB.txt" --layer 2 --hook resid_post --tokens "$tokens" \
      --context-size "$ctx" --out "$out" >/dev/null 2>&1
    summary="$out/harvest.json"
    field() { sed -n "s/^ *\"$1\" : \\([0-9.]*\\).*/\\1/p" "$summary"; }
    rows="$(field rows)"; seconds="$(field seconds)"; model_tokens="$(field model_tokens)"
    printf '%-8s %-4s %12.0f %16.0f %10s\n' "$ctx" "$run" "$(echo "$rows / $seconds" | bc -l)" \
      "$(echo "$model_tokens / $seconds" | bc -l)" "$seconds"
    rm -rf "$out"
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
