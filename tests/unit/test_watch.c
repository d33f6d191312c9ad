// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The epoll loop: once a handler removes a watch whose event is already in
 * the batch being dispatched, that watch must not be called: its owner may
 * have freed it.  A session ending on its cgroup's inotify event used to
 * free its opener's pidfd watch with the pidfd's event still queued, and
 * the daemon died of a double free.
 */
#include <stdbool.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "suites.h"
#include "watch.h"

struct victim {
	struct dg_watch w;
	bool removed;
	int calls;
};

static struct dg_loop loop;
static struct victim victims[2];
static int killer_calls;

static void on_victim(struct dg_daemon *d, struct dg_watch *w, uint32_t events)
{
	struct victim *v = dg_container_of(w, struct victim, w);

	(void)d;
	(void)events;
	ck_assert_msg(!v->removed, "a removed watch got an event of its old batch");
	v->calls++;
}

/* removes every victim, as session_end removes the opener's watch */
static void on_killer(struct dg_daemon *d, struct dg_watch *w, uint32_t events)
{
	(void)d;
	(void)w;
	(void)events;
	killer_calls++;
	for (int i = 0; i < 2; i++) {
		dg_loop_del(&loop, &victims[i].w);
		victims[i].removed = true;
	}
}

static int ready_eventfd(void)
{
	int fd = eventfd(1, EFD_CLOEXEC | EFD_NONBLOCK);

	ck_assert_int_ge(fd, 0);
	return fd;
}

START_TEST(test_removed_watch_gets_no_queued_event)
{
	struct dg_watch killer = { .fd = ready_eventfd(), .fn = on_killer };

	ck_assert_int_eq(dg_loop_init(&loop), 0);
	for (int i = 0; i < 2; i++)
		victims[i] = (struct victim){ .w = { .fd = ready_eventfd(), .fn = on_victim } };
	/* all three ready at once: one batch; epoll reports them in the order
	 * they became ready, so victims[1] comes after the killer */
	ck_assert_int_eq(dg_loop_add(&loop, &victims[0].w, EPOLLIN), 0);
	ck_assert_int_eq(dg_loop_add(&loop, &killer, EPOLLIN), 0);
	ck_assert_int_eq(dg_loop_add(&loop, &victims[1].w, EPOLLIN), 0);

	ck_assert_int_eq(dg_loop_run_once(&loop, NULL, 0), 3);
	ck_assert_int_eq(killer_calls, 1);
	/* the test means something only if a victim's event was still queued */
	ck_assert_int_eq(victims[0].calls + victims[1].calls, 1);
	ck_assert_int_eq(victims[1].calls, 0);
	/* removed: never again */
	ck_assert_int_eq(dg_loop_run_once(&loop, NULL, 0), 1);
	ck_assert_int_eq(killer_calls, 2);

	for (int i = 0; i < 2; i++)
		close(victims[i].w.fd);
	dg_loop_del(&loop, &killer);
	close(killer.fd);
	dg_loop_fini(&loop);
	ck_assert_int_eq(loop.epfd, -1);
}
END_TEST

Suite *watch_suite(void)
{
	Suite *s = suite_create("watch");
	TCase *tc = tcase_create("loop");

	tcase_add_test(tc, test_removed_watch_gets_no_queued_event);
	suite_add_tcase(s, tc);
	return s;
}
