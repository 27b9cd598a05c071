/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "fixture.h"

#include "cgroup_files.h"
#include "procfs.h"
#include "util.h"

#include <errno.h>
#include <stddef.h>

/* Socket addresses: the length check once, for every caller. */
static void test_unix_addr(void **state)
{
	struct sockaddr_un sa;
	socklen_t len;
	g_autofree char *max = g_strnfill(sizeof(sa.sun_path) - 1, 'a');
	g_autofree char *over = g_strnfill(sizeof(sa.sun_path), 'a');

	assert_int_equal(unix_addr("/run/x", &sa, &len), 0);
	assert_int_equal(sa.sun_family, AF_UNIX);
	assert_string_equal(sa.sun_path, "/run/x");
	assert_int_equal(len, offsetof(struct sockaddr_un, sun_path) + 7);
	/* The abstract namespace: a NUL first, the length exact. */
	assert_int_equal(unix_addr("@bus", &sa, &len), 0);
	assert_memory_equal(sa.sun_path, "\0bus", 4);
	assert_int_equal(len, offsetof(struct sockaddr_un, sun_path) + 4);
	assert_int_equal(unix_addr(max, &sa, &len), 0);
	assert_int_equal(unix_addr(over, &sa, &len), -ENAMETOOLONG);
	assert_int_equal(unix_addr("", &sa, &len), -ENAMETOOLONG);
}

static void test_fail_why(void **state)
{
	g_autofree char *why = NULL;

	assert_int_equal(fail_why(&why, "%s=%d: bad", "k", 7), -EINVAL);
	assert_string_equal(why, "k=7: bad");
}

