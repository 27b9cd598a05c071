/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The whole pipeline (caller -> container -> cgroup files -> text) on
 * fixture trees: what lensfs-show and the daemon do for one request. */
#include "config.h"

#include "fixture.h"

#include "lanes.h"
#include "node_view.h"
#include "render.h"
#include "view.h"
#include "vtree.h"

#include <unistd.h>

static char *render(struct lensfs_ctx *ctx, const struct viewer *v, const char *path, int *err)
{
	const struct vnode *n = vnode_by_path(path);
	GString *out = g_string_new(NULL);

	assert_non_null(n);
	*err = vnode_render(ctx, n, v, out);
	return g_string_free(out, FALSE);
}

static char *render_ok(struct lensfs_ctx *ctx, const struct viewer *v, const char *path)
{
	int err;
	char *text = render(ctx, v, path, &err);

	if (err < 0)
		fail_msg("%s: %s", path, g_strerror(-err));
	return text;
}

static unsigned int count_processors(const char *cpuinfo)
{
	unsigned int n = 0;

	for (const char *p = cpuinfo; (p = strstr(p, "processor\t:")); p++)
		n++;
	return n;
}

static void test_v2_container(void **state)
{
	g_autoptr(lensfs_ctx) ctx = fixture_ctx("v2");
	struct viewer v;
	g_autofree char *meminfo = NULL, *cpuinfo = NULL, *online = NULL, *uptime = NULL;
	g_autofree char *swaps = NULL, *used = NULL, *stat = NULL, *loadavg = NULL;
	g_autofree char *diskstats = NULL, *possible = NULL, *present = NULL;

	/* The init's child: the view is the init's cgroup without init.scope. */
	assert_int_equal(viewer_of_pid(ctx, 4243, &v), 0);
	assert_false(v.host_pidns);
	assert_int_equal(v.init_pid, 4242);
	assert_int_equal(v.init_start_ticks, 90000);
	assert_string_equal(v.cg.path[CG_MEMORY], "/lensfs.slice/ctr");
	meminfo = render_ok(ctx, &v, "proc/meminfo");
	cpuinfo = render_ok(ctx, &v, "/proc/cpuinfo");
	online = render_ok(ctx, &v, "sys/devices/system/cpu/online");
	uptime = render_ok(ctx, &v, "proc/uptime");
	swaps = render_ok(ctx, &v, "proc/swaps");
	stat = render_ok(ctx, &v, "proc/stat");
	loadavg = render_ok(ctx, &v, "proc/loadavg");
	diskstats = render_ok(ctx, &v, "proc/diskstats");
	possible = render_ok(ctx, &v, "sys/devices/system/cpu/possible");
	present = render_ok(ctx, &v, "sys/devices/system/cpu/present");
	viewer_clear(&v);

	/* glibc's _SC_NPROCESSORS_CONF reads possible: the two visible CPUs. */
	assert_string_equal(possible, "0-1\n");
	assert_string_equal(present, "0-1\n");

	/* No io.stat (io not enabled for this subtree): no device. */
	assert_string_equal(diskstats, "");
	/* No averages without the daemon's sampling; three threads, the
	 * reader running; the reader is pid 2 in its namespace. */
	assert_string_equal(loadavg, "0.00 0.00 0.00 1/3 2\n");

	/* cpu.stat: 2 s user, 0.5 s system; capacity min(2 CPUs, quota 1.5)
	 * over 100 s: 15000 ticks. Of its threads only the reader (4243)
	 * runs: the kernel counts the reader of /proc/stat as running. */
	assert_true(g_str_has_prefix(stat, "cpu  200 0 50 14750 0 0 0 0 0 0\n"
					   "cpu0 100 0 25 7375 0 0 0 0 0 0\n"
					   "cpu1 100 0 25 7375 0 0 0 0 0 0\nintr "));
	assert_non_null(strstr(stat, "\nbtime 1700000000\n"));
	assert_non_null(strstr(stat, "\nprocs_running 1\nprocs_blocked 0\n"));
	assert_int_equal(meminfo_kb(meminfo, "MemTotal"), 204800);
	assert_int_equal(meminfo_kb(meminfo, "SwapTotal"), 102400);
	/* swaps agrees with meminfo: 100M, of which SwapTotal - SwapFree used. */
	used = g_strdup_printf("	%" G_GUINT64_FORMAT "	",
			       meminfo_kb(meminfo, "SwapTotal") - meminfo_kb(meminfo, "SwapFree"));
	assert_non_null(strstr(swaps, "\nnone "));
	assert_non_null(strstr(swaps, "virtual		102400	"));
	assert_non_null(strstr(swaps, used));
	assert_int_equal(count_processors(cpuinfo), 2); /* cpuset 1-3, quota 1.5 */
	assert_string_equal(online, "0-1\n");
	/* host 1000.00 s, init started at 900 s, 2 CPUs, 2.5 s of CPU time */
	assert_string_equal(uptime, "100.00 197.50\n");
}

/* A process that joined with setns(2) has its parent outside the
 * namespace: its init is found by scanning /proc. */
static void test_v2_setns_process(void **state)
{
	g_autoptr(lensfs_ctx) ctx = fixture_ctx("v2");
	struct viewer v;

	assert_int_equal(viewer_of_pid(ctx, 4300, &v), 0);
	assert_int_equal(v.init_pid, 4242);
	assert_string_equal(v.cg.path[CG_CPU], "/lensfs.slice/ctr");
	viewer_clear(&v);
}

