#!/usr/bin/env bash
# Genesis IAM development stack: a private MariaDB, the spawn-fcgi worker
# pool and nginx, all under ./var/ (or $GENESIS_VAR).
#
#   deploy/dev.sh up            install what is missing, build, start
#   deploy/dev.sh down          stop what 'up' started (by pid files)
#   deploy/dev.sh test          unit tests, then the end-to-end suites
#                               against a throwaway stack of their own
#   deploy/dev.sh test-multihost  two hosts on a Galera cluster
#                               (tests/multihost/run; in 'test' too
#                               when GENESIS_MULTIHOST=1)
#   deploy/dev.sh admin ARGS    genesis-admin ARGS against the dev stack
#   deploy/dev.sh status        what is running
#
# Environment: GENESIS_HTTP_PORT (8080; tests: GENESIS_TEST_HTTP_PORT,
# 18080), GENESIS_WORKERS (4), GENESIS_VAR (./var), GENESIS_HASH_NICE
# (the hashing pool's nice: 3; tests: 0).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$ROOT/build
WORKER_USER=genesis
WEB_USER=www-data

PACKAGES=(
	autoconf automake libtool pkg-config make gcc libc6-dev
	libfcgi-dev libssl-dev libmariadb-dev libjson-c-dev libargon2-dev
	libcrypt-dev liboath-dev libqrencode-dev oathtool zbar-tools
	mariadb-server mariadb-client nginx lighttpd spawn-fcgi multiwatch curl
	python3 python3-pytest python3-requests python3-cryptography
	valgrind clang libclang-rt-14-dev
	chromium
)
# Node.js and npm for tests/browser: the machine's own when it has both
# (a nodejs package from outside Debian bundles npm and conflicts with
# Debian's npm), else Debian's.
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || PACKAGES+=(nodejs npm)

