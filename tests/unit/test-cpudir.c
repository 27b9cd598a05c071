/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sys/devices/system/cpu: the renumbering rules (cpu_dir.c), the
 * pass-through node table and host access (ptree.c), and the nodes a
 * container sees in the real v1 fixture (vfs.c); sys/fs/cgroup's root and
 * delegation (cgroup_view.c; its limits: test-limits.c). */
#include "config.h"

#include "fixture.h"
#include "host.h"

#include "cgroup_view.h"
#include "cpu_dir.h"
#include "delegate.h"
#include "ptree.h"
#include "vfs.h"

#include <errno.h>
#include <sys/stat.h>

static struct cpuset *set_of(const char *list)
{
	struct cpuset *set = NULL;

	assert_int_equal(cpuset_parse(list, &set), 0);
	return set;
}

static void map_of(struct cpu_map *m, const char *list, bool identity)
{
	g_autoptr(cpuset) set = set_of(list);

	cpu_map_init(m, set, identity);
}

static void test_map(void **state)
{
	struct cpu_map m;

	map_of(&m, "2,5,7", false);
	assert_int_equal(m.nshown, 3);
	assert_int_equal(cpu_map_host(&m, 0), 2);
	assert_int_equal(cpu_map_host(&m, 2), 7);
	assert_int_equal(cpu_map_host(&m, 3), -ENOENT);
	assert_int_equal(cpu_map_shown(&m, 5), 1);
	assert_int_equal(cpu_map_shown(&m, 7), 2);
	assert_int_equal(cpu_map_shown(&m, 3), -ENOENT);
	assert_int_equal(cpu_map_shown(&m, 8), -ENOENT);
	cpu_map_clear(&m);
	map_of(&m, "0-3", true);
	assert_int_equal(cpu_map_host(&m, 9), 9);
	assert_int_equal(cpu_map_shown(&m, 9), 9);
	cpu_map_clear(&m);
}

static void test_names(void **state)
{
	assert_int_equal(cpu_dir_name_number("cpu0"), 0);
	assert_int_equal(cpu_dir_name_number("cpu12"), 12);
	assert_int_equal(cpu_dir_name_number("cpu8191"), 8191);
	assert_int_equal(cpu_dir_name_number("cpu8192"), -EINVAL);
	assert_int_equal(cpu_dir_name_number("cpu99999999999"), -EINVAL);
	assert_int_equal(cpu_dir_name_number("cpu"), -EINVAL);
	assert_int_equal(cpu_dir_name_number("cpu01"), -EINVAL);
	assert_int_equal(cpu_dir_name_number("cpu-1"), -EINVAL);
	assert_int_equal(cpu_dir_name_number("cpufreq"), -EINVAL);
	assert_int_equal(cpu_dir_name_number("cpu1x"), -EINVAL);
	assert_int_equal(cpu_dir_name_number("online"), -EINVAL);
}

static void expect_translated(const struct cpu_map *m, const char *name, const char *host,
			      const char *want)
{
	g_autoptr(GString) out = g_string_new(NULL);

	assert_int_equal(cpu_text_translate(m, name, host, out), 0);
	assert_string_equal(out->str, want);
}

/* Texts of the fixture's host (2 CPUs, one package, one core each) as a
 * container that sees host CPU 1 only reads them. */
static void test_translate_fixture(void **state)
{
	static const struct {
		const char *file, *want;
	} cases[] = {
		{ "cpu1/topology/core_siblings_list", "0\n" }, /* host: 0-1 */
		{ "cpu1/topology/package_cpus_list", "0\n" }, /* host: 0-1 */
		{ "cpu1/topology/thread_siblings_list", "0\n" }, /* host: 1 */
		{ "cpu1/topology/core_siblings", "1\n" }, /* host: 3 */
		{ "cpu1/topology/thread_siblings", "1\n" }, /* host: 2 */
		{ "cpu1/cache/index3/shared_cpu_map", "1\n" }, /* host: 3 */
		{ "cpu1/cache/index3/shared_cpu_list", "0\n" }, /* host: 0-1 */
		{ "enabled", "0\n" }, /* host: 0-1 */
		{ "offline", "\n" }, /* host: empty */
	};
	struct cpu_map m;

	map_of(&m, "1", false);
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *rel = g_strconcat("sys/devices/system/cpu/", cases[i].file, NULL);
		g_autofree char *host = fixture_text("v1", rel);

		expect_translated(&m, strrchr(rel, '/') + 1, host, cases[i].want);
	}
	/* Not CPU numbers: as they are. */
	expect_translated(&m, "core_id", "1\n", "1\n");
	expect_translated(&m, "kernel_max", "8191\n", "8191\n");
	cpu_map_clear(&m);
}