/* In the host's pid namespace and the root cgroup: the host's files. */
static void test_v2_host(void **state)
{
	g_autoptr(lensfs_ctx) ctx = fixture_ctx("v2");
	g_autofree char *host_meminfo = fixture_text("v2", "proc/meminfo");
	g_autofree char *host_cpuinfo = fixture_text("v2", "proc/cpuinfo");
	g_autofree char *host_uptime = fixture_text("v2", "proc/uptime");
	g_autofree char *host_online = fixture_text("v2", "sys/devices/system/cpu/online");
	g_autofree char *host_swaps = fixture_text("v2", "proc/swaps");
	g_autofree char *host_stat = fixture_text("v2", "proc/stat");
	g_autofree char *meminfo = NULL, *cpuinfo = NULL, *online = NULL, *uptime = NULL;
	g_autofree char *swaps = NULL, *stat = NULL, *possible = NULL;
	struct viewer v;

	assert_int_equal(viewer_of_pid(ctx, 4299, &v), 0);
	assert_true(v.host_pidns);
	assert_true(cgroup_membership_is_root(&v.cg));
	meminfo = render_ok(ctx, &v, "proc/meminfo");
	cpuinfo = render_ok(ctx, &v, "proc/cpuinfo");
	online = render_ok(ctx, &v, "sys/devices/system/cpu/online");
	uptime = render_ok(ctx, &v, "proc/uptime");
	swaps = render_ok(ctx, &v, "proc/swaps");
	stat = render_ok(ctx, &v, "proc/stat");
	possible = render_ok(ctx, &v, "sys/devices/system/cpu/possible");
	viewer_clear(&v);
	assert_string_equal(meminfo, host_meminfo);
	assert_string_equal(cpuinfo, host_cpuinfo);
	assert_string_equal(online, host_online);
	assert_string_equal(uptime, host_uptime);
	assert_string_equal(swaps, host_swaps);
	assert_string_equal(stat, host_stat);
	assert_string_equal(possible, "0-7\n"); /* the host's, not online's */
}

static void test_v2_no_quota(void **state)
{
	g_autofree char *root = g_build_filename(FIXTURE_DIR, "v2", NULL);
	g_autoptr(lensfs_ctx) ctx = fixture_ctx_at(root, false);
	g_autofree char *online = NULL, *uptime = NULL;
	struct viewer v;

	assert_int_equal(viewer_of_pid(ctx, 4243, &v), 0);
	online = render_ok(ctx, &v, "sys/devices/system/cpu/online");
	uptime = render_ok(ctx, &v, "proc/uptime");
	viewer_clear(&v);
	assert_string_equal(online, "0-2\n");
	assert_string_equal(uptime, "100.00 297.50\n");
}

static void test_v2_by_cgroup(void **state)
{
	g_autoptr(lensfs_ctx) ctx = fixture_ctx("v2");
	g_autofree char *meminfo = NULL, *uptime = NULL, *none = NULL;
	struct viewer v;
	int err;

	/* The processes are in init.scope: ctr itself has none to date it. */
	assert_int_equal(viewer_of_cgroup(ctx, "/lensfs.slice/ctr", &v), 0);
	meminfo = render_ok(ctx, &v, "proc/meminfo");
	assert_int_equal(meminfo_kb(meminfo, "MemTotal"), 204800);
	none = render(ctx, &v, "proc/uptime", &err);
	assert_int_equal(err, -ESRCH);
	viewer_clear(&v);

	assert_int_equal(viewer_of_cgroup(ctx, "/lensfs.slice/ctr/init.scope", &v), 0);
	assert_int_equal(v.init_pid, 4242);
	uptime = render_ok(ctx, &v, "proc/uptime");
	viewer_clear(&v);
	assert_string_equal(uptime, "100.00 197.60\n"); /* init.scope used 2.4 s */

	assert_int_equal(viewer_of_cgroup(ctx, "/lensfs.slice/../etc", &v), -EINVAL);
	assert_int_equal(viewer_of_cgroup(ctx, "/no/such", &v), -ENOENT);
}

static void test_gone_process(void **state)
{
	g_autoptr(lensfs_ctx) ctx = fixture_ctx("v2");
	struct viewer v;

	assert_int_equal(viewer_of_pid(ctx, 99999, &v), -ESRCH);
	assert_int_equal(viewer_of_pid(ctx, 0, &v), -ESRCH);
}

/* What a captured container shows: the init's child of tests/fixtures/TREE
 * (capture-v1.sh, capture-v2.sh), in /lensfs-fixture/ctr: memory 300M under
 * a 200M parent, cpuset 0 and a quota of 0.5 on the parent. */
struct captured {
	const char *tree;
	const char *usage_file; /* the cgroup's memory usage */
	uint64_t swap_total_kb;
	const char *uptime;
	const char *stat; /* how proc/stat starts */
	const char *diskstats; /* proc/diskstats; NULL: the host's (a root blkio cgroup) */
	const char *loadavg; /* proc/loadavg */
};

