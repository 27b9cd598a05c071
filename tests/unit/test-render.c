/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "fixture.h"

#include "loadavg.h"
#include "render.h"

#include <inttypes.h>

static struct memory_facts v2_facts(void)
{
	g_autofree char *mi = fixture_text("v2", "proc/self/mountinfo");
	g_autofree char *sys = fixture_path("v2", "sys");
	g_autoptr(cgroup_layout) l = NULL;
	struct memory_facts f;

	assert_int_equal(cgroup_layout_parse(mi, sys, &l), 0);
	assert_int_equal(cgroup_memory_facts(l, "/lensfs.slice/ctr", &f), 0);
	return f;
}

/* Every computed line of the v2 fixture, worked out by hand from its
 * memory.stat (bytes / 1024). */
static void test_meminfo_v2(void **state)
{
	static const struct {
		const char *key;
		uint64_t kb;
	} want[] = {
		{ "MemTotal", 204800 }, /* min(300M, 200M above) */
		{ "MemFree", 153600 }, /* 204800 - 51200 */
		{ "MemAvailable", 178688 }, /* 153600 + 8192 + 15360 + 1536 */
		{ "Buffers", 0 },	    { "Cached", 22528 }, /* file 24576 - swapcached 2048 */
		{ "SwapCached", 2048 },	    { "Active", 13312 }, /* 5120 + 8192 */
		{ "Inactive", 31744 }, /* 16384 + 15360 */
		{ "Active(anon)", 5120 },   { "Inactive(anon)", 16384 },
		{ "Active(file)", 8192 },   { "Inactive(file)", 15360 },
		{ "Unevictable", 1024 },    { "Mlocked", 0 },
		{ "SwapTotal", 102400 }, /* memory.swap.max of ctr */
		{ "SwapFree", 98304 }, /* 102400 - 4096 */
		{ "Dirty", 400 },	    { "Writeback", 40 },
		{ "AnonPages", 20480 },	    { "Mapped", 8192 },
		{ "Shmem", 1024 },	    { "KReclaimable", 1536 },
		{ "Slab", 2176 },	    { "SReclaimable", 1536 },
		{ "SUnreclaim", 640 },	    { "KernelStack", 320 },
		{ "PageTables", 512 },	    { "Percpu", 78 },
		{ "AnonHugePages", 4096 },  { "ShmemHugePages", 0 },
	};
	g_autofree char *host = fixture_text("v2", "proc/meminfo");
	g_autoptr(GString) out = g_string_new(NULL);
	struct memory_facts f = v2_facts();
	g_auto(GStrv) in_lines = g_strsplit(host, "\n", -1);
	g_auto(GStrv) out_lines = NULL;

	assert_int_equal(meminfo_render(host, &f, out), 0);
	for (size_t i = 0; i < G_N_ELEMENTS(want); i++) {
		uint64_t got = meminfo_kb(out->str, want[i].key);

		if (got != want[i].kb)
			fail_msg("%s: %" PRIu64 " kB, want %" PRIu64, want[i].key, got, want[i].kb);
	}
	/* The kernel's layout: name padded to 16 columns, value in 8. */
	assert_non_null(strstr(out->str, "MemTotal:         204800 kB\n"));
	assert_non_null(strstr(out->str, "Percpu:               78 kB\n"));
	/* Same lines in the same order; machine-wide lines untouched. */
	out_lines = g_strsplit(out->str, "\n", -1);
	assert_int_equal(g_strv_length(in_lines), g_strv_length(out_lines));
	for (guint i = 0; in_lines[i]; i++) {
		assert_int_equal(strcspn(in_lines[i], ":"), strcspn(out_lines[i], ":"));
		if (g_str_has_prefix(in_lines[i], "VmallocTotal") ||
		    g_str_has_prefix(in_lines[i], "CommitLimit") ||
		    g_str_has_prefix(in_lines[i], "HugePages_Total") ||
		    g_str_has_prefix(in_lines[i], "DirectMap"))
			assert_string_equal(in_lines[i], out_lines[i]);
	}
}

/* Counters that disagree with the limits never wrap around. */
static void test_meminfo_no_underflow(void **state)
{
	g_autofree char *host = fixture_text("v2", "proc/meminfo");
	g_autoptr(GString) out = g_string_new(NULL);
	struct memory_facts f = v2_facts();

	f.usage = f.limit + 4096; /* charged above the limit */
	f.swap_usage = f.swap_limit * 2; /* swap used above the swap limit */
	f.stat.v[MS_SWAPCACHED] = f.stat.v[MS_FILE] + (UINT64_C(1) << 30);
	f.stat.v[MS_ACTIVE_FILE] = UINT64_MAX / 2; /* absurd */
	assert_int_equal(meminfo_render(host, &f, out), 0);
	assert_int_equal(meminfo_kb(out->str, "MemFree"), 0);
	assert_int_equal(meminfo_kb(out->str, "SwapFree"), 0);
	assert_int_equal(meminfo_kb(out->str, "Cached"), 0);
	assert_int_equal(meminfo_kb(out->str, "MemAvailable"), 204800); /* capped at MemTotal */
	assert_int_equal(meminfo_kb(out->str, "SwapCached"), 102400); /* capped at SwapTotal */
}

