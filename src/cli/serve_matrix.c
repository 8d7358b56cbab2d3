/*
 * tlsalert serve --matrix: for every alert x step, serve on a free loopback
 * port, run the user's client command against it (/bin/sh -c, in its own
 * process group, with a timeout), and tabulate what the client printed and
 * did on the wire.  Only numbers and fixed paths are put into the command
 * ({port}, {host}, {ca}), never an alert's name, so nothing of the case can
 * inject shell syntax.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "serve_out.h"

#define CMD_MAX	  8192 /* the client command after substitution */
#define ERR_SHOWN 200  /* bytes of the client's first error line kept */
#define CONNS_MAX 64   /* connections of one case, at most (the client's retries) */

/* The default --alerts: the alerts clients meet most, and one unassigned code. */
static const uint8_t default_alerts[] = {0,  10, 20, 40,  42,  45,  48, 50,
					 70, 80, 90, 112, 116, 120, 255};
static const char default_steps[] = "client_hello,server_hello,finished";

struct mcase {
	uint8_t code, level;
	uint16_t port; /* the case's listening port */
	tlsa_serve_step step;
	/* the client */
	bool ran, timed_out;
	int exit_status; /* -1: killed by a signal */
	int signal;
	char err[ERR_SHOWN + 1];
	/* the wire */
	unsigned conns;
	bool have, fallback;
	struct tlsa_serve_result first; /* the connection the alert was sent on */
};

struct matrix {
	struct sctx *x;
	char dir[64]; /* the temporary directory: ca.pem, out, err */
	char ca[96], out[96], errf[96];
	uint8_t codes[256];
	size_t ncodes;
	tlsa_serve_step steps[SERVE_LIST_MAX];
	size_t nsteps;
	bool progress; /* stderr is a terminal */
};

/* SIGINT or SIGTERM during --matrix (0: none). */
static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* --alerts: names, codes, LO-HI ranges of codes, or "all". */
static int parse_alerts(struct cli *c, const char *list, struct matrix *m)
{
	bool seen[256] = {false};
	struct cli_quoted q;
	m->ncodes = 0;
	if (list == NULL) {
		for (size_t i = 0; i < sizeof(default_alerts); i++)
			m->codes[m->ncodes++] = default_alerts[i];
		return 0;
	}
	for (const char *s = list; *s != '\0';) {
		size_t k = strcspn(s, ",");
		uint8_t lo, hi;
		const char *dash = memchr(s, '-', k);
		if (k == 3 && strncmp(s, "all", 3) == 0) {
			lo = 0, hi = 255;
		} else if (dash != NULL && dash > s && s[0] >= '0' && s[0] <= '9' &&
			   serve_alert_parse(s, (size_t)(dash - s), &lo) == 0 &&
			   serve_alert_parse(dash + 1, k - (size_t)(dash - s) - 1, &hi) == 0 &&
			   lo <= hi) {
			;
		} else if (k > 0 && serve_alert_parse(s, k, &lo) == 0) {
			hi = lo;
		} else {
			return cli_fail(c, "--alerts: %s is not an alert code, name or range",
					cli_quoten(&q, s, k));
		}
		for (unsigned v = lo; v <= hi; v++)
			if (!seen[v]) {
				seen[v] = true;
				m->codes[m->ncodes++] = (uint8_t)v;
			}
		s += k + (s[k] == ',');
	}
	if (m->ncodes == 0)
		return cli_fail(c, "--alerts: no alert given");
	return 0;
}

/* --at under --matrix: a list of steps, each possible under the version. */
static int parse_steps(struct cli *c, const char *list, struct matrix *m)
{
	struct cli_quoted q;
	char name[64];
	m->nsteps = 0;
	for (const char *s = list != NULL ? list : default_steps; *s != '\0';) {
		size_t k = strcspn(s, ",");
		if (k == 0 || k >= sizeof(name) || m->nsteps == SERVE_LIST_MAX)
			return cli_fail(c, "--at: %s is not a step", cli_quoten(&q, s, k));
		memcpy(name, s, k);
		name[k] = '\0';
		tlsa_serve_step st;
		if (tlsa_serve_step_parse(name, &st) != 0)
			return cli_fail(c, "--at %s: not a step (see --help)", cli_quote(&q, name));
		const char *why = tlsa_serve_step_check(st, false, m->x->o.version);
		if (why != NULL)
			return cli_fail(c, "--at %s: %s", name, why);
		if (st == TLSA_STEP_CERTIFICATE_REQUEST && !m->x->o.request_client_cert)
			return cli_fail(c, "--at certificate_request needs --request-client-cert");
		m->steps[m->nsteps++] = st;
		s += k + (s[k] == ',');
	}
	return 0;
}

