#!/usr/bin/env bash
# The Goblin Gateway benchmark (issue 7): the limit (a null OTLP receiver on the same HTTP stack), the default
# pipeline (conf/gateway.yaml, exporters replaced by a null sink), the audit log and tail-sampling memory, side by
# side in one run on this machine. The last line printed is the RESULT line.
#
#   load-tests/bench.sh [--quick] [--pause-damon] [--chart=docs/performance.png] [--out=DIR] [--name=value ...]
#   load-tests/bench.sh [--pause-damon] --profile-pipeline [--marginal] [--processors=a,b] [--rounds=24] [--requests=5000]
#
# --quick: under two minutes (shorter windows, three load points, fewer audit events).
# --profile-pipeline: no benchmark; where the traces pipeline's time goes, per processor, in one JVM without HTTP
#   (PipelineProfile). With --marginal, what each processor adds per span.
# --pause-damon: turn the kernel's DAMON monitors (kdamond) off for the run and back on at exit (needs root). On a
#   small VM a kdamond sample can take a whole vCPU for tens of ms, which shows up as every process's latency; the
#   machine line of the report says whether they were on, off or paused.
# Options (defaults in BenchRunner.Options): --spans-per-request=100 --payloads=1000 --duration=10 --rounds=5 --warmup=30 --rewarm=5
#   --point-duration=6 --fractions=0.1,0.25,0.5,0.75,0.9,1.0,1.1 --wrk-connections=32 --audit-events=60000
#   --pending-traces=1000000 --config=conf/gateway.yaml
# Environment: GATEWAY_CP (class path of the null receiver, which reuses the gateway's jars; default: every gateway/*/target and plugins/*/target jar and
#   lib/, as bin/goblin-gateway builds it), TRACING_CP (gateway-tracing's, for PendingTracesBench).
# Needs: Java 17+, Maven (first run builds); wrk recommended (apt-get install wrk): saturation uses it when present.
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
cd "$ROOT"

command -v wrk >/dev/null 2>&1 || echo "bench: wrk not found (apt-get install -y wrk): saturating with the Java generator" >&2

# The gateway, built as bin/goblin-gateway builds it.
if [ -z "${GATEWAY_CP:-}" ]; then
  if [ ! -f gateway/core/target/gateway-core.jar ]; then
    echo "bench: building the gateway (mvn -DskipTests package), once..." >&2
    mvn -q -B -DskipTests package >&2
  fi
  cp=""
  for target in gateway/*/target plugins/*/target; do
    [ -d "$target" ] || continue
    for jar in "$target"/*.jar; do
      case "$jar" in *-tests.jar|*-sources.jar|*"*.jar") continue ;; esac
      cp="$cp:$ROOT/$jar"
    done
    [ -d "$target/lib" ] && cp="$cp:$ROOT/$target/lib/*"
  done
  GATEWAY_CP="${cp#:}"
fi
if [ -z "${TRACING_CP:-}" ]; then
  tjar=$(ls gateway/tracing/target/gateway-tracing-*.jar 2>/dev/null | grep -v -e '-tests.jar' -e '-sources.jar' | head -1 || true)
  if [ -n "$tjar" ]; then TRACING_CP="$ROOT/$tjar:$ROOT/gateway/tracing/target/lib/*"; else TRACING_CP=""; fi
fi
export GATEWAY_CP TRACING_CP

# The benchmark itself (this module): compiled classes plus its runtime class path.
LT=load-tests/target
if [ ! -d "$LT/classes/io" ] || [ -n "$(find load-tests/src/main load-tests/pom.xml -newer "$LT/classpath.txt" 2>/dev/null | head -1)" ] \
    || [ ! -f "$LT/classpath.txt" ]; then
  echo "bench: compiling load-tests..." >&2
  (cd load-tests && { mvn -q -B -o compile dependency:build-classpath -DincludeScope=runtime -Dmdep.outputFile=target/classpath.txt \
      || mvn -q -B compile dependency:build-classpath -DincludeScope=runtime -Dmdep.outputFile=target/classpath.txt; }) >&2
fi

# --pause-damon: every kdamond that is on goes off now and back on when this script exits, however it exits.
args=()
paused=()
for a in "$@"; do
  if [ "$a" = "--pause-damon" ]; then
    for state in /sys/kernel/mm/damon/admin/kdamonds/*/state; do
      [ -f "$state" ] || continue
      if [ "$(cat "$state")" = "on" ]; then
        if echo off > "$state" 2>/dev/null; then
          paused+=("$state")
        else
          echo "bench: could not pause $(dirname "$state") (not root?); it stays on" >&2
        fi
      fi
    done
  else
    args+=("$a")
  fi
done
restore_damon() {
  for state in "${paused[@]}"; do echo on > "$state" 2>/dev/null || echo "bench: could not turn $state back on" >&2; done
}
if [ ${#paused[@]} -gt 0 ]; then
  trap restore_damon EXIT
  trap 'exit 130' INT TERM
  export BENCH_DAMON_PAUSED="${#paused[@]} kdamond(s)"
  echo "bench: paused ${#paused[@]} kdamond(s) for this run" >&2
fi

JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
# JAVA_HOME picks the JDK of every process here (generator, null receiver, gateway). protobuf-java is several times
# slower on JDK 24+ unless sun.misc.Unsafe memory access stays allowed (bin/goblin-gateway passes the same flag).
major=$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
jdk_extra=()
if [ "${major:-17}" -ge 24 ] 2>/dev/null; then jdk_extra+=(--sun-misc-unsafe-memory-access=allow); fi
# The load generator runs in this JVM: ZGC keeps its pauses (which would delay sends and count as gateway latency)
# under a millisecond; G1 paused it for 15-40 ms here. Its heap is committed and touched at start (AlwaysPreTouch):
# growing into fresh memory mid-point cost the kernel 40 % of a vCPU in page faults for seconds (every request
# copies its 40 KiB body), and that showed up as hundreds of ms of "gateway" latency.
# --profile-pipeline: PipelineProfile instead of the benchmark (the traces pipeline in this JVM, per processor; see its
# class comment); the remaining options are its own.
if [ "${args[0]:-}" = "--profile-pipeline" ]; then
  "$JAVA" -Xmx1g ${jdk_extra[@]+"${jdk_extra[@]}"} -cp "$GATEWAY_CP:$ROOT/$LT/classes:$(cat "$LT/classpath.txt")" \
    io.goblinos.gateway.loadtest.bench.PipelineProfile "${args[@]:1}"
  exit 0 # not exec: the EXIT trap turns paused kdamonds back on
fi
"$JAVA" -Xms1g -Xmx1g -XX:+AlwaysPreTouch -XX:+UseZGC ${jdk_extra[@]+"${jdk_extra[@]}"} -cp "$ROOT/$LT/classes:$(cat "$LT/classpath.txt")" io.goblinos.gateway.loadtest.bench.BenchRunner --root="$ROOT" ${args[@]+"${args[@]}"}