say() { printf 'dev.sh: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# --- machine ------------------------------------------------------------

install_packages() {
	local missing=() p
	for p in "${PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "$(id -u)" -eq 0 ] || die "missing packages (${missing[*]}): run as root"
	say "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_users() {
	id -u "$WORKER_USER" >/dev/null 2>&1 ||
		useradd --system --no-create-home --home-dir /nonexistent \
			--shell /usr/sbin/nologin "$WORKER_USER"
	id -u "$WEB_USER" >/dev/null 2>&1 || die "user $WEB_USER is missing"
}

build() {
	local flags=(--enable-werror)
	[ "${GENESIS_SANITIZERS:-0}" = 1 ] && flags+=(--enable-sanitizers)
	BUILD=$ROOT/build
	[ "${GENESIS_SANITIZERS:-0}" = 1 ] && BUILD=$ROOT/build-asan
	if [ ! -x "$ROOT/configure" ] || [ "$ROOT/configure.ac" -nt "$ROOT/configure" ]; then
		(cd "$ROOT" && autoreconf -fi >/dev/null 2>&1) || die "autoreconf failed"
	fi
	mkdir -p "$BUILD"
	if [ ! -f "$BUILD/Makefile" ] || [ "$(cat "$BUILD/.flags" 2>/dev/null)" != "${flags[*]}" ]; then
		(cd "$BUILD" && "$ROOT/configure" "${flags[@]}" >configure.out 2>&1) ||
			{ tail -20 "$BUILD/configure.out" >&2; die "configure failed"; }
		echo "${flags[*]}" >"$BUILD/.flags"
	fi
	make -C "$BUILD" -j"$(nproc)" >"$BUILD/make.out" 2>&1 ||
		{ grep -E 'error|warning' "$BUILD/make.out" | head -40 >&2; die "build failed"; }
}

# --- the stack's folder ---------------------------------------------------

# The workers, nginx and MariaDB run as other users: every folder above
# var/ must let them through.  A checkout under a private folder (such as
# /root) gets its var/ as a link to a folder under /tmp instead.
set_paths() {
	VAR=${GENESIS_VAR:-$ROOT/var}
	PORT=${GENESIS_HTTP_PORT:-8080}
	WORKERS=${GENESIS_WORKERS:-4}
	HASH_WORKERS=${GENESIS_HASH_WORKERS:-2}
	# One shared-memory segment per stack, named after its folder.
	SHM_NAME=/genesis-$(printf '%s' "$(readlink -f "$VAR" 2>/dev/null || echo "$VAR")" | md5sum | cut -c1-12)
}

make_var() {
	local top=$ROOT/var
	if [ ! -e "$top" ]; then
		if runuser -u nobody -- test -x "$ROOT" 2>/dev/null; then
			mkdir -p "$top"
		else
			local tmp
			tmp=$(mktemp -d /tmp/genesis-var.XXXXXX)
			ln -s "$tmp" "$top"
			say "var/ -> $tmp ($ROOT is not reachable by other users)"
		fi
	fi
	chmod 755 "$(readlink -f "$top")"
	mkdir -p "$VAR"
	VAR=$(readlink -f "$VAR")
	chmod 755 "$VAR"
	mkdir -p "$VAR"/{bin,run,log,secrets,nginx,mysql-run}
	chmod 755 "$VAR/bin" "$VAR/run" "$VAR/nginx"
	chown "root:$WORKER_USER" "$VAR/secrets"
	chmod 750 "$VAR/secrets"
	chown mysql:mysql "$VAR/mysql-run"
	chown "$WORKER_USER" "$VAR/log"
}

# Binaries are copied next to the stack so the workers can reach them.
install_binaries() {
	install -m 755 "$BUILD/fcgi/genesis-fcgi" "$BUILD/admin/genesis-admin" "$VAR/bin/"
}

new_secret() {	# file owner
	[ -s "$1" ] || (umask 077; head -c 32 /dev/urandom | base64 | tr -d '/+=\n' >"$1")
	chown "$2" "$1"
	chmod 600 "$1"
}

pid_alive() {	# pidfile
	[ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

wait_for() {	# seconds description command...
	local n=$(($1 * 10)) what=$2
	shift 2
	while ! "$@" >/dev/null 2>&1; do
		n=$((n - 1))
		[ $n -gt 0 ] || die "timed out waiting for $what"
		sleep 0.1
	done
}

# Stop the process of a pid file (started by this script) and wait for it.
stop_pidfile() {	# pidfile signal seconds description
	local pid
	pid_alive "$1" || { rm -f "$1"; return 0; }
	pid=$(cat "$1")
	kill -"$2" "$pid"
	wait_for "$3" "$4 to stop" bash -c "! kill -0 $pid"
	rm -f "$1"
}

# --- MariaDB ------------------------------------------------------------

MYSQL_SOCK() { echo "$VAR/mysql-run/mysqld.sock"; }
sql_root() { mariadb --no-defaults --socket="$(MYSQL_SOCK)" -uroot "$@"; }

db_start() {
	local data=$VAR/mysql
	if [ ! -d "$data/mysql" ]; then
		mkdir -p "$data"
		chown mysql:mysql "$data"
		chmod 750 "$data"
		mariadb-install-db --no-defaults --user=mysql --datadir="$data" \
			--auth-root-authentication-method=socket --skip-test-db \
			>"$VAR/log/mariadb-install.log" 2>&1 ||
			{ tail -20 "$VAR/log/mariadb-install.log" >&2; die "mariadb-install-db failed"; }
	fi
	pid_alive "$VAR/run/mysqld.pid" && return 0
	rm -f "$(MYSQL_SOCK)"
	# The query cache on demand: only the statement that authenticates
	# every request asks for it (common/sessions.c, deploy/README.md).
	setsid mariadbd --no-defaults --user=mysql --datadir="$data" \
		--socket="$(MYSQL_SOCK)" --skip-networking \
		--pid-file="$VAR/mysql-run/mysqld.pid" \
		--log-error="$VAR/log/mysqld.log" \
		--innodb-buffer-pool-size=64M --max-connections=200 \
		--query-cache-type=DEMAND --query-cache-size=16M \
		</dev/null >/dev/null 2>&1 &
	echo $! >"$VAR/run/mysqld.pid"
	wait_for 60 "MariaDB" mariadb-admin --no-defaults --socket="$(MYSQL_SOCK)" -uroot ping
}

db_stop() {
	stop_pidfile "$VAR/run/mysqld.pid" TERM 60 MariaDB
}

# Two accounts: the schema owner (migrations) and the workers' service
# account, which the migrations grant only what the workers need.
db_bootstrap() {
	local svc owner
	new_secret "$VAR/secrets/db_password" "$WORKER_USER"
	new_secret "$VAR/secrets/migrate_db_password" root
	new_secret "$VAR/secrets/client_secret_key" "$WORKER_USER"
	svc=$(cat "$VAR/secrets/db_password")
	owner=$(cat "$VAR/secrets/migrate_db_password")
	sql_root <<-SQL
		CREATE DATABASE IF NOT EXISTS genesis CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;
		CREATE USER IF NOT EXISTS 'genesis_owner'@'localhost';
		ALTER USER 'genesis_owner'@'localhost' IDENTIFIED BY '$owner';
		GRANT ALL PRIVILEGES ON genesis.* TO 'genesis_owner'@'localhost' WITH GRANT OPTION;
		CREATE USER IF NOT EXISTS 'genesis'@'localhost';
		ALTER USER 'genesis'@'localhost' IDENTIFIED BY '$svc';
	SQL
}

# --- configuration --------------------------------------------------------

# Two RSA keys: one signs, the other only verifies (as after a rotation),
# so the JWKS and the verifier handle more than one key from the start.
make_keys() {
	local k
	for k in signing_key verify_key; do
		[ -s "$VAR/secrets/$k.pem" ] ||
			"$VAR/bin/genesis-admin" new-key "$VAR/secrets/$k.pem" >/dev/null
		chown "$WORKER_USER" "$VAR/secrets/$k.pem"
		chmod 600 "$VAR/secrets/$k.pem"
	done
}

write_config() {
	local conf=$VAR/genesis.conf
	cat >"$conf.new" <<-EOF
		# Written by deploy/dev.sh for the stack in $VAR; see
		# deploy/genesis.conf.example for every key.
		db_socket = $(MYSQL_SOCK)
		db_name = genesis
		db_user = genesis
		db_password_file = $VAR/secrets/db_password
		migrate_db_user = genesis_owner
		migrate_db_password_file = $VAR/secrets/migrate_db_password
		db_service_account = genesis@localhost
		migrations_dir = $ROOT/migrations
		signing_key_file = $VAR/secrets/signing_key.pem
		verify_key_files = $VAR/secrets/verify_key.pem
		client_secret_key_file = $VAR/secrets/client_secret_key
		templates_dir = $ROOT/fcgi/templates
		# Plain http on loopback: the OP's cookie drops __Host- and Secure.
		op_cookie_secure = no
		jwt_issuer = http://127.0.0.1:$PORT
		jwt_audience = genesis
		shm_name = $SHM_NAME
		mfa_key_file = $VAR/secrets/mfa_key
		# The suites sign in as admins without a second factor;
		# tests/e2e/test_mfa_required.py turns the rule on.
		mfa_required_roles = ${GENESIS_MFA_REQUIRED_ROLES:-none}
		# A web front end in development (Vite's default port), and the
		# page of another origin of tests/browser/admin_console.mjs.
		cors_origins = ${GENESIS_CORS_ORIGINS:-http://localhost:5173, http://127.0.0.1:18185}
		log_level = ${GENESIS_LOG_LEVEL:-info}
	EOF
	chown "root:$WORKER_USER" "$conf.new"
	chmod 640 "$conf.new"
	mv "$conf.new" "$conf"
}

# --- workers and nginx ----------------------------------------------------

# multiwatch -r 100 -t 1000: a worker that dies is replaced even when its
# replacements keep dying (its default gives a slot up after 3 quick
# deaths); a configuration every worker refuses still ends the pool.
#
# Two pools of the same binary and configuration: a small one for the
# requests that may hash a password (nginx routes them by method and
# path) and the main one for everything else, so a burst of logins
# cannot stall token validation.
pool_start() {	# name sockname workers [wrapper...]
	local name=$1 sock=$VAR/run/$2 pidfile=$VAR/run/$1.pid n=$3
	shift 3
	pid_alive "$pidfile" && return 0
	rm -f "$sock"
	setsid spawn-fcgi -n -s "$sock" -M 0660 -U "$WORKER_USER" -G "$WEB_USER" \
		-u "$WORKER_USER" -g "$WORKER_USER" -- \
		/usr/bin/multiwatch -f "$n" -r 100 -t 1000 -- "$@" \
		"$VAR/bin/genesis-fcgi" -c "$VAR/genesis.conf" \
		</dev/null >>"$VAR/log/genesis.log" 2>&1 &
	echo $! >"$pidfile"
	wait_for 10 "the $name socket" test -S "$sock"
	sleep 0.3
	pid_alive "$pidfile" ||
		{ tail -n 5 "$VAR/log/genesis.log" >&2; die "the $name pool did not start"; }
}

pool_stop() {	# name sockname
	stop_pidfile "$VAR/run/$1.pid" TERM 15 "the $1 pool"
	rm -f "$VAR/run/$2"
}

# GENESIS_VALGRIND=1: the main pool is one worker under memcheck.
workers_start() {
	if [ "${GENESIS_VALGRIND:-0}" = 1 ]; then
		pool_start workers genesis.sock 1 "$(command -v valgrind)" --tool=memcheck \
			--leak-check=full --errors-for-leak-kinds=definite \
			--error-exitcode=99 --log-file="$VAR/log/valgrind.%p.log"
	else
		pool_start workers genesis.sock "$WORKERS"
	fi
	hash_pool_start
}

# The hashing pool yields the CPUs to everything else, as
# genesis-hash.service does with CPUWeight= and Nice=: its workers at
# nice 3 (half the weight of nice 0), and its session's autogroup too.
# With autogroups (Debian's default, kernel.sched_autogroup_enabled) the
# CPUs are first shared between sessions, and a process's nice only
# counts within its own; pool_start makes each pool a session.
# bench/README.md, run-abuse b.
# GENESIS_HASH_NICE=0 runs it as the main pool.
hash_pool_start() {
	local nice=${GENESIS_HASH_NICE:-3} pid
	[[ $nice =~ ^[0-9]+$ ]] && [ "$nice" -le 19 ] || die "GENESIS_HASH_NICE must be 0..19"
	pool_start hashers genesis-hash.sock "$HASH_WORKERS" "$(command -v nice)" -n $nice
	pid=$(cat "$VAR/run/hashers.pid")
	[ ! -w "/proc/$pid/autogroup" ] || echo $nice >"/proc/$pid/autogroup"
}

workers_stop() {
	pool_stop hashers genesis-hash.sock
	pool_stop workers genesis.sock
	# Counters live as long as the pools; a new stack starts afresh.
	rm -f "/dev/shm$SHM_NAME"
}

nginx_start() {
	local conf=$VAR/nginx/nginx.conf
	mkdir -p "$VAR/nginx/tmp"
	chown "$WEB_USER" "$VAR/nginx/tmp"
	sed -e "s|@VAR@|$VAR|g" -e "s|@ROOT@|$ROOT|g" -e "s|@PORT@|$PORT|g" -e "s|@WEB_USER@|$WEB_USER|g" \
		"$ROOT/deploy/nginx/dev.conf.in" >"$conf"
	if pid_alive "$VAR/run/nginx.pid"; then
		nginx -e "$VAR/log/nginx-error.log" -p "$VAR/nginx" -c "$conf" -s reload
		return 0
	fi
	nginx -e "$VAR/log/nginx-error.log" -p "$VAR/nginx" -c "$conf" ||
		die "nginx did not start (see $VAR/log/nginx-error.log)"
	wait_for 10 "nginx" curl -fsS "http://127.0.0.1:$PORT/health"
}

nginx_stop() {
	stop_pidfile "$VAR/run/nginx.pid" QUIT 15 nginx
}

lighttpd_start() {
	local conf=$VAR/lighttpd/lighttpd.conf f
	pid_alive "$VAR/run/lighttpd.pid" && return 0
	mkdir -p "$VAR/lighttpd/tmp"
	chown "$WEB_USER" "$VAR/lighttpd/tmp"
	# lighttpd opens its logs after dropping to the web server's user.
	for f in lighttpd-error.log lighttpd-access.log; do
		touch "$VAR/log/$f"
		chown "$WEB_USER" "$VAR/log/$f"
	done
	sed -e "s|@VAR@|$VAR|g" -e "s|@ROOT@|$ROOT|g" -e "s|@PORT@|$PORT|g" -e "s|@WEB_USER@|$WEB_USER|g" \
		"$ROOT/deploy/lighttpd/dev.conf.in" >"$conf"
	lighttpd -f "$conf" || die "lighttpd did not start (see $VAR/log/lighttpd-error.log)"
	wait_for 10 "lighttpd" curl -fsS "http://127.0.0.1:$PORT/health"
}

lighttpd_stop() {
	stop_pidfile "$VAR/run/lighttpd.pid" TERM 15 lighttpd
}

web_start() {
	if [ "${GENESIS_WEB:-nginx}" = lighttpd ]; then lighttpd_start; else nginx_start; fi
}

web_stop() {
	nginx_stop
	lighttpd_stop
}

# --- commands -------------------------------------------------------------

stack_up() {
	make_var
	install_binaries
	db_start
	if [ "${GENESIS_SEED_LEGACY:-0}" = 1 ] && ! sql_root -N -e 'SHOW TABLES' genesis 2>/dev/null | grep -q .; then
		# Start from a database made by the original Python service, so
		# the stack runs on an upgraded-in-place schema.
		sql_root -e 'CREATE DATABASE IF NOT EXISTS genesis CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci'
		sql_root genesis <"$ROOT/tests/fixtures/genesis-4ae971e.sql"
	fi
	db_bootstrap
	make_keys
	new_secret "$VAR/secrets/mfa_key" "$WORKER_USER"
	write_config
	"$VAR/bin/genesis-admin" -c "$VAR/genesis.conf" migrate >"$VAR/log/migrate.log" 2>&1 ||
		{ cat "$VAR/log/migrate.log" >&2; die "migrations failed"; }
	workers_start
	web_start
}

stack_down() {
	[ -d "$VAR" ] || return 0
	web_stop
	workers_stop
	db_stop
}

cmd_up() {
	install_packages
	ensure_users
	build
	set_paths
	stack_up
	cat <<-EOF
		Genesis IAM is up on http://127.0.0.1:$PORT ($WORKERS workers + $HASH_WORKERS for password hashing; state in $VAR)
		  curl -s http://127.0.0.1:$PORT/health
		  curl -s -H 'Content-Type: application/json' \\
		    -d '{"username":"alice","email":"alice@example.com","password":"Str0ng@Passw0rd"}' \\
		    http://127.0.0.1:$PORT/users/
		  curl -s -d 'username=alice&password=Str0ng@Passw0rd' http://127.0.0.1:$PORT/token
		  deploy/dev.sh admin create-admin root root@example.com   # password on stdin
		Logs: $VAR/log/   Stop: deploy/dev.sh down
	EOF
}

cmd_down() {
	set_paths
	stack_down
	say "stopped"
}

cmd_admin() {
	set_paths
	[ -f "$VAR/genesis.conf" ] || die "no dev stack in $VAR: run deploy/dev.sh up"
	exec "$VAR/bin/genesis-admin" -c "$VAR/genesis.conf" "$@"
}

cmd_status() {
	set_paths
	local what
	for what in mysqld workers hashers nginx lighttpd; do
		if pid_alive "$VAR/run/$what.pid"; then
			echo "$what: running (pid $(cat "$VAR/run/$what.pid"))"
		else
			echo "$what: stopped"
		fi
	done
}

# Results of each suite are added up here.
PASSED=0
FAILED=0
count() { PASSED=$((PASSED + $1)); FAILED=$((FAILED + $2)); }

run_unit_tests() {
	say "unit tests (make check)"
	local log=$BUILD/check.out p f e
	make -C "$BUILD" -j"$(nproc)" check >"$log" 2>&1 || true
	grep -E '^(FAIL|ERROR):' "$log" >&2 || true
	p=$(sed -n 's/^# PASS: *//p' "$log" | tail -1)
	f=$(sed -n 's/^# FAIL: *//p' "$log" | tail -1)
	e=$(sed -n 's/^# ERROR: *//p' "$log" | tail -1)
	[ -n "$p" ] || { tail -30 "$log" >&2; count 0 1; return; }
	say "unit: $p passed, $((f + e)) failed"
	count "$p" $((f + e))
}

run_e2e() {	# suite-name [pytest args...]
	local name=$1 xml=$VAR/e2e-$1.xml p f workers=$WORKERS
	shift
	[ "${GENESIS_VALGRIND:-0}" = 1 ] && workers=1
	say "end-to-end suite ($name) against http://127.0.0.1:$PORT"
	rm -f "$xml"
	GENESIS_URL="http://127.0.0.1:$PORT" GENESIS_VAR="$VAR" GENESIS_ROOT="$ROOT" \
		GENESIS_WORKERS="$workers" GENESIS_HASH_WORKERS="$HASH_WORKERS" \
		GENESIS_WEB="${GENESIS_WEB:-nginx}" \
		/usr/bin/python3 -m pytest -q -p no:cacheprovider --junitxml="$xml" \
		"$@" "$ROOT/tests/e2e" >&2 || true
	[ -s "$xml" ] || { count 0 1; return; }
	count_junit "e2e ($name)" "$xml"
}

count_junit() {	# what junit-xml
	local p f
	read -r p f < <(/usr/bin/python3 - "$2" <<-'PY'
		import sys, xml.etree.ElementTree as ET
		r = ET.parse(sys.argv[1]).getroot()
		s = r if r.tag == "testsuite" else r.find("testsuite")
		t, f, e, k = (int(s.get(a, 0)) for a in ("tests", "failures", "errors", "skipped"))
		print(t - f - e - k, f + e)
	PY
	)
	say "$1: $p passed, $f failed"
	count "$p" "$f"
}

# Two application hosts on a three-node Galera cluster, on its own ports.
run_multihost() {
	local xml=$ROOT/var/multihost/results.xml
	say "multi-host suite (tests/multihost/run)"
	rm -f "$xml"
	"$ROOT/tests/multihost/run" test || true
	[ -s "$xml" ] || { count 0 1; return; }
	count_junit "multi-host" "$xml"
}

# The OpenID Provider in Debian's Chromium and against openid-client
# (tests/browser/run), its npm packages exactly as its lock file says;
# screenshots in $VAR/browser.  The relying party listens on PORT + 10.
run_browser_tests() {
	local out=$VAR/browser p f
	say "browser tests against http://127.0.0.1:$PORT (screenshots in $out)"
	mkdir -p "$out"
	if ! (cd "$ROOT/tests/browser" && npm ci --no-audit --no-fund) >"$out/npm.out" 2>&1; then
		tail -20 "$out/npm.out" >&2
		count 0 1
		return
	fi
	RP_PORT=$((PORT + 10)) "$ROOT/tests/browser/run" "http://127.0.0.1:$PORT" "$VAR" "$out" \
		>"$out/run.out" 2>&1 || true
	cat "$out/run.out" >&2
	read -r p f < <(sed -n 's/^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed$/\1 \2/p' "$out/run.out" | tail -1) || true
	[ -n "${p:-}" ] || { count 0 1; return; }
	say "browser: $p passed, $f failed"
	count "$p" "$f"
}

# A check of the run's own output, counted as one test.
check() {	# description command...
	local what=$1
	shift
	if "$@"; then count 1 0; else say "FAILED: $what"; count 0 1; fi
}

no_sanitizer_reports() {
	! grep -l -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' \
		"$VAR"/log/genesis.log "$VAR"/log/asan.* 2>/dev/null | grep -q .
}

# Every memcheck log is free of errors and definite leaks; a worker that
# exited normally wrote its summary (one SIGKILLed by the fault tests did
# not, and its log is only searched for errors).
valgrind_clean() {
	local f bad=0 summaries=0
	for f in "$VAR"/log/valgrind.*.log; do
		[ -e "$f" ] || continue
		grep -q 'ERROR SUMMARY: 0 errors' "$f" && summaries=$((summaries + 1))
		if grep -q -E 'ERROR SUMMARY: [1-9]|definitely lost: [1-9]|Invalid (read|write|free)|uninitialised|Mismatched free|overlap' "$f"; then
			say "valgrind: see $f"
			bad=1
		fi
	done
	[ "$summaries" -gt 0 ] && [ "$bad" -eq 0 ]
}

run_distcheck() {
	say "make distcheck"
	if make -C "$BUILD" distcheck >"$BUILD/distcheck.out" 2>&1; then
		count 1 0
	else
		tail -30 "$BUILD/distcheck.out" >&2
		count 0 1
	fi
}

run_fuzz() {
	say "make fuzz (FUZZ_SECONDS=${FUZZ_SECONDS:=30} per harness)"
	if FUZZ_SECONDS=$FUZZ_SECONDS make -C "$BUILD" fuzz >"$BUILD/fuzz.out" 2>&1; then
		count 1 0
	else
		tail -30 "$BUILD/fuzz.out" >&2
		count 0 1
	fi
}

# A throwaway stack: whatever an earlier run left is stopped and wiped.
fresh_stack() {	# var-subfolder
	GENESIS_VAR=$ROOT/var/$1
	set_paths
	stack_down 2>/dev/null || true
	rm -rf "$(readlink -f "$VAR" 2>/dev/null || echo "$VAR")"
	set_paths
	trap 'stack_down >/dev/null 2>&1 || true' EXIT
	GENESIS_SEED_LEGACY=1 stack_up
}

cmd_test() {
	install_packages
	ensure_users
	GENESIS_HTTP_PORT=${GENESIS_TEST_HTTP_PORT:-18080}
	# The suite tests behaviour, not CPU shares: on a machine shared with
	# other stacks a hashing pool at nice 10 got so little CPU that logins
	# ran into the tests' 10 s timeouts.  Exported for the dev.sh the
	# tests run themselves (workers-restart).
	export GENESIS_HASH_NICE=${GENESIS_HASH_NICE:-0}

	# 1. The ordinary build: unit tests, the tarball, the fuzzers.
	build
	run_unit_tests
	run_distcheck
	[ "${GENESIS_FUZZ:-1}" = 1 ] && run_fuzz

	# 2. The end-to-end suite behind nginx, then behind lighttpd, on the
	#    same pools restarted in between (fresh counters).
	fresh_stack test
	run_e2e nginx
	run_browser_tests
	web_stop
	workers_stop
	workers_start
	GENESIS_WEB=lighttpd web_start
	GENESIS_WEB=lighttpd run_e2e lighttpd
	stack_down

	# 3. The main pool as one worker under valgrind memcheck.
	if [ "${GENESIS_VALGRIND_RUN:-1}" = 1 ]; then
		export GENESIS_VALGRIND=1
		fresh_stack test-valgrind
		run_e2e valgrind
		stack_down
		unset GENESIS_VALGRIND
		check "valgrind memcheck: no error, no leak" valgrind_clean
	fi

	# 4. Everything built with -fsanitize=address,undefined: unit tests
	#    and the end-to-end suite; any report in the logs fails the run.
	if [ "${GENESIS_ASAN_RUN:-1}" = 1 ]; then
		GENESIS_SANITIZERS=1 build
		run_unit_tests
		export ASAN_OPTIONS=detect_leaks=1:log_path=$ROOT/var/test-asan/log/asan
		export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
		fresh_stack test-asan
		run_e2e asan
		stack_down
		check "no sanitizer report in the logs" no_sanitizer_reports
		unset ASAN_OPTIONS UBSAN_OPTIONS
	fi
	# 5. GENESIS_MULTIHOST=1: two hosts on a Galera cluster.
	[ "${GENESIS_MULTIHOST:-0}" = 1 ] && run_multihost
	trap - EXIT
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ] && [ "$PASSED" -gt 0 ]
}

# Sourced (tests/multihost/run): the functions only.
[ "${BASH_SOURCE[0]}" = "$0" ] || return 0

case "${1:-}" in
up)	cmd_up ;;
down)	cmd_down ;;
test)	cmd_test ;;
test-multihost) exec "$ROOT/tests/multihost/run" test ;;
admin)	shift; cmd_admin "$@" ;;
status)	cmd_status ;;
# Used by the end-to-end tests on their own stack (GENESIS_VAR set).
db-stop)	set_paths; VAR=$(readlink -f "$VAR"); db_stop ;;
db-start)	set_paths; VAR=$(readlink -f "$VAR"); db_start ;;
workers-restart) set_paths; VAR=$(readlink -f "$VAR"); workers_stop; workers_start ;;
*)	sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 64 ;;
esac
