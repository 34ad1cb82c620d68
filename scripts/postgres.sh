# Sourced: starts a private PostgreSQL on 127.0.0.1 for the store tests (installing it from Debian's
# packages when absent) and exports the connection string Backstage's TestDatabases reads.
PG_PORT="${GITOPS_TEST_PG_PORT:-54329}"
# Outside the checkout: when run as root the server runs as the postgres user, which may not be
# allowed into the checkout's parent folders.
PG_DIR="${TMPDIR:-/tmp}/gitops-status-pg-$PG_PORT"
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
if [ -z "$(pg_bin)" ]; then
  echo "postgres: installing PostgreSQL from Debian packages"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi
PG_BIN="$(pg_bin)"
as_pg() { if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }
PG_USER=postgres
[ "$(id -u)" -ne 0 ] && PG_USER="$(id -un)"
if ! (exec 3<>/dev/tcp/127.0.0.1/$PG_PORT) 2>/dev/null; then
  rm -rf "$PG_DIR"; mkdir -p "$PG_DIR"
  [ "$(id -u)" -eq 0 ] && chown postgres "$PG_DIR"
  as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U "$PG_USER" --auth=trust >/dev/null
  as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=off -c max_connections=200" start >/dev/null
  echo "postgres: started $("$PG_BIN/postgres" --version) on 127.0.0.1:$PG_PORT"
fi
export BACKSTAGE_TEST_DISABLE_DOCKER=1
export BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING="postgresql://$PG_USER@127.0.0.1:$PG_PORT"
stop_postgres() { as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null 2>&1 || true; }
