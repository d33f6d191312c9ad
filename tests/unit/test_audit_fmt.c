// SPDX-License-Identifier: GPL-2.0-or-later
/* The text of the audit records, against golden strings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_fmt.h"
#include "suites.h"

static struct dg_arec rec;

static const struct dg_audit_sess_id ssh_session = {
	.session = 42,
	.auid = 1000,
	.ses = 7,
	.profile = "default",
	.audit_mode = false,
};

START_TEST(open_record)
{
	struct dg_audit_open_info o = {
		.leader = 4242,
		.uid = 1001,
		.opener = "ssh",
		.user = "deploy",
		.service = "sshd",
		.policy = "blocklist",
		.cwd = "/home/deploy",
		.cmd = "./deploy.sh --prod",
	};

	ck_assert_int_eq(dg_audit_fmt_open(&rec, &ssh_session, &o), 1);
	ck_assert_str_eq(rec.buf,
			 "op=deployguard-session-open oauid=1000 oses=7 opid=4242 dg_session=42 "
			 "profile=\"default\" mode=enforce policy=blocklist opener=\"ssh\" "
			 "acct=\"deploy\" ouid=1001 service=\"sshd\" cwd=\"/home/deploy\" "
			 "cmd=2E2F6465706C6F792E7368202D2D70726F64");
	ck_assert(!rec.overflow);
}
END_TEST

START_TEST(open_record_sudo_unset_login)
{
	struct dg_audit_sess_id id = {
		.session = 7,
		.auid = DG_AUDIT_UNSET,
		.ses = DG_AUDIT_UNSET,
		.profile = "strict",
		.audit_mode = true,
	};
	struct dg_audit_open_info o = {
		.leader = 99,
		.uid = 1002,
		.opener = "sudo",
		.user = "dep loy",
		.runas = "root",
		.policy = "allowlist",
	};

	dg_audit_fmt_open(&rec, &id, &o);
	ck_assert_str_eq(rec.buf,
			 "op=deployguard-session-open oauid=4294967295 oses=4294967295 opid=99 "
			 "dg_session=7 profile=\"strict\" mode=audit policy=allowlist "
			 "opener=\"sudo\" acct=646570206C6F79 ouid=1002 runas=\"root\"");
}
END_TEST

START_TEST(block_dns)
{
	struct dg_audit_dec_info dec = {
		.decision = DG_ADEC_BLOCKED,
		.at = "dns",
		.pid = 555,
		.uid = 1001,
		.domain = "github.com",
		.qtype = "AAAA",
		.match = "github.com",
		.comm = "curl",
		.exe = "/usr/bin/curl",
		.cmd = "curl -sS https://github.com/x",
	};

	/* res=failed: the request was refused */
	ck_assert_int_eq(dg_audit_fmt_decision(&rec, &ssh_session, &dec), 0);
	ck_assert_str_eq(rec.buf,
			 "op=deployguard-block oauid=1000 oses=7 opid=555 dg_session=42 "
			 "profile=\"default\" mode=enforce decision=blocked blocked_at=dns "
			 "domain=\"github.com\" qtype=\"AAAA\" match=\"github.com\" ouid=1001 "
			 "ocomm=\"curl\" oexe=\"/usr/bin/curl\" "
			 "cmd=6375726C202D73532068747470733A2F2F6769746875622E636F6D2F78");
}
END_TEST

START_TEST(would_block_connect)
{
	struct dg_audit_sess_id id = ssh_session;
	struct dg_audit_dec_info dec = {
		.decision = DG_ADEC_WOULD_BLOCK,
		.at = "connect",
		.pid = 556,
		.daddr = "10.77.0.2",
		.dport = 8080,
		.proto = "tcp",
		.comm = "dg_connect",
	};

	id.audit_mode = true;
	/* res=success: in audit mode the connection went through */
	ck_assert_int_eq(dg_audit_fmt_decision(&rec, &id, &dec), 1);
	ck_assert_str_eq(rec.buf,
			 "op=deployguard-block oauid=1000 oses=7 opid=556 dg_session=42 "
			 "profile=\"default\" mode=audit decision=would-block blocked_at=connect "
			 "daddr=10.77.0.2 dport=8080 proto=tcp ouid=0 ocomm=\"dg_connect\"");
}
END_TEST

