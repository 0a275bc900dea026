#!/usr/bin/env bash
# Stop the local stack started by up.sh: TERM each server by its pid file and
# wait for it to exit (KILL if it will not). Data stays in .stack for the next
# up; delete that folder for a clean slate. Safe to run when nothing is up.
#   npm run infra:down
#   bash infra/local/down.sh minio     # just this one
LB_TAG=stack
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

select_services "$@"

# In parallel: Kafka's controlled shutdown alone takes a few seconds.
declare -A jobs=()
for s in "${services[@]}"; do
  bash "$LB_LOCAL_DIR/$s.sh" stop &
  jobs[$s]=$!
done
failed=()
for s in "${services[@]}"; do
  wait "${jobs[$s]}" || failed+=("$s")
done
((${#failed[@]} == 0)) || die "failed to stop: ${failed[*]}"

# With nothing left running, the env file would only point at dead ports.
for s in "${ALL_SERVICES[@]}"; do
  if bash "$LB_LOCAL_DIR/$s.sh" status >/dev/null 2>&1; then
    log "stopped: ${services[*]} ($s still running; $LB_ENV_FILE kept)"
    exit 0
  fi
done
rm -f "$LB_ENV_FILE"
log "stopped: ${services[*]}; removed $LB_ENV_FILE"
