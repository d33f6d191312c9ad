// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * config.c: loading deployguard.conf from strings and from files (all
 * temporary files live in one mkdtemp directory under /tmp that the tcase
 * teardown removes).  A full valid config with every key, defaults, inline
 * comments, domain list files (relative paths, comments, hosts format),
 * user and @group mappings; every kind of error reported as "FILE:LINE: "
 * with the right file and line, several errors collected at once, and the
 * embedded default policy.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/types.h>
#include "deployguard.h"
#include "config.h"
#include "util.h"
#include "suites.h"
#include "tmpdir.h"

/* ---- temporary files --------------------------------------------------------- */

/* Writes len bytes to unit_tmpdir/name; returns the malloc'd path. */
static char *write_bytes(const char *name, const char *data, size_t len)
{
	char *path;
	FILE *f;

	ck_assert_int_gt(asprintf(&path, "%s/%s", unit_tmpdir, name), 0);
	f = fopen(path, "w");
	ck_assert_msg(f != NULL, "cannot create %s", path);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

static char *write_text(const char *name, const char *text)
{
	return write_bytes(name, text, strlen(text));
}

/* mkstemp'd config file in unit_tmpdir with text; returns the malloc'd path. */
static char *write_temp_config(const char *text)
{
	char *path;
	int fd;
	size_t len = strlen(text);

	ck_assert_int_gt(asprintf(&path, "%s/conf-XXXXXX", unit_tmpdir), 0);
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
	ck_assert_int_eq(close(fd), 0);
	return path;
}

/* ---- diagnostics ------------------------------------------------------------- */

static char *diag_dump(const struct dg_diag *d)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	dg_diag_print(d, f);
	fclose(f);
	return buf;
}

/*
 * Index of the message starting with "FILE:LINE: " (or "FILE: " for line 0)
 * and containing what; fails the test when there is none.
 */
static size_t expect_diag(const struct dg_diag *d, const char *file, unsigned line,
			  const char *what)
{
	char prefix[512];

	if (line)
		snprintf(prefix, sizeof(prefix), "%s:%u: ", file, line);
	else
		snprintf(prefix, sizeof(prefix), "%s: ", file);
	for (size_t i = 0; i < d->n; i++)
		if (!strncmp(d->msgs[i], prefix, strlen(prefix)) &&
		    strstr(d->msgs[i] + strlen(prefix), what))
			return i;
	{
		char *all = diag_dump(d);

		ck_abort_msg("no message '%s...%s' among:\n%s", prefix, what, all);
		free(all);	/* not reached */
	}
	return 0;
}

/* text must fail with exactly one message, at line, mentioning what. */
static void expect_error(const char *text, unsigned line, const char *what)
{
	struct dg_diag d = { 0 };
	struct dg_config *cfg = dg_config_load_string("test.conf", text, &d);

	if (cfg) {
		dg_config_free(cfg);
		ck_abort_msg("config loaded, expected an error at line %u (%s):\n%s", line, what,
			     text);
	}
	expect_diag(&d, "test.conf", line, what);
	if (d.n != 1) {
		char *all = diag_dump(&d);

		ck_abort_msg("expected one message, got %zu:\n%s", d.n, all);
	}
	dg_diag_free(&d);
}

static struct dg_config *load_ok(const char *name, const char *text)
{
	struct dg_diag d = { 0 };
	struct dg_config *cfg = dg_config_load_string(name, text, &d);

	if (!cfg || d.n) {
		char *all = diag_dump(&d);

		ck_abort_msg("config did not load cleanly:\n%s", all);
	}
	dg_diag_free(&d);
	return cfg;
}

static const struct dg_profile *profile(const struct dg_config *cfg, const char *name)
{
	const struct dg_profile *p = dg_config_profile(cfg, name);

	ck_assert_msg(p != NULL, "no profile '%s'", name);
	return p;
}

static void expect_decision(const struct dg_profile *p, const char *name, uint8_t want)
{
	uint8_t got = dg_profile_decide_str(p, name, NULL);

	ck_assert_msg(got == want, "profile %s, %s: %s, expected %s", p->name, name,
		      got == DG_NAME_BLOCK ? "blocked" : "allowed",
		      want == DG_NAME_BLOCK ? "blocked" : "allowed");
}

/* ---- valid configs ----------------------------------------------------------- */

