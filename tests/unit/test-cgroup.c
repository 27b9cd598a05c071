/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "fixture.h"

#include "cgroup.h"

static struct cgroup_layout *layout_of(const char *tree)
{
	g_autofree char *mountinfo = fixture_text(tree, "proc/self/mountinfo");
	g_autofree char *sys = fixture_path(tree, "sys");
	struct cgroup_layout *layout = NULL;

	assert_int_equal(cgroup_layout_parse(mountinfo, sys, &layout), 0);
	return layout;
}

/* This machine: v1 controllers and a cgroup2 mount holding none of ours. */
static void test_layout_hybrid(void **state)
{
	g_autoptr(cgroup_layout) l = layout_of("v1");
	g_autofree char *memdir = fixture_path("v1", "sys/fs/cgroup/memory");

	assert_int_equal(l->kind, CG_LAYOUT_HYBRID);
	assert_string_equal(cgroup_layout_kind_name(l->kind), "hybrid");
	assert_non_null(l->unified);
	assert_int_equal(l->ctrl[CG_MEMORY]->version, 1);
	assert_string_equal(l->ctrl[CG_MEMORY]->dir, memdir);
	assert_int_equal(l->ctrl[CG_CPUSET]->version, 1);
	assert_ptr_not_equal(l->ctrl[CG_CPU], l->ctrl[CG_CPUACCT]);
}

static void test_layout_v2(void **state)
{
	g_autoptr(cgroup_layout) l = layout_of("v2");

	assert_int_equal(l->kind, CG_LAYOUT_V2);
	for (int c = 0; c < CG__COUNT; c++)
		assert_ptr_equal(l->ctrl[c], l->unified);
}

static void test_layout_v1_joined(void **state)
{
	/* cpu and cpuacct co-mounted, a blank in a mount point, a subtree mount. */
	const char *mi =
		"30 23 0:26 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
		"31 23 0:27 /lxc/c1 /sys/fs/cgroup/my\\040memory rw - cgroup cgroup rw,memory\n"
		"32 23 0:28 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd\n"
		"33 23 0:29 / /mnt/cpuset rw - cgroup none rw,cpuset\n";
	g_autoptr(cgroup_layout) l = NULL;
	g_autofree char *dir = NULL;

	assert_int_equal(cgroup_layout_parse(mi, "/x/sys", &l), 0);
	assert_int_equal(l->kind, CG_LAYOUT_V1);
	assert_null(l->unified);
	assert_ptr_equal(l->ctrl[CG_CPU], l->ctrl[CG_CPUACCT]);
	assert_string_equal(l->ctrl[CG_CPU]->dir, "/x/sys/fs/cgroup/cpu,cpuacct");
	assert_string_equal(l->ctrl[CG_MEMORY]->dir, "/x/sys/fs/cgroup/my memory");
	assert_string_equal(l->ctrl[CG_CPUSET]->dir, "/mnt/cpuset");
	/* Paths are below the mount root or not reachable at all. */
	assert_int_equal(cgroup_dir(l, CG_MEMORY, "/lxc/c1/sub", &dir), 0);
	assert_string_equal(dir, "/x/sys/fs/cgroup/my memory/sub");
	g_clear_pointer(&dir, g_free);
	assert_int_equal(cgroup_dir(l, CG_MEMORY, "/lxc/c10", &dir), -ENOENT);
	assert_int_equal(cgroup_dir(l, CG_MEMORY, "/lxc/c1/../c2", &dir), -EINVAL);
	assert_int_equal(cgroup_dir(l, CG_CPU, "relative", &dir), -EINVAL);
	assert_null(dir);
}

static void test_layout_none(void **state)
{
	struct cgroup_layout *l = NULL;

	assert_int_equal(cgroup_layout_parse("22 1 8:1 / / rw - ext4 /dev/sda1 rw\n", "/sys", &l),
			 -ENOENT);
	assert_null(l);
}

