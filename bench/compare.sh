#!/usr/bin/env bash
# Side by side, at one shape and one thread count: sae4j's TopK training step against its floor (the bare encoder
# GEMM, measured in the same process, interleaved), and the same step written plainly in PyTorch with a dense and a
# sparse decoder. Prints a short table of tokens/s and ratios.
#
#   bench/compare.sh [--shape 4096:768:16384:32] [--threads 2] [--rounds 15] [--torch-steps 8] [--coretype X]
#
# Each side gets its best settings: OpenBLAS's kernel set for this CPU (OPENBLAS_CORETYPE picked from /proc/cpuinfo
# as ./sae4j does, overriding an inherited value: an AVX-512 machine here came with Haswell preset, half SkylakeX's speed),
# the same thread count everywhere (sae4j kernels, ND4J/OpenBLAS, PyTorch intra-op and its BLAS), OpenBLAS workers that
# sleep soon after a call (OPENBLAS_THREAD_TIMEOUT=4) instead of spinning against the other threads, and for PyTorch
# glibc malloc settings that keep its big temporaries from going back to the OS every step (they doubled its speed
# here). PyTorch is Debian's python3-torch run by Debian's /usr/bin/python3 (not a pyenv python first on PATH).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shape=4096:768:16384:32
threads=2
rounds=15
torch_steps=8
coretype=""
while [ $# -gt 0 ]; do
  case "$1" in
    --shape) shape="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --torch-steps) torch_steps="$2"; shift 2 ;;
    --coretype) coretype="$2"; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "compare.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
done

jar="$root/bench/target/benchmarks.jar"
if [ ! -f "$jar" ]; then
  echo "compare.sh: building $jar ..." >&2
  (cd "$root" && mvn -B -q package -pl bench -am -DskipTests) >&2
fi
if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  echo "compare.sh: Debian's python3-torch is missing: apt-get update && apt-get install -y python3-torch" >&2
  exit 2
fi

if [ -z "$coretype" ] && [ -r /proc/cpuinfo ]; then
  flags="$(grep -m1 '^flags' /proc/cpuinfo || true)"
  case "$flags" in
    *avx512f*avx512bw*|*avx512bw*avx512f*) coretype=SkylakeX ;;
    *avx2*) coretype=Haswell ;;
  esac
fi
if [ -n "${OPENBLAS_CORETYPE:-}" ] && [ "$OPENBLAS_CORETYPE" != "$coretype" ]; then
  echo "compare.sh: using OPENBLAS_CORETYPE=$coretype for both sides (inherited: $OPENBLAS_CORETYPE; --coretype to choose)" >&2
fi
if [ -n "$coretype" ]; then export OPENBLAS_CORETYPE="$coretype"; else unset OPENBLAS_CORETYPE; fi
export OMP_NUM_THREADS="$threads" OPENBLAS_NUM_THREADS="$threads"
# Both sides' OpenBLAS: idle workers sleep after 2^4 spins instead of 2^28 cycles (as ./sae4j sets it), so they leave
# the cores to the work between GEMMs.
export OPENBLAS_THREAD_TIMEOUT="${OPENBLAS_THREAD_TIMEOUT:-4}"

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
echo "== sae4j (one JVM: encoder GEMM and TopK step, interleaved)" | tee -a "$log"
java --add-modules jdk.incubator.vector -Xmx2g -Dorg.bytedeco.javacpp.maxbytes=6g \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dsae4j.threads="$threads" \
  -cp "$jar" org.sae4j.bench.CompareStep --shape "$shape" --rounds "$rounds" 2>&1 \
  | grep -v '^WARNING: Using incubator' | tee -a "$log"
for decode in dense sparse; do
  echo "== PyTorch, $decode decode" | tee -a "$log"
  env MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=68719476736 MALLOC_TOP_PAD_=1073741824 \
    /usr/bin/python3 "$root/bench/torch_step.py" --shape "$shape" --decode "$decode" --threads "$threads" \
    --steps "$torch_steps" 2>&1 | tee -a "$log"
done

# The RESULT lines, into a table.
field() { grep "^RESULT.*$1" "$log" | tail -1 | tr ' ' '\n' | sed -n "s/^$2=//p"; }
gemm_ms="$(field 'gemm_ms' gemm_ms)"
step_ms="$(field 'gemm_ms' step_ms)"
sae4j_tps="$(field 'gemm_ms' tokens_per_s)"
gemm_cpu="$(field 'gemm_ms' gemm_cpu_ms)"
step_cpu="$(field 'gemm_ms' step_cpu_ms)"
dense_tps="$(field 'decode=dense' tokens_per_s)"
sparse_tps="$(field 'decode=sparse' tokens_per_s)"
dense_ms="$(field 'decode=dense' step_ms)"
sparse_ms="$(field 'decode=sparse' step_ms)"
dense_cpu="$(field 'decode=dense' step_cpu_ms)"
sparse_cpu="$(field 'decode=sparse' step_cpu_ms)"
echo
echo "shape $shape, $threads threads, OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset} OPENBLAS_THREAD_TIMEOUT=$OPENBLAS_THREAD_TIMEOUT, load average $(cut -d' ' -f1-3 /proc/loadavg)"
# Wall-clock ratios are the targets' measure; CPU-time ratios (all threads of each process, spin-waiting included)
# move less when other jobs share the cores, so both are printed.
awk -v g="$gemm_ms" -v s="$step_ms" -v st="$sae4j_tps" -v dm="$dense_ms" -v dt="$dense_tps" \
    -v sm="$sparse_ms" -v spt="$sparse_tps" -v gc="$gemm_cpu" -v sc="$step_cpu" -v dc="$dense_cpu" \
    -v spc="$sparse_cpu" 'BEGIN {
  printf "%-34s %10s %12s %10s %12s %10s\n", "", "ms/step", "tokens/s", "ratio", "CPU ms/step", "CPU ratio"
  printf "%-34s %10.1f %12s %10s %12.0f %10s\n", "encoder GEMM alone (sae4j sgemm)", g, "", "", gc, ""
  printf "%-34s %10.1f %12.0f %9.2fx %12.0f %9.2fx  (step / GEMM; target <= 1.30)\n", "sae4j TopK step", s, st, s / g, sc, sc / gc
  printf "%-34s %10.1f %12.0f %9.2fx %12.0f %9.2fx  (sae4j speed over it; target >= 4)\n", "PyTorch step, dense decode", dm, dt, st / dt, dc, dc / sc
  printf "%-34s %10.1f %12.0f %9.2fx %12.0f %9.2fx  (sae4j speed over it; target >= 3)\n", "PyTorch step, sparse decode", sm, spt, st / spt, spc, spc / sc
}'
