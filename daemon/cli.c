// SPDX-License-Identifier: GPL-2.0-or-later
/* deployguard: operate deployguardd.  See deployguard(1). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "dgclient.h"
#include "report.h"
#include "util.h"

const char *cli_socket(struct cli *c)
{
	if (c->socket_path[0])
		return c->socket_path;
	if (c->socket)
		snprintf(c->socket_path, sizeof(c->socket_path), "%s", c->socket);
	else if ((!c->config && access(DG_DEFAULT_CONFIG, R_OK) != 0) ||
		 dg_config_peek_socket_path(c->config, c->socket_path, sizeof(c->socket_path)))
		snprintf(c->socket_path, sizeof(c->socket_path), "%s", DG_DEFAULT_SOCKET);
	return c->socket_path;
}

int cli_call(struct cli *c, const struct dg_ctlmsg *req, struct dg_ctlmsg *reply)
{
	const char *status;
	int err;

	err = dg_client_call(cli_socket(c), req, reply, DG_CLIENT_TIMEOUT_MS);
	if (err) {
		fprintf(stderr, "deployguard: %s (%s)\n", dg_client_strerror(err), cli_socket(c));
		return err;
	}
	status = dg_ctl_get(reply, "status");
	if (!status || strcmp(status, "ok")) {
		const char *msg = dg_ctl_get(reply, "message");

		fprintf(stderr, "deployguard: %s\n", msg ? msg : "request failed");
		return -EPROTO;
	}
	return 0;
}

void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20 || ch == 0x7f)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static bool is_number(const char *v)
{
	if (!*v || (v[0] == '0' && v[1]))
		return false;
	for (; *v; v++)
		if (*v < '0' || *v > '9')
			return false;
	return true;
}

/*
 * The JSON of `status --json` and `sessions --json` is for monitoring, so
 * a field keeps its type whatever its value: text (a user name, a command
 * line) stays a string even when it looks like a number, flags are
 * booleans, and everything else the daemon sends is a counter or an id.
 * New fields may appear; none changes name or type.
 */
static const char *const text_keys[] = {
	"version", "config", "cgroup", "bpffs", "packet_sockets", "upstream", "profile", "audit",
	"controllers", "limits_unavailable", "mode", "enforce", "opener", "user", "runas", "tty",
	"rhost", "service", "cwd", "cmd", "state", "cpu_max", "limits_unapplied", "cgroup_v1",
	"warning", "message",
};
static const char *const flag_keys[] = { "private", "adopted" };

static bool key_in(const struct dg_ctl_field *f, const char *const *keys, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (dg_ctl_field_is(f, keys[i]))
			return true;
	return false;
}

static void json_value(const struct dg_ctl_field *f)
{
	if (key_in(f, flag_keys, DG_ARRAY_SIZE(flag_keys)))
		printf("%s", strcmp(f->val, "1") ? "false" : "true");
	else if (!key_in(f, text_keys, DG_ARRAY_SIZE(text_keys)) && is_number(f->val))
		printf("%s", f->val);
	else
		json_string(stdout, f->val);
}

/* Fields that may repeat; they become arrays of strings (NULL-terminated lists). */
static const char *const status_list_keys[] = { "upstream", "profile", NULL };
static const char *const session_list_keys[] = { "cgroup_v1", NULL };

static bool is_list_key(const struct dg_ctl_field *f, const char *const *lists)
{
	for (size_t i = 0; lists[i]; i++)
		if (dg_ctl_field_is(f, lists[i]))
			return true;
	return false;
}

/* The fields of m but the lists as members of an open JSON object. */
static bool print_json_members(const struct dg_ctlmsg *m, const char *const *lists, bool first)
{
	struct dg_ctl_field f;
	size_t pos = 0;

	while (dg_ctl_next(m, &pos, &f)) {
		if (dg_ctl_field_is(&f, "status") || dg_ctl_field_is(&f, "more") ||
		    is_list_key(&f, lists))
			continue;
		printf("%s\"%.*s\":", first ? "" : ",", (int)f.keylen, f.key);
		json_value(&f);
		first = false;
	}
	return first;
}