static void check_captured(const struct captured *want)
{
	g_autoptr(lensfs_ctx) ctx = fixture_ctx(want->tree);
	long init = fixture_env(want->tree, "INIT_PID");
	long child = fixture_env(want->tree, "CHILD_PID");
	g_autofree char *meminfo = NULL, *cpuinfo = NULL, *online = NULL, *uptime = NULL;
	g_autofree char *swaps = NULL, *stat = NULL, *diskstats = NULL, *loadavg = NULL;
	uint64_t usage = fixture_u64(want->tree, want->usage_file);
	struct viewer v;

	assert_int_equal(viewer_of_pid(ctx, (pid_t)child, &v), 0);
	assert_int_equal(v.init_pid, init);
	assert_string_equal(v.cg.path[CG_MEMORY], "/lensfs-fixture/ctr");
	assert_string_equal(v.cg.path[CG_CPUSET], "/lensfs-fixture/ctr");
	meminfo = render_ok(ctx, &v, "proc/meminfo");
	cpuinfo = render_ok(ctx, &v, "proc/cpuinfo");
	online = render_ok(ctx, &v, "sys/devices/system/cpu/online");
	uptime = render_ok(ctx, &v, "proc/uptime");
	swaps = render_ok(ctx, &v, "proc/swaps");
	stat = render_ok(ctx, &v, "proc/stat");
	diskstats = render_ok(ctx, &v, "proc/diskstats");
	loadavg = render_ok(ctx, &v, "proc/loadavg");
	viewer_clear(&v);

	assert_true(g_str_has_prefix(stat, want->stat));
	if (want->diskstats) {
		assert_string_equal(diskstats, want->diskstats);
	} else {
		g_autofree char *host = fixture_text(want->tree, "proc/diskstats");

		assert_string_equal(diskstats, host);
	}
	assert_string_equal(loadavg, want->loadavg);
	assert_int_equal(meminfo_kb(meminfo, "MemTotal"), 204800);
	assert_int_equal(meminfo_kb(meminfo, "MemFree"), 204800 - usage / 1024);
	/* No swap: the header alone; else one line of SwapTotal. */
	assert_int_equal(strchr(swaps, '\n') - swaps + 1 == (long)strlen(swaps),
			 want->swap_total_kb == 0);
	if (want->swap_total_kb) {
		g_autofree char *size =
			g_strdup_printf("virtual\t\t%" G_GUINT64_FORMAT "\t", want->swap_total_kb);

		assert_non_null(strstr(swaps, size));
	}
	assert_int_equal(meminfo_kb(meminfo, "SwapTotal"), want->swap_total_kb);
	assert_int_equal(count_processors(cpuinfo), 1);
	assert_true(g_str_has_prefix(cpuinfo, "processor\t: 0\n"));
	assert_string_equal(online, "0\n");
	assert_string_equal(uptime, want->uptime);
}

/* Real files of a v1 (hybrid) kernel: this machine. */
static void test_v1_container(void **state)
{
	static const struct captured want = {
		"v1",
		"sys/fs/cgroup/memory/lensfs-fixture/ctr/memory.usage_in_bytes",
		0, /* the host has no swap */
		/* host uptime 673.15 s, init started at tick 67265, 4.4 ms of CPU */
		"0.50 0.50\n",
		/* cpuacct.usage_user and usage_sys are still 0 (ticks not yet
		 * sampled); one CPU at quota 0.5 for 0.5 s: 25 ticks of capacity. */
		"cpu  0 0 0 25 0 0 0 0 0 0\ncpu0 0 0 0 25 0 0 0 0 0 0\nintr ",
		NULL, /* captured in the root blkio cgroup: the host's file */
		/* no averages without the daemon; init 6074 and the reader 6075,
		 * pid 2 in the namespace; the other tasks have left /proc */
		"0.00 0.00 0.00 1/2 2\n",
	};

	check_captured(&want);
}

/* Real files of a pure cgroup v2 kernel (Debian's 6.1 in the VM, with a
 * 64M zram swap; the child's memory.swap.max is 100M). */
static void test_v2_real_container(void **state)
{
	static const struct captured want = {
		"v2-real",
		"sys/fs/cgroup/lensfs-fixture/ctr/memory.current",
		65532, /* min(100M, the host's swap) */
		/* host 9.50 s, init started at tick 684, 0.28 s of CPU (usage_usec) */
		"2.66 2.38\n",
		/* cpu.stat: 196008 us user (19 ticks), 87578 us system (8); one
		 * CPU at quota 0.5 for 2.66 s: 133 ticks of capacity */
		"cpu  19 0 8 106 0 0 0 0 0 0\ncpu0 19 0 8 106 0 0 0 0 0 0\nintr ",
		/* io.stat: 8 direct reads of zram0, 32768 bytes */
		" 254       0 zram0 8 0 64 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
		"0.00 0.00 0.00 1/2 2\n",
	};

	check_captured(&want);
}

/* The value of a "name value" line. */
static uint64_t kv_of(const char *text, const char *name)
{
	uint64_t v = 0;

	assert_int_equal(kv_find_u64(text, name, &v), 0);
	return v;
}