/*
 * The command with {port}, {host} and {ca} replaced; false when it would not
 * fit.  Only a number and fixed paths (of mkdtemp: letters, digits, '/', '.',
 * '_') are inserted.
 */
static bool substitute(const char *tmpl, uint16_t port, const char *ca, char *out, size_t cap)
{
	size_t n = 0;
	char num[8];
	snprintf(num, sizeof(num), "%u", port);
	for (const char *p = tmpl; *p != '\0';) {
		const char *ins = NULL;
		size_t skip = 1;
		if (strncmp(p, "{port}", 6) == 0)
			ins = num, skip = 6;
		else if (strncmp(p, "{host}", 6) == 0)
			ins = "localhost", skip = 6;
		else if (strncmp(p, "{ca}", 4) == 0)
			ins = ca, skip = 4;
		size_t len = ins != NULL ? strlen(ins) : 1;
		if (n + len + 1 > cap)
			return false;
		memcpy(out + n, ins != NULL ? ins : p, len);
		n += len;
		p += skip;
	}
	out[n] = '\0';
	return true;
}

/* Starts /bin/sh -c cmd in a new process group, stdout and stderr to files. */
static pid_t start_client(struct matrix *m, const char *cmd)
{
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	setpgid(0, 0);
	int in = open("/dev/null", O_RDONLY);
	int out = open(m->out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	int err = open(m->errf, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (in < 0 || out < 0 || err < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		_exit(127);
	/* nothing of serve's (the listening socket, the evidence files) goes with it */
	long maxfd = sysconf(_SC_OPEN_MAX);
	for (int fd = 3; fd < (maxfd > 0 && maxfd < 65536 ? maxfd : 1024); fd++)
		close(fd);
	signal(SIGPIPE, SIG_DFL);
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	_exit(127);
}

/* The first non-empty line of a file, control bytes as spaces; false if none. */
static bool first_line(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	bool found = false;
	if (f == NULL)
		return false;
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		size_t n = strcspn(line, "\r\n");
		line[n] = '\0';
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
				line[i] = ' ';
		while (n > 0 && line[n - 1] == ' ')
			line[--n] = '\0';
		size_t lead = strspn(line, " ");
		if (line[lead] != '\0') {
			snprintf(buf, cap, "%s", line + lead);
			found = true;
		}
	}
	fclose(f);
	return found;
}

/*
 * The case's own values in the client's words put back as the placeholders
 * ("localhost:{port}", "{ca}"), so the same client gives the same table on
 * every run.  The port only as a whole number, not inside a longer one.
 */
static void placeholders(char *s, size_t cap, uint16_t port, const char *ca)
{
	char num[8], out[ERR_SHOWN + 1];
	size_t n = 0, nl, cl = strlen(ca);
	snprintf(num, sizeof(num), "%u", port);
	nl = strlen(num);
	for (const char *p = s; *p != '\0' && n + 1 < sizeof(out);) {
		bool digit_before = p > s && p[-1] >= '0' && p[-1] <= '9';
		const char *ins = NULL;
		size_t skip = 0;
		if (!digit_before && strncmp(p, num, nl) == 0 && !(p[nl] >= '0' && p[nl] <= '9'))
			ins = "{port}", skip = nl;
		else if (cl > 0 && strncmp(p, ca, cl) == 0)
			ins = "{ca}", skip = cl;
		if (ins == NULL) {
			out[n++] = *p++;
			continue;
		}
		size_t il = strlen(ins);
		if (n + il + 1 > sizeof(out))
			break;
		memcpy(out + n, ins, il);
		n += il;
		p += skip;
	}
	out[n] = '\0';
	snprintf(s, cap, "%s", out);
}

/* The client ended (or was killed): its status and first words of complaint. */
static void client_ended(struct matrix *m, struct mcase *k, int wstatus)
{
	k->ran = true;
	if (WIFEXITED(wstatus)) {
		k->exit_status = WEXITSTATUS(wstatus);
	} else {
		k->exit_status = -1;
		k->signal = WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0;
	}
	if (!first_line(m->errf, k->err, sizeof(k->err)))
		first_line(m->out, k->err, sizeof(k->err));
	placeholders(k->err, sizeof(k->err), k->port, m->ca);
}

/* One connection of the case: the first is the one judged; a later one that
 * offers a lower version than the first is a fallback. */
static void case_conn(struct mcase *k, const struct tlsa_serve_result *r)
{
	k->conns++;
	if (!k->have) {
		k->first = *r;
		k->have = true;
	} else if (k->first.hs.client_hello && r->hs.client_hello &&
		   tlsa_reaction_fallback(&k->first.hs, &r->hs)) {
		k->fallback = true;
	}
}

/*
 * One case: a listener on a free port, the client started against it, every
 * connection it makes served (the same alert at the same step) until it
 * exits or its time is up (then its process group is killed).
 */
static int run_case(struct matrix *m, struct mcase *k)
{
	struct sctx *x = m->x;
	struct cli *c = x->c;
	struct tlsa_serve_listener *l = NULL;
	struct tlsa_error err = {0};
	char cmd[CMD_MAX];
	struct tlsa_serve_opts o = x->o;
	o.step = k->step;
	o.alert.code = k->code;
	o.alert.level =
		(k->code == 0 || k->code == 90 || o.alert.shape == TLSA_SHAPE_REPEAT) ? 1 : 2;
	if (tlsa_serve_listen("127.0.0.1:0", &l, &err) != 0)
		return cli_fail(c, "--matrix: %s", err.msg);
	k->port = tlsa_serve_port(l);
	if (!substitute(x->client, k->port, m->ca, cmd, sizeof(cmd))) {
		tlsa_serve_listener_free(l);
		return cli_fail(c, "--client: the command is too long");
	}
	pid_t pid = start_client(m, cmd);
	if (pid < 0) {
		tlsa_serve_listener_free(l);
		return cli_fail(c, "--matrix: cannot start the client: %s", strerror(errno));
	}
	setpgid(pid, pid); /* also here: no race with the kill below */
	uint64_t deadline = now_ms() + x->client_timeout_ms;
	int wstatus = 0;
	for (;;) {
		pid_t w = waitpid(pid, &wstatus, WNOHANG);
		if (w == pid)
			break;
		uint64_t now = now_ms();
		if (now >= deadline || stop_signal) {
			k->timed_out = !stop_signal;
			kill(-pid, SIGKILL);
			waitpid(pid, &wstatus, 0);
			break;
		}
		if (k->conns >= CONNS_MAX) {
			struct timespec ts = {0, 50 * 1000000L};
			nanosleep(&ts, NULL);
			continue;
		}
		struct tlsa_serve_result r;
		memset(&r, 0, sizeof(r));
		unsigned wait = (unsigned)(deadline - now < 200 ? deadline - now : 200);
		if (tlsa_serve_accept(l, wait, &o, &r, &err) == 0) {
			if (x->ev != NULL)
				evidence_conn(x->ev, &r.remote, &r.local, x->dtls);
			case_conn(k, &r);
		}
	}
	kill(-pid, SIGKILL); /* whatever the client left running */
	tlsa_serve_listener_free(l);
	client_ended(m, k, wstatus);
	return 0;
}

/* ------------------------------------------------------------ the table */

/* What the client did, in a few characters: "0", "35", "t/o" (killed at the
 * timeout), "s11" (killed by signal 11). */
static void exit_text(const struct mcase *k, char *buf, size_t cap)
{
	if (k->timed_out)
		snprintf(buf, cap, "t/o");
	else if (k->exit_status >= 0)
		snprintf(buf, cap, "%d", k->exit_status);
	else
		snprintf(buf, cap, "s%d", k->signal);
}

/* The reaction in the table: "alert 40", "close", "hang", "fallback", "no conn". */
static void reaction_cell(const struct mcase *k, char *buf, size_t cap)
{
	const struct tlsa_serve_reaction *re = &k->first.reaction;
	if (k->fallback)
		snprintf(buf, cap, "fallback");
	else if (!k->have)
		snprintf(buf, cap, "no conn");
	else if (!k->first.alert_sent && k->first.peer_code >= 0)
		snprintf(buf, cap, "first %d", k->first.peer_code); /* it refused before the step */
	else if (!k->first.alert_sent)
		snprintf(buf, cap, "not sent");
	else if (re->alerts > 0 &&
		 (re->kind == TLSA_REACT_ALERT || re->kind == TLSA_REACT_CLOSE_NOTIFY))
		snprintf(buf, cap, "alert %u", re->alert_code);
	else
		snprintf(buf, cap, "%s", tlsa_reaction_kind_name(re->kind));
}

static const char *verdict_cell(const struct mcase *k)
{
	if (!k->have)
		return NULL;
	return serve_verdict_token(&k->first, k->fallback);
}

/* Columns of the text table: alert, step, exit, reaction, then the error text
 * (what is left of the width, at least 80). */
enum { COL_ALERT = 22, COL_STEP = 19, COL_EXIT = 4, COL_REACT = 9 };

/* A cell cut to `w` columns: "..." at the end, or (mid) in the middle, where
 * a client's error line holds least (its head names the tool, its tail the alert). */
static void cell(FILE *f, const char *s, int w, bool mid)
{
	int n = (int)strlen(s);
	if (n <= w || w <= 5)
		fprintf(f, "%-*s", mid ? 0 : w, s);
	else if (!mid)
		fprintf(f, "%.*s...", w - 3, s);
	else
		fprintf(f, "%.*s...%s", (w - 3) / 3, s, s + n - (w - 3 - (w - 3) / 3));
}

static void text_row(struct sctx *x, const struct mcase *k)
{
	FILE *f = x->c->out;
	int width = x->c->width > 80 ? x->c->width : 80;
	char a[64], e[16], re[24];
	snprintf(a, sizeof(a), "%3u %s", k->code, tlsa_alert_get(k->code)->name);
	exit_text(k, e, sizeof(e));
	reaction_cell(k, re, sizeof(re));
	cell(f, a, COL_ALERT, false);
	fputc(' ', f);
	cell(f, tlsa_serve_step_name(k->step), COL_STEP, false);
	fprintf(f, " %*s ", COL_EXIT, e);
	cell(f, re, COL_REACT, false);
	fputc(' ', f);
	cell(f, k->err[0] ? k->err : "-", width - COL_ALERT - COL_STEP - COL_EXIT - COL_REACT - 4,
	     true);
	fputc('\n', f);
}

/* Markdown: '|' and backticks would break the table. */
static void md_text(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '|')
			fputs("\\|", f);
		else if (*s == '`')
			fputc('\'', f);
		else
			fputc(*s, f);
	}
}