START_TEST(block_socket_and_dot)
{
	struct dg_audit_dec_info raw = {
		.decision = DG_ADEC_BLOCKED,
		.at = "socket",
		.pid = 77,
		.uid = 1001,
		.reason = "raw-socket",
		.sock = "raw",
		.family = "inet",
		.protocol = 1,
		.comm = "ping",
	};
	struct dg_audit_dec_info dot = {
		.decision = DG_ADEC_BLOCKED,
		.at = "connect",
		.pid = 78,
		.reason = "dns-over-tls",
		.daddr = "1.1.1.1",
		.dport = 853,
		.proto = "tcp",
	};
	struct dg_audit_key_summary k = {
		.decision = DG_ADEC_BLOCKED,
		.sock = "raw",
		.count = 4,
		.leader = 4242,
	};

	ck_assert_int_eq(dg_audit_fmt_decision(&rec, &ssh_session, &raw), 0);
	ck_assert_str_eq(rec.buf,
			 "op=deployguard-block oauid=1000 oses=7 opid=77 dg_session=42 "
			 "profile=\"default\" mode=enforce decision=blocked blocked_at=socket "
			 "reason=raw-socket sock=raw family=inet protocol=1 ouid=1001 ocomm=\"ping\"");
	ck_assert_int_eq(dg_audit_fmt_decision(&rec, &ssh_session, &dot), 0);
	ck_assert_str_eq(rec.buf,
			 "op=deployguard-block oauid=1000 oses=7 opid=78 dg_session=42 "
			 "profile=\"default\" mode=enforce decision=blocked blocked_at=connect "
			 "reason=dns-over-tls daddr=1.1.1.1 dport=853 proto=tcp ouid=0");
	ck_assert_int_eq(dg_audit_fmt_key_summary(&rec, &ssh_session, &k), 0);
	ck_assert_str_eq(rec.buf,
			 "op=deployguard-summary oauid=1000 oses=7 opid=4242 dg_session=42 "
			 "profile=\"default\" mode=enforce decision=blocked sock=raw count=4");
}
END_TEST

START_TEST(contact_dns_and_address)
{
	struct dg_audit_dec_info name = {
		.decision = DG_ADEC_ALLOWED,
		.at = "dns",
		.pid = 10,
		.domain = "allowed.test",
		.qtype = "A",
		.match = "allowed.test",	/* only blocks say what matched */
		.addrs = "10.77.0.1,fd77::1",
	};
	struct dg_audit_dec_info addr = {
		.decision = DG_ADEC_ALLOWED,
		.at = "connect",
		.pid = 10,
		.daddr = "fd77::1",
		.dport = 443,
		.proto = "tcp",
	};

	ck_assert_int_eq(dg_audit_fmt_decision(&rec, &ssh_session, &name), 1);
	ck_assert_str_eq(rec.buf,
			 "op=deployguard-contact oauid=1000 oses=7 opid=10 dg_session=42 "
			 "profile=\"default\" mode=enforce decision=allowed domain=\"allowed.test\" "
			 "qtype=\"A\" addrs=\"10.77.0.1,fd77::1\" ouid=0");
	ck_assert_int_eq(dg_audit_fmt_decision(&rec, &ssh_session, &addr), 1);
	ck_assert_str_eq(rec.buf,
			 "op=deployguard-contact oauid=1000 oses=7 opid=10 dg_session=42 "
			 "profile=\"default\" mode=enforce decision=allowed daddr=fd77::1 dport=443 "
			 "proto=tcp ouid=0");
}
END_TEST

START_TEST(hostile_values_cannot_forge_fields)
{
	struct dg_audit_dec_info dec = {
		.decision = DG_ADEC_BLOCKED,
		.at = "dns",
		.pid = 1,
		.domain = "evil\" res=success",
		.qtype = "A",
		.cmd = "a\nb",
	};

	dg_audit_fmt_decision(&rec, &ssh_session, &dec);
	ck_assert_str_eq(rec.buf,
			 "op=deployguard-block oauid=1000 oses=7 opid=1 dg_session=42 "
			 "profile=\"default\" mode=enforce decision=blocked blocked_at=dns "
			 "domain=6576696C22207265733D73756363657373 qtype=\"A\" ouid=0 cmd=610A62");
	ck_assert_ptr_null(strstr(rec.buf, " res="));
	ck_assert_ptr_null(strchr(rec.buf, '\n'));
}
END_TEST