static void test_u64(void **state)
{
	uint64_t v;
	int64_t i;

	assert_int_equal(parse_u64("42\n", &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(parse_u64(" 9223372036854771712 \n", &v), 0);
	assert_int_equal(v, UINT64_C(9223372036854771712));
	assert_int_equal(parse_u64("18446744073709551616", &v), -ERANGE);
	assert_int_equal(parse_u64("-1", &v), -EINVAL);
	assert_int_equal(parse_u64("", &v), -EINVAL);
	assert_int_equal(parse_u64("12abc", &v), -EINVAL);
	assert_int_equal(parse_u64("12\n13\n", &v), -EINVAL);
	assert_int_equal(parse_i64("-1\n", &i), 0);
	assert_int_equal(i, -1);
	assert_int_equal(parse_i64("--1", &i), -EINVAL);
}

static void test_max(void **state)
{
	uint64_t v, q, p;

	assert_int_equal(parse_max_u64("max\n", &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(parse_max_u64("268435456\n", &v), 0);
	assert_int_equal(v, 268435456);
	assert_int_equal(parse_max_u64("maximum", &v), -EINVAL);
	assert_int_equal(cpu_max_parse("max 100000\n", &q, &p), 0);
	assert_int_equal(q, 0);
	assert_int_equal(p, 100000);
	assert_int_equal(cpu_max_parse("50000 100000\n", &q, &p), 0);
	assert_int_equal(q, 50000);
	assert_int_equal(cpu_max_parse("50000 0\n", &q, &p), -EINVAL);
	assert_int_equal(cpu_max_parse("50000\n", &q, &p), -EINVAL);
	assert_int_equal(cpu_max_parse("0 100000\n", &q, &p), -EINVAL);
	assert_int_equal(cpu_max_parse("x 100000\n", &q, &p), -EINVAL);
}

/* Real memory.stat: every key lensfs reads in that version is found with the
 * value the file holds; keys of the other version are not. absent lists the
 * keys a given kernel may lack. */
static void check_memory_stat(const char *tree, const char *rel, int version,
			      const enum memstat_key *absent, size_t nabsent)
{
	g_autofree char *text = fixture_text(tree, rel);
	struct memory_stat st;

	assert_int_equal(memory_stat_parse(text, version, &st), 0);
	for (int k = 0; k < MS__COUNT; k++) {
		const char *name = memory_stat_key_name((enum memstat_key)k, version);
		bool may_lack = false;
		uint64_t v;

		for (size_t a = 0; a < nabsent; a++)
			may_lack = may_lack || absent[a] == (enum memstat_key)k;
		if (!name) {
			assert_false(memory_stat_has(&st, (enum memstat_key)k));
		} else if (kv_find_u64(text, name, &v) == 0) {
			assert_true(memory_stat_has(&st, (enum memstat_key)k));
			assert_int_equal(st.v[k], v);
		} else if (!may_lack) {
			fail_msg("%s: no %s", rel, name);
		}
	}
}

static void test_memory_stat_v1(void **state)
{
	g_autofree char *text =
		fixture_text("v1", "sys/fs/cgroup/memory/lensfs-fixture/ctr/memory.stat");
	struct memory_stat st;

	check_memory_stat("v1", "sys/fs/cgroup/memory/lensfs-fixture/ctr/memory.stat", 1, NULL, 0);
	/* The kernel's own minimum over the ancestors, and malformed input. */
	assert_int_equal(memory_stat_parse(text, 1, &st), 0);
	assert_int_equal(st.v[MS_HIER_MEMORY_LIMIT], 200u << 20);
	assert_int_equal(st.v[MS_HIER_MEMSW_LIMIT], 400u << 20);
	assert_int_equal(memory_stat_parse("anon lots\n", 2, &st), -EINVAL);
	assert_int_equal(memory_stat_parse("anon 1\n", 3, &st), -EINVAL);
}

/* Debian's 6.1 has no sec_pagetables yet, and zswap only when it is on. */
static void test_memory_stat_v2_real(void **state)
{
	static const enum memstat_key newer[] = { MS_SEC_PAGETABLES, MS_ZSWAP, MS_ZSWAPPED };

	check_memory_stat("v2-real", "sys/fs/cgroup/lensfs-fixture/ctr/memory.stat", 2, newer,
			  G_N_ELEMENTS(newer));
}

static void test_memory_stat_v2(void **state)
{
	g_autofree char *text = fixture_text("v2", "sys/fs/cgroup/lensfs.slice/ctr/memory.stat");
	struct memory_stat st;

	assert_int_equal(memory_stat_parse(text, 2, &st), 0);
	assert_int_equal(st.v[MS_ANON], 20971520);
	assert_int_equal(st.v[MS_FILE_DIRTY], 409600);
	assert_int_equal(st.v[MS_ANON_THP], 4194304);
	assert_int_equal(st.v[MS_SLAB_RECLAIMABLE], 1572864);
	assert_false(memory_stat_has(&st, MS_HIER_MEMORY_LIMIT));
	/* The v1 names mean nothing on v2 and vice versa. */
	assert_int_equal(memory_stat_parse("total_rss 5\nanon 7\n", 2, &st), 0);
	assert_int_equal(st.v[MS_ANON], 7);
	assert_int_equal(memory_stat_parse("total_rss 5\nanon 7\n", 1, &st), 0);
	assert_int_equal(st.v[MS_ANON], 5);
	assert_int_equal(memory_stat_parse("anon lots\n", 2, &st), -EINVAL);
	assert_int_equal(memory_stat_parse("anon 1\n", 3, &st), -EINVAL);
}

static void test_kv_and_meminfo(void **state)
{
	g_autofree char *meminfo = fixture_text("v1", "proc/meminfo");
	uint64_t v;

	assert_int_equal(kv_find_u64("usage_usec 12\nuser_usec 7\n", "user_usec", &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(kv_find_u64("usage_usec 12\n", "user", &v), -ENOENT);
	assert_int_equal(kv_find_u64("usage_usec x\n", "usage_usec", &v), -EINVAL);
	assert_int_equal(meminfo_find_kb(meminfo, "MemTotal", &v), 0);
	assert_true(v > 0);
	assert_int_equal(meminfo_find_kb("Active(anon):  12 kB\n", "Active(anon)", &v), 0);
	assert_int_equal(v, 12);
	assert_int_equal(meminfo_find_kb("MemTotalX: 5 kB\n", "MemTotal", &v), -ENOENT);
}

static void test_uptime(void **state)
{
	uint64_t up, idle;

	assert_int_equal(uptime_parse("673.15 1233.18\n", &up, &idle), 0);
	assert_int_equal(up, 67315);
	assert_int_equal(idle, 123318);
	assert_int_equal(uptime_parse("5 0.1", &up, &idle), 0);
	assert_int_equal(up, 500);
	assert_int_equal(idle, 10);
	assert_int_equal(uptime_parse("1.234 2.00\n", &up, &idle), 0);
	assert_int_equal(up, 123);
	assert_int_equal(uptime_parse("1.00 x\n", &up, &idle), -EINVAL);
	assert_int_equal(uptime_parse("673.15\n", &up, &idle), -EINVAL);
	assert_int_equal(uptime_parse("", &up, &idle), -EINVAL);
}

static void test_proc_pid_files(void **state)
{
	g_autofree char *stat = fixture_text("v2", "proc/4242/stat");
	g_autofree char *status = fixture_text("v2", "proc/4242/status");
	struct proc_status st;
	uint64_t ticks;

	/* The command name is "sh) (x": fields count from the last ')'. */
	assert_int_equal(proc_stat_starttime(stat, &ticks), 0);
	assert_int_equal(ticks, 90000);
	assert_int_equal(proc_stat_starttime("12 (x) S 1 2", &ticks), -EINVAL);
	assert_int_equal(proc_stat_starttime("no paren", &ticks), -EINVAL);
	assert_int_equal(proc_status_parse(status, &st), 0);
	assert_int_equal(st.ppid, 4200);
	assert_int_equal(st.nspid_inner, 1);
	assert_int_equal(st.nspid_depth, 2);
	assert_int_equal(proc_status_parse("Name:\tx\n", &st), -EINVAL);
}

/* Real /proc/PID files from the v1 machine: init is pid 1 in its namespace. */
static void test_real_v1_pid(void **state)
{
	long init = fixture_env("v1", "INIT_PID");
	long child = fixture_env("v1", "CHILD_PID");
	g_autofree char *rel = g_strdup_printf("proc/%ld/status", init);
	g_autofree char *crel = g_strdup_printf("proc/%ld/status", child);
	g_autofree char *srel = g_strdup_printf("proc/%ld/stat", init);
	g_autofree char *status = fixture_text("v1", rel);
	g_autofree char *cstatus = fixture_text("v1", crel);
	g_autofree char *stat = fixture_text("v1", srel);
	struct proc_status st;
	uint64_t ticks;

	assert_int_equal(proc_status_parse(status, &st), 0);
	assert_int_equal(st.nspid_inner, 1);
	assert_int_equal(proc_status_parse(cstatus, &st), 0);
	assert_int_equal(st.ppid, init);
	assert_int_equal(st.nspid_inner, 2);
	assert_int_equal(proc_stat_starttime(stat, &ticks), 0);
	assert_true(ticks > 0);
}

/* io.stat as v2 writes it (block/blk-cgroup.c, blkcg_print_one_stat),
 * with keys it may add later; v1's throttle files (block/blk-throttle.c). */
/* Each parsed device, every field, in order. */
static void assert_devs(const GArray *got, const struct io_dev *want, guint n)
{
	assert_int_equal(got->len, n);
	for (guint i = 0; i < n; i++)
		assert_memory_equal(&g_array_index(got, struct io_dev, i), &want[i],
				    sizeof(struct io_dev));
}

static void test_io_stat(void **state)
{
	g_autoptr(GArray) v2 = g_array_new(FALSE, TRUE, sizeof(struct io_dev));
	g_autoptr(GArray) v1 = g_array_new(FALSE, TRUE, sizeof(struct io_dev));
	g_autoptr(GArray) bad = g_array_new(FALSE, TRUE, sizeof(struct io_dev));
	const struct io_dev v2_want[] = {
		{ .major = 253, .rbytes = 32768, .dbytes = 512, .rios = 8, .dios = 1 },
		{ .major = 254, .minor = 16, .rbytes = 4096, .wbytes = 8192, .rios = 1, .wios = 2 },
	};
	const struct io_dev v1_want[] = {
		{ .major = 8, .rbytes = 49152, .wbytes = 12288, .rios = 12, .wios = 3, .dios = 2 },
	};

	assert_int_equal(
		io_stat_parse("253:0 rbytes=32768 wbytes=0 rios=8 wios=0 dbytes=512 dios=1\n"
			      "254:16 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0 "
			      "cost.wait=7\n",
			      v2),
		0);
	assert_devs(v2, v2_want, G_N_ELEMENTS(v2_want));
	/* Nothing to add: the devices stay as they were. */
	assert_int_equal(io_stat_parse("", v2), 0);
	assert_devs(v2, v2_want, G_N_ELEMENTS(v2_want));
	assert_int_equal(io_stat_parse("8:0 rbytes=x\n", bad), -EINVAL);
	assert_int_equal(io_stat_parse("sda rbytes=1\n", bad), -EINVAL);

	/* io_serviced, then io_service_bytes, into the same devices. */
	assert_int_equal(blkio_throttle_parse("8:0 Read 12\n8:0 Write 3\n8:0 Sync 15\n8:0 Async 0\n"
					      "8:0 Discard 2\n8:0 Total 17\nTotal 17\n",
					      false, v1),
			 0);
	assert_int_equal(blkio_throttle_parse("8:0 Read 49152\n8:0 Write 12288\n8:0 Discard 0\n"
					      "Total 61440\n",
					      true, v1),
			 0);
	assert_devs(v1, v1_want, G_N_ELEMENTS(v1_want));
	assert_int_equal(blkio_throttle_parse("Total 0\n", false, v1), 0);
	assert_devs(v1, v1_want, G_N_ELEMENTS(v1_want));
	assert_int_equal(blkio_throttle_parse("8:0 Read\n", false, bad), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_u64),
		cmocka_unit_test(test_unix_addr),
		cmocka_unit_test(test_fail_why),
		cmocka_unit_test(test_max),
		cmocka_unit_test(test_memory_stat_v1),
		cmocka_unit_test(test_memory_stat_v2),
		cmocka_unit_test(test_memory_stat_v2_real),
		cmocka_unit_test(test_kv_and_meminfo),
		cmocka_unit_test(test_uptime),
		cmocka_unit_test(test_proc_pid_files),
		cmocka_unit_test(test_real_v1_pid),
		cmocka_unit_test(test_io_stat),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