static const char full_config[] =
	"# deployguard test config\n"					/* 1 */
	"[global]\n"							/* 2 */
	"upstream = 127.0.0.1:5300 [::1]:53   ; two resolvers\n"	/* 3 */
	"proxy_port = 5353\n"						/* 4 */
	"blocked_answer = refused  # inline comment\n"			/* 5 */
	"min_ttl = 10\n"						/* 6 */
	"max_ttl = 3600\n"						/* 7 */
	"forward_blocked = yes\n"					/* 8 */
	"upstream_timeout = 2\n"					/* 9 */
	"log_level = debug\n"						/* 10 */
	"cgroup = dg/test\n"						/* 11 */
	"bpffs = /sys/fs/bpf/dgtest\n"					/* 12 */
	"run_dir = /run/dgtest\n"					/* 13 */
	"state_dir = /var/lib/dgtest\n"					/* 14 */
	"\n"								/* 15 */
	"[profile web]   ; the web tier\n"				/* 16 */
	"mode = allowlist\n"						/* 17 */
	"enforce = audit\n"						/* 18 */
	"allow_loopback = no\n"						/* 19 */
	"allow = example.com, *.Example.ORG\n"				/* 20 */
	"block = bad.example.com\n"					/* 21 */
	"block_cidr = 192.0.2.0/24 2001:db8::/32\n"			/* 22 */
	"allow_cidr = 10.0.0.0/8\n"					/* 23 */
	"\n"								/* 24 */
	"[profile default]\n"						/* 25 */
	"  block = github.com   # and its subdomains\n"			/* 26 */
	"[users]\n"							/* 27 */
	"deploy = default\n"						/* 28 */
	"@wheel = web\n";						/* 29 */

START_TEST(test_full_config)
{
	struct dg_config *cfg = load_ok("test.conf", full_config);
	const struct sockaddr_in *in4 = (const struct sockaddr_in *)&cfg->upstream[0];
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&cfg->upstream[1];
	const struct dg_profile *web, *def;
	uint8_t a[16];
	char sock[128];

	ck_assert_str_eq(cfg->path, "test.conf");
	ck_assert_int_eq(cfg->nupstream, 2);
	ck_assert_uint_eq(in4->sin_family, AF_INET);
	ck_assert_uint_eq(ntohs(in4->sin_port), 5300);
	ck_assert_uint_eq(ntohl(in4->sin_addr.s_addr), 0x7f000001);
	ck_assert_uint_eq(cfg->upstream_len[0], sizeof(struct sockaddr_in));
	ck_assert_uint_eq(in6->sin6_family, AF_INET6);
	ck_assert_uint_eq(ntohs(in6->sin6_port), 53);
	ck_assert(IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr));
	ck_assert_uint_eq(cfg->upstream_len[1], sizeof(struct sockaddr_in6));
	ck_assert_uint_eq(cfg->proxy_port, 5353);
	ck_assert_int_eq(cfg->blocked_rcode, 5);
	ck_assert_uint_eq(cfg->min_ttl, 10);
	ck_assert_uint_eq(cfg->max_ttl, 3600);
	ck_assert(cfg->forward_blocked);
	ck_assert_uint_eq(cfg->upstream_timeout_ms, 2000);
	ck_assert_int_eq(cfg->log_level, 3);
	ck_assert_str_eq(cfg->cgroup, "dg/test");
	ck_assert_str_eq(cfg->bpffs, "/sys/fs/bpf/dgtest");
	ck_assert_str_eq(cfg->run_dir, "/run/dgtest");
	ck_assert_str_eq(cfg->state_dir, "/var/lib/dgtest");
	ck_assert_int_eq(dg_config_socket_path(cfg, sock, sizeof(sock)), 0);
	ck_assert_str_eq(sock, "/run/dgtest/control.sock");
	ck_assert_int_eq(dg_config_socket_path(cfg, sock, 10), -ENAMETOOLONG);

	ck_assert_uint_eq(cfg->nprofiles, 2);
	web = profile(cfg, "web");
	ck_assert_uint_eq(web->line, 16);
	ck_assert_int_eq(web->mode, DG_MODE_ALLOWLIST);
	ck_assert_int_eq(web->enforce, DG_ENFORCE_AUDIT);
	ck_assert(!web->allow_loopback);
	ck_assert_uint_eq(web->nallow, 2);
	ck_assert_uint_eq(web->nblock, 1);
	expect_decision(web, "example.com", DG_NAME_ALLOW);
	expect_decision(web, "www.example.com", DG_NAME_ALLOW);
	expect_decision(web, "a.b.example.org", DG_NAME_ALLOW);
	expect_decision(web, "example.org", DG_NAME_ALLOW);	/* "*." is dropped */
	expect_decision(web, "bad.example.com", DG_NAME_BLOCK);
	expect_decision(web, "x.bad.example.com", DG_NAME_BLOCK);
	expect_decision(web, "github.com", DG_NAME_BLOCK);	/* allowlist */

	ck_assert_uint_eq(web->ncidrs, 3);
	inet_pton(AF_INET6, "::ffff:192.0.2.0", a);
	ck_assert_mem_eq(web->cidrs[0].addr, a, 16);
	ck_assert_uint_eq(web->cidrs[0].bits, 96 + 24);
	ck_assert_uint_eq(web->cidrs[0].action, DG_NAME_BLOCK);
	ck_assert_uint_eq(web->cidrs[0].line, 22);
	inet_pton(AF_INET6, "2001:db8::", a);
	ck_assert_mem_eq(web->cidrs[1].addr, a, 16);
	ck_assert_uint_eq(web->cidrs[1].bits, 32);
	ck_assert_uint_eq(web->cidrs[1].action, DG_NAME_BLOCK);
	inet_pton(AF_INET6, "::ffff:10.0.0.0", a);
	ck_assert_mem_eq(web->cidrs[2].addr, a, 16);
	ck_assert_uint_eq(web->cidrs[2].bits, 96 + 8);
	ck_assert_uint_eq(web->cidrs[2].action, DG_NAME_ALLOW);
	ck_assert_uint_eq(web->cidrs[2].line, 23);

	def = profile(cfg, "default");
	ck_assert_uint_eq(def->line, 25);
	ck_assert_int_eq(def->mode, DG_MODE_BLOCKLIST);
	ck_assert_int_eq(def->enforce, DG_ENFORCE_YES);
	ck_assert(def->allow_loopback);
	ck_assert_uint_eq(def->nblock, 1);
	/* its only CIDRs are the public DoH resolvers block_doh added */
	ck_assert_uint_gt(def->ncidrs, 0);
	for (size_t i = 0; i < def->ncidrs; i++) {
		ck_assert_uint_eq(def->cidrs[i].line, 0);
		ck_assert_uint_eq(def->cidrs[i].action, DG_NAME_BLOCK);
	}
	expect_decision(def, "github.com", DG_NAME_BLOCK);
	expect_decision(def, "api.github.com", DG_NAME_BLOCK);
	expect_decision(def, "example.com", DG_NAME_ALLOW);

	ck_assert_uint_eq(cfg->nusers, 2);
	ck_assert_str_eq(cfg->users[0].name, "deploy");
	ck_assert(!cfg->users[0].is_group);
	ck_assert_str_eq(cfg->users[0].profile, "default");
	ck_assert_uint_eq(cfg->users[0].line, 28);
	ck_assert_str_eq(cfg->users[1].name, "wheel");
	ck_assert(cfg->users[1].is_group);
	ck_assert_str_eq(cfg->users[1].profile, "web");
	ck_assert_ptr_null(dg_config_profile(cfg, "nope"));
	ck_assert_ptr_eq(dg_config_profile_for_user(cfg, "deploy"), def);
	dg_config_free(cfg);
}
END_TEST

