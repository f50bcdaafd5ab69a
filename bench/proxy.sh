#!/usr/bin/env bash
# Benchmark: slurmhub's built-in proxy vs configurable-http-proxy (Debian's node package).
#
# Same machine, same run, same upstream (nginx answering `200 ok`), 1,000 routes registered in
# each proxy through the CHP REST API, then wrk against /user/u0500/x through each proxy and
# against nginx directly (the ceiling), in plain HTTP and with TLS (slurmhub --ssl-cert/--ssl-key,
# CHP --ssl-cert/--ssl-key, nginx `listen … ssl`, one test certificate), plus the TLS handshake rate
# (`Connection: close`: a new connection and handshake per request). Prints a markdown table for BENCHMARKS.md.
#
# Environment:
#   SLURMHUB_BIN   slurmhub binary with the `proxy` subcommand (default .build/release/slurmhub)
#   DURATION       wrk duration per target (default 15s)
#   CONNECTIONS    wrk connections (default 64)
#   THREADS        wrk threads (default 2)
#   ROUTES         number of routes to register (default 1000)
set -euo pipefail

SLURMHUB_BIN=${SLURMHUB_BIN:-.build/release/slurmhub}
DURATION=${DURATION:-15s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
ROUTES=${ROUTES:-1000}
PROBE_PATH=/user/u0500/x

log() { printf '>> %s\n' "$*" >&2; }

# --- prerequisites -----------------------------------------------------------------------------
need_pkgs=()
command -v wrk >/dev/null || need_pkgs+=(wrk)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need_pkgs+=(nginx-light)
command -v configurable-http-proxy >/dev/null || need_pkgs+=(node-configurable-http-proxy)
command -v curl >/dev/null || need_pkgs+=(curl)
command -v openssl >/dev/null || need_pkgs+=(openssl)
if [ ${#need_pkgs[@]} -gt 0 ]; then
    log "installing ${need_pkgs[*]}"
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

# --- scratch dir and cleanup -------------------------------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/slurmhub-bench.XXXXXX")
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    if [ -f "$WORK/nginx.pid" ]; then kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true; fi
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

# A free TCP port on 127.0.0.1 (nothing answers a connect).
used_ports=" "
free_port() {
    local port
    while :; do
        port=$((20000 + RANDOM % 40000))
        case "$used_ports" in *" $port "*) continue ;; esac
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            used_ports+="$port "
            echo "$port"
            return
        fi
    done
}

wait_http() { # url [auth header]
    local i
    for i in $(seq 1 100); do
        if curl -fsS -o /dev/null ${2:+-H "$2"} "$1" 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    log "timed out waiting for $1"
    return 1
}

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# wrk latency value ("812.00us", "1.23ms", "1.02s") → milliseconds.
to_ms() {
    awk -v v="$1" 'BEGIN {
        n = v + 0
        if (v ~ /us$/) n = n / 1000; else if (v ~ /ms$/) n = n; else if (v ~ /m$/) n = n * 60000; else if (v ~ /s$/) n = n * 1000
        printf "%.3f", n
    }'
}

TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$TOKEN" >"$WORK/token"

# --- one self-signed test certificate for every TLS listener (P-256, as certbot issues by default) ---------
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/tls.key" -out "$WORK/tls.pem" \
    -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null
chmod 600 "$WORK/tls.key"

# --- upstream: nginx ---------------------------------------------------------------------------
NGINX_PORT=$(free_port)
NGINX_TLS_PORT=$(free_port)
cat >"$WORK/nginx.conf" <<EOF
worker_processes auto;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $WORK/nginx-body;
    proxy_temp_path $WORK/nginx-proxy;
    fastcgi_temp_path $WORK/nginx-fastcgi;
    uwsgi_temp_path $WORK/nginx-uwsgi;
    scgi_temp_path $WORK/nginx-scgi;
    keepalive_requests 1000000;
    keepalive_timeout 120s;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        location / { default_type text/plain; return 200 "ok"; }
    }
    server {
        listen 127.0.0.1:$NGINX_TLS_PORT ssl;
        ssl_certificate $WORK/tls.pem;
        ssl_certificate_key $WORK/tls.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        location / { default_type text/plain; return 200 "ok"; }
    }
}
EOF
"$NGINX" -p "$WORK" -e "$WORK/nginx-error.log" -c "$WORK/nginx.conf"
wait_http "http://127.0.0.1:$NGINX_PORT/"
UPSTREAM="http://127.0.0.1:$NGINX_PORT"