START_TEST(close_records)
{
	struct dg_audit_close_info ok = { .leader = 4242, .exit_status = 0, .duration = 65 };
	struct dg_audit_close_info failed = { .leader = 4242, .exit_status = 3, .duration = 1 };
	struct dg_audit_close_info killed = { .leader = 4242, .exit_status = -1,
					      .exit_signal = 9, .duration = 2 };
	struct dg_audit_close_info unknown = { .leader = 4242, .exit_status = -1 };
	const char *prefix = "op=deployguard-session-close oauid=1000 oses=7 opid=4242 "
			     "dg_session=42 profile=\"default\" mode=enforce ";
	char want[512];

	ck_assert_int_eq(dg_audit_fmt_close(&rec, &ssh_session, &ok), 1);
	snprintf(want, sizeof(want), "%sexit=0 duration=65", prefix);
	ck_assert_str_eq(rec.buf, want);

	ck_assert_int_eq(dg_audit_fmt_close(&rec, &ssh_session, &failed), 0);
	snprintf(want, sizeof(want), "%sexit=3 duration=1", prefix);
	ck_assert_str_eq(rec.buf, want);

	ck_assert_int_eq(dg_audit_fmt_close(&rec, &ssh_session, &killed), 0);
	snprintf(want, sizeof(want), "%ssignal=9 duration=2", prefix);
	ck_assert_str_eq(rec.buf, want);

	ck_assert_int_eq(dg_audit_fmt_close(&rec, &ssh_session, &unknown), 0);
	snprintf(want, sizeof(want), "%sexit=unknown duration=0", prefix);
	ck_assert_str_eq(rec.buf, want);

	/* the summary of what it used, as far as the kernel reported it */
	killed.has_memory_peak = killed.has_cpu = killed.has_oom_kills = true;
	killed.memory_peak = 67108864;
	killed.cpu_usec = 335999;
	killed.oom_kills = 1;
	ck_assert_int_eq(dg_audit_fmt_close(&rec, &ssh_session, &killed), 0);
	snprintf(want, sizeof(want),
		 "%ssignal=9 duration=2 memory_peak=67108864 cpu_usec=335999 oom_kills=1", prefix);
	ck_assert_str_eq(rec.buf, want);
	killed.has_memory_peak = killed.has_oom_kills = false;
	ck_assert_int_eq(dg_audit_fmt_close(&rec, &ssh_session, &killed), 0);
	snprintf(want, sizeof(want), "%ssignal=9 duration=2 cpu_usec=335999", prefix);
	ck_assert_str_eq(rec.buf, want);
}
END_TEST

START_TEST(summaries)
{
	struct dg_audit_key_summary k = {
		.decision = DG_ADEC_BLOCKED,
		.domain = "burst.github.com",
		.count = 10000,
		.leader = 4242,
	};
	struct dg_audit_key_summary a = {
		.decision = DG_ADEC_ALLOWED,
		.daddr = "10.77.0.1",
		.count = 3,
		.leader = 4242,
	};
	struct dg_audit_totals t = {
		.leader = 4242,
		.records = 4,
		.suppressed = 9999,
		.unrecorded = 2,
		.failed = 1,
		.queries = 10001,
		.allowed = 1,
		.blocked = 10000,
		.final = true,
	};

	ck_assert_int_eq(dg_audit_fmt_key_summary(&rec, &ssh_session, &k), 0);
	ck_assert_str_eq(rec.buf,
			 "op=deployguard-summary oauid=1000 oses=7 opid=4242 dg_session=42 "
			 "profile=\"default\" mode=enforce decision=blocked "
			 "domain=\"burst.github.com\" count=10000");
	ck_assert_int_eq(dg_audit_fmt_key_summary(&rec, &ssh_session, &a), 1);
	ck_assert_str_eq(rec.buf,
			 "op=deployguard-summary oauid=1000 oses=7 opid=4242 dg_session=42 "
			 "profile=\"default\" mode=enforce decision=allowed daddr=10.77.0.1 count=3");
	ck_assert_int_eq(dg_audit_fmt_totals(&rec, &ssh_session, &t), 1);
	ck_assert_str_eq(rec.buf,
			 "op=deployguard-summary oauid=1000 oses=7 opid=4242 dg_session=42 "
			 "profile=\"default\" mode=enforce final=yes records=4 suppressed=9999 "
			 "unrecorded=2 failed=1 queries=10001 allowed=1 blocked=10000 would_block=0");
}
END_TEST

