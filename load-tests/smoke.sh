#!/usr/bin/env bash
# Gatling smoke run for CI: starts the gateway from conf/gateway.yaml on free ports (bin/goblin-gateway, or
# java -cp "$GATEWAY_CP" when set), gives it a throw-away audit key when the config has an audit section, runs
# SmokeSimulation (traces protobuf + JSON, metrics, logs, audit; 10 s of load; error rate and p99 asserted) and
# stops the gateway. Exit 0 when every assertion holds.
#
#   load-tests/smoke.sh            # from a built tree (after mvn verify): builds load-tests with -pl load-tests -am
#   load-tests/smoke.sh --no-am    # gateway-api/-audit already installed in ~/.m2: build load-tests alone
# Extra -D options for Gatling go in SMOKE_OPTS (e.g. SMOKE_OPTS="-Dduration=20 -Drate=10").
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
cd "$ROOT"
am=1
[ "${1:-}" = "--no-am" ] && am=0

port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()'; }
# exec: "gateway run ... &" must leave $! = the JVM's pid, so that cleanup stops the gateway itself
gateway() {
  if [ -n "${GATEWAY_CP:-}" ]; then exec java -Xmx1g -cp "$GATEWAY_CP" io.goblinos.gateway.cli.GoblinGateway "$@"; else exec bin/goblin-gateway "$@"; fi
}

dir=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT

G=$(port); H=$(port); A=$(port)
sets=(--set "receivers.otlp.protocols.grpc.endpoint=127.0.0.1:$G"
      --set "receivers.otlp.protocols.http.endpoint=127.0.0.1:$H"
      --set "service.telemetry.metrics.address=127.0.0.1:$A"
      --set "exporters.file.directory=$dir/otlp")
audit=()
if grep -q '^audit:' conf/gateway.yaml; then
  mkdir -p "$dir/keys"
  if entry=$(gateway audit keygen --goblin-id goblin-loadtest --key-id loadtest --out "$dir/keys" 2>"$dir/keygen.err"); then
    { echo "keys:"; echo "$entry" | grep -v '^#' | sed 's/^/  /'; } > "$dir/keys/audit-keys.yaml"
    sets+=(--set "audit.keys_file=$dir/keys/audit-keys.yaml" --set "audit.store.directory=$dir/audit")
    audit=(-Daudit.key="$dir/keys/loadtest.pem" -Daudit.key_id=loadtest -Daudit.goblin_id=goblin-loadtest)
  else
    echo "smoke: 'audit keygen' failed ($(head -c 300 "$dir/keygen.err")): the audit scenario will be skipped"
  fi
else
  echo "smoke: conf/gateway.yaml has no audit section: the audit scenario will be skipped"
fi

(gateway run --config conf/gateway.yaml "${sets[@]}") >"$dir/gateway.log" 2>&1 &
pid=$!
for _ in $(seq 600); do
  curl -sf -o /dev/null "http://127.0.0.1:$A/health/ready" && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
if ! curl -sf -o /dev/null "http://127.0.0.1:$A/health/ready"; then
  echo "smoke: FAIL: the gateway did not become ready"; tail -20 "$dir/gateway.log"; exit 1
fi
echo "smoke: gateway ready (OTLP/HTTP 127.0.0.1:$H, pid $pid)"

# shellcheck disable=SC2086
gatling=(-B -ntp -Pgatling-smoke -DskipTests "-Dgateway.url=http://127.0.0.1:$H" "${audit[@]}" ${SMOKE_OPTS:-})
status=0
if [ "$am" = 1 ]; then
  mvn "${gatling[@]}" -pl load-tests -am verify || status=$?
else
  mvn "${gatling[@]}" -f load-tests/pom.xml verify || status=$?
fi
if [ "$status" -ne 0 ]; then
  echo "smoke: FAIL: Gatling smoke run failed (exit $status); gateway log tail:"; tail -20 "$dir/gateway.log"
  exit "$status"
fi
grep -q 'level=SEVERE' "$dir/gateway.log" && { echo "smoke: FAIL: the gateway logged SEVERE:"; grep 'level=SEVERE' "$dir/gateway.log" | head -5; exit 1; }
echo "smoke: OK"