static void test_translate_shapes(void **state)
{
	g_autoptr(GString) out = g_string_new(NULL);
	struct cpu_map m;

	map_of(&m, "4-5,40,70", false);
	/* A 96-CPU mask keeps its three groups; CPUs 40 and 70 become 2, 3. */
	expect_translated(&m, "core_cpus", "00000040,00000100,00000030\n",
			  "00000000,00000000,0000000f\n");
	/* The first group keeps its width, as the kernel prints nr_cpu_ids bits. */
	expect_translated(&m, "package_cpus", "40,00000100,00000010\n", "00,00000000,0000000d\n");
	expect_translated(&m, "die_cpus_list", "0-7,40\n", "0-2\n");
	expect_translated(&m, "affected_cpus", "4 5 6\n", "0 1\n");
	expect_translated(&m, "related_cpus", "6\n", "\n");
	expect_translated(&m, "isolated", "\n", "\n");
	assert_int_equal(cpu_text_translate(&m, "core_cpus", "zz\n", out), -EINVAL);
	assert_int_equal(cpu_text_translate(&m, "core_cpus", "123456789\n", out), -EINVAL);
	assert_int_equal(cpu_text_translate(&m, "core_cpus", ",3\n", out), -EINVAL);
	assert_int_equal(cpu_text_translate(&m, "core_cpus_list", "3-1\n", out), -EINVAL);
	assert_int_equal(out->len, 0);
	cpu_map_clear(&m);
	/* The host's view: every text as it is. */
	map_of(&m, "0-1", true);
	expect_translated(&m, "core_cpus_list", "0-1\n", "0-1\n");
	expect_translated(&m, "core_cpus", "junk", "junk");
	cpu_map_clear(&m);
}

static void expect_names(GPtrArray *names, const char *const *want)
{
	assert_int_equal(names->len, g_strv_length((char **)want));
	for (guint i = 0; i < names->len; i++)
		assert_string_equal(names->pdata[i], want[i]);
	g_ptr_array_unref(names);
}

static void test_dir_names(void **state)
{
	const char *host[] = { "online", "cpu10", "cpufreq", "cpu1", "kernel_max", "cpu0", NULL };
	const char *renumbered[] = { "cpu0", "cpu1", "cpufreq", "kernel_max", "online", NULL };
	const char *own[] = { "cpu0", "cpu1", "cpu10", "cpufreq", "kernel_max", "online", NULL };
	g_autofree char *hpath = NULL;
	struct cpu_map m;

	map_of(&m, "1,10", false);
	expect_names(cpu_dir_names(&m, host), renumbered);
	assert_int_equal(cpu_dir_resolve(&m, "cpu0", &hpath), 0);
	assert_string_equal(hpath, "devices/system/cpu/cpu1");
	g_clear_pointer(&hpath, g_free);
	assert_int_equal(cpu_dir_resolve(&m, "cpu1", &hpath), 0);
	assert_string_equal(hpath, "devices/system/cpu/cpu10");
	g_clear_pointer(&hpath, g_free);
	assert_int_equal(cpu_dir_resolve(&m, "cpu2", &hpath), -ENOENT);
	assert_null(hpath);
	assert_int_equal(cpu_dir_resolve(&m, "cpufreq", &hpath), 0);
	assert_string_equal(hpath, "devices/system/cpu/cpufreq");
	g_clear_pointer(&hpath, g_free);
	cpu_map_clear(&m);
	map_of(&m, "0-1,10", true);
	expect_names(cpu_dir_names(&m, host), own);
	cpu_map_clear(&m);
}

