#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jsonw.h"
#include "log.h"

#define UNTRUSTED_MAX	64

static const char	*log_prog = "genesis";
static enum log_level	 log_min = LOG_LVL_INFO;
static pid_t		 log_pid;	/* getpid() is a system call each time */

static const char *const level_names[] = { "debug", "info", "warn", "error" };

static const char *const key_names[LK__MAX] = {
	[LK_ROUTE] = "route",		[LK_METHOD] = "method",
	[LK_STATUS] = "status",		[LK_IERR] = "ierr",
	[LK_MS] = "ms",			[LK_UID] = "uid",
	[LK_SID] = "sid",		[LK_CLIENT] = "client",
	[LK_REASON] = "reason",		[LK_DB_ERRNO] = "db_errno",
	[LK_DB_ERROR] = "db_error",	[LK_KEY] = "key",
	[LK_PATH] = "path",		[LK_COUNT] = "count",
	[LK_USERNAME] = "username",	[LK_USER_AGENT] = "user_agent",
	[LK_KID] = "kid",		[LK_TOKEN_ID] = "token_id",
	[LK_EVENT_NAME] = "audit_event", [LK_OUTCOME] = "outcome",
	[LK_ACTOR] = "actor",		[LK_STORED] = "stored",
	[LK_RETRY_AFTER] = "retry_after",
	[LK_CLIENT_ID] = "client_id",
};

void
log_init(const char *prog, enum log_level min)
{
	log_prog = prog;
	log_min = min;
	log_pid = getpid();
}

int
log_level_parse(const char *s, enum log_level *out)
{
	size_t	 i;

	for (i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
		if (strcmp(s, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	return -1;
}

/*
 * Untrusted text: printable ASCII only (anything else becomes '?', so a
 * cut can never split a character), at most 64 bytes.
 */
static void
untrusted(struct jsonw *w, const char *s)
{
	char	 clean[UNTRUSTED_MAX + 1];
	size_t	 i;

	for (i = 0; s[i] != '\0' && i < UNTRUSTED_MAX; i++)
		clean[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	clean[i] = '\0';
	jsonw_str(w, clean);
}

void
log_event(enum log_level lvl, const char *event,
    const struct log_field *f, size_t n)
{
	struct jsonw	 w;
	struct timespec	 ts;
	struct tm	 tm;
	char		 stamp[64];
	const char	*text;
	size_t		 i;

	if (lvl < log_min)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(stamp, sizeof(stamp), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);

	jsonw_init(&w);
	jsonw_obj_open(&w);
	jsonw_kv_str(&w, "ts", stamp);
	jsonw_kv_str(&w, "level", level_names[lvl]);
	jsonw_kv_str(&w, "prog", log_prog);
	jsonw_kv_int(&w, "pid", log_pid != 0 ? log_pid : getpid());
	jsonw_kv_str(&w, "event", event);
	for (i = 0; i < n; i++) {
		if (f[i].key >= LK__MAX)
			continue;
		jsonw_key(&w, key_names[f[i].key]);
		if (f[i].str == NULL)
			jsonw_int(&w, f[i].num);
		else if (f[i].key == LK_USERNAME || f[i].key == LK_USER_AGENT)
			untrusted(&w, f[i].str);
		else
			jsonw_str(&w, f[i].str);
	}
	jsonw_obj_close(&w);
	jsonw_raw(&w, "\n", 1);
	if ((text = jsonw_text(&w)) != NULL)
		(void)write(STDERR_FILENO, text, w.len);
	jsonw_clear(&w);
}

void
log_reason(enum log_level lvl, const char *event, const char *reason)
{
	struct log_field	 f = LF_STR(LK_REASON, reason);

	log_event(lvl, event, &f, reason == NULL ? 0 : 1);
}
