# shellcheck shell=bash
# shellcheck disable=SC2034  # the variables here are used by the scripts that source it
# Shared helpers for the local stack scripts (sourced, never run directly).
#
# Layout:
#   $LB_CACHE  builds and downloads that survive `down.sh` and fresh clones
#              (binaries, Kafka jars); outside the work tree so git and the
#              editors never see them.
#   $LB_STACK  everything a running stack owns: data, logs, pid files.

set -euo pipefail

LB_LOCAL_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LB_ROOT="$(cd "$LB_LOCAL_DIR/../.." && pwd)"
LB_CACHE="${LEDGERBOX_CACHE_DIR:-${HOME:-/root}/.cache/ledgerbox}"
LB_STACK="${LEDGERBOX_STACK_DIR:-$LB_ROOT/.stack}"
LB_LOGS="$LB_STACK/logs"
LB_RUN="$LB_STACK/run"
LB_ENV_FILE="$LB_ROOT/.ledgerbox-stack.env"

# Ports and names; every one can be overridden from the environment.
KAFKA_PORT="${KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-19093}"
S3_PORT="${S3_PORT:-19000}"
S3_CONSOLE_PORT="${S3_CONSOLE_PORT:-19001}"
S3_BUCKET="${S3_BUCKET:-ledgerbox}"
S3_REGION="${S3_REGION:-us-east-1}"
MONGO_PORT="${MONGO_PORT:-27018}"
LEDGERBOX_NOTIFY_URL="${LEDGERBOX_NOTIFY_URL:-http://127.0.0.1:8080/v1/storage/notifications}"

# Fixed, dev-only credentials: the servers listen on 127.0.0.1 only.
LB_S3_ACCESS_KEY="ledgerbox"
LB_S3_SECRET_KEY="ledgerbox-dev-secret"

# Pinned versions. The Kafka version must match infra/local/kafka/pom.xml.
KAFKA_VERSION="3.9.1"
# The MinIO repository is archived and its RELEASE.* tags are not semver, so
# the module proxy serves it only as a pseudo-version; this is its newest one.
MINIO_VERSION="v0.0.0-20260212201848-7aac2a2c5b7c"

mkdir -p "$LB_CACHE" "$LB_LOGS" "$LB_RUN"

# --- output ----------------------------------------------------------------

# Every line says which service it is about, since the services come up in
# parallel and their lines interleave.
LB_TAG="${LB_TAG:-stack}"

log() { printf '%s [%s] %s\n' "$(date +%H:%M:%S)" "$LB_TAG" "$*"; }

die() {
  printf '%s [%s] ERROR: %s\n' "$(date +%H:%M:%S)" "$LB_TAG" "$*" >&2
  exit 1
}

# die_with_log LOGFILE MESSAGE: fail, pointing at the log and showing its end,
# because in CI the log file is gone once the job ends.
die_with_log() {
  local logfile="$1"
  shift
  printf '%s [%s] ERROR: %s\n' "$(date +%H:%M:%S)" "$LB_TAG" "$*" >&2
  printf '%s [%s]   read the log: %s\n' "$(date +%H:%M:%S)" "$LB_TAG" "$logfile" >&2
  if [[ -s "$logfile" ]]; then
    printf -- '----- last 30 lines of %s -----\n' "$logfile" >&2
    tail -n 30 "$logfile" >&2
    printf -- '-----\n' >&2
  fi
  exit 1
}

elapsed() { # elapsed START_SECONDS -> "1m05s"
  local s=$((SECONDS - $1))
  printf '%dm%02ds' $((s / 60)) $((s % 60))
}

# run_step NAME LOGFILE CMD...: run a long command with its output in LOGFILE,
# printing a heartbeat every 30 s so a cold build does not look hung, and the
# time it took at the end.
run_step() {
  local name="$1" logfile="$2"
  shift 2
  local start=$SECONDS
  log "$name ... (log: $logfile)"
  "$@" >>"$logfile" 2>&1 </dev/null &
  local pid=$! beat=0
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    beat=$((beat + 1))
    if ((beat % 30 == 0)); then log "  still $name ($(elapsed "$start"))"; fi
  done
  if ! wait "$pid"; then
    die_with_log "$logfile" "$name failed after $(elapsed "$start")"
  fi
  log "$name done in $(elapsed "$start")"
}

# --- processes -------------------------------------------------------------