static void test_ptree(void **state)
{
	struct ptree *t = ptree_new();
	uint64_t a, b, c;
	struct pnode n;

	assert_int_equal(ptree_add(t, "sys/x/cpu0", "devices/x/cpu1", NULL, &a), 0);
	assert_int_equal(ptree_add(t, "sys/x/cpu0", "devices/x/cpu1", NULL, &b), 0);
	assert_int_equal(a, b);
	assert_true(ptree_is(a));
	assert_int_equal(a, ptree_ino("sys/x/cpu0", "devices/x/cpu1"));
	/* Either half differing is another node; the boundary counts too. */
	assert_int_equal(ptree_add(t, "sys/x/cpu1", "devices/x/cpu1", NULL, &c), 0);
	assert_int_not_equal(a, c);
	assert_int_not_equal(ptree_ino("ab", "c"), ptree_ino("a", "bc"));
	assert_int_equal(ptree_size(t), 2);
	assert_int_equal(ptree_get(t, a, &n), 0);
	assert_string_equal(n.vpath, "sys/x/cpu0");
	assert_string_equal(n.hpath, "devices/x/cpu1");
	pnode_clear(&n);
	/* Two lookups: the first forget leaves it, the second drops it. */
	ptree_forget(t, a, 1);
	assert_int_equal(ptree_get(t, a, &n), 0);
	pnode_clear(&n);
	ptree_forget(t, a, 1);
	assert_int_equal(ptree_get(t, a, &n), -ESTALE);
	/* More forgets than lookups (a predecessor's): gone, no underflow. */
	ptree_forget(t, c, 5);
	assert_int_equal(ptree_size(t), 0);
	ptree_forget(t, c, 1);
	ptree_free(t);
}

/* A copy of the v1 fixture with the symlinks the host has in each cpuN
 * (left out of the fixture: they lead out of it). */
static char *fixture_with_links(void)
{
	char *copy = fixture_copy("v1");

	for (int cpu = 0; cpu < 2; cpu++) {
		g_autofree char *link =
			g_strdup_printf("%s/sys/devices/system/cpu/cpu%d/subsystem", copy, cpu);

		assert_int_equal(symlink("../../../../bus/cpu", link), 0);
	}
	return copy;
}

