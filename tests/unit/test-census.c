/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The thread census: each thread's own stat file, every one up to the
 * sample size, beyond it the small processes whole and a random sample of
 * the rest, and the reader counted running. */
#include "config.h"

#include "census.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <setjmp.h>
#include <stdarg.h>
#include <math.h>
#include <stddef.h>

#include <cmocka.h>

struct tree {
	char *root; /* a /proc of threads 1000, 1001, ... */
	GArray *tids;
};

/* The /proc/TID/task/TID/stat of a thread in state, with a comm that holds
 * what naive parsers trip on. */
static void add_thread(struct tree *t, pid_t tid, char state)
{
	g_autofree char *dir = g_strdup_printf("%s/%d/task/%d", t->root, (int)tid, (int)tid);
	g_autofree char *file = g_build_filename(dir, "stat", NULL);
	g_autofree char *text =
		g_strdup_printf("%d (a) b (c) %c 1 %d %d 0 -1 4194560 0 0 0 0 3 2 0 0 20 0 1 0 "
				"500 0 0\n",
				(int)tid, state, (int)tid, (int)tid);

	assert_int_equal(g_mkdir_with_parents(dir, 0755), 0);
	assert_true(g_file_set_contents(file, text, -1, NULL));
	g_array_append_val(t->tids, tid);
}

/* n threads, state_of(i) for the i-th. */
static void make_tree(struct tree *t, unsigned int n, char (*state_of)(unsigned int))
{
	t->root = g_dir_make_tmp("lensfs-census-XXXXXX", NULL);
	assert_non_null(t->root);
	t->tids = g_array_new(FALSE, FALSE, sizeof(pid_t));
	for (unsigned int i = 0; i < n; i++)
		add_thread(t, (pid_t)(1000 + i), state_of(i));
}

static void remove_tree(const char *dir)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *name;

	while (d && (name = g_dir_read_name(d))) {
		g_autofree char *path = g_build_filename(dir, name, NULL);

		if (g_file_test(path, G_FILE_TEST_IS_DIR))
			remove_tree(path);
		else
			g_unlink(path);
	}
	g_rmdir(dir);
}

static void free_tree(struct tree *t)
{
	remove_tree(t->root);
	g_free(t->root);
	g_array_unref(t->tids);
}

/* One in eight running, one in 32 blocked, the rest asleep. */
static char mixed(unsigned int i)
{
	return i % 8 == 0 ? 'R' : i % 32 == 1 ? 'D' : 'S';
}

static char asleep(unsigned int i)
{
	return 'S';
}

static void test_every_thread_read(void **state)
{
	struct tree t;
	struct thread_census c;
	unsigned int running, blocked;

	make_tree(&t, 100, mixed);
	/* A listed thread that has exited meanwhile is not counted. */
	g_array_append_val(t.tids, (pid_t){ 5 });
	census_take(t.root, t.tids, NULL, &c);
	assert_int_equal(c.total, 100);
	assert_int_equal(c.running, 13); /* 0, 8, ..., 96 */
	assert_int_equal(c.blocked, 4); /* 1, 33, 65, 97 */
	assert_int_equal(c.sampled->len, 100);
	/* The reader, asleep when counted (or waiting in D for lensfs), runs
	 * as the kernel counts a reader of /proc/stat. */
	census_seen_by(&c, 1002, &running, &blocked);
	assert_int_equal(running, 14);
	assert_int_equal(blocked, 4);
	census_seen_by(&c, 1033, &running, &blocked);
	assert_int_equal(running, 14);
	assert_int_equal(blocked, 3);
	census_seen_by(&c, 1000, &running, &blocked);
	assert_int_equal(running, 13);
	/* A reader the census did not see (it started since) runs too. */
	census_seen_by(&c, 5000, &running, &blocked);
	assert_int_equal(running, 14);
	assert_int_equal(blocked, 4);
	/* No reader (lensfs-show --cgroup): the counts as they are. */
	census_seen_by(&c, 0, &running, &blocked);
	assert_int_equal(running, 13);
	assert_int_equal(blocked, 4);
	census_clear(&c);
	free_tree(&t);
}

/* |got - want| <= tolerance */
static void assert_near(unsigned int got, unsigned int want, unsigned int tolerance)
{
	assert_in_range(got, want > tolerance ? want - tolerance : 0, want + tolerance);
}

/* Beyond the sample size, CENSUS_SAMPLE_MAX threads' files are read, picked
 * at random, and the counts scaled to all the threads: a pattern in the
 * list (here one in eight running) does not bias them. */
