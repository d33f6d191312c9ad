// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dg_mapfill: fill the pinned map of learned addresses past its capacity
 * and report what the kernel evicted.
 *
 *   dg_mapfill PINNED_DG_LEARNED EXTRA
 *	inserts DG_MAX_LEARNED + EXTRA addresses for a session id no real
 *	session uses, one at a time, oldest first; then counts how many of the
 *	oldest EXTRA and of the newest half are still there, and deletes them
 *	all again.  Prints "inserted=N failed=F oldest_kept=A/EXTRA newest_kept=B/HALF".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <linux/types.h>

#include "deployguard.h"

#define FAKE_SESSION (DG_MAX_ID - 7)

static void key_for(struct dg_addr_key *k, unsigned i)
{
	memset(k, 0, sizeof(*k));
	k->scope = FAKE_SESSION;
	k->addr[0] = 0x20;
	k->addr[1] = 0x01;
	k->addr[2] = 0x0d;
	k->addr[3] = 0xb8;
	memcpy(k->addr + 12, &i, sizeof(i));
}

int main(int argc, char **argv)
{
	struct dg_learned v = { .expires_ns = ~0ULL, .verdict = DG_VERDICT_ALLOW };
	unsigned extra, total, failed = 0, oldest = 0, newest = 0, half;
	struct dg_addr_key k;
	int fd;

	if (argc != 3)
		return 64;
	fd = bpf_obj_get(argv[1]);
	if (fd < 0) {
		fprintf(stderr, "dg_mapfill: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	extra = (unsigned)strtoul(argv[2], NULL, 10);
	total = DG_MAX_LEARNED + extra;
	half = DG_MAX_LEARNED / 2;
	for (unsigned i = 0; i < total; i++) {
		key_for(&k, i);
		if (bpf_map_update_elem(fd, &k, &v, BPF_ANY))
			failed++;
	}
	for (unsigned i = 0; i < extra; i++) {
		key_for(&k, i);
		if (!bpf_map_lookup_elem(fd, &k, &v))
			oldest++;
	}
	for (unsigned i = total - half; i < total; i++) {
		key_for(&k, i);
		if (!bpf_map_lookup_elem(fd, &k, &v))
			newest++;
	}
	for (unsigned i = 0; i < total; i++) {
		key_for(&k, i);
		bpf_map_delete_elem(fd, &k);
	}
	printf("inserted=%u failed=%u oldest_kept=%u/%u newest_kept=%u/%u\n", total, failed,
	       oldest, extra, newest, half);
	return 0;
}