static void test_host_access(void **state)
{
	char *copy = fixture_with_links();
	g_autofree char *root = g_build_filename(copy, "sys", NULL);
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GArray) types = g_array_new(FALSE, FALSE, 1);
	g_autofree char *text = NULL, *link = NULL;
	struct stat st;

	assert_int_equal(host_lstat(root, "devices/system/cpu/cpu0/subsystem", &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(host_readlink(root, "devices/system/cpu/cpu0/subsystem", &link), 0);
	assert_string_equal(link, "../../../../bus/cpu");
	assert_int_equal(host_read(root, "devices/system/cpu/cpu1/topology/core_id", &text), 0);
	assert_string_equal(text, "1\n");
	/* Never through a symlink, never above the root. */
	assert_int_equal(host_read(root, "devices/system/cpu/cpu0/subsystem", &text), -ELOOP);
	assert_int_equal(host_lstat(root, "devices/system/cpu/cpu0/subsystem/x", &st), -ENOTDIR);
	assert_int_equal(host_read(root, "../proc/meminfo", &text), -EXDEV);
	assert_int_equal(host_read(root, "/etc/passwd", &text), -EXDEV);
	assert_int_equal(host_read(root, "devices/system/cpu/cpu0", &text), -EISDIR);
	assert_int_equal(host_list(root, "devices/system/cpu/cpu1/topology", names, types), 0);
	assert_string_equal(names->pdata[0], "cluster_cpus");
	assert_string_equal(names->pdata[names->len - 1], "thread_siblings_list");
	assert_int_equal(names->len, types->len);
	assert_int_equal(host_list(root, "devices/system/cpu/nothing", names, types), -ENOENT);
	fixture_remove(copy);
}

static uint64_t lookup_ok(struct lensfs_ctx *ctx, struct ptree *t, struct vfs_caller *c,
			  uint64_t parent, const char *name)
{
	struct vfs_entry e;

	assert_int_equal(vfs_lookup(ctx, t, c, parent, name, &e), 0);
	assert_int_equal(e.st.st_ino, e.ino);
	return e.ino;
}

static char *render_ok(struct lensfs_ctx *ctx, struct ptree *t, struct vfs_caller *c, uint64_t ino)
{
	g_autoptr(GString) out = g_string_new(NULL);

	assert_int_equal(vfs_render(ctx, t, c, ino, out), 0);
	return g_string_free(g_steal_pointer(&out), FALSE);
}

/* The fixture's container sees host CPU 0 of 0-1 (cpuset 0). */
static void test_container_view(void **state)
{
	char *copy = fixture_with_links();
	g_autoptr(lensfs_ctx) ctx = fixture_ctx_at(copy, true);
	struct ptree *t = ptree_new();
	struct viewer v;
	struct vfs_caller c = { 0 };
	struct vfs_entry e;
	g_autoptr(GArray) list = NULL;
	g_autofree char *siblings = NULL, *mask = NULL, *enabled = NULL;
	uint64_t cpu0, topo, ino;
	const char *want[] = { ".",	  "..",	     "online",	       "possible",   "present",
			       "cpu0",	  "enabled", "isolated",       "kernel_max", "modalias",
			       "offline", "uevent",  "vulnerabilities" };

	assert_int_equal(viewer_of_pid(ctx, (pid_t)fixture_env("v1", "CHILD_PID"), &v), 0);
	c.given = &v;
	assert_int_equal(vfs_list(ctx, t, &c, INO_SYS_CPU, &list), 0);
	assert_int_equal(list->len, G_N_ELEMENTS(want));
	for (guint i = 0; i < list->len; i++)
		assert_string_equal(g_array_index(list, struct vfs_dirent, i).name, want[i]);
	/* Listing counts no lookup. */
	assert_int_equal(ptree_size(t), 0);

	cpu0 = lookup_ok(ctx, t, &c, INO_SYS_CPU, "cpu0");
	assert_int_equal(cpu0, ptree_ino("sys/devices/system/cpu/cpu0", "devices/system/cpu/cpu0"));
	assert_int_equal(g_array_index(list, struct vfs_dirent, 5).ino, cpu0);
	assert_int_equal(vfs_lookup(ctx, t, &c, INO_SYS_CPU, "cpu0", &e), 0);
	/* Asked again each time: the next reader may see another CPU there. */
	assert_int_equal(e.entry_timeout, 0);
	assert_true(S_ISDIR(e.st.st_mode));
	assert_int_equal(vfs_lookup(ctx, t, &c, INO_SYS_CPU, "cpu1", &e), -ENOENT);
	assert_int_equal(e.entry_timeout, 0);
	assert_int_equal(vfs_lookup(ctx, t, &c, INO_SYS_CPU, "..", &e), -ENOENT);
	assert_int_equal(vfs_lookup(ctx, t, &c, cpu0, "..", &e), -ENOENT);
	assert_int_equal(vfs_lookup(ctx, t, &c, cpu0, "a/../../..", &e), -ENOENT);

	topo = lookup_ok(ctx, t, &c, cpu0, "topology");
	ino = lookup_ok(ctx, t, &c, topo, "core_siblings_list");
	siblings = render_ok(ctx, t, &c, ino);
	assert_string_equal(siblings, "0\n"); /* host: 0-1 */
	mask = render_ok(ctx, t, &c, lookup_ok(ctx, t, &c, topo, "package_cpus"));
	assert_string_equal(mask, "1\n"); /* host: 3 */
	enabled = render_ok(ctx, t, &c, lookup_ok(ctx, t, &c, INO_SYS_CPU, "enabled"));
	assert_string_equal(enabled, "0\n");
	assert_int_equal(vfs_lookup(ctx, t, &c, topo, "nothing", &e), -ENOENT);
	assert_int_equal(e.entry_timeout, VFS_HOST_TIMEOUT);

	/* A host list lensfs cannot renumber: EBADMSG (EIO for the reader),
	 * never the host's numbering. */
	fixture_write(copy, "sys/devices/system/cpu/cpu0/topology/die_cpus_list", "0-x\n");
	{
		g_autoptr(GString) out = g_string_new(NULL);

		assert_int_equal(
			vfs_render(ctx, t, &c, lookup_ok(ctx, t, &c, topo, "die_cpus_list"), out),
			-EBADMSG);
		assert_int_equal(out->len, 0);
	}
	/* A symlink is one, and is not followed. */
	ino = lookup_ok(ctx, t, &c, cpu0, "subsystem");
	{
		g_autofree char *link = NULL;
		g_autoptr(GString) out = g_string_new(NULL);

		assert_int_equal(vfs_readlink(ctx, t, &c, ino, &link), 0);
		assert_string_equal(link, "../../../../bus/cpu");
		assert_int_equal(vfs_render(ctx, t, &c, ino, out), -ENOENT);
		assert_int_equal(vfs_lookup(ctx, t, &c, ino, "x", &e), -ENOTDIR);
	}
	{
		g_autoptr(GString) out = g_string_new(NULL);

		assert_int_equal(vfs_render(ctx, t, &c, cpu0, out), -EISDIR);
	}
	/* A node the table no longer has (a predecessor's): ESTALE, so the
	 * kernel looks the path up again. */
	ptree_forget(t, topo, 100);
	assert_int_equal(vfs_lookup(ctx, t, &c, topo, "core_id", &e), -ESTALE);
	/* opendir of such a node: ESTALE, and nothing freed that was not
	 * there (a worker once died of it after every restart). */
	assert_int_equal(vfs_is_dir(t, topo), -ESTALE);
	{
		struct stat st;
		double timeout;

		assert_int_equal(vfs_getattr(ctx, t, topo, &st, &timeout), -ESTALE);
		assert_int_equal(vfs_getattr(ctx, t, cpu0, &st, &timeout), 0);
		assert_int_equal(st.st_ino, cpu0);
	}
	viewer_clear(&v);
	ptree_free(t);
	fixture_remove(copy);
}

/* The host's view: the host's names and texts. */
static void test_host_view(void **state)
{
	g_autoptr(lensfs_ctx) ctx = fixture_ctx("v1");
	struct ptree *t = ptree_new();
	struct viewer v = { .host_pidns = true };
	struct vfs_caller c = { .given = &v };
	g_autofree char *siblings = NULL;
	uint64_t cpu1;

	v.cg.path[CG_CPUSET] = g_strdup("/");
	v.cg.path[CG_CPU] = g_strdup("/");
	cpu1 = lookup_ok(ctx, t, &c, INO_SYS_CPU, "cpu1");
	assert_int_equal(cpu1, ptree_ino("sys/devices/system/cpu/cpu1", "devices/system/cpu/cpu1"));
	siblings = render_ok(ctx, t, &c,
			     lookup_ok(ctx, t, &c, lookup_ok(ctx, t, &c, cpu1, "topology"),
				       "core_siblings_list"));
	assert_string_equal(siblings, "0-1\n");
	viewer_clear(&v);
	ptree_free(t);
}

/* The v1 fixture's container (cgroup /lensfs-fixture/ctr, 300M under the
 * parent's 200M) through sys/fs/cgroup: its root, the effective limit
 * there, and who may write what. */
static void test_cgroup_view(void **state)
{
	char *copy = fixture_copy("v1");
	g_autoptr(lensfs_ctx) ctx = fixture_ctx_at(copy, true);
	struct ptree *t = ptree_new();
	struct viewer v;
	struct vfs_caller c = { 0 };
	struct vfs_entry e;
	g_autofree char *limit = NULL, *own = NULL;
	uint64_t mem, file, procs, child;
	static const char *const refused[] = { "cgroup.event_control", "memory.force_empty",
					       "memory.move_charge_at_immigrate",
					       "notify_on_release", "devices.allow" };

	assert_int_equal(viewer_of_pid(ctx, (pid_t)fixture_env("v1", "CHILD_PID"), &v), 0);
	c.given = &v;
	mem = lookup_ok(ctx, t, &c, INO_SYS_FS_CGROUP, "memory");
	assert_int_equal(mem,
			 ptree_ino("sys/fs/cgroup/memory", "fs/cgroup/memory/lensfs-fixture/ctr"));
	file = lookup_ok(ctx, t, &c, mem, "memory.limit_in_bytes");
	limit = render_ok(ctx, t, &c, file);
	assert_string_equal(limit, "209715200\n");
	own = fixture_text("v1", "sys/fs/cgroup/memory/lensfs-fixture/ctr/memory.limit_in_bytes");
	assert_string_equal(own, "314572800\n");
	/* Nothing above or beside the root has a name. */
	assert_int_equal(vfs_lookup(ctx, t, &c, mem, "..", &e), -ENOENT);
	assert_int_equal(vfs_lookup(ctx, t, &c, mem, "lensfs-fixture", &e), -ENOENT);
	assert_int_equal(vfs_lookup(ctx, t, &c, INO_SYS_FS_CGROUP, "nothing", &e), -ENOENT);
	/* Read-only unless delegating, and then for a container granted it
	 * (lensfs-hook's record, by its cgroup). */
	procs = lookup_ok(ctx, t, &c, mem, "cgroup.procs");
	assert_int_equal(vfs_may_write(ctx, t, &c, procs), -EROFS);
	ctx->cgroup_delegate = true;
	g_free(ctx->delegate_dir);
	ctx->delegate_dir = g_build_filename(copy, "delegate", NULL);
	assert_int_equal(vfs_may_write(ctx, t, &c, procs), -EROFS);
	assert_int_equal(vfs_mkdir(ctx, t, &c, mem, "child", 0755, &e), -EROFS);
	assert_int_equal(delegate_grant(ctx->delegate_dir, "other", "/lensfs-fixture"), 0);
	assert_int_equal(vfs_may_write(ctx, t, &c, procs), -EROFS);
	assert_int_equal(delegate_grant(ctx->delegate_dir, "fixture", "/lensfs-fixture/ctr"), 0);
	/* At the root: pid lists yes, limits never. */
	assert_int_equal(vfs_may_write(ctx, t, &c, file), -EPERM);
	assert_int_equal(vfs_may_write(ctx, t, &c, procs), 0);
	assert_int_equal(vfs_may_write(ctx, t, &c, lookup_ok(ctx, t, &c, mem, "tasks")), 0);
	/* Nor what acts beyond the subtree: v1's event_control interprets fd
	 * numbers of the writer, here the daemon's own (write-only: not in
	 * the captured tree). */
	fixture_write(copy, "sys/fs/cgroup/memory/lensfs-fixture/ctr/cgroup.event_control", "");
	assert_int_equal(
		vfs_may_write(ctx, t, &c, lookup_ok(ctx, t, &c, mem, "cgroup.event_control")),
		-EPERM);
	/* Below it: a new cgroup, and everything in it. */
	assert_int_equal(vfs_mkdir(ctx, t, &c, mem, "child", 0755, &e), 0);
	child = e.ino;
	assert_true(S_ISDIR(e.st.st_mode));
	assert_int_equal(vfs_mkdir(ctx, t, &c, mem, "..", 0755, &e), -EINVAL);
	assert_int_equal(vfs_mkdir(ctx, t, &c, INO_SYS_FS_CGROUP, "new", 0755, &e), -EPERM);
	fixture_write(copy, "sys/fs/cgroup/memory/lensfs-fixture/ctr/child/memory.limit_in_bytes",
		      "");
	file = lookup_ok(ctx, t, &c, child, "memory.limit_in_bytes");
	assert_int_equal(vfs_may_write(ctx, t, &c, file), 0);
	assert_int_equal(vfs_write(ctx, t, &c, file, "4096\n", 5), 5);
	/* Below the root, the files of the delegation model only. */
	for (size_t i = 0; i < G_N_ELEMENTS(refused); i++) {
		g_autofree char *rel = g_strconcat("sys/fs/cgroup/memory/lensfs-fixture/ctr/child/",
						   refused[i], NULL);

		fixture_write(copy, rel, "");
		assert_int_equal(
			vfs_may_write(ctx, t, &c, lookup_ok(ctx, t, &c, child, refused[i])),
			-EPERM);
	}
	{
		g_autofree char *path = g_build_filename(
			copy, "sys/fs/cgroup/memory/lensfs-fixture/ctr/child/memory.limit_in_bytes",
			NULL);
		g_autofree char *written = NULL;

		assert_int_equal(file_read_all(path, &written, NULL), 0);
		assert_string_equal(written, "4096\n");
	}
	/* The container stops: its record goes, the other container's stays. */
	delegate_revoke(ctx->delegate_dir, "fixture");
	assert_int_equal(vfs_may_write(ctx, t, &c, procs), -EROFS);
	assert_int_equal(delegate_granted(ctx->delegate_dir, "/lensfs-fixture"), 0);
	/* Elsewhere nothing is written. */
	assert_int_equal(vfs_may_write(ctx, t, &c, INO_PROC_MEMINFO), -EACCES);
	assert_int_equal(vfs_mkdir(ctx, t, &c, INO_SYS_CPU, "x", 0755, &e), -EACCES);
	viewer_clear(&v);
	ptree_free(t);
	fixture_remove(copy);
}

/* The files of cgroup v2's delegation model, at the root and below. */
static void test_delegation_allowlist(void **state)
{
	static const char *const at_root[] = { "cgroup.procs",		 "cgroup.threads",
					       "cgroup.subtree_control", "memory.oom.group",
					       "memory.reclaim",	 "tasks" };
	static const char *const below_only[] = {
		"memory.max",
		"memory.high",
		"cpu.max",
		"cpu.weight",
		"pids.max",
		"cpuset.cpus",
		"io.max",
		"cgroup.freeze",
		"cgroup.kill",
		"memory.limit_in_bytes",
		"cpu.cfs_quota_us",
		"freezer.state",
		"hugetlb.2MB.max",
		"hugetlb.1GB.rsvd.max",
		"hugetlb.2MB.limit_in_bytes",
	};
	static const char *const never[] = {
		"cgroup.event_control",
		"devices.allow",
		"devices.deny",
		"release_agent",
		"notify_on_release",
		"net_cls.classid",
		"net_prio.ifpriomap",
		"memory.force_empty",
		"memory.move_charge_at_immigrate",
		"cpuset.cpus.partition",
		"cpuset.cpu_exclusive",
		"cpu.rt_runtime_us",
		"memory.pressure",
		"cgroup.pressure",
		"hugetlb.2MB.failcnt",
		"",
		"cgroup.procs2",
	};

	for (size_t i = 0; i < G_N_ELEMENTS(at_root); i++) {
		assert_true(delegate_allowed(at_root[i], true));
		assert_true(delegate_allowed(at_root[i], false));
	}
	for (size_t i = 0; i < G_N_ELEMENTS(below_only); i++) {
		assert_false(delegate_allowed(below_only[i], true));
		assert_true(delegate_allowed(below_only[i], false));
	}
	for (size_t i = 0; i < G_N_ELEMENTS(never); i++) {
		assert_false(delegate_allowed(never[i], true));
		assert_false(delegate_allowed(never[i], false));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_map),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_translate_fixture),
		cmocka_unit_test(test_translate_shapes),
		cmocka_unit_test(test_dir_names),
		cmocka_unit_test(test_ptree),
		cmocka_unit_test(test_host_access),
		cmocka_unit_test(test_container_view),
		cmocka_unit_test(test_host_view),
		cmocka_unit_test(test_cgroup_view),
		cmocka_unit_test(test_delegation_allowlist),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