/* What a node's file of the fixture reads as v sees it. */
static char *node_file(struct lensfs_ctx *ctx, const struct viewer *v, const char *tree,
		       unsigned int node, const char *name, int *err)
{
	g_autofree char *rel = g_strdup_printf("sys/devices/system/node/node%u/%s", node, name);
	g_autofree char *host = fixture_text(tree, rel);
	GString *out = g_string_new(NULL);

	*err = view_node_file(ctx, v, node, name, host, out);
	return g_string_free(out, FALSE);
}

/* proc/vmstat, proc/slabinfo and the node directory of the captured
 * containers (memory limit 200M, cpuset 0, mems 0): the cgroup's counters
 * from its own files. */
static void check_monitor(const char *tree, const char *cg, int version)
{
	g_autoptr(lensfs_ctx) ctx = fixture_ctx(tree);
	long child = fixture_env(tree, "CHILD_PID");
	g_autofree char *ms_path = g_strconcat(cg, "/memory.stat", NULL);
	g_autofree char *ms = fixture_text(tree, ms_path);
	g_autofree char *host_vmstat = fixture_text(tree, "proc/vmstat");
	g_autofree char *vmstat = NULL, *slabinfo = NULL, *meminfo = NULL, *online = NULL;
	g_autofree char *node_meminfo = NULL, *cpulist = NULL, *distance = NULL;
	g_autofree char *kmem_line = NULL;
	struct viewer v;
	int err;

	assert_int_equal(viewer_of_pid(ctx, (pid_t)child, &v), 0);
	vmstat = render_ok(ctx, &v, "proc/vmstat");
	slabinfo = render_ok(ctx, &v, "proc/slabinfo");
	meminfo = render_ok(ctx, &v, "proc/meminfo");
	online = render_ok(ctx, &v, "sys/devices/system/node/online");
	node_meminfo = node_file(ctx, &v, tree, 0, "meminfo", &err);
	assert_int_equal(err, 0);
	cpulist = node_file(ctx, &v, tree, 0, "cpulist", &err);
	assert_int_equal(err, 0);
	distance = node_file(ctx, &v, tree, 0, "distance", &err);
	assert_int_equal(err, 0);
	viewer_clear(&v);

	assert_int_equal(kv_of(vmstat, "nr_free_pages"),
			 meminfo_kb(meminfo, "MemFree") * 1024 / (uint64_t)sysconf(_SC_PAGESIZE));
	assert_int_equal(kv_of(vmstat, "pgfault"),
			 kv_of(ms, version == 1 ? "total_pgfault" : "pgfault"));
	assert_int_equal(kv_of(vmstat, "nr_file_pages"),
			 kv_of(ms, version == 1 ? "total_cache" : "file") /
				 (uint64_t)sysconf(_SC_PAGESIZE));
	assert_int_equal(kv_of(vmstat, "pgalloc_normal"), kv_of(host_vmstat, "pgalloc_normal"));
	assert_true(g_str_has_prefix(slabinfo, "slabinfo - version: 2.1\n# name "));
	if (version == 1) {
		g_autofree char *kmem_path = g_strconcat(cg, "/memory.kmem.usage_in_bytes", NULL);
		uint64_t pages = (fixture_u64(tree, kmem_path) + 4095) / 4096;

		/* captured in the root blkio cgroup: the host's I/O */
		assert_int_equal(kv_of(vmstat, "pgpgin"), kv_of(host_vmstat, "pgpgin"));
		kmem_line = g_strdup_printf("\nkmem_usage        %6" G_GUINT64_FORMAT
					    " %6" G_GUINT64_FORMAT "   4096 ",
					    pages, pages);
		assert_non_null(strstr(slabinfo, kmem_line));
	} else {
		/* io.stat: 8 direct reads of zram0, 32768 bytes */
		assert_int_equal(kv_of(vmstat, "pgpgin"), 32);
		assert_non_null(strstr(slabinfo, "\nslab_unreclaimable "));
		assert_null(strstr(slabinfo, "kmalloc"));
	}
	assert_string_equal(online, "0\n");
	assert_true(g_str_has_prefix(node_meminfo, "Node 0 MemTotal:         204800 kB\n"));
	assert_string_equal(cpulist, "0\n");
	assert_string_equal(distance, "10\n");
}

static void test_monitor_v1(void **state)
{
	check_monitor("v1", "sys/fs/cgroup/memory/lensfs-fixture/ctr", 1);
}

static void test_monitor_v2_real(void **state)
{
	check_monitor("v2-real", "sys/fs/cgroup/lensfs-fixture/ctr", 2);
}

/* Two nodes, a container on the second with CPUs 1 and 3 of 0-3: it sees
 * one node, node0, which is host node 1, with its CPUs renumbered. */
