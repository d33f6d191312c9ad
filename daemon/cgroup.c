// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <mntent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "util.h"

int dg_cgroup2_mount(char *buf, size_t len)
{
	struct mntent *m;
	FILE *f;
	int err = -ENOENT;

	f = setmntent("/proc/self/mounts", "re");
	if (!f)
		return -errno;
	while ((m = getmntent(f))) {
		if (strcmp(m->mnt_type, "cgroup2"))
			continue;
		err = dg_path(buf, len, "%s", m->mnt_dir);
		break;
	}
	endmntent(f);
	return err;
}

static unsigned count_components(const char *p)
{
	unsigned n = 0;

	while (*p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		n++;
		while (*p && *p != '/')
			p++;
	}
	return n;
}

/*
 * The level the kernel uses counts from the hierarchy's real root, which is
 * not the mount point when a sub-tree is mounted (cgroup namespaces):
 * /proc/self/mountinfo's root field says how deep the mount starts.
 */
int dg_cgroup_level(const char *mount, const char *path, unsigned *level)
{
	char line[4096], root[PATH_MAX], mnt[PATH_MAX];
	size_t ml = strlen(mount);
	unsigned base = 0;
	FILE *f;

	if (strncmp(path, mount, ml) || (path[ml] && path[ml] != '/'))
		return -EINVAL;
	f = fopen("/proc/self/mountinfo", "re");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			if (!strstr(line, " - cgroup2 "))
				continue;
			if (sscanf(line, "%*s %*s %*s %4095s %4095s", root, mnt) == 2 &&
			    !strcmp(mnt, mount)) {
				base = count_components(root);
				break;
			}
		}
		fclose(f);
	}
	*level = base + count_components(path + ml);
	return 0;
}

int dg_cgroup_id(const char *path, uint64_t *id)
{
	struct {
		struct file_handle fh;
		uint64_t cgid;
	} h;
	int mount_id;

	h.fh.handle_bytes = sizeof(h.cgid);
	if (name_to_handle_at(AT_FDCWD, path, &h.fh, &mount_id, 0))
		return -errno;
	if (h.fh.handle_bytes != sizeof(h.cgid))
		return -EINVAL;
	memcpy(id, h.fh.f_handle, sizeof(*id));
	return 0;
}

int dg_cgroup_populated(const char *path)
{
	char file[PATH_MAX], *buf, *p;
	int r;

	if (dg_path(file, sizeof(file), "%s/cgroup.events", path))
		return -ENAMETOOLONG;
	r = dg_read_file(file, &buf, NULL, 4096);
	if (r < 0)
		return r;
	p = strstr(buf, "populated ");
	r = p ? (p[10] == '1') : -EINVAL;
	free(buf);
	return r;
}

int dg_cgroup_nprocs(const char *path)
{
	char file[PATH_MAX], *buf;
	int r, n = 0;

	if (dg_path(file, sizeof(file), "%s/cgroup.procs", path))
		return -ENAMETOOLONG;
	r = dg_read_file(file, &buf, NULL, 1 << 24);
	if (r < 0)
		return r;
	for (char *p = buf; *p; p++)
		if (*p == '\n')
			n++;
	free(buf);
	return n;
}

pid_t dg_cgroup_first_pid(const char *path)
{
	char file[PATH_MAX], *buf;
	pid_t pid;
	int r;

	if (dg_path(file, sizeof(file), "%s/cgroup.procs", path))
		return -ENAMETOOLONG;
	r = dg_read_file(file, &buf, NULL, 1 << 24);
	if (r < 0)
		return r;
	pid = (pid_t)atoi(buf);
	free(buf);
	return pid;
}
