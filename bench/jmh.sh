#!/usr/bin/env bash
# Runs the JMH benchmarks jar with OpenBLAS's best kernel set for this CPU (picked from /proc/cpuinfo, overriding an
# inherited OPENBLAS_CORETYPE; set SAE4J_CORETYPE to choose). Arguments go to JMH, e.g.
#   bench/jmh.sh                                   # everything (about 25 minutes on 2 cores)
#   bench/jmh.sh TrainStep -p shape=4096:768:16384:32
#   bench/jmh.sh TopK -prof gc                      # with allocation per operation
# Each fork gets --add-modules jdk.incubator.vector and heap sizes from the benchmarks' @Fork annotations.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/bench/target/benchmarks.jar"
if [ ! -f "$jar" ]; then
  echo "jmh.sh: building $jar ..." >&2
  (cd "$root" && mvn -B -q package -pl bench -am -DskipTests) >&2
fi
coretype="${SAE4J_CORETYPE:-}"
if [ -z "$coretype" ] && [ -r /proc/cpuinfo ]; then
  flags="$(grep -m1 '^flags' /proc/cpuinfo || true)"
  case "$flags" in
    *avx512f*avx512bw*|*avx512bw*avx512f*) coretype=SkylakeX ;;
    *avx2*) coretype=Haswell ;;
  esac
fi
if [ -n "$coretype" ]; then export OPENBLAS_CORETYPE="$coretype"; fi
export OPENBLAS_THREAD_TIMEOUT="${OPENBLAS_THREAD_TIMEOUT:-4}" # as ./sae4j: idle OpenBLAS workers sleep, not spin
echo "jmh.sh: OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset} OPENBLAS_THREAD_TIMEOUT=$OPENBLAS_THREAD_TIMEOUT" >&2
exec java -jar "$jar" "$@"