START_TEST(test_defaults)
{
	struct dg_config *cfg = load_ok("min.conf", "[profile p]\n");

	ck_assert_int_eq(cfg->nupstream, 0);
	ck_assert_uint_eq(cfg->proxy_port, DG_DEFAULT_PROXY_PORT);
	ck_assert_int_eq(cfg->blocked_rcode, 3);
	ck_assert(!cfg->forward_blocked);
	ck_assert_uint_eq(cfg->min_ttl, 5);
	ck_assert_uint_eq(cfg->max_ttl, 86400);
	ck_assert_uint_eq(cfg->upstream_timeout_ms, 5000);
	ck_assert_str_eq(cfg->cgroup, "deployguard");
	ck_assert_str_eq(cfg->run_dir, DG_RUNDIR);
	ck_assert_uint_eq(cfg->nprofiles, 1);
	ck_assert_uint_eq(cfg->nusers, 0);
	ck_assert_ptr_null(dg_config_profile_for_user(cfg, "deploy"));
	dg_config_free(cfg);

	/* blocked_answer=nxdomain, later keys override earlier ones */
	cfg = load_ok("x.conf", "[global]\nblocked_answer = refused\nblocked_answer = nxdomain\n"
				"upstream = 1.1.1.1\nupstream = 127.0.0.2\n[profile p]\n");
	ck_assert_int_eq(cfg->blocked_rcode, 3);
	ck_assert_int_eq(cfg->nupstream, 1);
	ck_assert_uint_eq(ntohs(((struct sockaddr_in *)&cfg->upstream[0])->sin_port), 53);
	dg_config_free(cfg);
}
END_TEST