/* Every value of a repeated field as a member "key":[...], empty or not. */
static void print_json_list(const struct dg_ctlmsg *m, const char *key, bool first)
{
	struct dg_ctl_field f;
	size_t pos = 0;
	unsigned n = 0;

	printf("%s\"%s\":[", first ? "" : ",", key);
	while (dg_ctl_next(m, &pos, &f)) {
		if (!dg_ctl_field_is(&f, key))
			continue;
		printf("%s", n++ ? "," : "");
		json_string(stdout, f.val);
	}
	printf("]");
}

/*
 * "NAME mode=blocklist enforce=yes domains=3 cidrs=0 [memory_max=64M ...]"
 * as an object: counts are numbers, sizes bytes (as in sessions --json),
 * the rest (cpu_max "QUOTA/PERIOD" or "N%") text.
 */
static void print_json_profile(const char *desc)
{
	char *copy = strdup(desc), *save = NULL, *tok;
	uint64_t bytes;

	if (!copy) {
		printf("null");
		return;
	}
	tok = strtok_r(copy, " ", &save);
	printf("{\"name\":");
	json_string(stdout, tok ? tok : "");
	while ((tok = strtok_r(NULL, " ", &save))) {
		char *eq = strchr(tok, '=');

		if (!eq)
			continue;
		*eq = '\0';
		printf(",");
		json_string(stdout, tok);
		printf(":");
		if (!strncmp(tok, "memory_", 7) && !dg_parse_size(eq + 1, &bytes))
			printf("%llu", (unsigned long long)bytes);
		else if (strcmp(tok, "mode") && strcmp(tok, "enforce") && strcmp(tok, "cpu_max") &&
			 is_number(eq + 1))
			printf("%s", eq + 1);
		else
			json_string(stdout, eq + 1);
	}
	printf("}");
	free(copy);
}

static void print_json_status(const struct dg_ctlmsg *m)
{
	struct dg_ctl_field f;
	size_t pos = 0;
	unsigned n = 0;

	printf("{\"running\":true,");
	print_json_members(m, status_list_keys, true);
	print_json_list(m, "upstream", false);
	printf(",\"profiles\":[");
	while (dg_ctl_next(m, &pos, &f)) {
		if (!dg_ctl_field_is(&f, "profile"))
			continue;
		printf("%s", n++ ? "," : "");
		print_json_profile(f.val);
	}
	printf("]}\n");
}

static void print_json_session(const struct dg_ctlmsg *m)
{
	printf("{");
	print_json_members(m, session_list_keys, true);
	for (size_t i = 0; session_list_keys[i]; i++)
		print_json_list(m, session_list_keys[i], false);
	printf("}");
}

/*
 * Exit codes of status and sessions, as LSB init scripts' "status": 0 the
 * daemon runs, 3 it does not, 4 it could not be asked (refused, no answer).
 */
#define EXIT_NOT_RUNNING	3
#define EXIT_UNKNOWN		4

static int down_exit_code(int err)
{
	return (err == -ENOENT || err == -ECONNREFUSED) ? EXIT_NOT_RUNNING : EXIT_UNKNOWN;
}

static const char *age_str(const char *started, char *buf, size_t len)
{
	long long s = started ? strtoll(started, NULL, 10) : 0, age = s ? (long long)time(NULL) - s : 0;

	if (age < 0)
		age = 0;
	if (age < 120)
		snprintf(buf, len, "%llds", age);
	else if (age < 7200)
		snprintf(buf, len, "%lldm", age / 60);
	else if (age < 172800)
		snprintf(buf, len, "%lldh", age / 3600);
	else
		snprintf(buf, len, "%lldd", age / 86400);
	return buf;
}

static const char *get(const struct dg_ctlmsg *m, const char *k)
{
	const char *v = dg_ctl_get(m, k);

	return v ? v : "";
}