static void test_meminfo_limits(void **state)
{
	g_autofree char *host = fixture_text("v2", "proc/meminfo");
	g_autoptr(GString) out = g_string_new(NULL);
	struct memory_facts f = v2_facts();

	/* A limit above the host's memory shows the host's MemTotal. */
	f.limit = UINT64_C(1) << 50;
	f.swap_limit = LIMIT_NONE;
	assert_int_equal(meminfo_render(host, &f, out), 0);
	assert_int_equal(meminfo_kb(out->str, "MemTotal"), 8141924);
	assert_int_equal(meminfo_kb(out->str, "SwapTotal"), 2097148); /* host swap */
	assert_int_equal(meminfo_kb(out->str, "SwapFree"), 2097148 - 4096);

	/* Swap limited to 0: no swap. */
	g_string_truncate(out, 0);
	f = v2_facts();
	f.swap_limit = 0;
	assert_int_equal(meminfo_render(host, &f, out), 0);
	assert_int_equal(meminfo_kb(out->str, "SwapTotal"), 0);
	assert_int_equal(meminfo_kb(out->str, "SwapFree"), 0);

	/* No limit at all: the host's file, byte for byte. */
	g_string_truncate(out, 0);
	f.limited = false;
	assert_int_equal(meminfo_render(host, &f, out), 0);
	assert_string_equal(out->str, host);

	/* A host file without MemTotal is an error, not a guess. */
	f.limited = true;
	assert_int_equal(meminfo_render("SwapTotal: 0 kB\n", &f, out), -EINVAL);
}

static void test_cpuinfo(void **state)
{
	g_autofree char *host = fixture_text("v2", "proc/cpuinfo");
	g_autoptr(GString) out = g_string_new(NULL);
	g_autoptr(cpuset) visible = NULL;
	g_auto(GStrv) blocks = NULL;

	assert_int_equal(cpuset_parse("1-2", &visible), 0);
	assert_int_equal(cpuinfo_render(host, visible, out), 0);
	blocks = g_strsplit(out->str, "\n\n", -1);
	assert_int_equal(g_strv_length(blocks), 3); /* two blocks and the tail */
	assert_true(g_str_has_prefix(blocks[0], "processor\t: 0\n"));
	assert_non_null(strstr(blocks[0], "core id\t\t: 1\n")); /* host CPU 1 */
	assert_true(g_str_has_prefix(blocks[1], "processor\t: 1\n"));
	assert_non_null(strstr(blocks[1], "core id\t\t: 2\n"));
	assert_string_equal(blocks[2], "");

	/* Blocks without a processor line are kept (arm's trailer). */
	g_string_truncate(out, 0);
	assert_int_equal(
		cpuinfo_render("processor\t: 0\nBogoMIPS\t: 1\n\nprocessor\t: 1\nBogoMIPS\t: 1\n\n"
			       "processor\t: 2\nBogoMIPS\t: 1\n\nHardware\t: X\n",
			       visible, out),
		0);
	assert_string_equal(out->str,
			    "processor\t: 0\nBogoMIPS\t: 1\n\nprocessor\t: 1\nBogoMIPS\t: 1\n\n"
			    "Hardware\t: X\n");

	/* No visible CPU in the file: an error. */
	g_clear_pointer(&visible, cpuset_free);
	assert_int_equal(cpuset_parse("9", &visible), 0);
	assert_int_equal(cpuinfo_render(host, visible, out), -ENOENT);
}

static void test_uptime(void **state)
{
	struct uptime_input in = {
		.host_uptime_cs = 100000,
		.start_ticks = 90000,
		.ticks_per_sec = 100,
		.ncpus = 2,
		.cpu_usage_us = 2500000,
	};
	g_autoptr(GString) out = g_string_new(NULL);

	assert_int_equal(uptime_render(&in, out), 0);
	assert_string_equal(out->str, "100.00 197.50\n");

	/* Busier than the CPUs allow (usage from before the init): idle 0. */
	g_string_truncate(out, 0);
	in.cpu_usage_us = 500000000;
	assert_int_equal(uptime_render(&in, out), 0);
	assert_string_equal(out->str, "100.00 0.00\n");

	/* A start after "now" (clock skew between two reads): 0, not a wrap. */
	g_string_truncate(out, 0);
	in.start_ticks = 100001;
	assert_int_equal(uptime_render(&in, out), 0);
	assert_string_equal(out->str, "0.00 0.00\n");

	in.ticks_per_sec = 0;
	assert_int_equal(uptime_render(&in, out), -EINVAL);
}