/* ';' and '#' start a comment only after whitespace; CRLF files work. */
START_TEST(test_comments_and_crlf)
{
	struct dg_config *cfg;

	cfg = load_ok("c.conf", "; leading comment\n   # indented comment\n[profile p] # c\n"
				"block = a.example\t; tab before\nblock = b.example #x ;y\n");
	ck_assert_uint_eq(profile(cfg, "p")->nblock, 2);
	expect_decision(profile(cfg, "p"), "a.example", DG_NAME_BLOCK);
	expect_decision(profile(cfg, "p"), "b.example", DG_NAME_BLOCK);
	dg_config_free(cfg);

	cfg = load_ok("crlf.conf", "[global]\r\nproxy_port = 99\r\n[profile p]\r\n"
				   "block = x.example\r\n\r\n[users]\r\ndeploy = p\r\n");
	ck_assert_uint_eq(cfg->proxy_port, 99);
	expect_decision(profile(cfg, "p"), "x.example", DG_NAME_BLOCK);
	ck_assert_str_eq(cfg->users[0].profile, "p");
	dg_config_free(cfg);

	/* no whitespace before '#' or ';': part of the value */
	expect_error("[global]\nblocked_answer = refused#x\n[profile p]\n", 2, "refused#x");
	expect_error("[profile p]\nblock = a.example;b.example\n", 2, "invalid character");
}
END_TEST

START_TEST(test_profile_for_user)
{
	struct dg_config *cfg;

	cfg = load_ok("u.conf", "[profile p1]\n[profile p2]\n[users]\n"
				"deploy = p1\n@root = p2\n@no-such-group-dg = p1\n");
	ck_assert_ptr_eq(dg_config_profile_for_user(cfg, "deploy"), profile(cfg, "p1"));
	/* root's primary group is root */
	ck_assert_ptr_eq(dg_config_profile_for_user(cfg, "root"), profile(cfg, "p2"));
	ck_assert_ptr_null(dg_config_profile_for_user(cfg, "no-such-user-dg"));
	ck_assert_ptr_null(dg_config_profile_for_user(cfg, ""));
	ck_assert_ptr_null(dg_config_profile_for_user(cfg, NULL));
	dg_config_free(cfg);

	/* a user entry wins over a group entry, wherever it is */
	cfg = load_ok("u2.conf", "[profile p1]\n[profile p2]\n[users]\n@root = p2\nroot = p1\n");
	ck_assert_ptr_eq(dg_config_profile_for_user(cfg, "root"), profile(cfg, "p1"));
	dg_config_free(cfg);
}
END_TEST

START_TEST(test_embedded_default)
{
	struct dg_diag d = { 0 };
	struct dg_config *cfg = dg_config_load_string(DG_EMBEDDED_NAME, dg_embedded_config, &d);
	const struct dg_profile *p;

	ck_assert_ptr_nonnull(cfg);
	ck_assert_uint_eq(d.n, 0);
	ck_assert_str_eq(cfg->path, DG_EMBEDDED_NAME);
	p = dg_config_profile_for_user(cfg, "deploy");
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p->name, "default");
	ck_assert_ptr_eq(p, dg_config_profile(cfg, "default"));
	ck_assert_int_eq(p->mode, DG_MODE_BLOCKLIST);
	ck_assert_int_eq(p->enforce, DG_ENFORCE_YES);
	expect_decision(p, "github.com", DG_NAME_BLOCK);
	expect_decision(p, "GitHub.com.", DG_NAME_BLOCK);
	expect_decision(p, "api.github.com", DG_NAME_BLOCK);
	expect_decision(p, "codeload.github.com", DG_NAME_BLOCK);
	expect_decision(p, "githubusercontent.com", DG_NAME_BLOCK);
	expect_decision(p, "raw.githubusercontent.com", DG_NAME_BLOCK);
	expect_decision(p, "objects.githubusercontent.com", DG_NAME_BLOCK);
	expect_decision(p, "example.com", DG_NAME_ALLOW);
	expect_decision(p, "www.example.com", DG_NAME_ALLOW);
	expect_decision(p, "evilgithub.com", DG_NAME_ALLOW);
	expect_decision(p, "github.com.example.com", DG_NAME_ALLOW);
	ck_assert_ptr_null(dg_config_profile_for_user(cfg, "no-such-user-dg"));
	dg_config_free(cfg);
	dg_diag_free(&d);
}
END_TEST

/* ---- files ------------------------------------------------------------------- */