static int cmd_status(struct cli *c, int argc, char **argv)
{
	struct dg_ctlmsg *req = malloc(sizeof(*req)), *r = malloc(sizeof(*r));
	struct dg_ctl_field f;
	size_t pos = 0;
	unsigned n = 0;
	char age[32];
	int err, rc = 0;

	if (!req || !r) {
		free(req);
		free(r);
		return 1;
	}
	dg_ctl_init(req);
	dg_ctl_add(req, "op", "status");
	err = cli_call(c, req, r);
	if (err) {
		rc = down_exit_code(err);
		/* monitoring gets an answer on stdout either way */
		if (c->json) {
			printf("{\"running\":%s,\"error\":",
			       rc == EXIT_NOT_RUNNING ? "false" : "null");
			json_string(stdout, err == -EPROTO ? "request failed"
							     : dg_client_strerror(err));
			printf(",\"socket\":");
			json_string(stdout, cli_socket(c));
			printf("}\n");
		}
		goto out;
	}
	if (c->json) {
		print_json_status(r);
		goto out;
	}
	printf("deployguardd %s: running (pid %s, up %s)\n", get(r, "version"), get(r, "pid"),
	       age_str(dg_ctl_get(r, "started"), age, sizeof(age)));
	printf("  config:     %s\n", get(r, "config"));
	if (!strcmp(get(r, "private"), "1"))
		printf("  guard:      %s programs on %s (private: not pinned)\n",
		       get(r, "programs"), get(r, "cgroup"));
	else
		printf("  guard:      %s programs on %s, pinned in %s%s\n", get(r, "programs"),
		       get(r, "cgroup"), get(r, "bpffs"),
		       !strcmp(get(r, "adopted"), "1") ? " (adopted)" : "");
	printf("  DNS proxy:  127.0.0.1:%s and [::1]:%s, upstream", get(r, "proxy_port"),
	       get(r, "proxy_port"));
	while (dg_ctl_next(r, &pos, &f)) {
		if (dg_ctl_field_is(&f, "upstream")) {
			printf(" %s", f.val);
			n++;
		}
	}
	printf("%s\n", n ? "" : " the resolver each process asked");
	pos = 0;
	while (dg_ctl_next(r, &pos, &f))
		if (dg_ctl_field_is(&f, "profile"))
			printf("  profile:    %s\n", f.val);
	printf("  sessions:   %s active (%s opened, %s closed since the daemon started)\n",
	       get(r, "sessions"), get(r, "sessions_opened"), get(r, "sessions_closed"));
	printf("  blocked:    %s names resolved, %s of their addresses denied at connect\n",
	       get(r, "blocked_names_resolved"), get(r, "blocked_addresses_denied"));
	printf("  limits:     controllers %s; limits_unavailable = %s\n", get(r, "controllers"),
	       get(r, "limits_unavailable"));
	printf("  DNS:        %s queries, %s allowed, %s blocked, %s would-block, "
	       "%s unattributed, %s malformed\n",
	       get(r, "dns_queries"), get(r, "dns_allowed"), get(r, "dns_blocked"),
	       get(r, "dns_would_block"), get(r, "dns_unattributed"), get(r, "dns_malformed"));
	printf("  connect:    %s blocked, %s would-block; packets blocked: %s; sockets refused: %s\n",
	       get(r, "kernel_connect_blocked"), get(r, "kernel_connect_would_block"),
	       get(r, "kernel_packet_blocked"), get(r, "kernel_socket_blocked"));
	if (strcmp(get(r, "packet_sockets"), "denied"))
		printf("  warning:    packet sockets are not denied: %s\n", get(r, "packet_sockets"));
	printf("  upstream:   %s errors, %s timeouts; %s addresses learned\n",
	       get(r, "upstream_errors"), get(r, "upstream_timeouts"), get(r, "addresses_learned"));
	printf("  events:     %s dropped by the kernel; %s control requests refused\n",
	       get(r, "kernel_events_dropped"), get(r, "control_refused"));
	if (dg_ctl_get(r, "audit")) {
		const char *a = get(r, "audit");

		if (!strcmp(a, "active"))
			printf("  audit:      auditd running (pid %s)", get(r, "auditd_pid"));
		else
			printf("  audit:      %s", !strcmp(a, "no-auditd") ? "auditd NOT running"
					     : !strcmp(a, "disabled") ? "kernel auditing DISABLED"
					     : !strcmp(a, "unavailable") ? "NO audit subsystem"
					     : "state unknown");
		printf("; records: %s sent, %s suppressed (%s past the per-session limit), "
		       "%s failed\n", get(r, "audit_records_sent"), get(r, "audit_records_suppressed"),
		       get(r, "audit_records_unrecorded"), get(r, "audit_records_failed"));
	}
out:
	free(req);
	free(r);
	return rc;
}

