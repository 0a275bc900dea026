#!/usr/bin/env bash
# Start the local Ledgerbox stack on 127.0.0.1 and write .ledgerbox-stack.env.
#
#   npm run infra:up                      # kafka, minio and ferretdb
#   bash infra/local/up.sh kafka minio    # just these
#   npm run infra:down                    # stop them (infra/local/down.sh)
#
# Safe to run again: a server that is already up is only checked, a stopped
# one is started. Everything it installs comes from package registries, so a
# brand-new machine (CI) needs only Go, Java, Maven, Node and `npm ci` done.
#
#   Kafka 3.9 (KRaft)  127.0.0.1:$KAFKA_PORT       (19092)  kafka.sh
#   MinIO (S3)         127.0.0.1:$S3_PORT          (19000)  minio.sh
#                      console :$S3_CONSOLE_PORT   (19001)
#   FerretDB (MongoDB) 127.0.0.1:$MONGO_PORT       (27018)  ferretdb.sh
#
# Builds and jars are cached in $LEDGERBOX_CACHE_DIR (~/.cache/ledgerbox);
# data, logs and pid files live in $LEDGERBOX_STACK_DIR (<repo>/.stack).
# Webhook events for new objects go to $LEDGERBOX_NOTIFY_URL
# (http://127.0.0.1:8080/v1/storage/notifications) with
# "Authorization: Bearer $STORAGE_NOTIFY_TOKEN"; MinIO queues them on disk
# until Ledgerbox answers.
LB_TAG=stack
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

select_services "$@"

command -v node >/dev/null || die "node is not installed"
start=$SECONDS
log "starting: ${services[*]}"
log "cache: $LB_CACHE   stack: $LB_STACK"

# Each service builds (if needed), starts and waits for itself in parallel:
# on a cold machine the Maven download overlaps the two Go builds, and Kafka
# is already up while MinIO still compiles.
declare -A jobs=()
for s in "${services[@]}"; do
  bash "$LB_LOCAL_DIR/$s.sh" up &
  jobs[$s]=$!
done
failed=()
for s in "${services[@]}"; do
  wait "${jobs[$s]}" || failed+=("$s")
done
if ((${#failed[@]})); then
  die "failed to start: ${failed[*]} (see the ERROR lines above for the log to read); any others are left running"
fi

# The env file describes every server of ours that is running now, not only
# the ones named on this command line.
running() { bash "$LB_LOCAL_DIR/$1.sh" status >/dev/null 2>&1; }
tmp="$LB_ENV_FILE.tmp"
{
  if running kafka; then
    echo "KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT"
  fi
  if running minio; then
    echo "S3_ENDPOINT=http://127.0.0.1:$S3_PORT"
    echo "S3_BUCKET=$S3_BUCKET"
    echo "S3_REGION=$S3_REGION"
    echo "S3_FORCE_PATH_STYLE=true"
    echo "AWS_ACCESS_KEY_ID=$LB_S3_ACCESS_KEY"
    echo "AWS_SECRET_ACCESS_KEY=$LB_S3_SECRET_KEY"
    echo "STORAGE_NOTIFY_TOKEN=$(bash "$LB_LOCAL_DIR/minio.sh" token)"
  fi
  if running ferretdb; then
    echo "MONGODB_URL=mongodb://127.0.0.1:$MONGO_PORT/ledgerbox"
  fi
} >"$tmp"
mv "$tmp" "$LB_ENV_FILE"

log "stack up in $(elapsed "$start"); wrote $LB_ENV_FILE:"
sed 's/^/    /' "$LB_ENV_FILE"