START_TEST(test_load_file_with_lists)
{
	char *list, *allow, *conf, *text;
	struct dg_diag d = { 0 };
	struct dg_config *cfg;
	const struct dg_profile *p;

	list = write_text("block.txt",
			  "# GitHub and friends\n"
			  "github.com\n"
			  "\n"
			  "   GitHubUserContent.com   # trailing comment\n"
			  "0.0.0.0 ads.example.com\n"
			  "127.0.0.1\ttracker.example.net\n"
			  ":: v6host.example\n"
			  "*.wild.example\n"
			  "github.com\n");	/* a duplicate is fine */
	allow = write_text("allow.txt", "api.github.com\n");
	ck_assert_int_gt(asprintf(&text,
				  "[profile default]\n"
				  "block_file = block.txt   ; relative to this file\n"
				  "allow_file = %s\n"
				  "[users]\n"
				  "deploy = default\n", allow), 0);
	conf = write_temp_config(text);

	cfg = dg_config_load(conf, &d);
	ck_assert_msg(cfg != NULL, "load failed:\n%s", diag_dump(&d));
	ck_assert_uint_eq(d.n, 0);
	ck_assert_str_eq(cfg->path, conf);	// cppcheck-suppress nullPointerRedundantCheck ; ck_assert_msg does not return
	p = profile(cfg, "default");
	ck_assert_uint_eq(p->nblock, 6);
	ck_assert_uint_eq(p->nallow, 1);
	expect_decision(p, "github.com", DG_NAME_BLOCK);
	expect_decision(p, "x.github.com", DG_NAME_BLOCK);
	expect_decision(p, "api.github.com", DG_NAME_ALLOW);
	expect_decision(p, "raw.githubusercontent.com", DG_NAME_BLOCK);
	expect_decision(p, "ads.example.com", DG_NAME_BLOCK);
	expect_decision(p, "tracker.example.net", DG_NAME_BLOCK);
	expect_decision(p, "v6host.example", DG_NAME_BLOCK);
	expect_decision(p, "a.wild.example", DG_NAME_BLOCK);
	expect_decision(p, "example.com", DG_NAME_ALLOW);
	expect_decision(p, "0.0.0.0", DG_NAME_ALLOW);
	dg_config_free(cfg);

	/* dg_config_load_string resolves relative lists against its name's directory */
	{
		char *name;

		ck_assert_int_gt(asprintf(&name, "%s/virtual.conf", unit_tmpdir), 0);
		cfg = dg_config_load_string(name, "[profile p]\nblock_file = block.txt\n", &d);
		ck_assert_ptr_nonnull(cfg);
		expect_decision(profile(cfg, "p"), "ads.example.com", DG_NAME_BLOCK);
		dg_config_free(cfg);
		free(name);
	}
	/* ... and against "." for a bare name: the list is not in the cwd */
	cfg = dg_config_load_string("bare.conf", "[profile p]\nblock_file = block.txt\n", &d);
	ck_assert_ptr_null(cfg);
	expect_diag(&d, "bare.conf", 2, "'./block.txt'");
	dg_diag_free(&d);

	free(text);
	free(conf);
	free(list);
	free(allow);
}
END_TEST

START_TEST(test_list_file_errors)
{
	char *list, *list2, *conf, *text;
	struct dg_diag d = { 0 };
	struct dg_config *cfg;

	list = write_text("bad.txt",
			  "good.example\n"			/* 1 */
			  "\n"					/* 2 */
			  "bad..example\n"			/* 3 */
			  "1.2.3.4 a.example b.example\n"	/* 4 */
			  "notanip a.example\n"			/* 5 */
			  "# x.example\n"			/* 6 */
			  "x.example\n"				/* 7 */
			  "bad!.example\n");			/* 8 */
	list2 = write_text("allow.txt", "\n\nx.example\n");	/* 3: conflicts with bad.txt:7 */
	ck_assert_int_gt(asprintf(&text,
				  "# lists\n"
				  "[profile p]\n"
				  "block_file = bad.txt\n"
				  "allow_file = allow.txt\n"
				  "allow = good.example\n"
				  "block_file = missing.txt\n"), 0);
	conf = write_temp_config(text);
	cfg = dg_config_load(conf, &d);
	ck_assert_ptr_null(cfg);
	expect_diag(&d, list, 3, "empty label");
	expect_diag(&d, list, 4, "expected one domain name a line");
	expect_diag(&d, list, 5, "expected one domain name a line");
	expect_diag(&d, list, 8, "invalid character");
	expect_diag(&d, list2, 3, "'x.example' is both allowed and blocked in profile 'p'");
	expect_diag(&d, conf, 5, "'good.example' is both allowed and blocked");
	{
		size_t i = expect_diag(&d, conf, 6, "cannot read blocked list");

		ck_assert_ptr_nonnull(strstr(d.msgs[i], unit_tmpdir));
		ck_assert_ptr_nonnull(strstr(d.msgs[i], "/missing.txt"));
		ck_assert_ptr_nonnull(strstr(d.msgs[i], "No such file"));
	}
	ck_assert_uint_eq(d.n, 7);
	dg_diag_free(&d);

	/* a binary list */
	free(list);
	list = write_bytes("bin.txt", "a.example\n\0\1\2", 13);
	cfg = dg_config_load_string("t.conf", "[profile p]\nallow_file = /nonexistent/dg\n", &d);
	ck_assert_ptr_null(cfg);
	expect_diag(&d, "t.conf", 2, "cannot read allowed list '/nonexistent/dg'");
	dg_diag_free(&d);
	free(text);
	ck_assert_int_gt(asprintf(&text, "[profile p]\nblock_file = %s\n", list), 0);
	cfg = dg_config_load_string("t.conf", text, &d);
	ck_assert_ptr_null(cfg);
	expect_diag(&d, "t.conf", 2, "not a text file");
	ck_assert_uint_eq(d.n, 1);
	dg_diag_free(&d);

	free(text);
	free(conf);
	free(list);
	free(list2);
}
END_TEST

