/*
 * genesis-fcgi: one FastCGI worker.  spawn-fcgi hands it the listening
 * socket on fd 0 and multiwatch restarts it when it dies.  Everything
 * that can be wrong with the configuration is found here, before the
 * accept loop, and stops the worker with exit status 78.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "auth.h"
#include "clients.h"
#include "cors.h"
#include "config.h"
#include "db.h"
#include "html.h"
#include "jwt.h"
#include "jwt_memo.h"
#include "limit.h"
#include "metrics.h"
#include "page.h"
#include "log.h"
#include "pwhash.h"
#include "req.h"
#include "resp.h"
#include "shm.h"
#include "totp.h"
#include "worker.h"

#define PROG	"genesis-fcgi"

static volatile sig_atomic_t	 stopping;

static void
on_term(int sig)
{
	(void)sig;
	stopping = 1;
	/* libfcgi retries an interrupted accept(): tell it to give up. */
	FCGX_ShutdownPending();
}

/*
 * SIGALRM: a worker that has hashed a password waited a second for its
 * next request.  Only armed while it waits in accept, so it interrupts
 * nothing else (SA_RESTART restarts the accept).
 */
static void
on_idle(int sig)
{
	(void)sig;
	pwhash_release();
}

/* Arm or disarm the idle second; returns whether it is armed. */
static bool
idle_timer(bool arm)
{
	struct itimerval	 it;

	memset(&it, 0, sizeof(it));
	it.it_value.tv_sec = arm ? 1 : 0;
	return setitimer(ITIMER_REAL, &it, NULL) == 0 && arm;
}

static void
usage(void)
{
	fprintf(stderr, "usage: %s [-c config]\n"
	    "  The configuration is -c, else $GENESIS_CONFIG.  Run under\n"
	    "  spawn-fcgi, which passes the FastCGI socket on fd 0.\n", PROG);
	exit(64);
}

static void
die_config(const char *why)
{
	fprintf(stderr, "%s: %s\n", PROG, why);
	exit(EX_CONFIG);
}

static void
serve(struct worker *w, FCGX_Request *fr)
{
	struct req	 r;
	enum ierr	 e;

	req_init(&r, w, fr);
	if ((e = req_parse_head(&r)) == IERR_OK &&	/* method, path, route */
	    (e = limit_check(&r)) == IERR_OK &&		/* per-address buckets */
	    (e = req_parse_body(&r)) == IERR_OK &&	/* bounded body */
	    (e = authn_check(&r)) == IERR_OK &&		/* who: JWT + session */
	    (e = authz_check(&r)) == IERR_OK)		/* may they */
		e = r.route->handler(&r);
	else if ((e == IERR_METHOD || e == IERR_NOT_FOUND) &&
	    cors_is_preflight(&r))
		e = cors_preflight(&r);
	resp_finish(&r, e);
	req_free(&r);
}

/*
 * libfcgi closes a connection by shutting its side down and waiting for
 * the web server to close the other: one more sleep and wake-up per
 * request, which on a busy pool costs as much as the rest of /health.
 * Once FCGI_STDIN has ended the web server sends nothing more on the
 * connection, so a plain close() loses nothing; a request whose body
 * was left unread (answered before reading it) keeps libfcgi's careful
 * close, which drains it.
 */
static void
finish_request(FCGX_Request *fr)
{
	if (FCGX_GetChar(fr->in) == EOF)
		FCGX_Detach(fr);
	FCGX_Finish_r(fr);
}

static void
signals(void)
{
	struct sigaction	 sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_idle;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
}

/*
 * The key that seals TOTP secrets: SHA-256 of the secret's one line,
 * which must hold at least 32 characters (256 bits of base64 or more).
 */
static void
load_mfa_key(struct worker *w, const struct config *cfg)
{
	char	 err[512];
	char	*line;

	if ((line = config_read_secret("mfa_key_file", cfg->mfa_key_file,
	    "mfa_key", err, sizeof(err))) == NULL)
		die_config(err);
	if (strlen(line) < 32) {
		secret_free(line);
		die_config("mfa_key_file: the key must be one line of at least "
		    "32 characters");
	}
	crypto_sha256(line, strlen(line), w->mfa_key);
	secret_free(line);
}

