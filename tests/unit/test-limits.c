/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The limits over a cgroup and its ancestors (cg_limits.c): the rules on
 * their edge values. */
#include "config.h"

#include "fixture.h"

#include "cg_limits.h"
#include "cgroup.h"

#include <errno.h>

#define TWO_62 "4611686018427387904\n"

static void parse_ok(int version, enum cg_limit limit, const char *const *texts, guint levels,
		     struct cg_limits *out)
{
	assert_int_equal(cg_limits_parse(version, limit, texts, levels, out), 0);
}

static const struct cg_level *level_at(const struct cg_limits *l, guint i)
{
	assert_true(i < l->levels->len);
	return &g_array_index(l->levels, struct cg_level, i);
}

static void expect_limit(int version, enum cg_limit limit, const char *const *texts, guint levels,
			 int tightest, uint64_t value)
{
	g_auto(cg_limits) l = { 0 };

	parse_ok(version, limit, texts, levels, &l);
	assert_int_equal(l.tightest, tightest);
	assert_true(cg_limits_value(&l) == value);
}

static void expect_invalid(int version, enum cg_limit limit, const char *const *texts, guint levels)
{
	g_auto(cg_limits) l = { 0 };

	assert_int_equal(cg_limits_parse(version, limit, texts, levels, &l), -EINVAL);
	assert_null(l.levels);
}

/* Byte and pid limits: the smallest, the nearest on a tie; "max" and v1's
 * values from 2^62 up are none; a missing file sets nothing. */
static void test_values(void **state)
{
	g_auto(cg_limits) l = { 0 };

	/* The container's 300M under its parent's 200M; v2's root has none. */
	expect_limit(2, CG_LIMIT_MEMORY, (const char *[]){ "314572800\n", "209715200\n", NULL }, 3,
		     1, 209715200);
	expect_limit(2, CG_LIMIT_MEMORY, (const char *[]){ "max\n", "max\n", NULL }, 3, -1,
		     LIMIT_NONE);
	expect_limit(2, CG_LIMIT_SWAP, (const char *[]){ NULL, NULL }, 2, -1, LIMIT_NONE);
	expect_limit(2, CG_LIMIT_MEMORY, (const char *[]){ "4096\n", "4096\n" }, 2, 0, 4096);
	expect_limit(2, CG_LIMIT_MEMORY_HIGH, (const char *[]){ "max\n", "4096\n" }, 2, 1, 4096);
	expect_limit(2, CG_LIMIT_PIDS, (const char *[]){ "1000\n", "max\n", "5000\n" }, 3, 0, 1000);
	expect_limit(1, CG_LIMIT_PIDS, (const char *[]){ "max\n", "64\n" }, 2, 1, 64);
	/* v2 has no 2^62 rule: a number is a number. */
	expect_limit(2, CG_LIMIT_MEMORY, (const char *[]){ TWO_62 }, 1, 0, UINT64_C(1) << 62);

	/* v1: "unlimited" is PAGE_COUNTER_MAX pages; from 2^62 up is none. */
	expect_limit(
		1, CG_LIMIT_MEMORY,
		(const char *[]){ "9223372036854771712\n", NULL, "9223372036854771712\n", NULL }, 2,
		-1, LIMIT_NONE);
	expect_limit(1, CG_LIMIT_MEMORY, (const char *[]){ TWO_62, NULL }, 1, -1, LIMIT_NONE);
	expect_limit(1, CG_LIMIT_MEMSW, (const char *[]){ "4611686018427387903\n", NULL }, 1, 0,
		     (UINT64_C(1) << 62) - 1);
	expect_limit(1, CG_LIMIT_MEMORY,
		     (const char *[]){ "9223372036854771712\n", NULL, "209715200\n", NULL, TWO_62,
				       NULL },
		     3, 1, 209715200);

	/* What is no limit text at all. */
	expect_invalid(1, CG_LIMIT_MEMORY, (const char *[]){ "-1\n", NULL }, 1);
	expect_invalid(2, CG_LIMIT_MEMORY, (const char *[]){ "-1\n" }, 1);
	expect_invalid(2, CG_LIMIT_MEMORY, (const char *[]){ "max\n", "12abc\n" }, 2);
	expect_invalid(2, CG_LIMIT_PIDS, (const char *[]){ "" }, 1);
	expect_invalid(2, CG_LIMIT_MEMORY, (const char *[]){ "99999999999999999999\n" }, 1);
	expect_invalid(1, CG_LIMIT_MEMORY, (const char *[]){ "max\n", NULL }, 1);

	/* Each version has its own files. */
	assert_int_equal(cg_limits_parse(1, CG_LIMIT_SWAP, NULL, 0, &l), -EOPNOTSUPP);
	assert_int_equal(cg_limits_parse(2, CG_LIMIT_MEMSW, NULL, 0, &l), -EOPNOTSUPP);
	assert_int_equal(cg_limits_parse(1, CG_LIMIT_MEMORY_HIGH, NULL, 0, &l), -EOPNOTSUPP);
	assert_null(l.levels);
	/* Every level is there, with its texts, the missing ones too. */
	parse_ok(2, CG_LIMIT_MEMORY, (const char *[]){ NULL, "209715200\n", NULL }, 3, &l);
	assert_int_equal(l.levels->len, 3);
	assert_null(level_at(&l, 0)->text[0]);
	assert_string_equal(level_at(&l, 1)->text[0], "209715200\n");
	assert_true(level_at(&l, 2)->value == LIMIT_NONE);
}