static void test_nodes_renumbered(void **state)
{
	char *root = fixture_copy("v2");
	struct lensfs_ctx *ctx;
	g_autofree char *online = NULL, *possible = NULL, *has_cpu = NULL, *other = NULL;
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	g_autofree char *node_dir = g_build_filename(root, "sys/devices/system/node", NULL);
	struct cpu_map m;
	struct viewer v;

	assert_int_equal(g_mkdir_with_parents(node_dir, 0755), 0);
	fixture_write(root, "sys/devices/system/node/online", "0-1\n");
	fixture_write(root, "sys/devices/system/node/possible", "0-3\n");
	fixture_write(root, "sys/devices/system/node/has_cpu", "0-1\n");
	fixture_write(root, "sys/fs/cgroup/lensfs.slice/ctr/cpuset.mems.effective", "1\n");
	fixture_write(root, "sys/fs/cgroup/lensfs.slice/cpuset.cpus.effective", "1,3\n");
	ctx = fixture_ctx_at(root, false);
	assert_int_equal(viewer_of_pid(ctx, 4243, &v), 0);
	online = render_ok(ctx, &v, "sys/devices/system/node/online");
	possible = render_ok(ctx, &v, "sys/devices/system/node/possible");
	has_cpu = render_ok(ctx, &v, "sys/devices/system/node/has_cpu");
	assert_string_equal(online, "0\n");
	assert_string_equal(possible, "0\n");
	assert_string_equal(has_cpu, "0\n");

	assert_int_equal(view_node_map(ctx, &v, &m, NULL), 0);
	assert_false(m.identity);
	assert_int_equal(m.nshown, 1);
	assert_int_equal(cpu_map_host(&m, 0), 1);
	assert_int_equal(cpu_map_host(&m, 1), -ENOENT);
	cpu_map_clear(&m);

	{
		g_autoptr(GString) out = g_string_new(NULL);

		assert_int_equal(view_node_file(ctx, &v, 1, "distance", "20 10\n", out), 0);
		assert_string_equal(out->str, "10\n");
		g_string_truncate(out, 0);
		/* host node 1's CPUs are 2-3: the container sees 3 as its cpu1 */
		assert_int_equal(view_node_file(ctx, &v, 1, "cpulist", "2-3\n", out), 0);
		assert_string_equal(out->str, "1\n");
		g_string_truncate(out, 0);
		assert_int_equal(view_node_file(ctx, &v, 1, "cpumap", "c\n", out), 0);
		assert_string_equal(out->str, "2\n");
		g_string_truncate(out, 0);
		/* host node 0 is not the container's */
		assert_int_equal(view_node_file(ctx, &v, 0, "cpulist", "0-1\n", out), -ENOENT);
	}
	assert_int_equal(node_view_dir.list(ctx, &v, names), 0);
	assert_int_equal(names->len, 1);
	assert_string_equal(names->pdata[0], "node0");
	{
		g_autofree char *hpath = NULL;

		assert_int_equal(node_view_dir.resolve(ctx, &v, "node0", &hpath), 0);
		assert_string_equal(hpath, "devices/system/node/node1");
		assert_int_equal(node_view_dir.resolve(ctx, &v, "node1", &other), -ENOENT);
		assert_int_equal(node_view_dir.resolve(ctx, &v, "node00", &other), -ENOENT);
	}
	assert_true(node_view_dir.hides("devices/system/node/node1/cpu3"));
	assert_true(node_view_dir.hides("devices/system/node/node1/memory12"));
	assert_false(node_view_dir.hides("devices/system/node/node1/meminfo"));
	assert_false(node_view_dir.hides("devices/system/node/node1/hugepages"));
	assert_false(node_view_dir.hides("devices/system/cpu/cpu3"));
	viewer_clear(&v);
	lensfs_ctx_free(ctx);
	fixture_remove(root);
}

/* A kernel whose memory.stat lacks a slab size: no line for it, the rest
 * as before; a slab size that is not a number: an error, never the
 * host's caches. */
static void test_slabinfo_keys(void **state)
{
	char *root = fixture_copy("v2");
	const char *ms = "sys/fs/cgroup/lensfs.slice/ctr/memory.stat";
	struct lensfs_ctx *ctx = fixture_ctx_at(root, true);
	g_autofree char *full = NULL, *part = NULL, *bad = NULL;
	struct viewer v;
	int err;

	/* the kernel's header (the tree has no slabinfo of its own) */
	fixture_write(root, "proc/slabinfo",
		      "slabinfo - version: 2.1\n# name            <active_objs> <num_objs>\n"
		      "dentry 42 42 192 21 1 : tunables 0 0 0 : slabdata 2 2 0\n");
	assert_int_equal(viewer_of_pid(ctx, 4243, &v), 0);
	full = render_ok(ctx, &v, "proc/slabinfo");
	/* 1572864 and 655360 bytes: 384 and 160 pages */
	assert_non_null(strstr(full, "\nslab_reclaimable     384    384   4096 "));
	assert_non_null(strstr(full, "\nslab_unreclaimable    160    160   4096 "));
	assert_null(strstr(full, "dentry"));
	fixture_write(root, ms, "anon 4096\nslab_unreclaimable 655360\n");
	part = render_ok(ctx, &v, "proc/slabinfo");
	assert_null(strstr(part, "slab_reclaimable"));
	assert_non_null(strstr(part, "\nslab_unreclaimable    160    160   4096 "));
	fixture_write(root, ms, "slab_reclaimable lots\n");
	bad = render(ctx, &v, "proc/slabinfo", &err);
	assert_int_equal(err, -EINVAL);
	viewer_clear(&v);
	lensfs_ctx_free(ctx);
	fixture_remove(root);
}

/* A damaged cgroup file is an error for the caller it concerns, never the
 * host's numbers. */