START_TEST(test_load_file_errors)
{
	struct dg_diag d = { 0 };
	struct dg_config *cfg;
	char *conf, *missing;

	ck_assert_int_gt(asprintf(&missing, "%s/no-such.conf", unit_tmpdir), 0);
	cfg = dg_config_load(missing, &d);
	ck_assert_ptr_null(cfg);
	ck_assert_uint_eq(d.n, 1);
	expect_diag(&d, missing, 0, "cannot read");
	dg_diag_free(&d);

	conf = write_temp_config("[profile p]\nmode = nope\n");
	cfg = dg_config_load(conf, &d);
	ck_assert_ptr_null(cfg);
	expect_diag(&d, conf, 2, "mode must be blocklist or allowlist");
	dg_diag_free(&d);
	free(conf);

	conf = write_bytes("nul.conf", "[profile p]\n\0", 13);
	cfg = dg_config_load(conf, &d);
	ck_assert_ptr_null(cfg);
	expect_diag(&d, conf, 0, "not a text file");
	dg_diag_free(&d);
	free(conf);
	free(missing);
}
END_TEST

/* ---- errors ------------------------------------------------------------------ */

START_TEST(test_errors_global)
{
	expect_error("[global]\nfoo = 1\n[profile p]\n", 2, "unknown key 'foo' in [global]");
	expect_error("[global]\nproxy_port =\n[profile p]\n", 2, "missing value for 'proxy_port'");
	expect_error("[global]\nproxy_port = ; comment only\n[profile p]\n", 2, "missing value");
	expect_error("[global]\nproxy_port = 0\n[profile p]\n", 2, "proxy_port must be 1..65535");
	expect_error("[global]\nproxy_port = 65536\n[profile p]\n", 2, "proxy_port");
	expect_error("[global]\nproxy_port = 53x\n[profile p]\n", 2, "proxy_port");
	expect_error("[global]\nblocked_answer = drop\n[profile p]\n", 2, "blocked_answer must be");
	expect_error("[global]\nupstream = dns.example\n[profile p]\n", 2,
		     "invalid upstream address 'dns.example'");
	expect_error("[global]\nupstream = 127.0.0.1:0\n[profile p]\n", 2, "invalid upstream");
	expect_error("[global]\nupstream = 127.0.0.1 127.0.0.2 127.0.0.3 127.0.0.4 127.0.0.5\n"
		     "[profile p]\n", 2, "at most 4 upstream");
	expect_error("[global]\nmax_ttl = 0\n[profile p]\n", 2, "max_ttl must be");
	expect_error("[global]\nmin_ttl = 86401\n[profile p]\n", 2, "min_ttl must be");
	expect_error("[global]\nmin_ttl = 100\nmax_ttl = 50\n[profile p]\n", 0,
		     "min_ttl (100) is larger than max_ttl (50)");
	expect_error("[global]\nupstream_timeout = 0\n[profile p]\n", 2, "upstream_timeout");
	expect_error("[global]\nforward_blocked = maybe\n[profile p]\n", 2, "forward_blocked");
	expect_error("[global]\nlog_level = loud\n[profile p]\n", 2, "log_level");
	expect_error("[global]\ncgroup = /abs\n[profile p]\n", 2, "cgroup");
	expect_error("[global]\ncgroup = a/../b\n[profile p]\n", 2, "cgroup");
	expect_error("[global]\nbpffs = rel\n[profile p]\n", 2, "bpffs must be an absolute path");
	expect_error("[global]\n[global]\n[profile p]\n", 2, "duplicate [global]");
	expect_error("[global]\n", 0, "no [profile NAME] section");
	expect_error("", 0, "no [profile NAME] section");
}
END_TEST

START_TEST(test_errors_structure)
{
	expect_error("[profile p]\n[bogus]\n", 2, "unknown section [bogus]");
	expect_error("[profile p]\n[profile]\n", 2, "unknown section");
	expect_error("[profile p]\n[profile a b]\n", 2, "invalid profile name 'a b'");
	expect_error("[profile p]\n[profile p]\n", 2, "duplicate profile 'p'");
	expect_error("[profile p]\n[global\n", 2, "missing ']'");
	expect_error("[profile p]\n[global] extra\n", 2, "unexpected text after section header");
	expect_error("[profile p]\nblock github.com\n", 2, "expected 'key = value'");
	expect_error("[profile p]\n= github.com\n", 2, "missing key");
	expect_error("foo = bar\n[profile p]\n", 1, "'foo' outside of any section");
	expect_error("# one\n\n; two\n[profile p]\n\n  # three\nnope = 1\n", 7,
		     "unknown key 'nope' in [profile p]");
	expect_error("[profile p]\n[users]\n[users]\n", 3, "duplicate [users]");
}
END_TEST

