#!/bin/bash
# Minimal equivalent of the official postgres image's entrypoint:
#   POSTGRES_PASSWORD (or POSTGRES_PASSWORD_FILE), POSTGRES_USER (default postgres),
#   POSTGRES_DB (default $POSTGRES_USER), POSTGRES_HOST_AUTH_METHOD (default
#   scram-sha-256; "trust" allows no password), POSTGRES_INITDB_ARGS,
#   /docker-entrypoint-initdb.d/*.sql|*.sql.gz|*.sh run once on first start.
# The server runs as the postgres user and is exec'd (PID 1) so it gets the signals.
set -Eeuo pipefail

PGDATA="${PGDATA:-/var/lib/postgresql/data}"
export PGDATA

# `docker run image -c foo=bar` means postgres args, as in the official image.
if [ "${1:0:1}" = '-' ]; then set -- postgres "$@"; fi

if [ "$1" != postgres ]; then exec "$@"; fi

# As root: prepare directories, then re-run this script as postgres. setpriv
# (util-linux, like gosu) execs in place, so postgres ends up as PID 1 and gets
# docker's stop signal; `runuser` would stay as a parent and swallow SIGINT.
if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  chown postgres:postgres "$PGDATA" /var/run/postgresql
  chmod 0700 "$PGDATA"
  export HOME=/var/lib/postgresql USER=postgres LOGNAME=postgres
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

file_env() { # VAR: read VAR from VAR_FILE (docker secrets) when set
  local var="$1" file_var="${1}_FILE"
  if [ -n "${!file_var:-}" ]; then
    [ -z "${!var:-}" ] || { echo "error: both $var and $file_var are set" >&2; exit 1; }
    printf -v "$var" '%s' "$(< "${!file_var}")"
    export "${var?}"
  fi
}

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  file_env POSTGRES_PASSWORD
  POSTGRES_USER="${POSTGRES_USER:-postgres}"
  POSTGRES_DB="${POSTGRES_DB:-$POSTGRES_USER}"
  AUTH="${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}"
  if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$AUTH" != trust ]; then
    echo 'error: database is uninitialized and POSTGRES_PASSWORD is not set' >&2
    echo '       (set POSTGRES_PASSWORD, or POSTGRES_HOST_AUTH_METHOD=trust)' >&2
    exit 1
  fi

  pwfile="$(mktemp)"
  printf '%s\n' "${POSTGRES_PASSWORD:-}" > "$pwfile"
  pwopt=()
  [ -n "${POSTGRES_PASSWORD:-}" ] && pwopt=(--pwfile="$pwfile")
  # shellcheck disable=SC2086
  initdb --username="$POSTGRES_USER" "${pwopt[@]}" --encoding=UTF8 --locale=C.UTF-8 \
         --auth-local=trust --auth-host="$AUTH" ${POSTGRES_INITDB_ARGS:-} >/dev/null
  rm -f "$pwfile"
  # Remote (container network) connections use the chosen method.
  printf '\nhost all all all %s\n' "$AUTH" >> "$PGDATA/pg_hba.conf"
  printf "\nlisten_addresses = '*'\n" >> "$PGDATA/postgresql.conf"

  # Temporary socket-only server to create the database and run init scripts.
  pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p 5432" -w start
  psql=(psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname postgres)
  if [ "$POSTGRES_DB" != postgres ]; then
    "${psql[@]}" --set db="$POSTGRES_DB" -q <<<'CREATE DATABASE :"db";'
  fi
  shopt -s nullglob
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
      *.sh)     echo "running $f"
                # shellcheck disable=SC1090  # init scripts are supplied at run time
                . "$f" ;;
      *.sql)    echo "running $f"; "${psql[@]}" --dbname "$POSTGRES_DB" -f "$f" ;;
      *.sql.gz) echo "running $f"; gunzip -c "$f" | "${psql[@]}" --dbname "$POSTGRES_DB" ;;
      *)        echo "ignoring $f" ;;
    esac
  done
  pg_ctl -D "$PGDATA" -m fast -w stop
  echo 'PostgreSQL init process complete; ready for start up.'
fi

shift
exec postgres "$@"