static void test_damaged_is_error(void **state)
{
	char *root = fixture_copy("v2");
	struct lensfs_ctx *ctx;
	struct viewer v;
	int err;

	fixture_write(root, "sys/fs/cgroup/lensfs.slice/memory.max", "12 monkeys\n");
	fixture_write(root, "sys/fs/cgroup/lensfs.slice/cpu.max", "half 100000\n");
	ctx = fixture_ctx_at(root, true);
	assert_int_equal(viewer_of_pid(ctx, 4243, &v), 0);
	g_free(render(ctx, &v, "proc/meminfo", &err));
	assert_int_equal(err, -EINVAL);
	g_free(render(ctx, &v, "proc/cpuinfo", &err));
	assert_int_equal(err, -EINVAL);
	viewer_clear(&v);

	/* A cgroup that vanished under the caller. */
	fixture_write(root, "proc/4242/cgroup", "0::/gone/init.scope\n");
	assert_int_equal(viewer_of_pid(ctx, 4243, &v), 0);
	g_free(render(ctx, &v, "proc/meminfo", &err));
	assert_int_equal(err, -ENOENT);
	viewer_clear(&v);
	lensfs_ctx_free(ctx);
	fixture_remove(root);
}

/* Rendered text and counters are reused for --refresh-ms, per cgroup. */
static void test_refresh(void **state)
{
	char *root = fixture_copy("v2");
	struct lensfs_ctx *cached = fixture_ctx_refresh(root, true, 60000);
	struct lensfs_ctx *fresh = fixture_ctx_at(root, true);
	g_autofree char *a = NULL, *b = NULL, *c = NULL, *other = NULL;
	struct viewer v, w;

	assert_int_equal(viewer_of_pid(cached, 4243, &v), 0);
	a = render_ok(cached, &v, "proc/meminfo");
	fixture_write(root, "sys/fs/cgroup/lensfs.slice/ctr/memory.current", "104857600\n");
	b = render_ok(cached, &v, "proc/meminfo");
	c = render_ok(fresh, &v, "proc/meminfo");
	assert_string_equal(a, b); /* within the refresh time */
	assert_int_equal(meminfo_kb(c, "MemFree"), 102400); /* 204800 - 102400, read afresh */
	/* Another cgroup never gets this text. */
	assert_int_equal(viewer_of_cgroup(cached, "/lensfs.slice", &w), 0);
	other = render_ok(cached, &w, "proc/meminfo");
	assert_string_not_equal(other, a);
	viewer_clear(&v);
	viewer_clear(&w);
	lensfs_ctx_free(cached);
	lensfs_ctx_free(fresh);
	fixture_remove(root);
}

/* A stat's render (viewer_peek_pid) uses what is kept but keeps nothing of
 * its own: a runtime stats the views before it writes the limits. */
static void test_peek(void **state)
{
	char *root = fixture_copy("v2");
	struct lensfs_ctx *ctx = fixture_ctx_refresh(root, true, 60000);
	const char *max = "sys/fs/cgroup/lensfs.slice/ctr/memory.max";
	const char *quota = "sys/fs/cgroup/lensfs.slice/ctr/cpu.max";
	g_autofree char *before = NULL, *cpus_before = NULL, *after = NULL, *cpus_after = NULL,
			*kept = NULL, *peeked = NULL;
	struct viewer p, v;

	assert_int_equal(viewer_peek_pid(ctx, 4243, &p), 0);
	assert_true(p.peek);
	fixture_write(root, max, "max\n");
	fixture_write(root, quota, "max 100000\n");
	before = render_ok(ctx, &p, "proc/meminfo");
	cpus_before = render_ok(ctx, &p, "proc/cpuinfo");
	/* The runtime writes the limits: the first read sees them. */
	fixture_write(root, max, "104857600\n");
	fixture_write(root, quota, "50000 100000\n");
	assert_int_equal(viewer_of_pid(ctx, 4243, &v), 0);
	assert_false(v.peek);
	after = render_ok(ctx, &v, "proc/meminfo");
	cpus_after = render_ok(ctx, &v, "proc/cpuinfo");
	assert_int_not_equal(meminfo_kb(before, "MemTotal"), 102400);
	assert_int_equal(meminfo_kb(after, "MemTotal"), 102400);
	assert_true(count_processors(cpus_before) > count_processors(cpus_after));
	assert_int_equal(count_processors(cpus_after), 1);
	/* What a read kept, a stat uses, within the refresh time. */
	fixture_write(root, max, "52428800\n");
	peeked = render_ok(ctx, &p, "proc/meminfo");
	kept = render_ok(ctx, &v, "proc/meminfo");
	assert_string_equal(peeked, after);
	assert_string_equal(kept, after);
	viewer_clear(&p);
	viewer_clear(&v);
	lensfs_ctx_free(ctx);
	fixture_remove(root);
}

struct serving_peek {
	struct lensfs_ctx *ctx;
	const struct viewer *v;
	const char *path;
	int err;
	char *text;
};

static gpointer peek_serving(gpointer data)
{
	struct serving_peek *s = data;

	lanes_enter_serving();
	s->text = render(s->ctx, s->v, s->path, &s->err);
	return NULL;
}

/* On a serving thread, what a peek does not find in the caches is not made
 * there: the request goes to the container's lane (-EWOULDBLOCK), so that
 * stats in a loop cost only the container that makes them. What is kept
 * is answered at once. */