START_TEST(test_errors_profile)
{
	expect_error("[profile p]\nmode = denylist\n", 2,
		     "mode must be blocklist or allowlist, not 'denylist'");
	expect_error("[profile p]\nenforce = no\n", 2, "enforce must be yes or audit");
	expect_error("[profile p]\nallow_loopback = sometimes\n", 2, "allow_loopback");
	expect_error("[profile p]\nblock_cidr = 10.0.0.300/8\n", 2,
		     "invalid address or CIDR '10.0.0.300/8'");
	expect_error("[profile p]\nblock_cidr = 10.0.0.0/33\n", 2, "invalid address or CIDR");
	expect_error("[profile p]\nblock_cidr = fd00::/129\n", 2, "invalid address or CIDR");
	expect_error("[profile p]\nblock_cidr = example.com\n", 2, "invalid address or CIDR");
	expect_error("[profile p]\nallow_cidr = 10.1.0.0/8\n", 2,
		     "'10.1.0.0/8' has host bits set beyond its prefix length");
	expect_error("[profile p]\nallow_cidr = fd00::1/64\n", 2, "host bits");
	expect_error("[profile p]\nblock_cidr = 10.0.0.0/8\nallow_cidr = 10.0.0.0/8\n", 3,
		     "'10.0.0.0/8' is both allowed and blocked in profile 'p'");
	expect_error("[profile p]\nblock = x.com\nallow = X.com.\n", 3,
		     "'x.com' is both allowed and blocked in profile 'p'");
	expect_error("[profile p]\nblock = *.x.com\nallow = .x.com\n", 3, "both allowed and blocked");
	expect_error("[profile p]\nblock = bad..com\n", 2, "empty label in domain name: 'bad..com'");
	expect_error("[profile p]\nblock = ok.com bad_chars!.com\n", 2, "invalid character");
}
END_TEST

START_TEST(test_errors_users)
{
	expect_error("[profile p]\n[users]\n\ndeploy = nope\n", 4,
		     "user 'deploy' is mapped to unknown profile 'nope'");
	expect_error("[profile p]\n[users]\n@ops = nope\n", 3,
		     "group 'ops' is mapped to unknown profile 'nope'");
	/* the profile may come after [users] */
	{
		struct dg_config *cfg = load_ok("t.conf", "[users]\ndeploy = late\n[profile late]\n");

		ck_assert_ptr_eq(dg_config_profile_for_user(cfg, "deploy"), profile(cfg, "late"));
		dg_config_free(cfg);
	}
	expect_error("[profile p]\n[users]\ndeploy = p\ndeploy = p\n", 4,
		     "user 'deploy' is already mapped (line 3)");
	expect_error("[profile p]\n[users]\n@ = p\n", 3, "invalid group name");
	expect_error("[profile p]\n[users]\nde:ploy = p\n", 3, "invalid user name");
	expect_error("[profile p]\n[users]\ndeploy = bad profile\n", 3, "invalid profile name");
	expect_error("[profile p]\n[users]\ndeploy\n", 3, "expected 'key = value'");
}
END_TEST

/* Every error of a file is reported, each at its own line. */
START_TEST(test_multiple_errors)
{
	static const char text[] =
		"[global]\n"			/* 1 */
		"proxy_port = 0\n"		/* 2 */
		"colour = blue\n"		/* 3 */
		"\n"				/* 4 */
		"[profile p]\n"			/* 5 */
		"mode = denylist\n"		/* 6 */
		"block_cidr = 10.1.0.0/8\n"	/* 7 */
		"block = x.com\n"		/* 8 */
		"allow = x.com\n"		/* 9 */
		"no equals sign here\n"		/* 10 */
		"enforce =\n"			/* 11 */
		"[users]\n"			/* 12 */
		"deploy = missing\n"		/* 13 */
		"@ops = p\n";			/* 14 */
	struct dg_diag d = { 0 };
	struct dg_config *cfg = dg_config_load_string("multi.conf", text, &d);

	ck_assert_ptr_null(cfg);
	expect_diag(&d, "multi.conf", 2, "proxy_port");
	expect_diag(&d, "multi.conf", 3, "unknown key 'colour'");
	expect_diag(&d, "multi.conf", 6, "mode must be");
	expect_diag(&d, "multi.conf", 7, "host bits");
	expect_diag(&d, "multi.conf", 9, "both allowed and blocked");
	expect_diag(&d, "multi.conf", 10, "expected 'key = value'");
	expect_diag(&d, "multi.conf", 11, "missing value for 'enforce'");
	expect_diag(&d, "multi.conf", 13, "unknown profile 'missing'");
	ck_assert_uint_eq(d.n, 8);
	dg_diag_free(&d);
	ck_assert_ptr_null(d.msgs);
	ck_assert_uint_eq(d.n, 0);
}
END_TEST