static void test_cpu_online_and_visible(void **state)
{
	g_autoptr(GString) out = g_string_new(NULL);
	g_autoptr(cpuset) online = NULL;
	struct cpu_facts f = { 0 };
	struct cpuset *v;

	assert_int_equal(cpu_online_render(1, out), 0);
	assert_string_equal(out->str, "0\n");
	g_string_truncate(out, 0);
	assert_int_equal(cpu_online_render(4, out), 0);
	assert_string_equal(out->str, "0-3\n");
	assert_int_equal(cpu_online_render(0, out), -EINVAL);

	assert_int_equal(cpuset_parse("0-3", &online), 0);
	assert_int_equal(cpuset_parse("1-3", &f.cpus), 0);
	f.quota_us = 150000;
	f.period_us = 100000;
	g_string_truncate(out, 0);
	v = cpu_online_visible(online, &f, true);
	cpuset_format(v, out);
	assert_string_equal(out->str, "1-2"); /* ceil(1.5) = 2 of the cpuset, lowest first */
	cpuset_free(v);
	v = cpu_online_visible(online, &f, false);
	assert_int_equal(cpuset_count(v), 3);
	cpuset_free(v);
	f.quota_us = 1000; /* 1% of a CPU: still one CPU */
	v = cpu_online_visible(online, &f, true);
	assert_int_equal(cpuset_count(v), 1);
	cpuset_free(v);
	f.quota_us = 100000000; /* 1000 CPUs' worth: the cpuset decides */
	v = cpu_online_visible(online, &f, true);
	assert_int_equal(cpuset_count(v), 3);
	cpuset_free(v);
	cpu_facts_clear(&f);
	assert_int_equal(cpuset_parse("6-7", &f.cpus), 0); /* offline only */
	v = cpu_online_visible(online, &f, true);
	assert_int_equal(cpuset_count(v), 4);
	cpuset_free(v);
	cpu_facts_clear(&f);
}

/* The layout of mm/swapfile.c swap_show, checked against a real host line:
 * "/dev/vda3" padded to 40 columns, then "partition\t2097148\t\t0\t\t-2". */
static void test_swaps(void **state)
{
	g_autoptr(GString) none = g_string_new(NULL);
	g_autoptr(GString) some = g_string_new(NULL);
	g_autoptr(GString) big = g_string_new(NULL);
	const char *header = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n";
	g_autofree char *line = NULL;

	assert_int_equal(swaps_render(0, 0, none), 0);
	assert_string_equal(none->str, header);
	assert_int_equal(swaps_render(131072, 2048, some), 0);
	line = g_strdup_printf("%snone%36svirtual\t\t131072\t\t2048\t\t0\n", header, "");
	assert_string_equal(some->str, line);
	/* Eight digits and more take one tab; used never exceeds the size. */
	assert_int_equal(swaps_render(12345678, 99999999, big), 0);
	assert_true(g_str_has_suffix(big->str, "virtual\t\t12345678\t12345678\t0\n"));
}

static void test_stat_compute(void **state)
{
	/* 2 visible CPUs under a quota of 1.5: 150 s of capacity in 100 s. */
	struct stat_usage u = { .user_us = 2000000,
				.system_us = 500000,
				.uptime_cs = 10000,
				.capacity_milli = 1500,
				.ticks_per_sec = 100 };
	struct stat_cpu cpu[3];
	uint64_t last_user = 0, last_idle_sum = 0;

	assert_int_equal(stat_compute(&u, 2, cpu), 0);
	assert_int_equal(cpu[0].user, 100);
	assert_int_equal(cpu[0].system, 25);
	assert_int_equal(cpu[0].idle, 7500 - 125);
	assert_int_equal(cpu[1].idle, 7500 - 125);
	/* Odd totals: the first CPUs take the remainder, nothing is lost. */
	u.user_us = 10000; /* 1 tick */
	u.system_us = 20000; /* 2 ticks */
	u.uptime_cs = 101;
	u.capacity_milli = 3000;
	assert_int_equal(stat_compute(&u, 3, cpu), 0);
	assert_int_equal(cpu[0].user + cpu[1].user + cpu[2].user, 1);
	assert_int_equal(cpu[0].system + cpu[1].system + cpu[2].system, 2);
	assert_int_equal(cpu[0].user + cpu[0].system + cpu[0].idle, 101);
	assert_int_equal(cpu[2].user + cpu[2].system + cpu[2].idle, 101);
	/* A container using its whole quota: no idle time at all. */
	u = (struct stat_usage){ .user_us = 1000000,
				 .system_us = 0,
				 .uptime_cs = 200,
				 .capacity_milli = 500,
				 .ticks_per_sec = 100 };
	assert_int_equal(stat_compute(&u, 1, cpu), 0);
	assert_int_equal(cpu[0].user, 100);
	assert_int_equal(cpu[0].idle, 0);
	/* More usage than capacity (a burst): idle stops at 0. */
	u.user_us = 5000000;
	assert_int_equal(stat_compute(&u, 1, cpu), 0);
	assert_int_equal(cpu[0].idle, 0);
	/* Growing usage and uptime never make a user share shrink. */
	for (uint64_t t = 0; t < 2000; t += 7) {
		u = (struct stat_usage){ .user_us = t * 3333,
					 .uptime_cs = t,
					 .capacity_milli = 2000,
					 .ticks_per_sec = 100 };
		assert_int_equal(stat_compute(&u, 3, cpu), 0);
		assert_true(cpu[2].user >= last_user);
		assert_true(cpu[0].idle + cpu[1].idle + cpu[2].idle + 3 >= last_idle_sum);
		last_user = cpu[2].user;
		last_idle_sum = cpu[0].idle + cpu[1].idle + cpu[2].idle;
	}
	assert_int_equal(stat_compute(&u, 0, cpu), -EINVAL);
	u.capacity_milli = 0;
	assert_int_equal(stat_compute(&u, 1, cpu), -EINVAL);
}