register_routes() { # api base url
    seq -f '%04g' 0 $((ROUTES - 1)) | xargs -P 8 -I{} curl -fsS -o /dev/null -X POST \
        -H "Authorization: token $TOKEN" -H 'Content-Type: application/json' \
        -d "{\"target\":\"$UPSTREAM\",\"user\":\"u{}\",\"jupyterhub\":true}" "$1/api/routes/user/u{}"
    local count
    count=$(curl -fsS -H "Authorization: token $TOKEN" "$1/api/routes" | grep -o '"target"' | wc -l)
    log "registered $count routes via $1"
}

declare -A RPS P50 P99 RSS
run_wrk() { # name url pid [extra wrk arguments…]
    local name=$1 url=$2 pid=${3:-} out
    shift 3 || shift $#
    log "warm-up $name"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d3s "$@" "$url" >/dev/null
    log "wrk $name: $url ($DURATION, $CONNECTIONS connections $*)"
    out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@" "$url")
    printf '%s\n' "$out" >"$WORK/wrk-$name.txt"
    if printf '%s\n' "$out" | grep -q 'Non-2xx'; then
        log "WARNING: $name returned non-2xx responses"
        printf '%s\n' "$out" | grep 'Non-2xx' >&2
    fi
    RPS[$name]=$(printf '%s\n' "$out" | awk '/^Requests\/sec:/ {printf "%.0f", $2}')
    P50[$name]=$(to_ms "$(printf '%s\n' "$out" | awk '$1 == "50%" {print $2}')")
    P99[$name]=$(to_ms "$(printf '%s\n' "$out" | awk '$1 == "99%" {print $2}')")
    if [ -n "$pid" ]; then RSS[$name]=$(($(rss_kb "$pid") / 1024)); else RSS[$name]="-"; fi
}

# --- configurable-http-proxy -------------------------------------------------------------------
CHP_PORT=$(free_port)
CHP_API_PORT=$(free_port)
log "starting configurable-http-proxy on :$CHP_PORT (api :$CHP_API_PORT)"
CONFIGPROXY_AUTH_TOKEN=$TOKEN NODE_PATH=/usr/share/nodejs configurable-http-proxy \
    --ip 127.0.0.1 --port "$CHP_PORT" --api-ip 127.0.0.1 --api-port "$CHP_API_PORT" \
    --log-level warn >"$WORK/chp.log" 2>&1 &
CHP_PID=$!
PIDS+=("$CHP_PID")
wait_http "http://127.0.0.1:$CHP_API_PORT/api/routes" "Authorization: token $TOKEN"
register_routes "http://127.0.0.1:$CHP_API_PORT"
CHP_TLS_PORT=$(free_port)
CHP_TLS_API_PORT=$(free_port)
log "starting configurable-http-proxy with TLS on :$CHP_TLS_PORT (api :$CHP_TLS_API_PORT)"
CONFIGPROXY_AUTH_TOKEN=$TOKEN NODE_PATH=/usr/share/nodejs configurable-http-proxy \
    --ip 127.0.0.1 --port "$CHP_TLS_PORT" --api-ip 127.0.0.1 --api-port "$CHP_TLS_API_PORT" \
    --ssl-key "$WORK/tls.key" --ssl-cert "$WORK/tls.pem" --log-level warn >"$WORK/chp-tls.log" 2>&1 &
CHP_TLS_PID=$!
PIDS+=("$CHP_TLS_PID")
wait_http "http://127.0.0.1:$CHP_TLS_API_PORT/api/routes" "Authorization: token $TOKEN"
register_routes "http://127.0.0.1:$CHP_TLS_API_PORT"

# --- slurmhub proxy ----------------------------------------------------------------------------
HAVE_SLURMHUB=0
if [ -x "$SLURMHUB_BIN" ]; then
    SH_PORT=$(free_port)
    SH_API_PORT=$(free_port)
    log "starting $SLURMHUB_BIN proxy on :$SH_PORT (api :$SH_API_PORT)"
    "$SLURMHUB_BIN" proxy --public-bind "127.0.0.1:$SH_PORT" --api-bind "127.0.0.1:$SH_API_PORT" \
        --auth-token-file "$WORK/token" >"$WORK/slurmhub.log" 2>&1 &
    SH_PID=$!
    PIDS+=("$SH_PID")
    wait_http "http://127.0.0.1:$SH_API_PORT/api/routes" "Authorization: token $TOKEN"
    register_routes "http://127.0.0.1:$SH_API_PORT"
    SH_TLS_PORT=$(free_port)
    SH_TLS_API_PORT=$(free_port)
    log "starting $SLURMHUB_BIN proxy with TLS on :$SH_TLS_PORT (api :$SH_TLS_API_PORT)"
    "$SLURMHUB_BIN" proxy --public-bind "127.0.0.1:$SH_TLS_PORT" --api-bind "127.0.0.1:$SH_TLS_API_PORT" \
        --auth-token-file "$WORK/token" --ssl-key "$WORK/tls.key" --ssl-cert "$WORK/tls.pem" >"$WORK/slurmhub-tls.log" 2>&1 &
    SH_TLS_PID=$!
    PIDS+=("$SH_TLS_PID")
    wait_http "http://127.0.0.1:$SH_TLS_API_PORT/api/routes" "Authorization: token $TOKEN"
    register_routes "http://127.0.0.1:$SH_TLS_API_PORT"
    HAVE_SLURMHUB=1