static void md_row(struct sctx *x, const struct mcase *k)
{
	FILE *f = x->c->out;
	char e[16], re[24];
	exit_text(k, e, sizeof(e));
	reaction_cell(k, re, sizeof(re));
	const char *v = verdict_cell(k);
	fprintf(f, "| %u `%s` | %s | %s | %s | %s | ", k->code, tlsa_alert_get(k->code)->name,
		tlsa_serve_step_name(k->step), e, re, v != NULL ? v : "");
	if (k->err[0] != '\0') {
		fputc('`', f);
		md_text(f, k->err);
		fputc('`', f);
	}
	fputs(" |\n", f);
}

static void csv_row(struct sctx *x, const struct mcase *k)
{
	FILE *f = x->c->out;
	char re[24];
	const struct tlsa_serve_reaction *rn = &k->first.reaction;
	bool peer_alert = k->have && k->first.alert_sent && rn->alerts > 0;
	reaction_cell(k, re, sizeof(re));
	csv_int(f, k->code, true);
	csv_field(f, tlsa_alert_get(k->code)->name, false);
	csv_field(f, tlsa_serve_step_name(k->step), false);
	if (k->exit_status >= 0 && !k->timed_out)
		csv_int(f, k->exit_status, false);
	else
		csv_field(f, NULL, false);
	csv_field(f, k->timed_out ? "timeout" : k->exit_status < 0 ? "signal" : "exit", false);
	csv_int(f, k->conns, false);
	csv_field(f,
		  k->fallback			   ? "fallback"
		  : k->have && k->first.alert_sent ? tlsa_reaction_kind_name(rn->kind)
						   : NULL,
		  false);
	if (peer_alert)
		csv_int(f, rn->alert_code, false);
	else
		csv_field(f, NULL, false);
	csv_field(f, peer_alert ? tlsa_alert_get(rn->alert_code)->name : NULL, false);
	csv_field(f, verdict_cell(k), false);
	csv_field(f, k->err[0] ? k->err : NULL, false);
	csv_end(f);
}

