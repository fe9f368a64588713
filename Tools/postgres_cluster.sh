#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests, on 127.0.0.1 only.
#
#   bash Tools/postgres_cluster.sh start DIR   # initdb in DIR, start it, print its URL on stdout
#   bash Tools/postgres_cluster.sh stop DIR    # stop the server started in DIR (by its PID) and remove DIR
#
# initdb refuses to run as root, so as root the cluster belongs to the `postgres` user of Debian's
# package. The test role `assent` has the password in DIR/password; the URL printed carries it, as a
# libpq URL may (it never appears in Assent's own output).
set -euo pipefail
command=${1:?usage: postgres_cluster.sh start|stop DIR}
folder=${2:?usage: postgres_cluster.sh start|stop DIR}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bin/initdb" ] || { echo "postgres_cluster: no PostgreSQL server (apt-get install postgresql)" >&2; exit 1; }
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$command" in
start)
  mkdir -p "$folder"
  [ "$(id -u)" -eq 0 ] && chown postgres "$folder"
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  password=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
  echo "$password" >"$folder/password"
  chmod 600 "$folder/password"
  [ "$(id -u)" -eq 0 ] && chown postgres "$folder/password"
  as_owner "$bin/initdb" -D "$folder/data" -A scram-sha-256 -U postgres --pwfile="$folder/password" \
    --no-sync >"$folder/initdb.log" 2>&1 || { cat "$folder/initdb.log" >&2; exit 1; }
  as_owner "$bin/pg_ctl" -D "$folder/data" -l "$folder/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $folder -c fsync=on" start >/dev/null \
    || { cat "$folder/server.log" >&2; exit 1; }
  PGPASSWORD=$password "$bin/psql" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 \
    -c "CREATE ROLE assent LOGIN PASSWORD '$password' CREATEDB CREATEROLE" -c "CREATE DATABASE assent OWNER assent" >/dev/null
  echo "postgresql://assent:$password@127.0.0.1:$port/assent"
  ;;
stop)
  if [ -f "$folder/data/postmaster.pid" ]; then
    pid=$(head -1 "$folder/data/postmaster.pid")
    kill -INT "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -rf "$folder"
  ;;
*)
  echo "usage: postgres_cluster.sh start|stop DIR" >&2
  exit 2
  ;;
esac