/* "12.3M": usage is rarely a round number */
static const char *human_bytes(const char *v, char *buf, size_t len)
{
	static const char units[] = "KMGT";
	double b = (double)strtoull(v, NULL, 10);
	int u = -1;

	while (b >= 1024 && u < 3) {
		b /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%.0f", b);
	else
		snprintf(buf, len, "%.1f%c", b, units[u]);
	return buf;
}

/* Under a session's row: its limits and what it used so far. */
static void print_limits(const struct dg_ctlmsg *one)
{
	static const char *const keys[] = { "memory_max", "memory_high", "cpu_max", "pids_max",
					    "io_weight" };
	char line[512] = "", sz[32];
	struct dg_ctl_field f;
	size_t pos = 0, n = 0;
	const char *v;

	for (size_t i = 0; i < DG_ARRAY_SIZE(keys); i++) {
		v = dg_ctl_get(one, keys[i]);
		if (!v)
			continue;
		if (!strncmp(keys[i], "memory_", 7)) {
			uint64_t b = strtoull(v, NULL, 10);

			v = dg_size_str(b, sz, sizeof(sz));
		}
		n += (size_t)snprintf(line + n, sizeof(line) - n, " %s=%s", keys[i], v);
		if (n >= sizeof(line))
			n = sizeof(line) - 1;
	}
	if (!n)
		return;
	printf("%-8s limits:%s\n", "", line);
	if ((v = dg_ctl_get(one, "limits_unapplied")))
		printf("%-8s NOT APPLIED: %s\n", "", v);
	n = 0;
	while (dg_ctl_next(one, &pos, &f))
		if (dg_ctl_field_is(&f, "cgroup_v1"))
			printf("%s %s", n++ ? "" : "         cgroup v1:", f.val);
	if (n)
		printf("\n");
	printf("%-8s usage:", "");
	if ((v = dg_ctl_get(one, "memory_peak")))
		printf(" memory_peak=%s", human_bytes(v, sz, sizeof(sz)));
	if ((v = dg_ctl_get(one, "cpu_usec")))
		printf(" cpu=%.2fs", (double)strtoull(v, NULL, 10) / 1e6);
	if ((v = dg_ctl_get(one, "oom_kills")))
		printf(" oom_kills=%s", v);
	printf("\n");
}

static int cmd_sessions(struct cli *c, int argc, char **argv)
{
	struct dg_ctlmsg *req = malloc(sizeof(*req)), *r = malloc(sizeof(*r));
	unsigned long offset = 0, n = 0;
	int err, rc = 0;
	bool more = true;

	if (!req || !r) {
		free(req);
		free(r);
		return 1;
	}
	if (c->json)
		printf("[");
	else
		printf("%-8s %-12s %-6s %-14s %-9s %-7s %5s %5s %7s  %s\n", "SESSION", "USER",
		       "OPENER", "PROFILE", "MODE", "ENFORCE", "AGE", "PIDS", "BLOCKED", "COMMAND");
	while (more) {
		struct dg_ctl_field f;
		size_t pos = 0, start = 0;

		dg_ctl_init(req);
		dg_ctl_add(req, "op", "list");
		dg_ctl_add_u64(req, "offset", offset);
		err = cli_call(c, req, r);
		if (err) {
			rc = down_exit_code(err);
			break;
		}
		more = dg_ctl_get(r, "more") != NULL;
		/* each session starts at its "session" field */
		for (;;) {
			size_t here = pos;
			bool ok = dg_ctl_next(r, &pos, &f);

			if (!ok || dg_ctl_field_is(&f, "session") || dg_ctl_field_is(&f, "more")) {
				if (start) {
					struct dg_ctlmsg *one = malloc(sizeof(*one));
					char age[32];

					if (!one)
						break;
					dg_ctl_parse(one, r->buf + start, here - start);
					if (c->json) {
						printf("%s", n ? "," : "");
						print_json_session(one);
					} else {
						char blocked[32];

						/* an audit session's would-be blocks */
						snprintf(blocked, sizeof(blocked), "%s",
							 get(one, strcmp(get(one, "enforce"), "audit")
									  ? "blocked"
									  : "would_block"));
						printf("%-8s %-12.12s %-6s %-14.14s %-9s %-7s %5s %5s "
						       "%7s  %s%s\n",
						       get(one, "session"), get(one, "user"),
						       get(one, "opener"), get(one, "profile"),
						       get(one, "mode"), get(one, "enforce"),
						       age_str(dg_ctl_get(one, "started"), age,
							       sizeof(age)),
						       get(one, "pids"), blocked, get(one, "cmd"),
						       !strcmp(get(one, "state"), "closing")
							       ? " (closing)" : "");
						print_limits(one);
					}
					n++;
					offset++;
					free(one);
				}
				start = ok && dg_ctl_field_is(&f, "session") ? here : 0;
			}
			if (!ok)
				break;
		}
	}
	if (c->json)
		printf("]\n");
	free(req);
	free(r);
	return rc;
}

static int cmd_check_config(struct cli *c, int argc, char **argv)
{
	return dg_config_check(argc > 1 ? argv[1] : c->config, stdout, stderr);
}

static int cmd_reload(struct cli *c, int argc, char **argv)
{
	struct dg_ctlmsg *req = malloc(sizeof(*req)), *r = malloc(sizeof(*r));
	int rc = 1;

	if (req && r) {
		dg_ctl_init(req);
		dg_ctl_add(req, "op", "reload");
		if (!cli_call(c, req, r)) {
			printf("deployguard: configuration reloaded\n");
			rc = 0;
		}
	}
	free(req);
	free(r);
	return rc;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: deployguard [-c FILE] [--socket PATH] COMMAND [ARGS]\n"
		"\n"
		"Commands:\n"
		"  run [--profile NAME] [--audit] -- CMD [ARG...]\n"
		"                       run CMD in a guarded session; exits with its status\n"
		"  status [--json]      the daemon, its programs, profiles and counters\n"
		"  sessions [--json]    active guarded sessions\n"
		"  report [--session ID] [--user USER] [--since TIME] [--until TIME]\n"
		"         [--input FILE] [--format text|json|csv]\n"
		"                       what each session contacted, allowed or blocked, from\n"
		"                       the audit trail (ausearch -m TRUSTED_APP -i shows it raw)\n"
		"  check-config [FILE]  validate a configuration file\n"
		"  reload               re-read the daemon's configuration\n"
		"  version              print the version\n"
		"\n"
		"Options:\n"
		"  -c, --config FILE    configuration (default " DG_DEFAULT_CONFIG ")\n"
		"      --socket PATH    the daemon's control socket\n"
		"  -h, --help           this help\n"
		"\n"
		"See deployguard(1).\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "socket", required_argument, NULL, 'S' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	static const struct {
		const char *name;
		int (*fn)(struct cli *c, int argc, char **argv);
	} cmds[] = {
		{ "run", cmd_run },
		{ "status", cmd_status },
		{ "sessions", cmd_sessions },
		{ "report", cmd_report },
		{ "check-config", cmd_check_config },
		{ "reload", cmd_reload },
	};
	struct cli c = { 0 };
	int opt;

	/* '+': options after the command belong to it */
	while ((opt = getopt_long(argc, argv, "+c:hV", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			c.config = optarg;
			break;
		case 'S':
			c.socket = optarg;
			break;
		case 'j':
			c.json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("deployguard %s\n", DG_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	argc -= optind;
	argv += optind;
	if (!strcmp(argv[0], "version")) {
		printf("deployguard %s\n", DG_VERSION);
		return 0;
	}
	if (!strcmp(argv[0], "help")) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < DG_ARRAY_SIZE(cmds); i++) {
		if (strcmp(argv[0], cmds[i].name))
			continue;
		if (strcmp(argv[0], "run") && strcmp(argv[0], "report")) {
			/* the other commands take --json after their name too */
			for (int a = 1; a < argc; a++) {
				if (!strcmp(argv[a], "--json")) {
					c.json = true;
				} else if (strcmp(argv[0], "check-config") || argv[a][0] == '-' ||
					   a > 1) {
					fprintf(stderr, "deployguard %s: unexpected argument '%s'\n",
						argv[0], argv[a]);
					return 2;
				}
			}
		}
		return cmds[i].fn(&c, argc, argv);
	}
	fprintf(stderr, "deployguard: unknown command '%s' (try --help)\n", argv[0]);
	return 2;
}