static void json_row(struct sctx *x, const struct mcase *k)
{
	struct jw w;
	const struct tlsa_serve_result *r = &k->first;
	const struct tlsa_serve_reaction *rn = &r->reaction;
	jw_begin(&w, x->c->out);
	jw_str(&w, "type", "serve_matrix");
	jw_str(&w, "version", tlsa_version_name(tlsa_version_from_wire(x->o.version)));
	jw_int(&w, "code", k->code);
	jw_str(&w, "name", tlsa_alert_get(k->code)->name);
	jw_int(&w, "level", k->level);
	jw_str(&w, "step", tlsa_serve_step_name(k->step));
	if (k->exit_status >= 0 && !k->timed_out)
		jw_int(&w, "client_exit", k->exit_status);
	else
		jw_null(&w, "client_exit");
	if (k->exit_status < 0 && !k->timed_out)
		jw_int(&w, "client_signal", k->signal);
	else
		jw_null(&w, "client_signal");
	jw_bool(&w, "client_timed_out", k->timed_out);
	jw_str(&w, "client_error", k->err[0] ? k->err : NULL);
	jw_uint(&w, "connections", k->conns);
	jw_bool(&w, "alert_sent", k->have && r->alert_sent);
	jw_bool(&w, "encrypted", k->have && r->alert_encrypted);
	jw_str(&w, "reaction", k->have ? serve_reaction_token(r, k->fallback) : NULL);
	jw_bool(&w, "fallback", k->fallback);
	if (k->have && r->alert_sent && rn->alerts > 0) {
		jw_int(&w, "peer_alert_level", rn->alert_level);
		jw_int(&w, "peer_alert_code", rn->alert_code);
		jw_str(&w, "peer_alert_name", tlsa_alert_get(rn->alert_code)->name);
	} else {
		jw_null(&w, "peer_alert_level");
		jw_null(&w, "peer_alert_code");
		jw_null(&w, "peer_alert_name");
	}
	if (k->have && !r->alert_sent && r->peer_code >= 0) {
		jw_int(&w, "early_peer_alert_code", r->peer_code);
		jw_str(&w, "early_peer_alert_name", tlsa_alert_get((uint8_t)r->peer_code)->name);
	} else {
		jw_null(&w, "early_peer_alert_code");
		jw_null(&w, "early_peer_alert_name");
	}
	jw_str(&w, "verdict", verdict_cell(k));
	jw_str(&w, "rfc", k->have && r->alert_sent && rn->rule != NULL ? rn->rule->rfc : NULL);
	jw_str(&w, "detail", k->have && r->detail[0] ? r->detail : NULL);
	jw_end(&w);
}