static void test_stat_render(void **state)
{
	g_autofree char *host = fixture_text("v1", "proc/stat");
	const struct stat_cpu cpu[2] = { { 10, 2, 100 }, { 11, 3, 90 } };
	const struct stat_input in = { 2, cpu, 4, 1 };
	g_autoptr(GString) out = g_string_new(NULL);
	g_autoptr(GString) bad = g_string_new(NULL);
	g_auto(GStrv) lines = NULL;
	g_auto(GStrv) host_lines = g_strsplit(host, "\n", -1);
	guint n = 0;

	assert_int_equal(stat_render(host, &in, out), 0);
	lines = g_strsplit(out->str, "\n", -1);
	assert_string_equal(lines[0], "cpu  21 0 5 190 0 0 0 0 0 0");
	assert_string_equal(lines[1], "cpu0 10 0 2 100 0 0 0 0 0 0");
	assert_string_equal(lines[2], "cpu1 11 0 3 90 0 0 0 0 0 0");
	assert_false(g_str_has_prefix(lines[3], "cpu"));
	/* Every other host line in its place, the two task counts replaced. */
	for (char **h = host_lines; *h; h++) {
		if (g_str_has_prefix(*h, "cpu") || !**h)
			continue;
		if (g_str_has_prefix(*h, "procs_running"))
			assert_string_equal(lines[3 + n], "procs_running 4");
		else if (g_str_has_prefix(*h, "procs_blocked"))
			assert_string_equal(lines[3 + n], "procs_blocked 1");
		else
			assert_string_equal(lines[3 + n], *h);
		n++;
	}
	assert_int_equal(g_strv_length(lines), 3 + n + 1);
	assert_true(g_str_has_suffix(out->str, "\n"));
	assert_int_equal(stat_render("cpu  1 2 3\nintr 5\n", &in, bad), -EINVAL);
}

/* kernel/sched/loadavg.c from a boot: one running task for one period
 * gives 0.08 over a minute (164/2048), a quiet machine decays to 0. */
static void test_loadavg_step(void **state)
{
	uint64_t avg[3] = { 0, 0, 0 };
	g_autoptr(GString) out = g_string_new(NULL);

	loadavg_step(avg, 1);
	assert_int_equal(avg[0], 164);
	assert_int_equal(avg[1], 34);
	assert_int_equal(avg[2], 11);
	assert_int_equal(loadavg_render(avg, 1, 3, 42, out), 0);
	assert_string_equal(out->str, "0.08 0.02 0.01 1/3 42\n");
	/* Twelve periods (a minute) of two tasks: 1 - 1/e of the way to 2. */
	for (int i = 1; i < 12; i++)
		loadavg_step(avg, 2);
	assert_in_range(avg[0] * 100 / LOADAVG_FIXED_1, 122, 128);
	assert_true(avg[1] < avg[0] && avg[2] < avg[1]);
	/* Long idle: back to exactly 0, never below. */
	for (int i = 0; i < 2000; i++)
		loadavg_step(avg, 0);
	assert_int_equal(avg[0] + avg[1] + avg[2], 0);
	/* Long busy: settles at the count. */
	for (int i = 0; i < 2000; i++)
		loadavg_step(avg, 3);
	g_string_truncate(out, 0);
	loadavg_render(avg, 3, 9, 1, out);
	assert_string_equal(out->str, "3.00 3.00 3.00 3/9 1\n");
}

static unsigned int two_active(struct lensfs_ctx *ctx, const struct cgroup_membership *m)
{
	return 2;
}

