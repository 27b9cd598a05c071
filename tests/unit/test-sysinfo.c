/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sysinfo(2) as a container sees it (sysinfo.h): the kernel's fields and
 * units from the texts of proc/meminfo, proc/uptime and proc/loadavg, on
 * hand-written texts and on the v1 and v2 fixtures' containers, where it
 * must agree with the meminfo lensfs shows them. */
#include "config.h"

#include "fixture.h"
#include "procfs.h"
#include "sysinfo.h"
#include "vtree.h"

#include <errno.h>

#define MEMINFO                                                                                    \
	"MemTotal:         262144 kB\nMemFree:          200000 kB\nMemAvailable:     210000 kB\n"  \
	"Buffers:              12 kB\nShmem:               1024 kB\nSwapTotal:         65536 kB\n" \
	"SwapFree:          65000 kB\n"

static void test_from_texts(void **state)
{
	struct sysinfo si;

	assert_int_equal(
		sysinfo_from_texts(MEMINFO, "12.34 5.00\n", "0.50 1.00 2.25 1/17 999\n", &si), 0);
	assert_int_equal(si.totalram, 262144UL * 1024);
	assert_int_equal(si.freeram, 200000UL * 1024);
	assert_int_equal(si.sharedram, 1024UL * 1024);
	assert_int_equal(si.bufferram, 12UL * 1024);
	assert_int_equal(si.totalswap, 65536UL * 1024);
	assert_int_equal(si.freeswap, 65000UL * 1024);
	assert_int_equal(si.mem_unit, 1);
	assert_int_equal(si.totalhigh, 0);
	assert_int_equal(si.freehigh, 0);
	/* A fraction of a second counts one, as the kernel rounds. */
	assert_int_equal(si.uptime, 13);
	/* SI_LOAD_SHIFT: 1.00 is 65536. */
	assert_int_equal(si.loads[0], 32768);
	assert_int_equal(si.loads[1], 65536);
	assert_int_equal(si.loads[2], 147456);
	assert_int_equal(si.procs, 17);

	assert_int_equal(
		sysinfo_from_texts(MEMINFO, "12.00 5.00\n", "0.00 0.00 0.00 0/70000 1\n", &si), 0);
	assert_int_equal(si.uptime, 12);
	assert_int_equal(si.loads[0], 0);
	/* 16 bits: at most 65535 threads said. */
	assert_int_equal(si.procs, 65535);

	/* What does not parse is an error, never a guess. */
	assert_int_equal(sysinfo_from_texts("MemTotal: 1 kB\n", "1.00 1.00\n",
					    "0.00 0.00 0.00 1/1 1\n", &si),
			 -ENOENT);
	assert_int_equal(sysinfo_from_texts(MEMINFO, "up\n", "0.00 0.00 0.00 1/1 1\n", &si),
			 -EINVAL);
	assert_int_equal(sysinfo_from_texts(MEMINFO, "1.00 1.00\n", "0.00 0.00 0.00 1-1 1\n", &si),
			 -EINVAL);
	assert_int_equal(sysinfo_from_texts(MEMINFO, "1.00 1.00\n", "0.00 0.00\n", &si), -EINVAL);
}

/* The container's sysinfo says what its meminfo says. */
static void check_container(const char *tree, uint64_t total_kb)
{
	g_autoptr(lensfs_ctx) ctx = fixture_ctx(tree);
	g_autoptr(GString) meminfo = g_string_new(NULL);
	struct viewer v;
	struct sysinfo si;
	uint64_t kb = 0;

	assert_int_equal(viewer_of_pid(ctx, (pid_t)fixture_env(tree, "CHILD_PID"), &v), 0);
	assert_int_equal(sysinfo_of_view(ctx, &v, &si), 0);
	assert_int_equal(vnode_render(ctx, vnode_by_path("proc/meminfo"), &v, meminfo), 0);
	assert_int_equal(si.totalram, total_kb * 1024);
	assert_int_equal(meminfo_find_kb(meminfo->str, "MemFree", &kb), 0);
	assert_int_equal(si.freeram, kb * 1024);
	assert_int_equal(meminfo_find_kb(meminfo->str, "SwapTotal", &kb), 0);
	assert_int_equal(si.totalswap, kb * 1024);
	assert_int_equal(si.mem_unit, 1);
	viewer_clear(&v);
}

static void test_v2(void **state)
{
	/* min(memory.max 300M, 200M above): as test-render's meminfo. */
	check_container("v2", 204800);
}

static void test_v1(void **state)
{
	/* min(ctr's 300M, lensfs-fixture's 200M) */
	check_container("v1", 204800);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_from_texts),
		cmocka_unit_test(test_v2),
		cmocka_unit_test(test_v1),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
