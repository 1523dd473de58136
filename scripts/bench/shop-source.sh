# Sourced by the full-restore benchmarks: the shop's source database, a throwaway PostgreSQL 15
# cluster in $work/pg on a free port (fsync off), owned by the role app, with $rows users and
# $rows orders. Sets pgport and PGPASSWORD; the caller's cleanup stops it (pg_ctl -D $work/pg stop).
# Needs: work, rows, free_port.
pgport=$(free_port); mkdir -p "$work/pg" "$work/sock"; chown postgres "$work/pg" "$work/sock"
runuser -u postgres -- /usr/lib/postgresql/15/bin/initdb -D "$work/pg" -A trust >/dev/null
runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$work/pg" -w -l "$work/pg/server.log" \
  -o "-p $pgport -k $work/sock -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
export PGPASSWORD=bench-Db-pw
psql -q -h 127.0.0.1 -p "$pgport" -U postgres -d postgres -c "CREATE ROLE app LOGIN PASSWORD '$PGPASSWORD'" -c "CREATE DATABASE app OWNER app"
psql -q -h 127.0.0.1 -p "$pgport" -U app -d app <<SQL
CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL);
INSERT INTO users SELECT g, 'user' || g || '@shop.test' FROM generate_series(1, $rows) g;
CREATE TABLE orders (id int PRIMARY KEY, user_id int REFERENCES users, total numeric);
INSERT INTO orders SELECT g, 1 + g % $rows, g * 1.5 FROM generate_series(1, $rows) g;
SQL