/* The sampling thread: a container is followed from its first read, its
 * averages move every period, and nothing is followed before. */
static void test_loadavg_tracker(void **state)
{
	struct loadavg_tracker *t = loadavg_tracker_new(NULL, 10, two_active);
	struct cgroup_membership m = { { NULL } };
	uint64_t avg[3];

	m.path[CG_CPUACCT] = g_strdup("/ctr");
	g_usleep(50000);
	assert_int_equal(loadavg_followed(t), 0);
	loadavg_get(t, &m, avg);
	assert_int_equal(avg[0], 0);
	assert_int_equal(loadavg_followed(t), 1);
	for (int i = 0; i < 200 && avg[0] < LOADAVG_FIXED_1; i++) {
		g_usleep(10000);
		loadavg_get(t, &m, avg);
	}
	assert_true(avg[0] >= LOADAVG_FIXED_1); /* on its way to 2 */
	assert_true(avg[0] <= 2 * LOADAVG_FIXED_1);
	loadavg_tracker_free(t);
	cgroup_membership_clear(&m);
}

/* The real /proc/diskstats of this machine (v1 fixture): only the devices
 * with I/O, with the cgroup's counts, as many fields as the host prints. */
static void test_diskstats(void **state)
{
	g_autofree char *host = fixture_text("v1", "proc/diskstats");
	g_autoptr(GArray) devs = g_array_new(FALSE, TRUE, sizeof(struct io_dev));
	g_autoptr(GString) out = g_string_new(NULL);
	g_autoptr(GString) none = g_string_new(NULL);
	const struct io_dev vda = { 254, 0, 40960, 8192, 1024, 10, 2, 1 };
	const struct io_dev loop1 = { 7, 1, 0, 0, 0, 0, 0, 0 }; /* touched, no I/O */
	const struct io_dev gone = { 9, 9, 512, 0, 0, 1, 0, 0 }; /* not on the host */

	g_array_append_val(devs, loop1);
	g_array_append_val(devs, vda);
	g_array_append_val(devs, gone);
	assert_int_equal(diskstats_render(host, devs, out), 0);
	assert_string_equal(out->str, " 254       0 vda 10 0 80 0 2 0 16 0 0 0 0 1 0 2 0 0 0\n");
	g_array_set_size(devs, 0);
	assert_int_equal(diskstats_render(host, devs, none), 0);
	assert_string_equal(none->str, "");
	assert_int_equal(diskstats_render("not a diskstats line\n", devs, none), -EINVAL);
}

/* The value of line name in a "name value" text (vmstat, memory.stat). */
static uint64_t kv(const char *text, const char *name)
{
	uint64_t v = 0;

	assert_int_equal(kv_find_u64(text, name, &v), 0);
	return v;
}

static unsigned int count_lines(const char *text)
{
	unsigned int n = 0;

	for (const char *c = text; *c; c++)
		n += *c == '\n';
	return n;
}

/* The vmstat line names of text, in order, one per line. */
static char *vmstat_names(const char *text)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	GString *names = g_string_new(NULL);

	for (char **l = lines; *l && **l; l++)
		g_string_append_printf(names, "%.*s\n", (int)strcspn(*l, " "), *l);
	return g_string_free(names, FALSE);
}

/* v2 (Linux 6.1, tests/fixtures/v2-real): page counts from memory.stat's
 * sizes, events from memory.stat by their own names, pgpgin/pgpgout from
 * the I/O, the rest the host's, every host line once and in its order. */
