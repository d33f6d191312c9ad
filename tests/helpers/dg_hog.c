// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dg_hog: misbehaving deploy steps for the resource limit tests, each one
 * bounded so that it stays harmless when a limit does not hold.
 *
 *   dg_hog mem MB        touch MB MiB of memory, 1 MiB at a time; prints
 *                        "allocated=MB" if it got them all
 *   dg_hog fork N SECS   a fork bomb of at most N fork() calls in all: every
 *                        process forks until N calls were made; children
 *                        live at most SECS seconds (and die with their
 *                        parent); prints "forked=K eagain=E other=O"
 *   dg_hog cpu SECS      spin for SECS seconds of wall time; prints
 *                        "cpu_ms=C wall_ms=W ratio=C/W"
 */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long ms_of(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static int hog_memory(unsigned long mb)
{
	const size_t chunk = 1 << 20;

	for (unsigned long i = 0; i < mb; i++) {
		/* mmap, not malloc: every MiB is new memory the kernel must charge */
		char *p = mmap(NULL, chunk, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			       -1, 0);

		if (p == MAP_FAILED) {
			printf("mmap failed after %lu MiB: %s\n", i, strerror(errno));
			return 1;
		}
		memset(p, 0x5a, chunk);
	}
	printf("allocated=%lu\n", mb);
	return 0;
}

struct bomb {
	atomic_uint attempts;
	atomic_uint forked;
	atomic_uint eagain;
	atomic_uint other;
};

static int fork_bomb(unsigned max, unsigned secs)
{
	struct bomb *b = mmap(NULL, sizeof(*b), PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t leader = getpid();
	long deadline;

	if (b == MAP_FAILED)
		return 1;
	/* our own process group: the leader ends exactly its own descendants */
	if (setpgid(0, 0)) {
		perror("setpgid");
		return 1;
	}
	alarm(secs + 5);
	while (atomic_fetch_add(&b->attempts, 1) < max) {
		pid_t p = fork();

		if (p == 0) {
			/* the child bombs on too, but never outlives its parent or secs */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() == 1)
				_exit(0);
			alarm(secs);
			continue;
		}
		if (p > 0)
			atomic_fetch_add(&b->forked, 1);
		else if (errno == EAGAIN)
			atomic_fetch_add(&b->eagain, 1);
		else
			atomic_fetch_add(&b->other, 1);
	}
	if (getpid() != leader) {
		pause();
		_exit(0);
	}
	/* every fork() has returned once all attempts are accounted for */
	deadline = ms_of(CLOCK_MONOTONIC) + (long)secs * 1000;
	while (atomic_load(&b->forked) + atomic_load(&b->eagain) + atomic_load(&b->other) < max &&
	       ms_of(CLOCK_MONOTONIC) < deadline)
		usleep(1000);
	printf("forked=%u eagain=%u other=%u\n", atomic_load(&b->forked), atomic_load(&b->eagain),
	       atomic_load(&b->other));
	fflush(stdout);
	signal(SIGTERM, SIG_IGN);
	kill(0, SIGTERM);
	while (wait(NULL) > 0 || errno == EINTR)
		;
	return 0;
}

static int burn_cpu(unsigned secs)
{
	long w0 = ms_of(CLOCK_MONOTONIC), c0 = ms_of(CLOCK_PROCESS_CPUTIME_ID), w, c;
	volatile unsigned long x = 0;

	do {
		for (int i = 0; i < 100000; i++)
			x += (unsigned long)i;
		w = ms_of(CLOCK_MONOTONIC) - w0;
	} while (w < (long)secs * 1000);
	c = ms_of(CLOCK_PROCESS_CPUTIME_ID) - c0;
	printf("cpu_ms=%ld wall_ms=%ld ratio=%.2f\n", c, w, (double)c / (double)w);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "mem"))
		return hog_memory(strtoul(argv[2], NULL, 10));
	if (argc == 4 && !strcmp(argv[1], "fork")) {
		unsigned n = (unsigned)strtoul(argv[2], NULL, 10);

		if (n > 1000) {
			fprintf(stderr, "dg_hog: at most 1000 forks\n");
			return 2;
		}
		return fork_bomb(n, (unsigned)strtoul(argv[3], NULL, 10));
	}
	if (argc == 3 && !strcmp(argv[1], "cpu"))
		return burn_cpu((unsigned)strtoul(argv[2], NULL, 10));
	fprintf(stderr, "usage: dg_hog mem MB | fork N SECS | cpu SECS\n");
	return 2;
}