static void test_sampled_beyond_the_bound(void **state)
{
	unsigned int n = CENSUS_SAMPLE_MAX * 4;
	struct tree t;
	struct thread_census c;
	GHashTable *seen = g_hash_table_new(NULL, NULL);

	make_tree(&t, n, mixed);
	census_take(t.root, t.tids, NULL, &c);
	assert_int_equal(c.sampled->len, CENSUS_SAMPLE_MAX);
	for (guint i = 0; i < c.sampled->len; i++)
		g_hash_table_add(
			seen,
			GINT_TO_POINTER(g_array_index(c.sampled, struct thread_state, i).tid));
	assert_int_equal(g_hash_table_size(seen), CENSUS_SAMPLE_MAX); /* each once */
	assert_int_equal(c.total, n);
	/* One in eight running and one in 32 blocked; a sample of a quarter
	 * errs by a standard deviation of sqrt(k p (1 - p)) threads of the
	 * sample (k = CENSUS_SAMPLE_MAX), four times that scaled: five of
	 * them are allowed. */
	assert_near(c.running, n / 8, (unsigned int)(20 * sqrt(CENSUS_SAMPLE_MAX * 7.0 / 64)));
	assert_near(c.blocked, n / 32, (unsigned int)(20 * sqrt(CENSUS_SAMPLE_MAX * 31.0 / 1024)));
	census_clear(&c);
	free_tree(&t);
	g_hash_table_unref(seen);

	make_tree(&t, CENSUS_SAMPLE_MAX + 1, asleep);
	census_take(t.root, t.tids, NULL, &c);
	assert_int_equal(c.sampled->len, CENSUS_SAMPLE_MAX);
	assert_int_equal(c.total, CENSUS_SAMPLE_MAX + 1);
	assert_int_equal(c.running, 0);
	census_clear(&c);
	free_tree(&t);
}

/* Thread tid of process pid: listed in the process's task directory. */
static void add_thread_of(struct tree *t, pid_t pid, pid_t tid, char state)
{
	g_autofree char *dir = g_strdup_printf("%s/%d/task/%d", t->root, (int)pid, (int)tid);

	add_thread(t, tid, state);
	assert_int_equal(g_mkdir_with_parents(dir, 0755), 0);
}

/* A pool of 2,048 sleeping threads, and beside it small processes: a
 * running reader, a process of three threads, one running, one blocked. A
 * sample of one in four would count each running thread of theirs it
 * caught as four, or miss it; they are read whole and count as they are. */
static void test_small_processes_whole(void **state)
{
	unsigned int n = CENSUS_SAMPLE_MAX * 4;
	struct tree t;
	struct thread_census c;
	g_autoptr(GArray) procs = g_array_new(FALSE, FALSE, sizeof(pid_t));
	pid_t listed[] = { 1000, 7, 5000, 5001, 6000, 7000 };
	unsigned int running, blocked;

	make_tree(&t, 0, asleep);
	for (unsigned int i = 0; i < n; i++)
		add_thread_of(&t, 1000, (pid_t)(1000 + i), 'S');
	add_thread_of(&t, 5000, 5000, 'R');
	add_thread_of(&t, 5001, 5001, 'R');
	add_thread_of(&t, 5001, 5002, 'D');
	add_thread_of(&t, 5001, 5003, 'S');
	/* A process with a thread in another cgroup: that one is not listed
	 * for the cgroup, and not counted. */
	add_thread_of(&t, 6000, 6000, 'S');
	add_thread_of(&t, 6000, 6001, 'R');
	g_array_set_size(t.tids, t.tids->len - 1);
	/* Seventeen running threads: more than a small process has; sampled. */
	for (pid_t tid = 7000; tid < 7000 + CENSUS_SMALL_PROCESS + 1; tid++)
		add_thread_of(&t, 7000, tid, 'R');
	/* 7: a process that exited since it was listed. */
	g_array_append_vals(procs, listed, G_N_ELEMENTS(listed));
	census_take(t.root, t.tids, procs, &c);
	assert_int_equal(c.total, n + 5 + CENSUS_SMALL_PROCESS + 1);
	assert_int_equal(c.sampled->len, CENSUS_SAMPLE_MAX);
	/* The pool is asleep: the running are the small processes' two, and
	 * the big one's seventeen, estimated from a sample of about one in
	 * four (at most 17 * 4 counted, at least none). */
	assert_in_range(c.running, 2, 2 + 4 * (CENSUS_SMALL_PROCESS + 1) + 4);
	assert_int_equal(c.blocked, 1);
	census_seen_by(&c, 5002, &running, &blocked);
	assert_int_equal(running, c.running + 1);
	assert_int_equal(blocked, 0);
	census_clear(&c);

	/* Without the seventeen: the counts are exact. */
	g_array_set_size(t.tids, t.tids->len - (CENSUS_SMALL_PROCESS + 1));
	census_take(t.root, t.tids, procs, &c);
	assert_int_equal(c.total, n + 5);
	assert_int_equal(c.running, 2);
	assert_int_equal(c.blocked, 1);
	census_clear(&c);

	/* No list of processes (it could not be read): all sampled, the
	 * total still right. */
	census_take(t.root, t.tids, NULL, &c);
	assert_int_equal(c.total, n + 5);
	assert_int_equal(c.sampled->len, CENSUS_SAMPLE_MAX);
	census_clear(&c);
	free_tree(&t);
}

static void test_empty(void **state)
{
	struct tree t;
	struct thread_census c;
	unsigned int running, blocked;

	make_tree(&t, 0, asleep);
	census_take(t.root, t.tids, NULL, &c);
	assert_int_equal(c.total, 0);
	assert_int_equal(c.running, 0);
	census_seen_by(&c, 1000, &running, &blocked);
	assert_int_equal(running, 1);
	census_clear(&c);
	free_tree(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_thread_read),
		cmocka_unit_test(test_sampled_beyond_the_bound),
		cmocka_unit_test(test_small_processes_whole),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
