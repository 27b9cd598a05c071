/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Lanes: a container's jobs in order and one at a time, containers in turn,
 * and a slow job holding its own lane only. */
#include "config.h"

#include "lanes.h"

#include <glib.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

struct log {
	GMutex lock;
	GCond changed;
	GString *order; /* the jobs' names as they start */
	int running[2]; /* per lane */
	int most[2]; /* the most running at once, per lane */
	bool released; /* the gate job may end */
};

struct step {
	struct log *log;
	int lane;
	char name;
	bool gate; /* waits for log->released */
};

static void run_step(void *data)
{
	struct step *s = data;
	struct log *log = s->log;

	g_mutex_lock(&log->lock);
	g_string_append_c(log->order, s->name);
	log->running[s->lane]++;
	log->most[s->lane] = MAX(log->most[s->lane], log->running[s->lane]);
	g_cond_broadcast(&log->changed);
	while (s->gate && !log->released)
		g_cond_wait(&log->changed, &log->lock);
	g_mutex_unlock(&log->lock);
	g_usleep(200);
	g_mutex_lock(&log->lock);
	log->running[s->lane]--;
	g_mutex_unlock(&log->lock);
	g_free(s);
}

static void push(struct lanes *l, struct log *log, int lane, char name, bool gate)
{
	struct step *s = g_new0(struct step, 1);

	*s = (struct step){ log, lane, name, gate };
	lanes_push(l, lane ? "pid:[2]" : "pid:[1]", run_step, s);
}

static void log_init(struct log *log)
{
	memset(log, 0, sizeof(*log));
	g_mutex_init(&log->lock);
	g_cond_init(&log->changed);
	log->order = g_string_new(NULL);
}

static void log_clear(struct log *log)
{
	g_string_free(log->order, TRUE);
	g_cond_clear(&log->changed);
	g_mutex_clear(&log->lock);
}

/* Waits until the job named name has started. */
static void wait_started(struct log *log, char name)
{
	g_mutex_lock(&log->lock);
	while (!strchr(log->order->str, name))
		g_cond_wait(&log->changed, &log->lock);
	g_mutex_unlock(&log->lock);
}

static void release(struct log *log)
{
	g_mutex_lock(&log->lock);
	log->released = true;
	g_cond_broadcast(&log->changed);
	g_mutex_unlock(&log->lock);
}

/* One thread: a lane's jobs in order; a second lane's job runs after the
 * job running now, not after every job of the first lane. */
static void test_round_robin(void **state)
{
	struct lanes *l = lanes_new(1);
	struct log log;

	log_init(&log);
	push(l, &log, 0, 'a', true);
	wait_started(&log, 'a');
	push(l, &log, 0, 'b', false);
	push(l, &log, 0, 'c', false);
	push(l, &log, 0, 'd', false);
	push(l, &log, 1, 'X', false);
	push(l, &log, 1, 'Y', false);
	assert_int_equal(lanes_pending(l), 6);
	release(&log);
	lanes_free(l);
	assert_string_equal(log.order->str, "aXbYcd");
	log_clear(&log);
}

/* The lower (or upper) case letters of s, in order (a static buffer). */
static const char *only(const char *s, bool upper)
{
	static char buf[64];
	size_t n = 0;

	for (; *s && n + 1 < sizeof(buf); s++)
		if (upper ? g_ascii_isupper(*s) : g_ascii_islower(*s))
			buf[n++] = *s;
	buf[n] = '\0';
	return buf;
}

/* Several threads: one lane never runs two jobs at once, and a job that
 * does not end holds its own lane only: the other lane's jobs all run. */
static void test_slow_lane_holds_itself_only(void **state)
{
	struct lanes *l = lanes_new(3);
	struct log log;

	log_init(&log);
	push(l, &log, 0, 'a', true);
	for (char c = 'b'; c <= 'h'; c++)
		push(l, &log, 0, c, false);
	for (char c = 'M'; c <= 'Z'; c++)
		push(l, &log, 1, c, false);
	wait_started(&log, 'Z');
	g_mutex_lock(&log.lock);
	/* Everything of lane 1 ran while lane 0 waited behind its gate. */
	assert_null(strchr(log.order->str, 'b'));
	g_mutex_unlock(&log.lock);
	release(&log);
	lanes_free(l);
	assert_int_equal(log.order->len, 8 + 14);
	assert_int_equal(log.most[0], 1);
	assert_int_equal(log.most[1], 1);
	assert_string_equal(only(log.order->str, false), "abcdefgh");
	assert_string_equal(only(log.order->str, true), "MNOPQRSTUVWXYZ");
	log_clear(&log);
}

static void test_serving_thread_flag(void **state)
{
	assert_false(lanes_on_serving_thread());
	lanes_enter_serving();
	assert_true(lanes_on_serving_thread());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_robin),
		cmocka_unit_test(test_slow_lane_holds_itself_only),
		cmocka_unit_test(test_serving_thread_flag),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