static void matrix_begin(struct sctx *x)
{
	FILE *f = x->c->out;
	if (x->table == TABLE_CSV)
		fputs("code,name,step,client_exit,client_end,connections,reaction,peer_code,"
		      "peer_name,verdict,client_error\n",
		      f);
	else if (x->table == TABLE_MARKDOWN)
		fputs("| Alert | Step | Exit | Reaction | Verdict | Client's first error line |\n"
		      "|---|---|---|---|---|---|\n",
		      f);
	else if (x->table == TABLE_TEXT)
		fprintf(f, "%-*s %-*s %*s %-*s %s\n", COL_ALERT, "alert", COL_STEP, "step",
			COL_EXIT, "exit", COL_REACT, "reaction", "client's first error line");
}

static void matrix_row(struct sctx *x, const struct mcase *k)
{
	switch (x->table) {
	case TABLE_JSON: json_row(x, k); break;
	case TABLE_CSV: csv_row(x, k); break;
	case TABLE_MARKDOWN: md_row(x, k); break;
	default: text_row(x, k); break;
	}
	fflush(x->c->out);
}

/* ------------------------------------------------------------ the run */

/* The temporary directory with ca.pem; the names of the client's output files. */
static int make_dir(struct matrix *m)
{
	const char *tmp = getenv("TMPDIR");
	if (tmp == NULL || tmp[0] != '/' || strlen(tmp) > 30 ||
	    strspn(tmp, "/._-abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") !=
		    strlen(tmp))
		tmp = "/tmp"; /* {ca} must be a plain path: no shell syntax in it */
	snprintf(m->dir, sizeof(m->dir), "%s/tlsalert-serve-XXXXXX", tmp);
	if (mkdtemp(m->dir) == NULL)
		return cli_fail(m->x->c, "--matrix: a temporary directory: %s", strerror(errno));
	snprintf(m->ca, sizeof(m->ca), "%s/ca.pem", m->dir);
	snprintf(m->out, sizeof(m->out), "%s/out", m->dir);
	snprintf(m->errf, sizeof(m->errf), "%s/err", m->dir);
	return serve_write_ca(m->x->c, m->x->creds, m->ca);
}