/* v1 before 5.11: a cgroup whose memory.use_hierarchy is 0 does not charge
 * its children's memory to itself, nor to anything above it. */
static void test_use_hierarchy(void **state)
{
	g_auto(cg_limits) l = { 0 };
	const char *cut[] = { "314572800\n", "1\n", "209715200\n", "0\n", "104857600\n", "1\n" };
	const char *whole[] = { "314572800\n", "0\n", "209715200\n", "1\n", "104857600\n", NULL };

	parse_ok(1, CG_LIMIT_MEMORY, cut, 3, &l);
	assert_int_equal(l.levels->len, 1);
	assert_int_equal(cg_limits_value(&l), 314572800);
	cg_limits_clear(&l);
	/* The cgroup's own flag concerns its children only; a missing one is
	 * 1. */
	parse_ok(1, CG_LIMIT_MEMSW, whole, 3, &l);
	assert_int_equal(l.levels->len, 3);
	assert_int_equal(l.tightest, 2);
	assert_int_equal(cg_limits_value(&l), 104857600);
	expect_invalid(1, CG_LIMIT_MEMORY, (const char *[]){ "1\n", "1\n", "2\n", "2\n" }, 2);
}

static void expect_quota(int version, const char *const *texts, guint levels, int tightest,
			 uint64_t quota, uint64_t period)
{
	g_auto(cg_limits) l = { 0 };
	const struct cg_level *t;

	parse_ok(version, CG_LIMIT_CPU, texts, levels, &l);
	assert_int_equal(l.tightest, tightest);
	t = cg_limits_tightest(&l);
	assert_int_equal(t ? t->quota_us : 0, quota);
	assert_int_equal(t ? t->period_us : 0, period);
}

/* The smallest share of a CPU, in its own terms; -1 and "max" are none; a
 * quota of 0 or below -1, a period of 0, half a pair are malformed. */