static void test_vmstat_v2(void **state)
{
	g_autofree char *host = fixture_text("v2-real", "proc/vmstat");
	g_autofree char *ms =
		fixture_text("v2-real", "sys/fs/cgroup/lensfs-fixture/ctr/memory.stat");
	g_autoptr(GString) out = g_string_new(NULL);
	g_autofree char *host_names = vmstat_names(host), *names = NULL;
	struct vmstat_input in = { .version = 2,
				   .memory_stat = ms,
				   .free_kb = 1000,
				   .io = true,
				   .read_bytes = 5 << 20,
				   .write_bytes = 3 << 10,
				   .page_size = 4096,
				   .hpage_size = 2 << 20 };

	(void)state;
	assert_int_equal(vmstat_render(host, &in, out), 0);
	names = vmstat_names(out->str);
	assert_string_equal(names, host_names);
	assert_int_equal(count_lines(out->str), count_lines(host));
	assert_int_equal(kv(out->str, "nr_free_pages"), 250);
	assert_int_equal(kv(out->str, "nr_inactive_anon"), kv(ms, "inactive_anon") / 4096);
	assert_int_equal(kv(out->str, "nr_zone_inactive_anon"), kv(ms, "inactive_anon") / 4096);
	assert_int_equal(kv(out->str, "nr_active_file"), kv(ms, "active_file") / 4096);
	assert_int_equal(kv(out->str, "nr_anon_pages"), kv(ms, "anon") / 4096);
	assert_int_equal(kv(out->str, "nr_file_pages"), kv(ms, "file") / 4096);
	assert_int_equal(kv(out->str, "nr_mapped"), kv(ms, "file_mapped") / 4096);
	assert_int_equal(kv(out->str, "nr_slab_unreclaimable"),
			 kv(ms, "slab_unreclaimable") / 4096);
	assert_int_equal(kv(out->str, "nr_kernel_stack"), kv(ms, "kernel_stack") / 1024);
	assert_int_equal(kv(out->str, "nr_page_table_pages"), kv(ms, "pagetables") / 4096);
	assert_int_equal(kv(out->str, "nr_zone_write_pending"),
			 (kv(ms, "file_dirty") + kv(ms, "file_writeback")) / 4096);
	assert_int_equal(kv(out->str, "pgfault"), kv(ms, "pgfault"));
	assert_int_equal(kv(out->str, "pgmajfault"), kv(ms, "pgmajfault"));
	assert_int_equal(kv(out->str, "pgactivate"), kv(ms, "pgactivate"));
	assert_int_equal(kv(out->str, "workingset_refault_file"),
			 kv(ms, "workingset_refault_file"));
	assert_int_equal(kv(out->str, "thp_fault_alloc"), kv(ms, "thp_fault_alloc"));
	assert_int_equal(kv(out->str, "pgpgin"), 5 << 10);
	assert_int_equal(kv(out->str, "pgpgout"), 3);
	/* Nothing counts these per cgroup: the host's. */
	assert_int_equal(kv(out->str, "pgalloc_normal"), kv(host, "pgalloc_normal"));
	assert_int_equal(kv(out->str, "pgfree"), kv(host, "pgfree"));
	assert_int_equal(kv(out->str, "numa_hit"), kv(host, "numa_hit"));
	/* Linux 6.1 counts no swap-ins per cgroup: the host's. */
	assert_int_equal(kv(out->str, "pswpin"), kv(host, "pswpin"));
	assert_true(kv(out->str, "pgfault") < kv(host, "pgfault"));

	/* Without I/O counters: the host's pgpgin. */
	in.io = false;
	g_string_truncate(out, 0);
	assert_int_equal(vmstat_render(host, &in, out), 0);
	assert_int_equal(kv(out->str, "pgpgin"), kv(host, "pgpgin"));
}

/* v1 (tests/fixtures/v1): the hierarchical total_* keys, not the cgroup's
 * own; no slab or stack sizes per cgroup (0); v1's own pgpgin (pages
 * charged) is not vmstat's. */
static void test_vmstat_v1(void **state)
{
	g_autofree char *host = fixture_text("v1", "proc/vmstat");
	g_autofree char *ms =
		fixture_text("v1", "sys/fs/cgroup/memory/lensfs-fixture/ctr/memory.stat");
	g_autoptr(GString) out = g_string_new(NULL);
	struct vmstat_input in = { .version = 1,
				   .memory_stat = ms,
				   .page_size = 4096,
				   .hpage_size = 2 << 20,
				   .io = true };

	(void)state;
	assert_int_equal(vmstat_render(host, &in, out), 0);
	assert_int_equal(count_lines(out->str), count_lines(host));
	assert_int_equal(kv(out->str, "nr_free_pages"), 0);
	assert_int_equal(kv(out->str, "nr_anon_pages"), kv(ms, "total_rss") / 4096);
	assert_int_equal(kv(out->str, "nr_file_pages"), kv(ms, "total_cache") / 4096);
	assert_int_equal(kv(out->str, "nr_inactive_file"), kv(ms, "total_inactive_file") / 4096);
	assert_int_equal(kv(out->str, "nr_mapped"), kv(ms, "total_mapped_file") / 4096);
	assert_int_equal(kv(out->str, "pgfault"), kv(ms, "total_pgfault"));
	assert_int_equal(kv(out->str, "pgmajfault"), kv(ms, "total_pgmajfault"));
	assert_int_equal(kv(out->str, "workingset_refault_file"),
			 kv(ms, "total_workingset_refault_file"));
	assert_int_equal(kv(out->str, "nr_slab_reclaimable"), 0);
	assert_int_equal(kv(out->str, "nr_kernel_stack"), 0);
	assert_int_equal(kv(out->str, "pgpgin"), 0);
	assert_int_equal(kv(out->str, "pgactivate"), kv(host, "pgactivate"));
}

