# Shared by the bench/run-* scripts (sourced, not run).  bench/run-health
# and bench/run-auth use the configuration part (bench_conf, bench_key,
# bench_row); run-abuse, run-pools and run-memory use all of it.
#
# The caller sets BENCH_NAME (for messages) before sourcing, and ROOT.

WORKER_USER=genesis
WEB_USER=www-data
NULL_BODY='{"status":"ok","service":"genesis-iam"}'

# Limits high enough that a throughput benchmark measures the route, not
# the per-address limiter (common/config.c: 1..1000000).
RAISED_LIMITS=(
	rate_all_per_second=1000000 rate_all_burst=1000000
	rate_token_per_minute=1000000 rate_token_burst=1000000
)

say() { printf '%s: %s\n' "${BENCH_NAME:-bench}" "$*" >&2; }
die() { say "$*"; exit 1; }

bench_ints() {	# VAR...: each a positive integer
	local v
	for v in "$@"; do
		[[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer (got '${!v}')"
	done
}

# --- checks and the run folder --------------------------------------------

# Root, the dev stack (its genesis.conf, installed binaries, database),
# the tools.  Sets VAR, CONF, FCGI, ADMIN, SOCK.
bench_checks() {	# tool...
	local tool
	[ "$(id -u)" -eq 0 ] || die "run as root (the pools are spawned as user $WORKER_USER)"
	VAR=${GENESIS_VAR:-$ROOT/var}
	[ -f "$VAR/genesis.conf" ] ||
		die "no dev stack in $VAR ($VAR/genesis.conf is missing): run 'deploy/dev.sh up' first"
	VAR=$(readlink -f "$VAR")
	CONF=$VAR/genesis.conf
	FCGI=$VAR/bin/genesis-fcgi
	ADMIN=$VAR/bin/genesis-admin
	SOCK=$VAR/mysql-run/mysqld.sock
	[ -x "$FCGI" ] && [ -x "$ADMIN" ] || die "$VAR/bin is incomplete: run 'deploy/dev.sh up' first"
	id -u "$WORKER_USER" >/dev/null 2>&1 || die "user $WORKER_USER is missing: run 'deploy/dev.sh up' first"
	id -u "$WEB_USER" >/dev/null 2>&1 || die "user $WEB_USER is missing"
	for tool in spawn-fcgi multiwatch nginx cc curl "$@"; do
		command -v "$tool" >/dev/null || die "$tool is missing: run 'deploy/dev.sh up' first"
	done
	[ -f /usr/include/fcgiapp.h ] || die "libfcgi-dev is missing: run 'deploy/dev.sh up' first"
	if ! command -v wrk >/dev/null; then
		say "installing wrk"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null 2>&1 || {
			apt-get update -qq >/dev/null
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null
		}
	fi
	# The installed worker must know the limits this bench configures.
	grep -q rate_token_burst "$FCGI" ||
		die "$FCGI predates the rate limits: run 'deploy/dev.sh up' to install the current build"
}

bench_port_free() {	# port
	if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$1/"; then
		die "port $1 is already in use (set BENCH_PORT)"
	fi
}

sql() { mariadb --no-defaults --socket="$SOCK" -uroot -N -B genesis "$@"; }

# The dev database is up and migrated far enough for the bench users.
bench_db_check() {
	sql -e 'SELECT 1 FROM sessions, audit_log LIMIT 0' >/dev/null 2>&1 ||
		die "the dev database has no sessions or audit_log table (or MariaDB is down): run 'deploy/dev.sh up' first"
}

# The run folder, under the stack's folder (user genesis and www-data must
# reach the sockets and the binaries, so not /tmp): RUN, with nginx/tmp,
# private/ (root only: passwords, tokens) and secrets/ (the workers'
# signing key).  Installs the EXIT trap: bench_cleanup, then the caller's
# on_cleanup if it defines one.
bench_make_run() {
	mkdir -p "$VAR/bench"
	chmod 755 "$VAR/bench"
	RUN=$(mktemp -d "$VAR/bench/run.XXXXXX")
	chmod 755 "$RUN"
	mkdir -p "$RUN/nginx/tmp" "$RUN/private" "$RUN/secrets"
	chown "$WEB_USER" "$RUN/nginx/tmp"
	chmod 700 "$RUN/private"
	chown "root:$WORKER_USER" "$RUN/secrets"
	chmod 750 "$RUN/secrets"
	KEEP=${BENCH_KEEP:-0}
	trap bench_cleanup EXIT
	trap 'exit 130' INT TERM
}

declare -A POOL_PID=()
BENCH_SHMS=()

stop_pid() {	# pid signal
	kill -"$2" "$1" 2>/dev/null || return 0
	local n=100
	while kill -0 "$1" 2>/dev/null && [ $n -gt 0 ]; do
		sleep 0.1
		n=$((n - 1))
	done
	kill -0 "$1" 2>/dev/null && kill -KILL "$1" 2>/dev/null
	return 0
}

bench_rm_shm() {
	local s
	for s in "${BENCH_SHMS[@]}"; do
		rm -f "/dev/shm$s"
	done
}

bench_cleanup() {
	local rc=$? name
	# A failed run keeps its folder (logs, configs, wrk output).
	[ $rc -ne 0 ] && [ $rc -ne 130 ] && KEEP=1
	if [ -s "$RUN/nginx.pid" ]; then
		stop_pid "$(cat "$RUN/nginx.pid")" QUIT
	fi
	for name in "${!POOL_PID[@]}"; do
		stop_pid "${POOL_PID[$name]}" TERM
	done
	bench_rm_shm
	if declare -F on_cleanup >/dev/null; then
		on_cleanup || true
	fi
	if [ "$KEEP" = 1 ]; then
		say "run folder kept: $RUN"
	else
		rm -rf "$RUN"
	fi
}

# --- configuration ----------------------------------------------------------

# A 2048-bit signing key of the run's own (the dev stack's may be an older
# 3072-bit one), readable by the workers only: its path in KEY.
bench_key() {	# folder
	KEY=$1/signing_key.pem
	"$ADMIN" new-key "$KEY" 2048 >/dev/null || die "genesis-admin new-key failed"
	chown "$WORKER_USER" "$KEY"
	chmod 600 "$KEY"
}

# A shared-memory name of this run, in SHM (and in BENCH_SHMS, which the
# cleanup removes): pools that share a name share the rate limit
# counters, so every configuration of a run gets its own.  Not in $(...):
# the name would not reach BENCH_SHMS.
bench_shm_name() {	# tag
	SHM=/genesis-bench-$$-$1
	BENCH_SHMS+=("$SHM")
	rm -f "/dev/shm$SHM"
}

# A copy of the dev stack's genesis.conf ($VAR/genesis.conf: database,
# issuer, audience...)
# with this run's shared-memory segment and signing key, no verify-only
# keys, and the given keys set (each replaces the stack's value, if any).
bench_conf() {	# out shm-name key-file key=value...
	local out=$1 shm=$2 key=$3 kv drop=(shm_name signing_key_file verify_key_files)
	shift 3
	for kv in "$@"; do
		drop+=("${kv%%=*}")
	done
	{
		echo "# bench copy of $VAR/genesis.conf ($(date '+%Y-%m-%d %H:%M:%S'))"
		grep -Ev "^[[:space:]]*($(IFS='|'; echo "${drop[*]}"))[[:space:]]*=" "$VAR/genesis.conf"
		echo "shm_name = $shm"
		echo "signing_key_file = $key"
		for kv in "$@"; do
			echo "${kv%%=*} = ${kv#*=}"
		done
	} >"$out"
	chown "root:$WORKER_USER" "$out"
	chmod 640 "$out"
}

# "key = value" of a configuration file, or the default.
conf_value() {	# file key default
	local v
	v=$(sed -n "s/^[[:space:]]*$2[[:space:]]*=[[:space:]]*\([^[:space:]]*\)[[:space:]]*\$/\1/p" "$1" | tail -1)
	echo "${v:-$3}"
}

# --- pools and nginx ----------------------------------------------------------

bench_build_null() {
	cc -O2 -Wall -o "$RUN/null_fcgi" "$ROOT/bench/null_fcgi.c" -lfcgi ||
		die "could not build bench/null_fcgi.c"
	chmod 755 "$RUN/null_fcgi"
}

# A pool started the way deploy/dev.sh starts its pools: spawn-fcgi -n +
# multiwatch -f N, as user genesis, socket $RUN/NAME.sock for www-data.
start_pool() {	# name workers program args...
	local name=$1 n=$2 sock=$RUN/$1.sock tries=100
	shift 2
	rm -f "$sock"
	setsid spawn-fcgi -n -s "$sock" -M 0660 -U "$WORKER_USER" -G "$WEB_USER" \
		-u "$WORKER_USER" -g "$WORKER_USER" -- \
		/usr/bin/multiwatch -f "$n" -- "$@" \
		</dev/null >>"$RUN/$name.log" 2>&1 &
	POOL_PID[$name]=$!
	until [ -S "$sock" ] && [ "$(pool_workers "$name" | wc -w)" -ge "$n" ]; do
		tries=$((tries - 1))
		[ $tries -gt 0 ] || { tail -n 5 "$RUN/$name.log" >&2; die "the $name pool did not start"; }
		sleep 0.1
	done
}

# The hashing pool runs as deploy/dev.sh runs it: its workers at nice
# HASH_NICE, and the autogroup of its session too.  With
# kernel.sched_autogroup_enabled (Debian's default) the scheduler first
# shares the CPUs between sessions, and a process's nice counts only
# against the processes of its own session: every pool here is a session
# (setsid), so without the autogroup's nice the workers' nice does nothing.
HASH_NICE=${BENCH_HASH_NICE-3}
[[ $HASH_NICE =~ ^[0-9]+$ ]] && [ "$HASH_NICE" -le 19 ] ||
	die "BENCH_HASH_NICE must be 0..19 (got '$HASH_NICE')"
start_hash_pool() {	# name workers program args...
	local name=$1 n=$2
	shift 2
	start_pool "$name" "$n" "$(command -v nice)" -n "$HASH_NICE" "$@"	# multiwatch: no PATH
	autogroup_nice "${POOL_PID[$name]}" "$HASH_NICE"
}
autogroup_nice() {	# session-leader-pid nice
	[ -w "/proc/$1/autogroup" ] || return 0
	echo "$2" >"/proc/$1/autogroup"
}
# Another nice for a running pool: its session's autogroup and processes.
pool_renice() {	# name nice
	local pid
	autogroup_nice "${POOL_PID[$1]}" "$2"
	for pid in $(ps -o pid= -s "${POOL_PID[$1]}"); do
		renice -n "$2" -p "$pid" >/dev/null
	done
}

stop_pool() {	# name
	[ -n "${POOL_PID[$1]:-}" ] || return 0
	stop_pid "${POOL_PID[$1]}" TERM
	unset "POOL_PID[$1]"
	rm -f "$RUN/$1.sock"
}

# The workers of a pool: the children of its multiwatch (spawn-fcgi -n
# and setsid exec it in the process started).
pool_workers() {	# name
	{ ps -o pid= --ppid "${POOL_PID[$1]}" || true; } | sort -n
}

# VmRSS of a process, in KiB.
rss_kib() {	# pid
	awk '$1 == "VmRSS:" { print $2 }' "/proc/$1/status" 2>/dev/null
}

nginx_http_head() {	# prints the start of an http block
	cat <<EOF
user $WEB_USER;
worker_processes auto;
pid $RUN/nginx.pid;
error_log $RUN/nginx-error.log warn;

events {
	worker_connections 1024;
}

http {
	access_log off;
	client_body_temp_path $RUN/nginx/tmp/body;
	fastcgi_temp_path $RUN/nginx/tmp/fastcgi;
	proxy_temp_path $RUN/nginx/tmp/proxy;
	uwsgi_temp_path $RUN/nginx/tmp/uwsgi;
	scgi_temp_path $RUN/nginx/tmp/scgi;
	server_tokens off;
EOF
}

nginx_start() {
	nginx -e "$RUN/nginx-error.log" -p "$RUN/nginx" -c "$RUN/nginx.conf" ||
		die "nginx did not start (see $RUN/nginx-error.log)"
}

# curl: prints the body, then " CODE".
call() {	# method path [curl args...]
	local m=$1 p=$2
	shift 2
	curl -s --max-time 10 -X "$m" -w ' %{http_code}' "$@" "$BASE$p" || true
}

wait_body() {	# path expected-body-and-code
	local n=50 got
	while :; do
		got=$(call GET "$1")
		[ "$got" = "$2" ] && return 0
		n=$((n - 1))
		[ $n -gt 0 ] || { tail -n 5 "$RUN"/*.log >&2 || true; die "$1 answers '$got', not '$2'"; }
		sleep 0.1
	done
}

json_field() {	# name <json: the string value of a top-level field
	sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"
}

expect() {	# what got code
	[ "${2##* }" = "$3" ] || die "$1 answered '${2}', expected $3"
}

# --- bench users ----------------------------------------------------------------

# USER registered through POST /users/ with a random password (then
# BENCH_PASSWORD, FORM_PW), copied N times in SQL as USER-1..USER-N (same
# hash).  bench_users_drop removes them, their sessions (ON DELETE
# CASCADE) and the audit rows the run wrote about them.
bench_users_drop() {	# user
	sql -e "DELETE FROM audit_log WHERE user_id IN (SELECT id FROM users
	    WHERE username = '$1' OR username LIKE '$1-%');
	    DELETE FROM profiles WHERE user_id IN (SELECT id FROM users
	    WHERE username = '$1' OR username LIKE '$1-%');
	    DELETE FROM users WHERE username = '$1' OR username LIKE '$1-%'"
}

bench_user_make() {	# user copies
	local user=$1 got
	bench_users_drop "$user" || die "could not delete an earlier $user"
	BENCH_USERS_MADE+=("$user")
	# Passes the password rules: upper, lower, digits and '!'.
	BENCH_PASSWORD="Bench$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')a9!"
	FORM_PW=${BENCH_PASSWORD//!/%21}
	printf '{"username":"%s","email":"%s@example.com","password":"%s"}' \
		"$user" "$user" "$BENCH_PASSWORD" >"$RUN/private/register.json"
	got=$(call POST /users/ -H 'Content-Type: application/json' --data-binary @"$RUN/private/register.json")
	[[ ${got##* } == 20[01] ]] || die "POST /users/ answered '$got'"
	[ "$2" -gt 0 ] || return 0
	sql -e "INSERT INTO users (id, username, email, password, created_at,
	    last_modified, disabled, role, is_active, email_verified, auth_provider,
	    is_native)
		SELECT UUID(), CONCAT('$user-', seq), CONCAT('$user-', seq, '@example.com'),
		    u.password, u.created_at, u.last_modified, u.disabled, u.role,
		    u.is_active, u.email_verified, u.auth_provider, u.is_native
		FROM users u JOIN seq_1_to_$2 WHERE u.username = '$user'" ||
		die "could not copy the user $user"
}
BENCH_USERS_MADE=()

bench_users_cleanup() {
	local u
	for u in "${BENCH_USERS_MADE[@]}"; do
		bench_users_drop "$u" || say "could not delete the user $u"
	done
}

# Login bodies of USER-1..USER-N, one a line (for bench/requests.lua).
login_bodies() {	# user n
	local i
	for i in $(seq 1 "$2"); do
		printf 'username=%s-%s&password=%s\n' "$1" "$i" "$FORM_PW"
	done
}

# --- load -----------------------------------------------------------------------

# wrk prints latencies as 812.00us, 1.23ms, 1.05s, 1.00m: in ms.
to_ms() {
	awk -v v="$1" 'BEGIN {
		n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
		f = u == "us" ? 0.001 : u == "ms" ? 1 : u == "s" ? 1000 : u == "m" ? 60000 : u == "h" ? 3600000 : -1
		if (f < 0) exit 1
		printf "%.2f", n * f
	}'
}

# One wrk run: sets W_RPS, W_P99 (ms), W_BAD (non-2xx), W_ERR (socket
# errors), W_CPU (CPU seconds wrk used), W_OUT (the whole output, also in
# $RUN/wrk-TAG.out).  wrk_start
# runs it in the background (W_PID) and wrk_wait reads it.
wrk_run() {	# tag seconds connections url [wrk args...] [-- script args]
	wrk_start "$@"
	wrk_wait "$1"
}
wrk_start() {	# as wrk_run
	local tag=$1 secs=$2 conns=$3 url=$4
	shift 4
	# times: the CPU wrk itself used (the load generator shares the CPUs).
	(
		rc=0
		wrk -t"${BENCH_THREADS:-2}" -c"$conns" -d"${secs}s" --timeout "${WRK_TIMEOUT:-10s}" \
			--latency "$url" "$@" || rc=$?
		echo "wrk times:"
		times	# two lines: this shell, then its children (wrk)
		exit $rc
	) >"$RUN/wrk-$tag.out" 2>&1 &
	W_PID=$!
}
wrk_wait() {	# tag
	wait "$W_PID" || { cat "$RUN/wrk-$1.out" >&2; die "wrk failed ($1)"; }
	W_OUT=$(cat "$RUN/wrk-$1.out")
	W_RPS=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$W_OUT")
	W_P99=$(awk '$1 == "99%" { print $2 }' <<<"$W_OUT")
	if [ -z "$W_RPS" ] || [ -z "$W_P99" ]; then
		printf '%s\n' "$W_OUT" >&2
		die "could not read wrk's output ($1)"
	fi
	W_P99=$(to_ms "$W_P99")
	W_BAD=$(awk -F': *' '/Non-2xx or 3xx responses/ { print $2 }' <<<"$W_OUT")
	W_BAD=${W_BAD:-0}
	W_ERR=$(sed -n 's/^ *Socket errors: *//p' <<<"$W_OUT")
	# The children's line of times, "0m1.234s 0m2.345s" (user, system):
	# seconds in W_CPU.
	W_CPU=$(awk '/^wrk times:$/ { n = NR } n && NR == n + 2 {
		s = 0
		for (i = 1; i <= 2; i++) { split($i, a, "m"); s += a[1] * 60 + a[2] }
		printf "%.1f", s }' <<<"$W_OUT")
}

# "status 401: 12" lines of bench/requests.lua, as "401=12 429=3000".
wrk_statuses() {
	sed -n 's/^status \([0-9]*\): \([0-9]*\)$/\1=\2/p' <<<"$W_OUT" | tr '\n' ' ' | sed 's/ $//'
}

fmt_rps() {	# n
	awk -v a="$1" 'BEGIN { printf(a < 100 ? "%.1f" : "%.0f", a) }'
}

pct() {	# a b: 100 a / b, rounded
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", (b > 0 ? 100 * a / b : 0) }'
}

load1() { cut -d' ' -f1 /proc/loadavg; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# --- the report -------------------------------------------------------------------

# One row of a script's table, printed and, when bench/run collects them,
# appended to $BENCH_RESULTS (tab-separated, the script's name first).
ROW_FMT='%-34s %9s %9s %7s %-14s %7s %-7s %7s %5s  %s\n'
bench_row_head() {
	# shellcheck disable=SC2059
	printf "$ROW_FMT" scenario req/s "p99 ms" ratio baseline target met non-2xx load1 notes
}
# load1 is $ROW_LOAD when set (the 1-minute load average taken right
# after the scenario's measurement), else the current one.
bench_row() {	# scenario rps p99 ratio baseline target met non2xx notes
	local l=${ROW_LOAD:-$(load1)}
	# shellcheck disable=SC2059
	printf "$ROW_FMT" "$1" "$2" "$3" "$4" "$5" "$6" "$7" "$8" "$l" "$9"
	ROW_LOAD=$l bench_result "$@"
}
# The same row for bench/run only (for scripts that print their own table).
bench_result() {	# scenario rps p99 ratio baseline target met non2xx notes
	local l=${ROW_LOAD:-$(load1)}
	[ -n "${BENCH_RESULTS:-}" ] || return 0
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$BENCH_NAME" \
		"$1" "$2" "$3" "$4" "$5" "$6" "$7" "$8" "$l" "$9" >>"$BENCH_RESULTS"
}

bench_header() {	# title
	local cpu
	cpu=$(sed -n 's/^model name[[:space:]]*: *//p' /proc/cpuinfo | head -1)
	echo
	echo "$1, $(date '+%Y-%m-%d %H:%M:%S %z')"
	echo "command: $COMMAND"
	echo "machine: $(nproc) CPUs${cpu:+ ($cpu)}, $(uname -r); load average at the start: $LOAD_START, at the end: $(loadavg)"
	echo "worker: $FCGI ($(date -r "$FCGI" '+installed %Y-%m-%d %H:%M'), sha256 $(sha256sum "$FCGI" | cut -c1-12))"
}
