/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* PSI triggers: which file takes a reader's trigger, how it is opened, the
 * per-container count of trigger descriptors, what poll(2) answers. */
#include "config.h"

#include "fixture.h"

#include "cgroup.h"
#include "node.h"
#include "psi_trigger.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

static void test_nodes(void **state)
{
	const char *kind = NULL;

	assert_true(psi_trigger_node(INO_PRESSURE_MEMORY, &kind));
	assert_string_equal(kind, "memory");
	assert_true(psi_trigger_node(INO_PRESSURE_CPU, &kind));
	assert_string_equal(kind, "cpu");
	assert_true(psi_trigger_node(INO_PRESSURE_IO, &kind));
	assert_string_equal(kind, "io");
	assert_false(psi_trigger_node(INO_PROC_MEMINFO, &kind));
	assert_false(psi_trigger_node(INO_PROC_PRESSURE, &kind));
}

static void test_counts(void **state)
{
	g_autoptr(GHashTable) counts = psi_counts_new();

	for (unsigned int i = 0; i < 3; i++)
		assert_int_equal(psi_count_take(counts, "pid:[1]", 3), 0);
	assert_int_equal(psi_count_take(counts, "pid:[1]", 3), -EMFILE);
	assert_int_equal(psi_count_of(counts, "pid:[1]"), 3);
	/* Another container, and the host, have budgets of their own. */
	assert_int_equal(psi_count_take(counts, "pid:[2]", 3), 0);
	assert_int_equal(psi_count_take(counts, NULL, 3), 0);
	assert_int_equal(psi_count_of(counts, NULL), 1);
	assert_int_equal(psi_count_of(counts, "pid:[2]"), 1);
	/* One given back makes room for one. */
	psi_count_put(counts, "pid:[1]");
	assert_int_equal(psi_count_of(counts, "pid:[1]"), 2);
	assert_int_equal(psi_count_take(counts, "pid:[1]", 3), 0);
	assert_int_equal(psi_count_take(counts, "pid:[1]", 3), -EMFILE);
	/* At 0 the entry goes. */
	psi_count_put(counts, "pid:[2]");
	psi_count_put(counts, NULL);
	assert_int_equal(g_hash_table_size(counts), 1);
}

static void test_poll_answer(void **state)
{
	/* No trigger: the kernel's psi_trigger_poll without one. */
	assert_int_equal(psi_poll_answer(false, true, POLLPRI),
			 POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM | POLLERR | POLLPRI);
	/* A trigger: its descriptor's answer, and an event the watcher took. */
	assert_int_equal(psi_poll_answer(true, false, POLLIN | POLLRDNORM), POLLIN | POLLRDNORM);
	assert_int_equal(psi_poll_answer(true, true, POLLIN), POLLIN | POLLPRI);
	assert_int_equal(psi_poll_answer(true, false, POLLIN | POLLPRI), POLLIN | POLLPRI);
}

/* The text as the kernel reads it: procfs takes the last byte written for
 * the terminator, kernfs the whole text. */
static void test_check(void **state)
{
	static const char ok[] = "some 150000 2000000";

	assert_int_equal(psi_trigger_check(ok, sizeof(ok), true), 0);
	assert_int_equal(psi_trigger_check(ok, strlen(ok), false), 0);
	/* procfs reads "some 150000 200000": 0.2 s. */
	assert_int_equal(psi_trigger_check(ok, strlen(ok), true), -EINVAL);
	assert_int_equal(psi_trigger_check("full 1 4000000\n", 15, true), 0);
	assert_int_equal(psi_trigger_check("full 1 10000000", 15, false), 0);
	/* Not a multiple of 2 s, on every kernel. */
	assert_int_equal(psi_trigger_check("some 150000 1000000", 19, false), -EINVAL);
	assert_int_equal(psi_trigger_check("some 150000 3000000", 19, false), -EINVAL);
	/* What the kernel does not read. */
	assert_int_equal(psi_trigger_check("often 1 2000000", 15, false), -EINVAL);
	assert_int_equal(psi_trigger_check("some 150000", 11, false), -EINVAL);
	assert_int_equal(psi_trigger_check("", 0, false), -EINVAL);
	/* Past 31 bytes procfs reads no more: the window is cut. */
	{
		static const char wide[] = "some           150000    2000000\n";

		assert_int_equal(strlen(wide), 33);
		assert_int_equal(psi_trigger_check(wide, strlen(wide), true), -EINVAL);
		assert_int_equal(psi_trigger_check(wide, strlen(wide), false), 0);
	}
}

static char *read_fd(int fd)
{
	char buf[64] = { 0 };

	assert_true(pread(fd, buf, sizeof(buf) - 1, 0) >= 0);
	return g_strdup(buf);
}

static struct cgroup_layout *layout_of(const char *root)
{
	g_autofree char *mi = g_build_filename(root, "proc/self/mountinfo", NULL);
	g_autofree char *sys = g_build_filename(root, "sys", NULL);
	g_autofree char *text = NULL;
	struct cgroup_layout *l = NULL;