static void test_cpu(void **state)
{
	expect_quota(2, (const char *[]){ "max 100000\n", "50000 100000\n", "200000 1000000\n" }, 3,
		     2, 200000, 1000000);
	expect_quota(2, (const char *[]){ "max 100000\n", "max 50000\n", NULL }, 3, -1, 0, 0);
	expect_quota(2, (const char *[]){ "50000 100000\n", "100000 200000\n" }, 2, 0, 50000,
		     100000);
	expect_quota(1,
		     (const char *[]){ "-1\n", "100000\n", "50000\n", "100000\n", "800000\n",
				       "1000000\n" },
		     3, 1, 50000, 100000);
	expect_quota(1, (const char *[]){ "-1\n", "100000\n" }, 1, -1, 0, 0);
	/* A level without the quota file sets nothing. */
	expect_quota(1, (const char *[]){ NULL, "100000\n", "20000\n", "100000\n" }, 2, 1, 20000,
		     100000);

	expect_invalid(2, CG_LIMIT_CPU, (const char *[]){ "0 100000\n" }, 1);
	expect_invalid(2, CG_LIMIT_CPU, (const char *[]){ "50000 0\n" }, 1);
	expect_invalid(2, CG_LIMIT_CPU, (const char *[]){ "50000\n" }, 1);
	expect_invalid(2, CG_LIMIT_CPU, (const char *[]){ "max\n" }, 1);
	expect_invalid(2, CG_LIMIT_CPU, (const char *[]){ "-1 100000\n" }, 1);
	expect_invalid(1, CG_LIMIT_CPU, (const char *[]){ "0\n", "100000\n" }, 1);
	expect_invalid(1, CG_LIMIT_CPU, (const char *[]){ "-2\n", "100000\n" }, 1);
	expect_invalid(1, CG_LIMIT_CPU, (const char *[]){ "5\n", "0\n" }, 1);
	expect_invalid(1, CG_LIMIT_CPU, (const char *[]){ "-1\n", "0\n" }, 1);
	expect_invalid(1, CG_LIMIT_CPU, (const char *[]){ "50000\n", NULL }, 1);
	expect_invalid(1, CG_LIMIT_CPU, (const char *[]){ "max\n", "100000\n" }, 1);
}

static void expect_cpus(int version, const char *const *texts, guint levels, int tightest,
			guint nlevels, const char *want)
{
	g_auto(cg_limits) l = { 0 };
	g_autoptr(GString) s = g_string_new(NULL);
	const struct cg_level *t;

	parse_ok(version, CG_LIMIT_CPUSET, texts, levels, &l);
	assert_int_equal(l.tightest, tightest);
	assert_int_equal(l.levels->len, nlevels);
	t = cg_limits_tightest(&l);
	if (t)
		cpuset_format(t->cpus, s);
	assert_string_equal(s->str, want);
}

/* The nearest non-empty cpuset; nothing above it is read. */
static void test_cpuset(void **state)
{
	/* v1: empty until set, then the parent's applies. */
	expect_cpus(1, (const char *[]){ "\n", "\n", "0-1\n", "0-1\n", "garbage", NULL }, 3, 1, 2,
		    "0-1");
	/* A kernel without effective_cpus: cpuset.cpus. */
	expect_cpus(1, (const char *[]){ NULL, "2-3\n", "0-3\n", "0-3\n" }, 2, 0, 1, "2-3");
	/* The first file a level has decides: an empty effective_cpus is not
	 * filled in from its cpus. */
	expect_cpus(1, (const char *[]){ "\n", "1\n", "0-1\n", NULL }, 2, 1, 2, "0-1");
	/* v2: a cgroup without the controller has no file. */
	expect_cpus(2, (const char *[]){ NULL, "1-3\n", "0-3\n" }, 3, 1, 2, "1-3");
	expect_cpus(2, (const char *[]){ NULL, NULL }, 2, -1, 2, "");
	expect_invalid(2, CG_LIMIT_CPUSET, (const char *[]){ "0-x\n" }, 1);
	expect_invalid(1, CG_LIMIT_CPUSET, (const char *[]){ "\n", NULL, "3-1\n", NULL }, 2);
}