static void test_membership(void **state)
{
	g_autoptr(cgroup_layout) v1 = layout_of("v1");
	g_autoptr(cgroup_layout) v2 = layout_of("v2");
	struct cgroup_membership m;

	assert_int_equal(
		cgroup_membership_parse(v1,
					"4:memory:/a/init.scope\n3:cpuset:/b\n2:cpuacct:/c\n"
					"1:cpu:/d\n0::/e\n",
					&m),
		0);
	assert_string_equal(m.path[CG_MEMORY], "/a/init.scope");
	assert_string_equal(m.path[CG_CPUSET], "/b");
	assert_string_equal(m.path[CG_CPU], "/d");
	cgroup_membership_strip_init_scope(&m);
	assert_string_equal(m.path[CG_MEMORY], "/a");
	assert_false(cgroup_membership_is_root(&m));
	cgroup_membership_clear(&m);

	assert_int_equal(cgroup_membership_parse(v2, "0::/init.scope\n", &m), 0);
	cgroup_membership_strip_init_scope(&m);
	for (int c = 0; c < CG__COUNT; c++)
		assert_string_equal(m.path[c], "/");
	assert_true(cgroup_membership_is_root(&m));
	cgroup_membership_clear(&m);

	assert_int_equal(cgroup_membership_parse(v2, "garbage\n", &m), -EINVAL);
	assert_int_equal(cgroup_membership_parse(v2, "0::relative\n", &m), -EINVAL);
}

/* Real v1 files: limits come from hierarchical_* in memory.stat. */
static void test_memory_v1(void **state)
{
	g_autoptr(cgroup_layout) l = layout_of("v1");
	struct memory_facts f;
	uint64_t usage =
		fixture_u64("v1", "sys/fs/cgroup/memory/lensfs-fixture/ctr/memory.usage_in_bytes");
	uint64_t memsw = fixture_u64(
		"v1", "sys/fs/cgroup/memory/lensfs-fixture/ctr/memory.memsw.usage_in_bytes");

	assert_int_equal(cgroup_memory_facts(l, "/lensfs-fixture/ctr", &f), 0);
	assert_true(f.limited);
	assert_int_equal(f.limit, 200u << 20); /* the parent's, lower than the child's 300M */
	assert_int_equal(f.swap_limit, 200u << 20); /* memsw 400M - memory 200M */
	assert_int_equal(f.usage, usage);
	assert_int_equal(f.swap_usage, memsw - usage);

	assert_int_equal(cgroup_memory_facts(l, "/", &f), 0);
	assert_false(f.limited);
	assert_true(f.limit == LIMIT_NONE);
	assert_int_equal(cgroup_memory_facts(l, "/no-such-cgroup", &f), -ENOENT);
}

static void test_memory_v2(void **state)
{
	g_autoptr(cgroup_layout) l = layout_of("v2");
	struct memory_facts f;

	assert_int_equal(cgroup_memory_facts(l, "/lensfs.slice/ctr", &f), 0);
	assert_true(f.limited);
	assert_int_equal(f.limit, 209715200); /* min(ctr 300M, lensfs.slice 200M) */
	assert_int_equal(f.swap_limit, 104857600); /* ctr's; the parent says max */
	assert_int_equal(f.usage, 52428800);
	assert_int_equal(f.swap_usage, 4194304);
	assert_int_equal(f.stat.v[MS_FILE], 25165824);

	/* A child that sets nothing inherits the limits above it. */
	assert_int_equal(cgroup_memory_facts(l, "/lensfs.slice/ctr/init.scope", &f), 0);
	assert_int_equal(f.limit, 209715200);
	assert_int_equal(f.usage, 50331648);

	assert_int_equal(cgroup_memory_facts(l, "/", &f), 0);
	assert_false(f.limited);
}

