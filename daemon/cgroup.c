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
	{
		uint64_t v;

		/* a pid file holds the number and a newline */
		buf[strcspn(buf, "\n")] = '\0';
		pid = dg_parse_u64(buf, 1, INT32_MAX, &v) ? 0 : (pid_t)v;
	}
	free(buf);
	return pid;
}

static const struct {
	unsigned bit;
	const char *v2, *v1;
} ctrl_names[] = {
	{ DG_CTRL_MEMORY, "memory", "memory" },
	{ DG_CTRL_CPU, "cpu", "cpu" },
	{ DG_CTRL_PIDS, "pids", "pids" },
	{ DG_CTRL_IO, "io", "blkio" },
};

unsigned dg_cgroup_ctrl_parse(const char *list, bool v1)
{
	const char *seps = v1 ? "," : " \t\n";
	unsigned mask = 0;

	while (*list) {
		size_t n = strcspn(list, seps);

		for (size_t i = 0; i < DG_ARRAY_SIZE(ctrl_names); i++) {
			const char *name = v1 ? ctrl_names[i].v1 : ctrl_names[i].v2;

			if (strlen(name) == n && !strncmp(list, name, n))
				mask |= ctrl_names[i].bit;
		}
		list += n;
		list += strspn(list, seps);
	}
	return mask;
}

const char *dg_cgroup_ctrl_name(unsigned bit, bool v1)
{
	for (size_t i = 0; i < DG_ARRAY_SIZE(ctrl_names); i++)
		if (ctrl_names[i].bit == bit)
			return v1 ? ctrl_names[i].v1 : ctrl_names[i].v2;
	return "?";
}

int dg_cgroup2_ctrls(const char *dir, const char *file, unsigned *mask)
{
	char path[PATH_MAX], *buf;
	int r;

	if (dg_path(path, sizeof(path), "%s/%s", dir, file))
		return -ENAMETOOLONG;
	r = dg_read_file(path, &buf, NULL, 4096);
	if (r < 0)
		return r;
	*mask = dg_cgroup_ctrl_parse(buf, false);
	free(buf);
	return 0;
}

int dg_cgroup1_mounts(struct dg_cg1_mount *out, int max)
{
	struct mntent *m;
	FILE *f;
	int n = 0;

	f = setmntent("/proc/self/mounts", "re");
	if (!f)
		return -errno;
	while ((m = getmntent(f)) && n < max) {
		unsigned ctrls;
		bool dup = false;

		if (strcmp(m->mnt_type, "cgroup"))
			continue;
		ctrls = dg_cgroup_ctrl_parse(m->mnt_opts, true);
		if (!ctrls)
			continue;
		/* a hierarchy mounted twice: the first mount serves */
		for (int i = 0; i < n; i++)
			if (out[i].ctrls & ctrls)
				dup = true;
		if (dup || dg_path(out[n].dir, sizeof(out[n].dir), "%s", m->mnt_dir))
			continue;
		out[n++].ctrls = ctrls;
	}
	endmntent(f);
	return n;
}