static void test_vmstat_bad(void **state)
{
	g_autoptr(GString) out = g_string_new(NULL);
	struct vmstat_input in = {
		.version = 2, .memory_stat = "pgfault 1\n", .page_size = 4096, .hpage_size = 2 << 20
	};

	(void)state;
	assert_int_equal(vmstat_render("pgfault 7\nnothing\n", &in, out), -EINVAL);
	assert_int_equal(vmstat_render(" 7\n", &in, out), -EINVAL);
	in.memory_stat = "pgfault many\nanon x\n";
	assert_int_equal(vmstat_render("pgfault 7\n", &in, out), -EINVAL);
	in.memory_stat = "pgfault 1\n";
	in.page_size = 0;
	assert_int_equal(vmstat_render("pgfault 7\n", &in, out), -EINVAL);
	/* A last line without its newline is kept as it is. */
	in.page_size = 4096;
	g_string_truncate(out, 0);
	assert_int_equal(vmstat_render("pgfault 7\npgfree 9", &in, out), 0);
	assert_string_equal(out->str, "pgfault 1\npgfree 9");
}

/* The kernel's header, then the cgroup's slab sizes in pages (v2, Linux
 * 6.1's memory.stat), or v1's per-cache lines where the kernel has them. */
static void test_slabinfo(void **state)
{
	g_autofree char *host = fixture_text("v2-real", "proc/slabinfo");
	g_autofree char *ms =
		fixture_text("v2-real", "sys/fs/cgroup/lensfs-fixture/ctr/memory.stat");
	g_autoptr(GString) out = g_string_new(NULL);
	g_autofree char *header = NULL;
	struct slab_size sizes[] = { { "slab_reclaimable", kv(ms, "slab_reclaimable") },
				     { "slab_unreclaimable", kv(ms, "slab_unreclaimable") } };
	uint64_t pages = (kv(ms, "slab_unreclaimable") + 4095) / 4096;
	g_autofree char *want = NULL;
	const char *old_kernel = "slabinfo - version: 2.1\n# name <active_objs> ...\n"
				 "dentry 42 42 192 21 1 : tunables 0 0 0 : slabdata 2 2 0\n";
	size_t len;

	(void)state;
	len = strcspn(host, "\n") + 1;
	len += strcspn(host + len, "\n") + 1;
	header = g_strndup(host, len);
	assert_int_equal(slabinfo_render(host, "", sizes, 2, 4096, out), 0);
	want = g_strdup_printf("%sslab_reclaimable       0      0   4096    1    1 : tunables    0 "
			       "   0    0 : slabdata      0      0      0\n"
			       "slab_unreclaimable %6" PRIu64 " %6" PRIu64
			       "   4096    1    1 : tunables    0    0    0 : slabdata %6" PRIu64
			       " %6" PRIu64 "      0\n",
			       header, pages, pages, pages, pages);
	assert_string_equal(out->str, want);
	assert_true(pages > 0);

	g_string_truncate(out, 0);
	assert_int_equal(slabinfo_render(host, old_kernel, sizes, 2, 4096, out), 0);
	assert_true(g_str_has_prefix(out->str, header));
	assert_string_equal(out->str + strlen(header),
			    "dentry 42 42 192 21 1 : tunables 0 0 0 : slabdata 2 2 0\n");

	assert_int_equal(slabinfo_render("dentry 1 1\n", NULL, sizes, 2, 4096, out), -EINVAL);
	assert_int_equal(slabinfo_render(host, "dentry 1 1\n", sizes, 2, 4096, out), -EINVAL);
}

/* A node's meminfo (Linux 6.1, v2): the container's numbers on node 0 from
 * memory.numa_stat, the host node's hugepage lines, every line once. */
static void test_node_meminfo_v2(void **state)
{
	g_autofree char *host = fixture_text("v2-real", "sys/devices/system/node/node0/meminfo");
	g_autofree char *numa =
		fixture_text("v2-real", "sys/fs/cgroup/lensfs-fixture/ctr/memory.numa_stat");
	g_autoptr(GString) out = g_string_new(NULL);
	struct node_meminfo_input in = { .version = 2,
					 .numa_stat = numa,
					 .host_node = 0,
					 .shown_node = 0,
					 .total_kb = 204800,
					 .free_kb = 204000,
					 .page_size = 4096 };
	g_autofree char *anon_line = NULL, *file_line = NULL, *used_line = NULL;
	g_autofree char *renamed = NULL, *copy = NULL;

	(void)state;
	/* numa_stat's node 0 values of the fixture, which the test relies on */
	assert_non_null(strstr(numa, "anon N0=299008\n"));
	assert_non_null(strstr(numa, "file N0=176128\n"));
	assert_int_equal(node_meminfo_render(host, &in, out), 0);
	assert_int_equal(count_lines(out->str), count_lines(host));
	assert_non_null(strstr(out->str, "Node 0 MemTotal:         204800 kB\n"));
	anon_line = g_strdup_printf("Node 0 AnonPages:      %8d kB\n", 299008 / 1024);
	file_line = g_strdup_printf("Node 0 FilePages:      %8d kB\n", 176128 / 1024);
	used_line = g_strdup_printf("Node 0 MemUsed:        %8d kB\n", 204800 - 204000);
	assert_non_null(strstr(out->str, anon_line));
	assert_non_null(strstr(out->str, file_line));
	assert_non_null(strstr(out->str, used_line));
	assert_non_null(strstr(out->str, "Node 0 Mlocked:               0 kB\n"));
	assert_non_null(strstr(out->str, "Node 0 HugePages_Total:"));

	/* Shown as node 1 of another host node: renamed; the host's values. */
	in.host_values = true;
	in.shown_node = 1;
	g_string_truncate(out, 0);
	assert_int_equal(node_meminfo_render(host, &in, out), 0);
	assert_null(strstr(out->str, "Node 0"));
	assert_int_equal(count_lines(out->str), count_lines(host));
	renamed = g_strdup(out->str);
	g_strdelimit(renamed, "1", '0');
	copy = g_strdup(host);
	g_strdelimit(copy, "1", '0');
	assert_string_equal(renamed, copy);

	g_string_truncate(out, 0);
	assert_int_equal(node_meminfo_render("Node 0 MemTotal 12 kB\n", &in, out), -EINVAL);
}