static void test_memory_v2_damaged(void **state)
{
	char *root = fixture_copy("v2");
	g_autofree char *mi = NULL;
	g_autofree char *sys = g_build_filename(root, "sys", NULL);
	g_autoptr(cgroup_layout) l = NULL;
	struct memory_facts f;

	mi = g_build_filename(root, "proc/self/mountinfo", NULL);
	g_autofree char *text = NULL;
	assert_int_equal(file_read_all(mi, &text, NULL), 0);
	assert_int_equal(cgroup_layout_parse(text, sys, &l), 0);

	fixture_write(root, "sys/fs/cgroup/lensfs.slice/memory.max", "lots\n");
	assert_int_equal(cgroup_memory_facts(l, "/lensfs.slice/ctr", &f), -EINVAL);
	fixture_write(root, "sys/fs/cgroup/lensfs.slice/memory.max", "");
	assert_int_equal(cgroup_memory_facts(l, "/lensfs.slice/ctr", &f), -EINVAL);
	fixture_write(root, "sys/fs/cgroup/lensfs.slice/memory.max", "max\n");
	fixture_write(root, "sys/fs/cgroup/lensfs.slice/ctr/memory.current", "-5\n");
	assert_int_equal(cgroup_memory_facts(l, "/lensfs.slice/ctr", &f), -EINVAL);
	fixture_write(root, "sys/fs/cgroup/lensfs.slice/ctr/memory.current",
		      "99999999999999999999\n");
	assert_int_equal(cgroup_memory_facts(l, "/lensfs.slice/ctr", &f), -ERANGE);
	fixture_remove(root);
}

static void test_cpu(void **state)
{
	g_autoptr(cgroup_layout) v1 = layout_of("v1");
	g_autoptr(cgroup_layout) v2 = layout_of("v2");
	struct cgroup_membership m = { 0 };
	struct cpu_facts f;
	g_autoptr(GString) s = g_string_new(NULL);
	uint64_t usage;

	/* v1, real: cpuset 0 and quota 50000/100000 on the parent. */
	for (int c = 0; c < CG__COUNT; c++)
		m.path[c] = g_strdup("/lensfs-fixture/ctr");
	assert_int_equal(cgroup_cpu_facts(v1, &m, &f), 0);
	cpuset_format(f.cpus, s);
	assert_string_equal(s->str, "0");
	assert_int_equal(f.quota_us, 50000);
	assert_int_equal(f.period_us, 100000);
	/* cpuset.effective_mems: node 0 */
	assert_non_null(f.mems);
	g_string_truncate(s, 0);
	cpuset_format(f.mems, s);
	assert_string_equal(s->str, "0");
	cpu_facts_clear(&f);
	assert_int_equal(cgroup_cpu_usage(v1, &m, &usage), 0);
	assert_int_equal(
		usage,
		fixture_u64("v1", "sys/fs/cgroup/cpuacct/lensfs-fixture/ctr/cpuacct.usage") / 1000);
	cgroup_membership_clear(&m);

	/* v2: ctr has no cpuset files (controller not delegated): its parent's
	 * 1-3 apply; quota 1.5 from the parent, ctr says max. */
	for (int c = 0; c < CG__COUNT; c++)
		m.path[c] = g_strdup("/lensfs.slice/ctr");
	assert_int_equal(cgroup_cpu_facts(v2, &m, &f), 0);
	g_string_truncate(s, 0);
	cpuset_format(f.cpus, s);
	assert_string_equal(s->str, "1-3");
	assert_int_equal(f.quota_us, 150000);
	assert_int_equal(f.period_us, 100000);
	/* no cpuset.mems.effective in ctr: no restriction */
	assert_null(f.mems);
	cpu_facts_clear(&f);
	assert_int_equal(cgroup_cpu_usage(v2, &m, &usage), 0);
	assert_int_equal(usage, 2500000);
	cgroup_membership_clear(&m);

	/* The root: all CPUs, no quota. */
	for (int c = 0; c < CG__COUNT; c++)
		m.path[c] = g_strdup("/");
	assert_int_equal(cgroup_cpu_facts(v2, &m, &f), 0);
	assert_int_equal(cpuset_count(f.cpus), 4);
	assert_int_equal(f.quota_us, 0);
	cpu_facts_clear(&f);
	cgroup_membership_clear(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_hybrid),
		cmocka_unit_test(test_layout_v2),
		cmocka_unit_test(test_layout_v1_joined),
		cmocka_unit_test(test_layout_none),
		cmocka_unit_test(test_membership),
		cmocka_unit_test(test_memory_v1),
		cmocka_unit_test(test_memory_v2),
		cmocka_unit_test(test_memory_v2_damaged),
		cmocka_unit_test(test_cpu),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
