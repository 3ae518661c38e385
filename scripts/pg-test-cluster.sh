#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for perfloop's tests (and CI).
#
#   scripts/pg-test-cluster.sh start   # prints postgres://postgres@127.0.0.1:<port>/perfloop_test
#   scripts/pg-test-cluster.sh url     # prints the URL of the running cluster
#   scripts/pg-test-cluster.sh stop    # stops it and deletes its folder; idempotent
#
# Environment:
#   PERFLOOP_PG_STATE  state file (default /tmp/perfloop-pg-test-cluster.state); use a different one
#                      per cluster so several can coexist
#   PERFLOOP_PG_BIN    server binaries (default /usr/lib/postgresql/15/bin)
#
# The cluster is tuned for speed, not durability (fsync=off …): it only ever holds test data.
# Only the URL goes to stdout, so callers can do URL=$(scripts/pg-test-cluster.sh start).
set -euo pipefail

PG_BIN=${PERFLOOP_PG_BIN:-/usr/lib/postgresql/15/bin}
STATE_FILE=${PERFLOOP_PG_STATE:-/tmp/perfloop-pg-test-cluster.state}
DB_NAME=perfloop_test
FIRST_PORT=54329
PORT_ATTEMPTS=200
PG_OS_USER=postgres

log() { printf 'pg-test-cluster: %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

# Run a command as the OS user that owns the cluster. The server refuses to run as root, so root
# switches to `postgres`; any other user runs it directly (initdb -U makes the role `postgres` anyway).
as_pg() {
  if [ "$(id -u)" -ne 0 ]; then
    "$@"
  elif command -v runuser >/dev/null 2>&1; then
    runuser -u "$PG_OS_USER" -- "$@"
  else
    su "$PG_OS_USER" -s /bin/sh -c "$(printf '%q ' "$@")"
  fi
}

check_binaries() {
  local bin
  for bin in initdb pg_ctl postgres psql pg_isready; do
    [ -x "$PG_BIN/$bin" ] || die "PostgreSQL 15 binary '$PG_BIN/$bin' not found.
  Install the server: apt-get install -y postgresql-15 postgresql-contrib
  (or point PERFLOOP_PG_BIN at a folder holding initdb, pg_ctl, postgres, psql and pg_isready)."
  done
  local libdir
  libdir=$("$PG_BIN/pg_config" --pkglibdir 2>/dev/null || echo "$PG_BIN/../lib")
  for lib in pg_stat_statements auto_explain; do
    [ -e "$libdir/$lib.so" ] || die "$lib is not installed in $libdir.
  Install the contrib modules: apt-get install -y postgresql-contrib (Debian ships them in postgresql-15)."
  done
}

ensure_os_user() {
  [ "$(id -u)" -eq 0 ] || return 0
  id -u "$PG_OS_USER" >/dev/null 2>&1 && return 0
  log "creating system user '$PG_OS_USER'"
  useradd --system --user-group --no-create-home --home-dir /var/lib/postgresql \
    --shell /bin/sh "$PG_OS_USER" || die "could not create the '$PG_OS_USER' OS user"
}

# state file: KEY=value lines; read with grep rather than `source` so a stray file cannot run code.
state_get() {
  [ -f "$STATE_FILE" ] || return 0
  sed -n "s/^$1=//p" "$STATE_FILE" | head -n 1
}

url_for() { printf 'postgres://postgres@127.0.0.1:%s/%s' "$1" "$DB_NAME"; }

is_running() {
  local dir=$1 port=$2
  [ -n "$dir" ] && [ -n "$port" ] && [ -f "$dir/data/postmaster.pid" ] || return 1
  "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -t 3 >/dev/null 2>&1
}

# A port is free when nothing answers on it (neither PostgreSQL nor anything else).
port_is_free() {
  local port=$1 rc=0
  "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -t 1 >/dev/null 2>&1 || rc=$?
  [ "$rc" -eq 2 ] || return 1 # 0/1: a PostgreSQL server is there; 3: bad parameters
  ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
}

next_free_port() {
  local port=$1 last=$((FIRST_PORT + PORT_ATTEMPTS))
  while [ "$port" -lt "$last" ]; do
    if port_is_free "$port"; then
      echo "$port"
      return 0
    fi
    port=$((port + 1))
  done
  die "no free TCP port on 127.0.0.1 between $FIRST_PORT and $last"
}

# Deletes a cluster folder, but only one this script made (guards against a corrupt state file).
remove_dir() {
  local dir=$1
  case "$dir" in
    /*/perfloop-pg.*) rm -rf -- "$dir" ;;
    "") ;;
    *) log "not deleting unexpected folder '$dir'" ;;
  esac
}

stop_cluster() {
  local dir
  dir=$(state_get DIR)
  if [ -z "$dir" ]; then
    rm -f -- "$STATE_FILE"
    return 0
  fi
  if [ -f "$dir/data/postmaster.pid" ]; then
    (cd "$dir" && as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1) ||
      log "pg_ctl stop failed (server already gone?)"
  fi
  remove_dir "$dir"
  rm -f -- "$STATE_FILE"
}

write_config() {
  local dir=$1 data=$1/data
  # trust, but only over the unix socket in our private folder and on loopback
  cat >"$data/pg_hba.conf" <<EOF
local all all trust
host  all all 127.0.0.1/32 trust
EOF
  cat >>"$data/postgresql.conf" <<EOF

# ---- perfloop throwaway test cluster ----
listen_addresses = '127.0.0.1'
port = $FIRST_PORT
unix_socket_directories = '$dir'
max_connections = 100
shared_preload_libraries = 'pg_stat_statements,auto_explain'
pg_stat_statements.track = all
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
}

set_port() { sed -i "s/^port = .*/port = $2/" "$1/data/postgresql.conf"; }

# Tries free ports until the server binds one (another process may grab a port between the check
# and the bind, e.g. two clusters starting at once).
start_server() {
  local dir=$1 port=$FIRST_PORT attempt
  for attempt in 1 2 3 4 5 6 7 8 9 10; do
    port=$(next_free_port "$port")
    set_port "$dir" "$port"
    printf 'DIR=%s\nPORT=%s\n' "$dir" "$port" >"$STATE_FILE"
    rm -f -- "$dir/postgres.log" # so the bind check below reads this attempt only
    if (cd "$dir" && as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 start \
      >"$dir/pg_ctl.out" 2>&1); then
      echo "$port"
      return 0
    fi
    if grep -q -i -E 'could not bind|address already in use' "$dir/postgres.log" 2>/dev/null; then
      log "port $port was taken meanwhile (attempt $attempt), trying the next one"
      port=$((port + 1))
      continue
    fi
    log "the server did not start:"
    cat "$dir/pg_ctl.out" >&2 2>/dev/null || true
    log "last lines of $dir/postgres.log:"
    tail -n 20 "$dir/postgres.log" >&2 2>/dev/null || true
    return 1
  done
  log "gave up after $attempt ports were taken while starting"
  return 1
}

psql_run() {
  local port=$1 db=$2 sql=$3
  PGCONNECT_TIMEOUT=10 "$PG_BIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 \
    -h 127.0.0.1 -p "$port" -U postgres -d "$db" -c "$sql"
}

start_cluster() {
  check_binaries
  local dir port
  dir=$(state_get DIR)
  port=$(state_get PORT)
  if [ -n "$dir" ]; then
    if is_running "$dir" "$port"; then
      log "already running (state $STATE_FILE)"
      url_for "$port"
      echo
      return 0
    fi
    log "removing a stale cluster recorded in $STATE_FILE"
    stop_cluster
  fi
  ensure_os_user
  mkdir -p -- "$(dirname -- "$STATE_FILE")"

  # /tmp, not $TMPDIR: the postgres user must reach it, and the socket path must stay short
  dir=$(mktemp -d /tmp/perfloop-pg.XXXXXX)
  printf 'DIR=%s\n' "$dir" >"$STATE_FILE"
  # from here on, any failure removes what we made
  trap 'log "start failed; cleaning up"; stop_cluster' ERR
  if [ "$(id -u)" -eq 0 ]; then chown "$PG_OS_USER:" "$dir"; fi
  chmod 700 "$dir"

  (cd "$dir" && as_pg "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust \
    --encoding=UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1) || {
    log "initdb failed:"
    cat "$dir/initdb.log" >&2
    false
  }
  write_config "$dir"
  port=$(start_server "$dir")

  psql_run "$port" postgres "CREATE DATABASE $DB_NAME" >/dev/null
  psql_run "$port" "$DB_NAME" "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null
  if ! psql_run "$port" "$DB_NAME" "CREATE EXTENSION IF NOT EXISTS hypopg" >/dev/null 2>&1; then
    log "note: hypopg is not available (apt-get install postgresql-15-hypopg); continuing without it"
  fi
  trap - ERR
  printf 'URL=%s\n' "$(url_for "$port")" >>"$STATE_FILE"
  log "started in $dir on port $port"
  url_for "$port"
  echo
}

print_url() {
  local dir port
  dir=$(state_get DIR)
  port=$(state_get PORT)
  is_running "$dir" "$port" || die "no running test cluster recorded in $STATE_FILE (run: $0 start)"
  url_for "$port"
  echo
}

case "${1:-}" in
  start) start_cluster ;;
  stop) stop_cluster ;;
  url) print_url ;;
  *)
    echo "usage: $0 start|stop|url   (state file: \$PERFLOOP_PG_STATE, default /tmp/perfloop-pg-test-cluster.state)" >&2
    exit 2
    ;;
esac