pid_file() { echo "$LB_RUN/$1.pid"; }

# service_pid NAME MATCH: print the pid from NAME's pid file if that process is
# alive and its command line still contains MATCH (guards against pid reuse
# after a reboot or a crash).
service_pid() {
  local file pid
  file="$(pid_file "$1")"
  [[ -f "$file" ]] || return 1
  pid="$(cat "$file" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  local cmdline
  cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  [[ "$cmdline" == *"$2"* ]] || return 1
  echo "$pid"
}

# start_daemon NAME LOGFILE CMD...: start CMD detached from this shell (own
# session, no stdin) so it outlives `npm run` and the CI step that ran it.
start_daemon() {
  local name="$1" logfile="$2"
  shift 2
  printf '\n===== %s start %s =====\n' "$name" "$(date -Is)" >>"$logfile"
  setsid "$@" >>"$logfile" 2>&1 </dev/null &
  echo $! >"$(pid_file "$name")"
}

# stop_service NAME MATCH [TIMEOUT]: TERM, wait, then KILL. Safe to repeat.
stop_service() {
  local name="$1" match="$2" timeout="${3:-30}" pid i
  if ! pid="$(service_pid "$name" "$match")"; then
    rm -f "$(pid_file "$name")"
    log "not running"
    return 0
  fi
  log "stopping pid $pid"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < timeout * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "still alive after ${timeout}s, sending KILL"
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  fi
  rm -f "$(pid_file "$name")"
  log "stopped"
}

# --- network ---------------------------------------------------------------

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# require_free_port PORT VAR: a port held by something else would make the new
# server fail with a less obvious message deep in its log.
require_free_port() {
  if port_open "$1"; then
    die "port 127.0.0.1:$1 is already in use by another process (not ours); free it or set $2"
  fi
}

# wait_ready NAME PID LOGFILE TIMEOUT CHECK...: poll CHECK until it succeeds;
# give up early if the server process died.
wait_ready() {
  local name="$1" pid="$2" logfile="$3" timeout="$4"
  shift 4
  local start=$SECONDS
  while ! "$@" >/dev/null 2>&1; do
    if ! kill -0 "$pid" 2>/dev/null; then
      die_with_log "$logfile" "$name exited during start-up"
    fi
    if ((SECONDS - start >= timeout)); then
      kill -TERM "$pid" 2>/dev/null || true
      rm -f "$(pid_file "$name")"
      die_with_log "$logfile" "$name not ready after ${timeout}s (stopped it)"
    fi
    sleep 0.5
  done
  log "ready in $(elapsed "$start")"
}

# --- node checks -----------------------------------------------------------

# The readiness checks use the clients the app itself uses, from the repo's
# node_modules, so "ready" means "the app's driver can talk to it".
require_node_modules() {
  local m
  for m in "$@"; do
    [[ -e "$LB_ROOT/node_modules/$m/package.json" ]] ||
      die "node_modules/$m is missing: run 'npm ci' in $LB_ROOT first"
  done
}

# --no-warnings: the AWS SDK prints a multi-line notice about future Node
# versions on every run, which would bury the real messages.
lb_node() { node --no-warnings "$LB_LOCAL_DIR/node/$1" "${@:2}"; }

# --- go builds -------------------------------------------------------------

# Go builds use the machine's own module and build caches (shared with any
# other Go work) and never fetch another toolchain: the installed Go is new
# enough for every module here.
go_env() {
  command -v go >/dev/null || die "go is not installed (need Go >= 1.24)"
  export GOTOOLCHAIN=local
  export GOFLAGS="-buildvcs=false -trimpath"
}

# content_hash FILE...: short hash naming a build by its inputs, so an edited
# source or pom gets a fresh build instead of a stale cached one.
content_hash() { cat "$@" | sha256sum | cut -c1-12; }

# The services named on the command line (default: all), each checked against the known ones;
# up.sh and down.sh take the same arguments. Sets the global array `services`.
ALL_SERVICES=(kafka minio ferretdb)
select_services() {
  services=("$@")
  ((${#services[@]})) || services=("${ALL_SERVICES[@]}")
  local s
  for s in "${services[@]}"; do
    [[ " ${ALL_SERVICES[*]} " == *" $s "* ]] || die "unknown service '$s' (known: ${ALL_SERVICES[*]})"
  done
}
