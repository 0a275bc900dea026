#!/usr/bin/env bash
# MongoDB wire protocol for the app's read store: FerretDB 1.24 on its SQLite
# backend, built from infra/local/ferretdb (see main.go for why it is ours).
# SQLite keeps it a single self-contained process with files under .stack.
#   bash infra/local/ferretdb.sh build|up|stop|status
LB_TAG=ferretdb
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SRC="$LB_LOCAL_DIR/ferretdb"
# Keyed by the sources: an edited main.go or a FerretDB bump rebuilds.
BIN="$LB_CACHE/bin/ferretdb-$(content_hash "$SRC/main.go" "$SRC/go.mod" "$SRC/go.sum")/ledgerbox-ferretdb"
DATA="$LB_STACK/ferretdb"
LOG="$LB_LOGS/ferretdb.log"
MATCH="ledgerbox-ferretdb"

build() {
  [[ -x "$BIN" ]] && return 0
  go_env
  # -mod=readonly: go.sum is committed; a build must never rewrite it.
  # The temp name then mv: a build cut short never leaves a broken binary.
  log "no build for these sources yet (a cold build takes a few minutes)"
  # shellcheck disable=SC2016  # expanded by the inner bash, from its arguments
  run_step "building FerretDB" "$LB_LOGS/ferretdb-build.log" \
    bash -c 'cd "$1" && go build -mod=readonly -o "$2.tmp" . && mv "$2.tmp" "$2"' _ "$SRC" "$BIN"
}

ready() {
  port_open "$MONGO_PORT" && lb_node mongo-ping.mjs "mongodb://127.0.0.1:$MONGO_PORT/ledgerbox"
}

up() {
  require_node_modules mongodb
  local pid
  if pid="$(service_pid ferretdb "$MATCH")"; then
    log "already running (pid $pid), checking it answers"
    wait_ready ferretdb "$pid" "$LOG" 30 ready
    return 0
  fi
  build
  require_free_port "$MONGO_PORT" MONGO_PORT
  mkdir -p "$DATA"
  log "starting on 127.0.0.1:$MONGO_PORT (data: $DATA, log: $LOG)"
  start_daemon ferretdb "$LOG" "$BIN" -listen "127.0.0.1:$MONGO_PORT" -sqlite-dir "$DATA"
  wait_ready ferretdb "$(cat "$(pid_file ferretdb)")" "$LOG" 60 ready
}

case "${1:-}" in
build) build ;;
up) up ;;
stop) stop_service ferretdb "$MATCH" 30 ;;
status) if pid="$(service_pid ferretdb "$MATCH")"; then echo "ferretdb running (pid $pid)"; else echo "ferretdb stopped"; exit 1; fi ;;
*) die "usage: ferretdb.sh build|up|stop|status" ;;
esac