START_TEST(test_diag_format)
{
	struct dg_diag d = { 0 };
	char *out;

	dg_diag_add(&d, "f.conf", 12, "bad %s %d", "thing", 7);
	dg_diag_add(&d, "f.conf", 0, "whole file");
	ck_assert_uint_eq(d.n, 2);
	ck_assert_str_eq(d.msgs[0], "f.conf:12: bad thing 7");
	ck_assert_str_eq(d.msgs[1], "f.conf: whole file");
	out = diag_dump(&d);
	ck_assert_str_eq(out, "f.conf:12: bad thing 7\nf.conf: whole file\n");
	free(out);
	dg_diag_free(&d);
	dg_diag_free(&d);	/* twice is harmless */
}
END_TEST

/* block_doh: the compiled-in public DoH list joins blocklist profiles */
START_TEST(test_block_doh)
{
	struct dg_diag diag = { 0 };
	const struct dg_profile *on, *off, *allow, *mine;
	struct dg_config *cfg;
	uint8_t a[16];
	bool found = false;

	cfg = dg_config_load_string("doh.conf",
				    "[profile on]\n"
				    "block = github.com\n"
				    "[profile off]\n"
				    "block_doh = no\n"
				    "[profile list]\n"
				    "mode = allowlist\n"
				    "allow = example.com\n"
				    "[profile mine]\n"
				    "allow = dns.google\n"
				    "allow_cidr = 8.8.8.8\n",
				    &diag);
	ck_assert_uint_eq(diag.n, 0);
	ck_assert_ptr_nonnull(cfg);
	on = profile(cfg, "on");
	off = profile(cfg, "off");
	allow = profile(cfg, "list");
	mine = profile(cfg, "mine");

	expect_decision(on, "dns.google", DG_NAME_BLOCK);
	expect_decision(on, "mozilla.cloudflare-dns.com", DG_NAME_BLOCK);
	expect_decision(on, "cloudflare-dns.com.example", DG_NAME_ALLOW);
	ck_assert_uint_eq(on->nblock, 1);
	ck_assert_uint_gt(on->ndoh, 50);
	dg_addr16_from_v4(a, htonl(0x08080808));
	for (size_t i = 0; i < on->ncidrs; i++)
		if (!memcmp(on->cidrs[i].addr, a, 16) && on->cidrs[i].bits == 128)
			found = on->cidrs[i].action == DG_NAME_BLOCK;
	ck_assert(found);

	expect_decision(off, "dns.google", DG_NAME_ALLOW);
	ck_assert_uint_eq(off->ncidrs, 0);
	ck_assert_uint_eq(off->ndoh, 0);

	/* allowlist profiles deny them anyway; nothing is added */
	ck_assert_uint_eq(allow->ndoh, 0);
	expect_decision(allow, "dns.google", DG_NAME_BLOCK);

	/* what the operator wrote wins */
	expect_decision(mine, "dns.google", DG_NAME_ALLOW);
	for (size_t i = 0; i < mine->ncidrs; i++)
		if (!memcmp(mine->cidrs[i].addr, a, 16) && mine->cidrs[i].bits == 128)
			ck_assert_uint_eq(mine->cidrs[i].action, DG_NAME_ALLOW);

	dg_config_free(cfg);
	dg_diag_free(&diag);
}
END_TEST

Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("valid");

	tcase_add_test(tc, test_full_config);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_comments_and_crlf);
	tcase_add_test(tc, test_profile_for_user);
	tcase_add_test(tc, test_embedded_default);
	tcase_add_test(tc, test_block_doh);
	suite_add_tcase(s, tc);

	tc = tcase_create("files");
	tcase_add_unchecked_fixture(tc, unit_tmpdir_setup, unit_tmpdir_teardown);
	tcase_add_test(tc, test_load_file_with_lists);
	tcase_add_test(tc, test_list_file_errors);
	tcase_add_test(tc, test_load_file_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_test(tc, test_errors_global);
	tcase_add_test(tc, test_errors_structure);
	tcase_add_test(tc, test_errors_profile);
	tcase_add_test(tc, test_errors_users);
	tcase_add_test(tc, test_multiple_errors);
	tcase_add_test(tc, test_diag_format);
	suite_add_tcase(s, tc);
	return s;
}
