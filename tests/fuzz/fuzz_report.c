// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `deployguard report --input FILE`: any file, a collector's log included,
 * read through libauparse and our record reader into each output format.
 * Anything goes in; nothing may crash, and the exit status is 0 or 1.
 */
#include <string.h>

#include "fuzz.h"
#include "report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	struct dg_report_opts o;
	int r;

	if (size > 1 << 20)
		return 0;
	if (!sink)
		sink = fopen("/dev/null", "w");
	FUZZ_ASSERT(sink != NULL);
	memset(&o, 0, sizeof(o));
	o.inputs[0] = fuzz_write_file("audit.log", data, size);
	o.ninputs = 1;
	/* the first byte picks the format and a filter, so all are exercised */
	if (size) {
		o.format = (enum dg_report_format)(data[0] % 3);
		o.have_session = data[0] & 0x04;
		o.session = 42;
		o.user = (data[0] & 0x08) ? "deploy" : NULL;
	}
	r = dg_report(&o, sink, sink);
	FUZZ_ASSERT(r == 0 || r == 1);
	return 0;
}