static void remove_dir(struct matrix *m)
{
	unlink(m->ca);
	unlink(m->out);
	unlink(m->errf);
	rmdir(m->dir);
}

int serve_matrix(struct sctx *x)
{
	struct cli *c = x->c;
	struct matrix *m = calloc(1, sizeof(*m));
	int rc = EXIT_ERROR;
	if (m == NULL)
		return cli_fail(c, "out of memory");
	m->x = x;
	m->progress = isatty(STDERR_FILENO);
	if (parse_alerts(c, x->alerts, m) != 0 || parse_steps(c, x->steps, m) != 0) {
		free(m);
		return EXIT_ERROR;
	}
	if (make_dir(m) != 0) {
		remove_dir(m);
		free(m);
		return EXIT_ERROR;
	}
	size_t total = m->ncodes * m->nsteps, done = 0;
	struct mcase *k = malloc(sizeof(*k));
	if (k == NULL) {
		remove_dir(m);
		free(m);
		return cli_fail(c, "out of memory");
	}
	/* Ctrl-C: the client (in its own process group) is killed and the
	 * temporary directory removed before serve ends */
	struct sigaction sa = {.sa_handler = on_stop}, old_int, old_term;
	sigemptyset(&sa.sa_mask);
	stop_signal = 0;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	matrix_begin(x);
	rc = EXIT_OK;
	for (size_t i = 0; i < m->ncodes && rc == EXIT_OK && !stop_signal; i++) {
		for (size_t j = 0; j < m->nsteps && rc == EXIT_OK && !stop_signal; j++) {
			memset(k, 0, sizeof(*k));
			k->code = m->codes[i];
			/* warning for the closures and for repeat=N, as without --matrix */
			k->level = k->code == 0 || k->code == 90 ||
						   x->o.alert.shape == TLSA_SHAPE_REPEAT
					   ? 1
					   : 2;
			k->step = m->steps[j];
			done++;
			if (m->progress)
				fprintf(stderr, "\r[%zu/%zu] %s at %s\033[K", done, total,
					tlsa_alert_get(k->code)->name,
					tlsa_serve_step_name(k->step));
			rc = run_case(m, k);
			if (rc == EXIT_OK && !stop_signal)
				matrix_row(x, k);
		}
	}
	if (m->progress)
		fputs("\r\033[K", stderr);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (stop_signal) {
		fprintf(stderr, "tlsalert serve: interrupted after %zu of %zu cases\n",
			done > 0 ? done - 1 : 0, total);
		rc = 128 + stop_signal;
	}
	free(k);
	remove_dir(m);
	free(m);
	return rc;
}
