# shellcheck shell=bash
# Sourced by alembic and the HTTP handler: turns the service's DATABASE_* settings
# into libpq variables. DATABASE_PASSWORD_FILE (docker secrets) wins over nothing,
# DATABASE_PASSWORD wins over the file, as usual for *_FILE conventions.
db_env() {
  if [ -z "${DATABASE_PASSWORD:-}" ] && [ -n "${DATABASE_PASSWORD_FILE:-}" ]; then
    if [ ! -r "$DATABASE_PASSWORD_FILE" ]; then
      echo "cannot read DATABASE_PASSWORD_FILE=$DATABASE_PASSWORD_FILE" >&2
      return 1
    fi
    DATABASE_PASSWORD="$(cat "$DATABASE_PASSWORD_FILE")"
  fi
  local v
  for v in DATABASE_HOST DATABASE_USER DATABASE_NAME; do
    if [ -z "${!v:-}" ]; then echo "$v is not set" >&2; return 1; fi
  done
  export PGHOST="$DATABASE_HOST" PGPORT="${DATABASE_PORT:-5432}" PGUSER="$DATABASE_USER" \
         PGDATABASE="$DATABASE_NAME" PGPASSWORD="${DATABASE_PASSWORD:-}" \
         PGCONNECT_TIMEOUT="${PGCONNECT_TIMEOUT:-3}" PGAPPNAME=runbook-test-api
}