/* Load and check everything; exits 78 with one line on failure. */
static void
start(struct worker *w, struct config *cfg, const char *path)
{
	char			 err[512];
	char			*password;
	struct pwhash_params	 pp;

	config_init(cfg);
	if (config_load(cfg, path, err, sizeof(err)) == -1 ||
	    config_check_db(cfg, err, sizeof(err)) == -1 ||
	    config_check_tokens(cfg, err, sizeof(err)) == -1)
		die_config(err);
	if ((w->keys = jwt_keys_load(cfg->signing_key_file,
	    cfg->verify_key_files, err, sizeof(err))) == NULL ||
	    cors_init(&w->cors, cfg->cors_origins, err, sizeof(err)) == -1 ||
	    config_check_limits(cfg, err, sizeof(err)) == -1)
		die_config(err);
	if ((w->pages = html_load(cfg->templates_dir != NULL ?
	    cfg->templates_dir : TEMPLATESDIR, page_templates,
	    page_ntemplates, err, sizeof(err))) == NULL)
		die_config(err);
	if (metrics_fit() == -1)
		die_config("more routes than the metrics block holds");
	if ((password = config_read_secret("db_password_file",
	    cfg->db_password_file, "db_password", err, sizeof(err))) == NULL)
		die_config(err);
	if ((w->client_mac = clients_key_load(cfg, err, sizeof(err))) == NULL)
		die_config(err);
	load_mfa_key(w, cfg);
	if (geteuid() == 0)
		die_config("refusing to run as root: start under spawn-fcgi -u");
	/* After the root check: the segment must belong to the workers. */
	if ((w->shm = shm_attach(cfg->shm_name != NULL ? cfg->shm_name :
	    "/genesis", cfg->rate_limit_slots, true, err, sizeof(err))) == NULL)
		die_config(err);
	log_init(PROG, cfg->log_level);
	pp.m_kib = cfg->argon2_memory_kib;
	pp.t = cfg->argon2_iterations;
	pp.p = cfg->argon2_parallelism;
	if (db_library_init() == -1 || pwhash_init(&pp) == -1 ||
	    totp_init() == -1 ||
	    (w->db = db_new(cfg, cfg->db_user, password)) == NULL ||
	    (w->verified = jwt_memo_new(w->keys, cfg->jwt_issuer,
	    cfg->jwt_audience)) == NULL)
		die_config("cannot initialise (out of memory?)");
	secret_free(password);
	w->cfg = cfg;
	log_event(LOG_LVL_INFO, "worker_started", (struct log_field[]){
	    LF_STR(LK_REASON, "configuration and keys loaded"),
	    LF_NUM(LK_COUNT, jwt_keys_count(w->keys)) }, 2);
}

/* Everything start() made, on every way out. */
static void
finish(struct worker *w, struct config *cfg)
{
	crypto_mac_free(w->client_mac);
	html_free(w->pages);
	db_free(w->db);
	jwt_memo_free(w->verified);
	jwt_keys_free(w->keys);
	shm_detach(w->shm);
	cors_clear(&w->cors);
	db_library_end();
	pwhash_cleanup();
	totp_done();
	crypto_wipe(w->mfa_key, sizeof(w->mfa_key));
	config_clear(cfg);
}

int
main(int argc, char *argv[])
{
	struct config	 cfg;
	struct worker	 w = { 0 };
	FCGX_Request	 fr;
	const char	*path = getenv("GENESIS_CONFIG");
	int		 ch;
	bool		 idle_armed = false;

	while ((ch = getopt(argc, argv, "c:")) != -1) {
		if (ch != 'c')
			usage();
		path = optarg;
	}
	if (path == NULL || optind != argc)
		usage();
	start(&w, &cfg, path);
	if (FCGX_Init() != 0 || FCGX_IsCGI()) {
		fprintf(stderr, "%s: fd 0 is not a FastCGI socket: start me "
		    "with spawn-fcgi\n", PROG);
		finish(&w, &cfg);
		return 64;
	}
	signals();
	FCGX_InitRequest(&fr, 0, 0);
	while (!stopping && FCGX_Accept_r(&fr) >= 0) {
		if (idle_armed)
			idle_armed = idle_timer(false);
		serve(&w, &fr);
		finish_request(&fr);
		if (cfg.max_requests != 0 && ++w.served >= cfg.max_requests)
			break;
		/* A worker hashing one login after another keeps the area. */
		if (pwhash_holds_area())
			idle_armed = idle_timer(true);
	}
	(void)idle_timer(false);
	/* multiwatch stops workers with SIGUSR1, which libfcgi handles. */
	log_reason(LOG_LVL_INFO, "worker_stopped", stopping ? "signal" :
	    w.served >= cfg.max_requests && cfg.max_requests != 0 ?
	    "request limit" : "shutdown");
	finish(&w, &cfg);
	return 0;
}