static void test_peek_serving(void **state)
{
	char *root = fixture_copy("v2");
	struct lensfs_ctx *ctx = fixture_ctx_refresh(root, true, 60000);
	struct serving_peek s = { .ctx = ctx, .path = "proc/meminfo" };
	g_autofree char *kept = NULL;
	struct viewer p, v;

	assert_int_equal(viewer_peek_pid(ctx, 4243, &p), 0);
	s.v = &p;
	g_thread_join(g_thread_new("serving", peek_serving, &s));
	assert_int_equal(s.err, -EWOULDBLOCK);
	g_free(s.text);
	/* A lane (this thread) makes it; still nothing is kept. */
	g_free(render_ok(ctx, &p, "proc/meminfo"));
	g_thread_join(g_thread_new("serving", peek_serving, &s));
	assert_int_equal(s.err, -EWOULDBLOCK);
	g_free(s.text);
	/* Once a read kept the text, a peek on a serving thread is answered. */
	assert_int_equal(viewer_of_pid(ctx, 4243, &v), 0);
	kept = render_ok(ctx, &v, "proc/meminfo");
	g_thread_join(g_thread_new("serving", peek_serving, &s));
	assert_int_equal(s.err, 0);
	assert_string_equal(s.text, kept);
	g_free(s.text);
	viewer_clear(&p);
	viewer_clear(&v);
	lensfs_ctx_free(ctx);
	fixture_remove(root);
}

/* A burst that uses CPU time faster than the capacity grows would lower the
 * computed idle time: the daemon shows the last idle time instead, per
 * container, while user time grows. */
static void test_stat_floor(void **state)
{
	char *root = fixture_copy("v2");
	struct lensfs_ctx *ctx = fixture_ctx_at(root, true);
	const char *cpu_stat = "sys/fs/cgroup/lensfs.slice/ctr/cpu.stat";
	g_autofree char *a = NULL, *b = NULL, *c = NULL;
	struct lensfs_ctx *other;
	struct viewer v;

	assert_int_equal(viewer_of_pid(ctx, 4243, &v), 0);
	a = render_ok(ctx, &v, "proc/stat");
	assert_true(g_str_has_prefix(a, "cpu  200 0 50 14750 "));
	/* 10 s more user time, no more uptime: computed idle 14250. */
	fixture_write(root, cpu_stat,
		      "usage_usec 12500000\nuser_usec 12000000\nsystem_usec 500000\n");
	b = render_ok(ctx, &v, "proc/stat");
	assert_true(g_str_has_prefix(b, "cpu  1200 0 50 14750 0 0 0 0 0 0\n"
					"cpu0 600 0 25 7375 "));
	/* Without the memory of what was shown (lensfs-show): computed. */
	other = fixture_ctx_at(root, true);
	c = render_ok(other, &v, "proc/stat");
	assert_true(g_str_has_prefix(c, "cpu  1200 0 50 13750 "));
	viewer_clear(&v);
	lensfs_ctx_free(other);
	lensfs_ctx_free(ctx);
	fixture_remove(root);
}

/* v1: user and system from cpuacct.usage_user and usage_sys, which only
 * grow (a split of cpuacct.usage by cpuacct.stat's ticks could move back). */
static void test_stat_v1_times(void **state)
{
	char *root = fixture_copy("v1");
	struct lensfs_ctx *ctx = fixture_ctx_at(root, true);
	const char *dir = "sys/fs/cgroup/cpuacct/lensfs-fixture/ctr/";
	g_autofree char *user = g_strconcat(dir, "cpuacct.usage_user", NULL);
	g_autofree char *sys = g_strconcat(dir, "cpuacct.usage_sys", NULL);
	g_autofree char *stat = NULL;
	struct viewer v;

	fixture_write(root, user, "1000000000\n");
	fixture_write(root, sys, "500000000\n");
	assert_int_equal(viewer_of_pid(ctx, (pid_t)fixture_env("v1", "CHILD_PID"), &v), 0);
	stat = render_ok(ctx, &v, "proc/stat");
	/* 1 s user, 0.5 s system; more than the 0.5 s x quota 0.5 capacity. */
	assert_true(g_str_has_prefix(stat, "cpu  100 0 50 0 0 0 0 0 0 0\n"));
	viewer_clear(&v);
	lensfs_ctx_free(ctx);
	fixture_remove(root);
}

/* proc/pressure: the cgroup's own files from the unified hierarchy; none
 * (EOPNOTSUPP, as the kernel with PSI off) where the host keeps none. */