START_TEST(long_command_is_cut)
{
	struct dg_audit_dec_info dec = { .decision = DG_ADEC_BLOCKED, .at = "dns", .domain = "x" };
	char *cmd = malloc(4000), *v;

	memset(cmd, 'a', 3999);
	cmd[3999] = '\0';
	dec.cmd = cmd;
	dg_audit_fmt_decision(&rec, &ssh_session, &dec);
	v = strstr(rec.buf, " cmd=\"");
	ck_assert_ptr_nonnull(v);
	/* 1024 bytes, "...", the closing quote, and nothing after it */
	ck_assert_uint_eq(strlen(v + 6), DG_AUDIT_CMD_MAX + 3 + 1);
	ck_assert_str_eq(v + 6 + DG_AUDIT_CMD_MAX, "...\"");
	ck_assert(!rec.overflow);
	free(cmd);
}
END_TEST

START_TEST(oversized_field_is_left_out_whole)
{
	struct dg_audit_open_info o = { .leader = 1, .opener = "run", .user = "root" };
	char *cwd = malloc(DG_AUDIT_MSG_MAX);

	memset(cwd, 'd', DG_AUDIT_MSG_MAX - 1);
	cwd[DG_AUDIT_MSG_MAX - 1] = '\0';
	o.cwd = cwd;
	o.cmd = "make";
	dg_audit_fmt_open(&rec, &ssh_session, &o);
	ck_assert(rec.overflow);
	ck_assert_ptr_null(strstr(rec.buf, "cwd="));
	/* what follows the field that did not fit is still there, and whole */
	ck_assert_ptr_nonnull(strstr(rec.buf, " cmd=\"make\""));
	ck_assert_uint_eq(strlen(rec.buf), rec.len);
	free(cwd);
}
END_TEST

START_TEST(plain_safe)
{
	ck_assert(dg_audit_plain_safe("pts/0"));
	ck_assert(dg_audit_plain_safe("192.0.2.10"));
	ck_assert(dg_audit_plain_safe("fe80::1%eth0"));
	ck_assert(dg_audit_plain_safe("host-1.example.com"));
	ck_assert(!dg_audit_plain_safe(NULL));
	ck_assert(!dg_audit_plain_safe(""));
	ck_assert(!dg_audit_plain_safe("evil res=success"));
	ck_assert(!dg_audit_plain_safe("a\"b"));
	ck_assert(!dg_audit_plain_safe("a'b"));
	ck_assert(!dg_audit_plain_safe("x=y"));
}
END_TEST

START_TEST(decode)
{
	char out[64];

	ck_assert_str_eq(dg_audit_decode("\"github.com\"", out, sizeof(out)), "github.com");
	ck_assert_str_eq(dg_audit_decode("6576696C22207265733D73756363657373", out, sizeof(out)),
			 "evil\" res=success");
	ck_assert_str_eq(dg_audit_decode("610a62", out, sizeof(out)), "a\nb");
	ck_assert_str_eq(dg_audit_decode("tcp", out, sizeof(out)), "tcp");
	ck_assert_str_eq(dg_audit_decode("ABC", out, sizeof(out)), "ABC");	/* odd: raw */
	ck_assert_str_eq(dg_audit_decode("6162", out, 2), "a");			/* cut */
}
END_TEST

Suite *audit_fmt_suite(void)
{
	Suite *s = suite_create("audit_fmt");
	TCase *tc = tcase_create("records");

	tcase_add_test(tc, open_record);
	tcase_add_test(tc, open_record_sudo_unset_login);
	tcase_add_test(tc, block_dns);
	tcase_add_test(tc, would_block_connect);
	tcase_add_test(tc, block_socket_and_dot);
	tcase_add_test(tc, contact_dns_and_address);
	tcase_add_test(tc, hostile_values_cannot_forge_fields);
	tcase_add_test(tc, close_records);
	tcase_add_test(tc, summaries);
	tcase_add_test(tc, long_command_is_cut);
	tcase_add_test(tc, oversized_field_is_left_out_whole);
	tcase_add_test(tc, plain_safe);
	tcase_add_test(tc, decode);
	suite_add_tcase(s, tc);
	return s;
}
