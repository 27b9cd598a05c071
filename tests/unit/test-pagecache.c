/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the kernel's page cache of an inode may hold: the least size, which
 * attributes and short fills lower and stores raise, and which containers
 * may fill it. */
#include "config.h"

#include "pagecache.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

enum { MEMINFO = 3, CPUINFO = 4 };

/* Nothing known: every text may be longer than the kernel's size (a LOOKUP
 * of a proc file says 0), but an empty one. */
static void test_unknown_size_is_short(void **state)
{
	struct pagecache *pc = pagecache_new();

	assert_true(pagecache_short(pc, MEMINFO, 1));
	assert_false(pagecache_short(pc, MEMINFO, 0));
	pagecache_free(pc);
}

/* A store of 1,475 bytes: a text of that length or shorter needs none, a
 * longer one does; the size only grows with stores. */
static void test_stored_then_longer(void **state)
{
	struct pagecache *pc = pagecache_new();

	pagecache_stored(pc, MEMINFO, 1475);
	assert_false(pagecache_short(pc, MEMINFO, 1475));
	assert_false(pagecache_short(pc, MEMINFO, 1400));
	assert_true(pagecache_short(pc, MEMINFO, 1476));
	pagecache_stored(pc, MEMINFO, 1000);
	assert_false(pagecache_short(pc, MEMINFO, 1475));
	/* Another inode knows nothing of it. */
	assert_true(pagecache_short(pc, CPUINFO, 100));
	pagecache_free(pc);
}

/* A fill that ended short at 1,400 (a shorter text) or attributes of a
 * smaller size lower it; of a larger size, they do not raise it (the
 * kernel may have refused them as stale). */
static void test_told_only_lowers(void **state)
{
	struct pagecache *pc = pagecache_new();

	pagecache_stored(pc, MEMINFO, 1475);
	pagecache_told(pc, MEMINFO, 1400);
	assert_true(pagecache_short(pc, MEMINFO, 1475));
	assert_false(pagecache_short(pc, MEMINFO, 1400));
	pagecache_told(pc, MEMINFO, 9000);
	assert_true(pagecache_short(pc, MEMINFO, 1401));
	pagecache_told(pc, MEMINFO, 0);
	assert_true(pagecache_short(pc, MEMINFO, 1));
	pagecache_free(pc);
}

/* FORGET: the next inode under that number starts from nothing. */
static void test_forget(void **state)
{
	struct pagecache *pc = pagecache_new();

	pagecache_stored(pc, MEMINFO, 1475);
	pagecache_forget(pc, MEMINFO);
	assert_true(pagecache_short(pc, MEMINFO, 1));
	pagecache_free(pc);
}

/* Fills: only for the one container that has the file open; the host's
 * pid namespace (NULL) is a container of its own. */
static void test_fill_one_container_only(void **state)
{
	struct pagecache *pc = pagecache_new();

	assert_false(pagecache_fill_allowed(pc, MEMINFO, "a")); /* not open */
	pagecache_open(pc, MEMINFO, "a");
	pagecache_open(pc, MEMINFO, "a");
	assert_true(pagecache_fill_allowed(pc, MEMINFO, "a"));
	assert_false(pagecache_fill_allowed(pc, MEMINFO, "b"));
	pagecache_open(pc, MEMINFO, "b");
	assert_false(pagecache_fill_allowed(pc, MEMINFO, "a"));
	assert_false(pagecache_fill_allowed(pc, MEMINFO, "b"));
	/* Another file is another page cache. */
	pagecache_open(pc, CPUINFO, "b");
	assert_true(pagecache_fill_allowed(pc, CPUINFO, "b"));
	/* b closes: a alone again, though a has two handles. */
	pagecache_close(pc, MEMINFO, "b");
	assert_true(pagecache_fill_allowed(pc, MEMINFO, "a"));
	pagecache_open(pc, MEMINFO, NULL);
	assert_false(pagecache_fill_allowed(pc, MEMINFO, "a"));
	assert_false(pagecache_fill_allowed(pc, MEMINFO, NULL));
	pagecache_close(pc, MEMINFO, "a");
	pagecache_close(pc, MEMINFO, "a");
	assert_true(pagecache_fill_allowed(pc, MEMINFO, NULL));
	pagecache_close(pc, MEMINFO, NULL);
	assert_false(pagecache_fill_allowed(pc, MEMINFO, NULL));
	pagecache_free(pc);
}

/* A close that has no open (a handle of a dead predecessor the worker
 * never held) counts nothing below zero. */
static void test_close_unknown(void **state)
{
	struct pagecache *pc = pagecache_new();

	pagecache_close(pc, MEMINFO, "a");
	pagecache_open(pc, MEMINFO, "b");
	pagecache_close(pc, MEMINFO, "a");
	assert_true(pagecache_fill_allowed(pc, MEMINFO, "b"));
	pagecache_free(pc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unknown_size_is_short),
		cmocka_unit_test(test_stored_then_longer),
		cmocka_unit_test(test_told_only_lowers),
		cmocka_unit_test(test_forget),
		cmocka_unit_test(test_fill_one_container_only),
		cmocka_unit_test(test_close_unknown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