static void test_pressure(void **state)
{
	g_autoptr(lensfs_ctx) real = fixture_ctx("v2-real");
	g_autoptr(lensfs_ctx) written = fixture_ctx("v2");
	g_autoptr(lensfs_ctx) v1 = fixture_ctx("v1");
	g_autofree char *cpu = NULL, *io = NULL;
	g_autofree char *want_cpu =
		fixture_text("v2-real", "sys/fs/cgroup/lensfs-fixture/ctr/cpu.pressure");
	g_autofree char *want_io =
		fixture_text("v2-real", "sys/fs/cgroup/lensfs-fixture/ctr/io.pressure");
	struct viewer v;
	int err;

	assert_int_equal(viewer_of_pid(real, (pid_t)fixture_env("v2-real", "CHILD_PID"), &v), 0);
	assert_string_equal(v.cg.path[CG_UNIFIED], "/lensfs-fixture/ctr");
	cpu = render_ok(real, &v, "proc/pressure/cpu");
	io = render_ok(real, &v, "proc/pressure/io");
	viewer_clear(&v);
	assert_string_equal(cpu, want_cpu);
	assert_string_equal(io, want_io);
	/* A cgroup without pressure files: a kernel without PSI. */
	assert_int_equal(viewer_of_pid(written, 4243, &v), 0);
	g_free(render(written, &v, "proc/pressure/memory", &err));
	assert_int_equal(err, -EOPNOTSUPP);
	viewer_clear(&v);
	/* v1 (hybrid) at the unified root: the host's file, absent here. */
	assert_int_equal(viewer_of_pid(v1, 6075, &v), 0);
	assert_string_equal(v.cg.path[CG_UNIFIED], "/");
	g_free(render(v1, &v, "proc/pressure/cpu", &err));
	assert_int_equal(err, -EOPNOTSUPP);
	viewer_clear(&v);
}

static void test_pressure_shape(void **state)
{
	g_autoptr(GString) out = g_string_new(NULL);

	assert_int_equal(pressure_render("some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n", out),
			 0);
	assert_int_equal(pressure_render("", out), -EINVAL);
	assert_int_equal(pressure_render("some 12\n", out), -EINVAL);
	assert_int_equal(pressure_render("max\n", out), -EINVAL);
}

static void test_vtree(void **state)
{
	const struct vnode *n;
	struct stat st;
	unsigned int files = 0;

	assert_int_equal(vnode_by_path("proc")->ino, INO_PROC);
	assert_ptr_equal(vnode_lookup(INO_PROC, "meminfo"), vnode_by_ino(INO_PROC_MEMINFO));
	assert_null(vnode_lookup(INO_PROC, ".."));
	assert_null(vnode_lookup(INO_ROOT, "meminfo"));
	assert_null(vnode_by_path("proc/../proc/meminfo"));
	assert_ptr_equal(vnode_child(INO_PROC, 0), vnode_by_ino(INO_PROC_CPUINFO));
	assert_ptr_equal(vnode_child(INO_PROC, 1), vnode_by_ino(INO_PROC_DISKSTATS));
	assert_ptr_equal(vnode_child(INO_PROC, 2), vnode_by_ino(INO_PROC_LOADAVG));
	assert_ptr_equal(vnode_child(INO_PROC, 4), vnode_by_ino(INO_PROC_PRESSURE));
	assert_ptr_equal(vnode_child(INO_PROC, 5), vnode_by_ino(INO_PROC_SLABINFO));
	assert_ptr_equal(vnode_child(INO_PROC, 6), vnode_by_ino(INO_PROC_STAT));
	assert_ptr_equal(vnode_child(INO_PROC, 7), vnode_by_ino(INO_PROC_SWAPS));
	assert_ptr_equal(vnode_child(INO_PROC, 9), vnode_by_ino(INO_PROC_VMSTAT));
	assert_null(vnode_child(INO_PROC, 10));
	assert_ptr_equal(vnode_lookup(INO_SYS_DEVICES_SYSTEM, "node"), vnode_by_ino(INO_SYS_NODE));
	assert_ptr_equal(vnode_child(INO_SYS_NODE, 0), vnode_by_ino(INO_SYS_NODE_HAS_CPU));
	assert_ptr_equal(vnode_by_path("proc/pressure/io"), vnode_by_ino(INO_PRESSURE_IO));
	vnode_stat(vnode_by_ino(INO_ROOT), &st);
	assert_int_equal(st.st_nlink, 4); /* ., .., proc, sys */
	assert_true(S_ISDIR(st.st_mode));
	vnode_stat(vnode_by_ino(INO_SYS_CPU_ONLINE), &st);
	assert_int_equal(st.st_mode, S_IFREG | 0444);
	assert_int_equal(st.st_size, 4096);
	/* Every file sits in a directory that lists it. */
	for (unsigned int i = 0; (n = vnode_file(i)); i++, files++) {
		const struct vnode *parent = vnode_by_ino(n->parent);

		assert_ptr_equal(vnode_lookup(parent->ino, n->name), n);
		assert_ptr_equal(vnode_by_path(n->path), n);
	}
	assert_int_equal(files, 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v2_container),
		cmocka_unit_test(test_v2_setns_process),
		cmocka_unit_test(test_v2_host),
		cmocka_unit_test(test_v2_no_quota),
		cmocka_unit_test(test_v2_by_cgroup),
		cmocka_unit_test(test_gone_process),
		cmocka_unit_test(test_v1_container),
		cmocka_unit_test(test_v2_real_container),
		cmocka_unit_test(test_monitor_v1),
		cmocka_unit_test(test_monitor_v2_real),
		cmocka_unit_test(test_nodes_renumbered),
		cmocka_unit_test(test_slabinfo_keys),
		cmocka_unit_test(test_damaged_is_error),
		cmocka_unit_test(test_refresh),
		cmocka_unit_test(test_peek),
		cmocka_unit_test(test_peek_serving),
		cmocka_unit_test(test_stat_floor),
		cmocka_unit_test(test_stat_v1_times),
		cmocka_unit_test(test_pressure),
		cmocka_unit_test(test_pressure_shape),
		cmocka_unit_test(test_vtree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