else
    log "SLURMHUB_BIN=$SLURMHUB_BIN not found; benchmarking configurable-http-proxy and nginx only"
fi

# --- measure -----------------------------------------------------------------------------------
TLS_URL() { echo "https://127.0.0.1:$1$PROBE_PATH"; }
run_wrk nginx "$UPSTREAM$PROBE_PATH"
run_wrk chp "http://127.0.0.1:$CHP_PORT$PROBE_PATH" "$CHP_PID"
run_wrk nginx_tls "$(TLS_URL "$NGINX_TLS_PORT")"
run_wrk chp_tls "$(TLS_URL "$CHP_TLS_PORT")" "$CHP_TLS_PID"
run_wrk nginx_hs "$(TLS_URL "$NGINX_TLS_PORT")" "" -H "Connection: close"
run_wrk chp_hs "$(TLS_URL "$CHP_TLS_PORT")" "$CHP_TLS_PID" -H "Connection: close"
if [ "$HAVE_SLURMHUB" = 1 ]; then
    run_wrk slurmhub "http://127.0.0.1:$SH_PORT$PROBE_PATH" "$SH_PID"
    run_wrk slurmhub_tls "$(TLS_URL "$SH_TLS_PORT")" "$SH_TLS_PID"
    run_wrk slurmhub_hs "$(TLS_URL "$SH_TLS_PORT")" "$SH_TLS_PID" -H "Connection: close"
fi

# --- report ------------------------------------------------------------------------------------
row() { # label name
    echo "| $1 | ${RPS[$2]} | ${P50[$2]} | ${P99[$2]} | ${RSS[$2]} |"
}
CPU=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
echo
echo "<!-- $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs ($CPU), wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $ROUTES routes, GET $PROBE_PATH -->"
echo "| target | requests/s | p50 (ms) | p99 (ms) | proxy RSS (MiB) |"
echo "|---|---:|---:|---:|---:|"
row "nginx direct (ceiling)" nginx
row "configurable-http-proxy" chp
[ "$HAVE_SLURMHUB" = 1 ] && row "slurmhub proxy" slurmhub
row "nginx TLS direct (ceiling)" nginx_tls
row "configurable-http-proxy TLS" chp_tls
[ "$HAVE_SLURMHUB" = 1 ] && row "slurmhub proxy TLS" slurmhub_tls
row "nginx TLS, new connection per request (handshakes/s)" nginx_hs
row "configurable-http-proxy TLS, new connection per request" chp_hs
[ "$HAVE_SLURMHUB" = 1 ] && row "slurmhub proxy TLS, new connection per request" slurmhub_hs
if [ "$HAVE_SLURMHUB" = 1 ]; then
    echo
    awk -v a="${RPS[slurmhub]}" -v b="${RPS[chp]}" -v n="${RPS[nginx]}" -v p="${P99[chp]}" -v q="${P99[slurmhub]}" \
        -v at="${RPS[slurmhub_tls]}" -v bt="${RPS[chp_tls]}" -v pt="${P99[chp_tls]}" -v qt="${P99[slurmhub_tls]}" \
        -v ah="${RPS[slurmhub_hs]}" -v bh="${RPS[chp_hs]}" 'BEGIN {
        printf "- plain: slurmhub / CHP requests/s **%.2f×** (target ≥ 10×); slurmhub / nginx direct **%.0f %%** (target ≥ 25 %%)\n", (b > 0 ? a / b : 0), (n > 0 ? 100 * a / n : 0)
        printf "- plain p99: CHP / slurmhub **%.2f×** (target ≥ 5×)\n", (q > 0 ? p / q : 0)
        printf "- TLS: slurmhub / CHP requests/s **%.2f×** (target ≥ 5×); p99 CHP / slurmhub **%.2f×** (target ≥ 5×)\n", (bt > 0 ? at / bt : 0), (qt > 0 ? pt / qt : 0)
        printf "- TLS handshakes/s: slurmhub / CHP **%.2f×**\n", (bh > 0 ? ah / bh : 0)
    }'
fi
