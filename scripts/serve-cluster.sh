#!/usr/bin/env bash
# Two CityTwin instances on one throwaway PostGIS database, nginx round-robin in
# front, all on loopback, for trying out several instances by hand:
#   http://127.0.0.1:$PORT/        nginx (round robin over both instances)
#   http://127.0.0.1:$((PORT+1))/  instance A,  http://127.0.0.1:$((PORT+2))/  instance B
# An event posted through one instance shows in the other's list and live stream;
# `citytwin import --store URL …` (URL printed below) is served by both within a second.
# Ctrl-C stops both instances, nginx and PostgreSQL and removes the cluster.
# Usage: scripts/serve-cluster.sh   (env: BIN, PORT, PGPORT, GEODATA, WORK, RELEASE=1)
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-8080}
PGPORT=${PGPORT:-55433}
GEODATA=${GEODATA:-GeoData}
WORK=${WORK:-$PWD/cluster-data}
PGBIN=/usr/lib/postgresql/15/bin
if [ -n "${RELEASE:-}" ]; then BIN=${BIN:-.build/release/citytwin}; else BIN=${BIN:-.build/debug/citytwin}; fi
[ -x "$BIN" ] || { echo "serve-cluster: $BIN missing (make build)" >&2; exit 1; }
[ -x "$PGBIN/initdb" ] || { echo "serve-cluster: PostgreSQL 15 missing (make deps)" >&2; exit 1; }
command -v nginx >/dev/null || { echo "serve-cluster: nginx missing (make deps)" >&2; exit 1; }

rm -rf "$WORK"; mkdir -p "$WORK"
PIDS=()
cleanup() {
  trap - EXIT INT TERM
  echo; echo "serve-cluster: stopping"
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  as_pg "$PGBIN/pg_ctl" -D "$WORK/pg" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

# initdb refuses to run as root: the cluster belongs to the postgres user then.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
echo "$PASSWORD" > "$WORK/password"
# Readable by its owner only (postgres when run as root: initdb reads it; root reads anything).
chmod 600 "$WORK/password"
mkdir -p "$WORK/pg"; [ "$(id -u)" = 0 ] && chown postgres "$WORK" "$WORK/pg" "$WORK/password"
as_pg "$PGBIN/initdb" -D "$WORK/pg" -U citytwin --pwfile="$WORK/password" -E UTF8 --locale=C \
  --auth-local=trust --auth-host=scram-sha-256 >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$WORK/pg" -l "$WORK/postgres.log" -w start \
  -o "-c listen_addresses=127.0.0.1 -c port=$PGPORT -c unix_socket_directories='$WORK/pg' -c max_connections=200" >/dev/null
psql -X -q -h "$WORK/pg" -p "$PGPORT" -U citytwin -d postgres -c "CREATE DATABASE city"
psql -X -q -h "$WORK/pg" -p "$PGPORT" -U citytwin -d city -c "CREATE EXTENSION postgis"
URL="postgres://citytwin@127.0.0.1:$PGPORT/city"

# Instance A loads the sample city into the empty database; B starts once it is up.
start() {
  "$BIN" serve --store "$URL" --store-password-file "$WORK/password" --port "$1" --geodata "$GEODATA" >"$WORK/$2.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 600); do
    curl -sf "http://127.0.0.1:$1/health" >/dev/null && return 0
    kill -0 "${PIDS[-1]}" 2>/dev/null || { echo "serve-cluster: instance $2 exited:" >&2; tail -20 "$WORK/$2.log" >&2; exit 1; }
    sleep 1
  done
  echo "serve-cluster: instance $2 did not answer in 600 s" >&2; exit 1
}
echo "serve-cluster: instance A on :$((PORT + 1)) (loads the sample city on first start)"
start $((PORT + 1)) a
echo "serve-cluster: instance B on :$((PORT + 2))"
start $((PORT + 2)) b

cat > "$WORK/nginx.conf" <<CONF
worker_processes 2;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  upstream citytwin {
    server 127.0.0.1:$((PORT + 1)) max_fails=1 fail_timeout=5s;
    server 127.0.0.1:$((PORT + 2)) max_fails=1 fail_timeout=5s;
    keepalive 32;
  }
  server {
    listen 127.0.0.1:$PORT;
    client_max_body_size 16m;
    location / {
      proxy_pass http://citytwin;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host:\$server_port;
      # A dead instance: reads go to the other one (nginx never retries a POST or PATCH
      # that may have been applied).
      proxy_next_upstream error timeout http_502 http_503;
    }
    # The live stream: no buffering, long reads.
    location /v1/stream {
      proxy_pass http://citytwin;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_read_timeout 1h;
    }
  }
}
CONF
nginx -c "$WORK/nginx.conf"

cat <<TEXT

serve-cluster: ready
  nginx (round robin)  http://127.0.0.1:$PORT/
  instance A           http://127.0.0.1:$((PORT + 1))/   log $WORK/a.log
  instance B           http://127.0.0.1:$((PORT + 2))/   log $WORK/b.log
  PostGIS              $URL   (PGPASSWORD=\$(cat $WORK/password))
  import into both:    PGPASSWORD=\$(cat $WORK/password) $BIN import --store $URL FILE --layer NAME --role ROLE
Ctrl-C stops everything and removes $WORK.
TEXT
wait "${PIDS[0]}"
