#!/usr/bin/env bash
# S3 for the app's blobs: MinIO, built from source with `go install` (its
# repository is archived and no binary download is reachable here). Creates
# the bucket and a webhook notification to Ledgerbox's storage endpoint.
#   bash infra/local/minio.sh build|up|stop|status
LB_TAG=minio
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BIN="$LB_CACHE/bin/minio-$MINIO_VERSION/minio"
DATA="$LB_STACK/minio"
LOG="$LB_LOGS/minio.log"
# Matched against the process's command line to recognise our server.
MATCH="$BIN server"
TOKEN_FILE="$DATA/notify-token"

build() {
  [[ -x "$BIN" ]] && return 0
  go_env
  log "no build of $MINIO_VERSION yet (a cold build takes several minutes)"
  # GOBIN per version: a version bump never overwrites the binary a running
  # server uses, and an interrupted install leaves no half-written file in use.
  run_step "building MinIO $MINIO_VERSION (go install)" "$LB_LOGS/minio-build.log" \
    env GOBIN="$(dirname "$BIN")" go install "github.com/minio/minio@$MINIO_VERSION"
}

# The webhook token is made once per stack dir and kept there: the server reads
# it at start and the app reads it from the env file; they must agree.
notify_token() {
  mkdir -p "$DATA"
  if [[ ! -s "$TOKEN_FILE" ]]; then
    head -c24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' >"$TOKEN_FILE"
  fi
  cat "$TOKEN_FILE"
}

# Used by the readiness check and the bucket setup.
s3_env() {
  export S3_ENDPOINT="http://127.0.0.1:$S3_PORT" S3_BUCKET S3_REGION \
    AWS_ACCESS_KEY_ID="$LB_S3_ACCESS_KEY" AWS_SECRET_ACCESS_KEY="$LB_S3_SECRET_KEY"
}

ready() {
  # MinIO's own liveness+readiness probe: 200 once the drive is usable.
  curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$S3_PORT/minio/health/ready"
}

setup_bucket() {
  s3_env
  local out
  if ! out="$(lb_node minio-setup.mjs 2>&1)"; then
    printf '%s\n' "$out" >>"$LOG"
    die_with_log "$LOG" "creating bucket $S3_BUCKET or its notification failed: $out"
  fi
  printf '%s\n' "$out" | while IFS= read -r line; do log "$line"; done
}

up() {
  require_node_modules @aws-sdk/client-s3
  command -v curl >/dev/null || die "curl is not installed"
  local pid
  if pid="$(service_pid minio "$MATCH")"; then
    log "already running (pid $pid), checking it answers"
    wait_ready minio "$pid" "$LOG" 30 ready
    setup_bucket
    return 0
  fi
  build
  require_free_port "$S3_PORT" S3_PORT
  require_free_port "$S3_CONSOLE_PORT" S3_CONSOLE_PORT
  local token
  token="$(notify_token)"
  mkdir -p "$DATA/data" "$DATA/webhook-queue"
  log "starting on 127.0.0.1:$S3_PORT (console :$S3_CONSOLE_PORT, data: $DATA/data, log: $LOG)"
  log "webhook target LEDGERBOX -> $LEDGERBOX_NOTIFY_URL"
  # The webhook target is configured by environment, not `mc admin config`:
  # it needs no extra client and is in place before the first request.
  # QUEUE_DIR: events are written to disk first and retried until Ledgerbox
  # (started later, by the tests) answers, instead of being dropped.
  # MINIO_CI_CD: a single small drive, 256 MiB buffer pool instead of a share
  # of all memory.
  start_daemon minio "$LOG" env \
    MINIO_ROOT_USER="$LB_S3_ACCESS_KEY" \
    MINIO_ROOT_PASSWORD="$LB_S3_SECRET_KEY" \
    MINIO_REGION="$S3_REGION" \
    MINIO_CI_CD=1 \
    MINIO_API_CORS_ALLOW_ORIGIN='*' \
    MINIO_NOTIFY_WEBHOOK_ENABLE_LEDGERBOX=on \
    MINIO_NOTIFY_WEBHOOK_ENDPOINT_LEDGERBOX="$LEDGERBOX_NOTIFY_URL" \
    MINIO_NOTIFY_WEBHOOK_AUTH_TOKEN_LEDGERBOX="$token" \
    MINIO_NOTIFY_WEBHOOK_QUEUE_DIR_LEDGERBOX="$DATA/webhook-queue" \
    "$BIN" server "$DATA/data" \
    --address "127.0.0.1:$S3_PORT" --console-address "127.0.0.1:$S3_CONSOLE_PORT"
  wait_ready minio "$(cat "$(pid_file minio)")" "$LOG" 60 ready
  setup_bucket
}

case "${1:-}" in
build) build ;;
up) up ;;
token) notify_token ;;
stop) stop_service minio "$MATCH" 30 ;;
status) if pid="$(service_pid minio "$MATCH")"; then echo "minio running (pid $pid)"; else echo "minio stopped"; exit 1; fi ;;
*) die "usage: minio.sh build|up|token|stop|status" ;;
esac
