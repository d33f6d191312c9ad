// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A query from a guarded process, as the proxy reads it: parsed, and when
 * it parses, the refusal the proxy would send built from it.  The reply
 * must parse back as a response to the very same question: that is what
 * the asking resolver checks before it believes an NXDOMAIN.
 */
#include <string.h>

#include "dns.h"
#include "fuzz.h"

static void check_name(const struct dg_dns_name *n)
{
	FUZZ_ASSERT(n->len == strlen(n->text));
	FUZZ_ASSERT(n->nlabels <= DG_DNS_MAX_LABELS);
	for (unsigned i = 0; i < n->nlabels; i++) {
		FUZZ_ASSERT(n->label_off[i] <= n->len);
		FUZZ_ASSERT(i == 0 || n->label_off[i] > n->label_off[i - 1]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[DG_DNS_MAX_MSG];
	static const int rcodes[] = { DG_RCODE_NXDOMAIN, DG_RCODE_REFUSED, DG_RCODE_SERVFAIL };
	struct dg_dns_query q, r;
	char type[16];
	size_t n;

	if (size > DG_DNS_MAX_MSG)
		return 0;
	if (dg_dns_parse_query(data, size, &q)) {
		n = dg_dns_build_formerr(data, size, out, sizeof(out));
		FUZZ_ASSERT(size < 2 ? n == 0 : n == DG_DNS_HDR_LEN);
		if (n) {
			FUZZ_ASSERT(dg_dns_get_id(out) == dg_dns_get_id(data));
			FUZZ_ASSERT((out[3] & 0x0f) == DG_RCODE_FORMERR && (out[2] & 0x80));
		}
		return 0;
	}
	check_name(&q.qname);
	FUZZ_ASSERT(q.question_end >= DG_DNS_HDR_LEN + 5 && q.question_end <= size);
	FUZZ_ASSERT(dg_dns_type_str(q.qtype, type, sizeof(type)) != NULL);
	for (size_t i = 0; i < sizeof(rcodes) / sizeof(rcodes[0]); i++) {
		n = dg_dns_build_reply(data, &q, rcodes[i], out, sizeof(out));
		FUZZ_ASSERT(n >= q.question_end);
		FUZZ_ASSERT(dg_dns_parse_response(out, n, &r, NULL, NULL) == 0);
		FUZZ_ASSERT(r.id == q.id);
		FUZZ_ASSERT((r.flags & DG_DNS_F_RCODE) == rcodes[i]);
		FUZZ_ASSERT((r.flags & DG_DNS_F_RD) == (q.flags & DG_DNS_F_RD));
		FUZZ_ASSERT(r.qtype == q.qtype && r.qclass == q.qclass);
		FUZZ_ASSERT(strcmp(r.qname.text, q.qname.text) == 0);
		FUZZ_ASSERT(r.has_opt == q.has_opt);
		FUZZ_ASSERT(r.ancount == 0 && r.nscount == 0);
	}
	/* too small a buffer is refused, never overrun */
	FUZZ_ASSERT(dg_dns_build_reply(data, &q, DG_RCODE_NXDOMAIN, out, q.question_end - 1) == 0);
	return 0;
}