/* v1 (Linux 6.18): pages, the hierarchical_ lines. */
static void test_node_meminfo_v1(void **state)
{
	g_autofree char *host = fixture_text("v1", "sys/devices/system/node/node0/meminfo");
	g_autoptr(GString) out = g_string_new(NULL);
	const char *numa = "total=10 N0=10\nfile=4 N0=4\nanon=6 N0=6\nunevictable=0 N0=0\n"
			   "hierarchical_total=300 N0=300\nhierarchical_file=100 N0=100\n"
			   "hierarchical_anon=200 N0=200\nhierarchical_unevictable=0 N0=0\n";
	struct node_meminfo_input in = { .version = 1,
					 .numa_stat = numa,
					 .total_kb = 262144,
					 .free_kb = 262144,
					 .page_size = 4096 };

	(void)state;
	assert_int_equal(node_meminfo_render(host, &in, out), 0);
	assert_non_null(strstr(out->str, "Node 0 MemTotal:         262144 kB\n"));
	/* free: the limit less the node's 300 pages */
	assert_non_null(strstr(out->str, "Node 0 MemFree:          260944 kB\n"));
	assert_non_null(strstr(out->str, "Node 0 MemUsed:            1200 kB\n"));
	assert_non_null(strstr(out->str, "Node 0 FilePages:           400 kB\n"));
	assert_non_null(strstr(out->str, "Node 0 AnonPages:           800 kB\n"));
	assert_non_null(strstr(out->str, "Node 0 Active(file):          0 kB\n"));
}

/* distance: the columns of the nodes shown, of the online nodes' row. */
static void test_node_distance(void **state)
{
	g_autoptr(GString) out = g_string_new(NULL);
	g_autoptr(cpuset) online = NULL, shown = NULL, one = NULL;

	(void)state;
	assert_int_equal(cpuset_parse("0-1,3", &online), 0);
	assert_int_equal(cpuset_parse("1,3", &shown), 0);
	assert_int_equal(node_distance_render("20 10 21\n", online, shown, out), 0);
	assert_string_equal(out->str, "10 21\n");
	g_string_truncate(out, 0);
	assert_int_equal(node_distance_render("20 10\n", online, shown, out), -EINVAL);
	assert_int_equal(node_distance_render("20 10 21 30\n", online, shown, out), -EINVAL);
	assert_int_equal(cpuset_parse("0", &one), 0);
	g_string_truncate(out, 0);
	assert_int_equal(node_distance_render("10\n", one, one, out), 0);
	assert_string_equal(out->str, "10\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_meminfo_v2),
		cmocka_unit_test(test_vmstat_v2),
		cmocka_unit_test(test_vmstat_v1),
		cmocka_unit_test(test_vmstat_bad),
		cmocka_unit_test(test_slabinfo),
		cmocka_unit_test(test_node_meminfo_v2),
		cmocka_unit_test(test_node_meminfo_v1),
		cmocka_unit_test(test_node_distance),
		cmocka_unit_test(test_meminfo_no_underflow),
		cmocka_unit_test(test_meminfo_limits),
		cmocka_unit_test(test_cpuinfo),
		cmocka_unit_test(test_uptime),
		cmocka_unit_test(test_cpu_online_and_visible),
		cmocka_unit_test(test_swaps),
		cmocka_unit_test(test_stat_compute),
		cmocka_unit_test(test_stat_render),
		cmocka_unit_test(test_loadavg_step),
		cmocka_unit_test(test_loadavg_tracker),
		cmocka_unit_test(test_diskstats),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