	assert_int_equal(file_read_all(mi, &text, NULL), 0);
	assert_int_equal(cgroup_layout_parse(text, sys, &l), 0);
	return l;
}

static void test_open_v2(void **state)
{
	char *root = fixture_copy("v2");
	g_autoptr(cgroup_layout) l = layout_of(root);
	struct cgroup_membership m = { 0 };
	g_autofree char *text = NULL;
	int fd;

	fixture_write(root, "sys/fs/cgroup/lensfs.slice/ctr/memory.pressure", "ctr's\n");
	m.path[CG_UNIFIED] = g_strdup("/lensfs.slice/ctr");
	fd = cgroup_pressure_open(l, &m, "memory");
	assert_true(fd >= 0);
	/* Opened to write (a trigger), and it is the cgroup's own file. */
	assert_true((fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR);
	text = read_fd(fd);
	assert_string_equal(text, "ctr's\n");
	close(fd);
	/* A cgroup without the file: a kernel without PSI. */
	assert_int_equal(cgroup_pressure_open(l, &m, "io"), -EOPNOTSUPP);
	/* No way out of the cgroup's directory, nor through a symlink. */
	g_free(m.path[CG_UNIFIED]);
	m.path[CG_UNIFIED] = g_strdup("/lensfs.slice/../lensfs.slice/ctr");
	assert_int_equal(cgroup_pressure_open(l, &m, "memory"), -EINVAL);
	{
		g_autofree char *link = g_build_filename(root, "sys/fs/cgroup/link", NULL);

		assert_int_equal(symlink("lensfs.slice", link), 0);
	}
	g_free(m.path[CG_UNIFIED]);
	m.path[CG_UNIFIED] = g_strdup("/link/ctr");
	assert_int_equal(cgroup_pressure_open(l, &m, "memory"), -ELOOP);
	/* A cgroup that is gone. */
	g_free(m.path[CG_UNIFIED]);
	m.path[CG_UNIFIED] = g_strdup("/lensfs.slice/gone");
	assert_int_equal(cgroup_pressure_open(l, &m, "memory"), -ENOENT);
	cgroup_membership_clear(&m);
	fixture_remove(root);
}

static void test_open_v1(void **state)
{
	g_autofree char *root = g_build_filename(FIXTURE_DIR, "v1", NULL);
	g_autoptr(cgroup_layout) l = layout_of(root);
	struct cgroup_membership m = { 0 };

	/* No unified hierarchy: no pressure file anywhere. */
	m.path[CG_MEMORY] = g_strdup("/lensfs-fixture/ctr");
	assert_int_equal(cgroup_pressure_open(l, &m, "memory"), -EOPNOTSUPP);
	cgroup_membership_clear(&m);
}

/* Whose file psi_trigger_open opens: the machine's for the root of every
 * hierarchy, the cgroup's own, or none for a container in the unified root
 * beside cgroups of its own (a v1 host with a unified hierarchy). */
static void test_trigger_open(void **state)
{
	char *root = fixture_copy("v2");
	struct lensfs_ctx *ctx = fixture_ctx_at(root, true);
	struct viewer v = { 0 };
	bool proc = false;
	g_autofree char *text = NULL;
	g_autofree char *dir = g_build_filename(root, "proc/pressure", NULL);
	int fd;

	assert_int_equal(g_mkdir_with_parents(dir, 0755), 0);
	fixture_write(root, "proc/pressure/memory", "machine's\n");
	fixture_write(root, "sys/fs/cgroup/lensfs.slice/ctr/memory.pressure", "ctr's\n");
	for (int c = 0; c < CG__COUNT; c++)
		v.cg.path[c] = g_strdup("/");
	fd = psi_trigger_open(ctx, &v, "memory", &proc);
	assert_true(fd >= 0);
	assert_true(proc);
	text = read_fd(fd);
	assert_string_equal(text, "machine's\n");
	close(fd);
	g_clear_pointer(&text, g_free);
	/* No such file on the host: no PSI. */
	assert_int_equal(psi_trigger_open(ctx, &v, "io", &proc), -EOPNOTSUPP);

	g_free(v.cg.path[CG_MEMORY]);
	v.cg.path[CG_MEMORY] = g_strdup("/lensfs.slice/ctr");
	assert_int_equal(psi_trigger_open(ctx, &v, "memory", &proc), -EOPNOTSUPP);

	g_free(v.cg.path[CG_UNIFIED]);
	v.cg.path[CG_UNIFIED] = g_strdup("/lensfs.slice/ctr");
	fd = psi_trigger_open(ctx, &v, "memory", &proc);
	assert_true(fd >= 0);
	assert_false(proc);
	text = read_fd(fd);
	assert_string_equal(text, "ctr's\n");
	close(fd);
	viewer_clear(&v);
	lensfs_ctx_free(ctx);
	fixture_remove(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nodes),	    cmocka_unit_test(test_counts),
		cmocka_unit_test(test_poll_answer), cmocka_unit_test(test_open_v2),
		cmocka_unit_test(test_open_v1),	    cmocka_unit_test(test_trigger_open),
		cmocka_unit_test(test_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
