/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The deployguard command: shared state of its subcommands. */
#ifndef DG_CLI_H
#define DG_CLI_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

#include "ctlmsg.h"

struct cli {
	const char *config;		/* -c FILE */
	const char *socket;		/* --socket PATH */
	char socket_path[PATH_MAX];	/* resolved */
	bool json;
};

/* The control socket path: --socket, the config's run_dir, or the default. */
const char *cli_socket(struct cli *c);
/* One request to the daemon; prints why on failure.  0 or -errno. */
int cli_call(struct cli *c, const struct dg_ctlmsg *req, struct dg_ctlmsg *reply);

int cmd_run(struct cli *c, int argc, char **argv);

void json_string(FILE *f, const char *s);

#endif