/* Which files the view shows a limit in, per version. */
static void test_files(void **state)
{
	enum cg_limit limit;
	unsigned int file;

	assert_true(cg_limit_of_file(2, "memory.max", &limit, &file));
	assert_int_equal(limit, CG_LIMIT_MEMORY);
	assert_true(cg_limit_of_file(1, "cpu.cfs_period_us", &limit, &file));
	assert_int_equal(limit, CG_LIMIT_CPU);
	assert_int_equal(file, 1);
	assert_true(cg_limit_of_file(1, "memory.memsw.limit_in_bytes", &limit, &file));
	assert_int_equal(limit, CG_LIMIT_MEMSW);
	assert_true(cg_limit_of_file(1, "pids.max", NULL, NULL));
	assert_true(cg_limit_of_file(2, "cpuset.cpus.effective", &limit, &file));
	assert_int_equal(limit, CG_LIMIT_CPUSET);
	assert_true(cg_limit_of_file(1, "cpuset.effective_cpus", NULL, NULL));
	assert_false(cg_limit_of_file(1, "memory.max", NULL, NULL));
	assert_false(cg_limit_of_file(2, "memory.limit_in_bytes", NULL, NULL));
	assert_false(cg_limit_of_file(1, "memory.use_hierarchy", NULL, NULL));
	assert_false(cg_limit_of_file(1, "cpuset.cpus", NULL, NULL));
	assert_false(cg_limit_of_file(2, "cpuset.cpus", NULL, NULL));
	assert_false(cg_limit_of_file(2, "memory.current", NULL, NULL));
	assert_false(cg_limit_of_file(2, "cgroup.procs", NULL, NULL));
}

static int read_plain(const char *path, char **text, void *data)
{
	(void)data;
	return file_read_all(path, text, NULL);
}

/* Refuses one file, as a read beneath the sys root refuses a symlink. */
static int read_refusing(const char *path, char **text, void *refused)
{
	if (g_str_has_suffix(path, refused))
		return -ELOOP;
	return file_read_all(path, text, NULL);
}

/* Reading: from the cgroup up to the hierarchy's root and no further. */
static void test_read(void **state)
{
	g_autofree char *top = fixture_path("v1", "sys/fs/cgroup/memory");
	g_autofree char *ctr = fixture_path("v1", "sys/fs/cgroup/memory/lensfs-fixture/ctr");
	g_autofree char *gone = g_strconcat(ctr, "/gone", NULL);
	g_autofree char *beside = fixture_path("v1", "sys/fs/cgroup/cpu/lensfs-fixture");
	g_auto(cg_limits) l = { 0 };

	assert_int_equal(cg_limits_read(1, CG_LIMIT_MEMORY, ctr, top, read_plain, NULL, &l), 0);
	assert_int_equal(l.levels->len, 3);
	assert_int_equal(l.tightest, 1);
	assert_int_equal(cg_limits_value(&l), 209715200);
	assert_string_equal(level_at(&l, 0)->text[0], "314572800\n");
	assert_string_equal(level_at(&l, 0)->text[1], "1\n");
	cg_limits_clear(&l);
	assert_int_equal(cg_limits_read(1, CG_LIMIT_MEMORY, top, top, read_plain, NULL, &l), 0);
	assert_int_equal(l.levels->len, 1);
	assert_int_equal(l.tightest, -1);
	cg_limits_clear(&l);
	/* A cgroup without the files: nothing set at its level. */
	assert_int_equal(cg_limits_read(1, CG_LIMIT_MEMORY, gone, top, read_plain, NULL, &l), 0);
	assert_int_equal(l.levels->len, 4);
	assert_null(level_at(&l, 0)->text[0]);
	assert_int_equal(cg_limits_value(&l), 209715200);
	cg_limits_clear(&l);
	/* Another error than a missing file is an error. */
	assert_int_equal(cg_limits_read(1, CG_LIMIT_MEMORY, ctr, top, read_refusing,
					"fixture/memory.limit_in_bytes", &l),
			 -ELOOP);
	assert_null(l.levels);
	/* Only below the hierarchy's root. */
	assert_int_equal(cg_limits_read(1, CG_LIMIT_MEMORY, beside, top, read_plain, NULL, &l),
			 -EINVAL);
	assert_int_equal(cg_limits_read(1, CG_LIMIT_MEMORY, top, ctr, read_plain, NULL, &l),
			 -EINVAL);
	assert_null(l.levels);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values), cmocka_unit_test(test_use_hierarchy),
		cmocka_unit_test(test_cpu),    cmocka_unit_test(test_cpuset),
		cmocka_unit_test(test_files),  cmocka_unit_test(test_read),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
