/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Per-container views (views.h) on the v2 fixture: made by the host's root
 * only, fixed to the container's first process, one text per period with
 * an mtime that changes with it, freed when the kernel forgets them, and
 * found again by a successor from the log. */
#include "config.h"

#include "fixture.h"
#include "handover.h"
#include "ptree.h"
#include "views.h"
#include "vtree.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#define HOST_PID 4299 /* a process in the fixture host's pid namespace */
#define CTR_PID	 4243 /* the container's init's child */

/* The file at path in the view whose root is root, found the way the
 * kernel finds it: one lookup per name. */
static uint64_t walk(struct views *s, uint64_t root, const char *path)
{
	g_auto(GStrv) names = g_strsplit(path, "/", -1);
	uint64_t ino = root;

	for (char **n = names; *n; n++) {
		struct vfs_entry e;

		assert_int_equal(views_lookup(s, HOST_PID, ino, *n, &e), 0);
		/* The table's names hold no time; those passed through
		 * (below the cpu directory) a second. */
		assert_true(e.entry_timeout == 0.0 || (ptree_is(e.ino) && e.entry_timeout == 1.0));
		ino = e.ino;
	}
	return ino;
}

static char *read_all(struct views *s, uint64_t ino)
{
	g_autoptr(GString) all = g_string_new(NULL);

	for (;;) {
		g_autofree char *slice = NULL;
		size_t len = 0;

		assert_int_equal(views_read(s, ino, 100, (off_t)all->len, &slice, &len), 0);
		if (len == 0)
			break;
		g_string_append_len(all, slice, (gssize)len);
	}
	return g_string_free(g_steal_pointer(&all), FALSE);
}

/* What the caller-based mount shows the container's own processes. */
static char *rendered_for(struct lensfs_ctx *ctx, pid_t pid, const char *path)
{
	g_autoptr(GString) out = g_string_new(NULL);
	struct viewer v;

	assert_int_equal(
		vnode_render_for_pid(ctx, vnode_by_path(path), pid, viewer_of_pid, &v, out), 0);
	viewer_clear(&v);
	return g_string_free(g_steal_pointer(&out), FALSE);
}

static void test_who_makes_views(void **state)
{
	g_autoptr(lensfs_ctx) ctx = fixture_ctx("v2");
	struct views *s = views_new(ctx);
	struct vfs_entry e;

	/* A process of the container, root in it: no. */
	assert_int_equal(views_make(s, CTR_PID, 0, "4242", &e), -EPERM);
	/* The host's pid namespace, not root: no. */
	assert_int_equal(views_make(s, HOST_PID, 1000, "4242", &e), -EPERM);
	/* Names are pids, written plainly. */
	assert_int_equal(views_make(s, HOST_PID, 0, "ctr", &e), -EINVAL);
	assert_int_equal(views_make(s, HOST_PID, 0, "04242", &e), -EINVAL);
	assert_int_equal(views_make(s, HOST_PID, 0, "-4242", &e), -EINVAL);
	assert_int_equal(views_make(s, HOST_PID, 0, "99999999999", &e), -EINVAL);
	/* A process that is not there. */
	assert_int_equal(views_make(s, HOST_PID, 0, "4244", &e), -ESRCH);
	assert_int_equal(views_live(s), 0);
	/* The host's root: yes, once. */
	assert_int_equal(views_make(s, HOST_PID, 0, "4242", &e), 0);
	assert_true(S_ISDIR(e.st.st_mode));
	assert_int_equal(e.ino >> VIEWS_SLOT_SHIFT, 1);
	assert_int_equal(views_make(s, HOST_PID, 0, "4242", &e), -EEXIST);
	/* Removing is the host root's too. */
	assert_int_equal(views_remove(s, CTR_PID, 0, "4242"), -EPERM);
	assert_int_equal(views_remove(s, HOST_PID, 0, "4243"), -ENOENT);
	assert_int_equal(views_remove(s, HOST_PID, 0, "4242"), 0);
	views_free(s);
}

/* The view of the container's first process is what its processes see on
 * the caller-based mount, whoever reads it; the table's files, each its own
 * inode in the view. */
static void test_view_is_the_containers(void **state)
{
	g_autoptr(lensfs_ctx) ctx = fixture_ctx("v2");
	struct views *s = views_new(ctx);
	g_autoptr(GArray) root = NULL, proc = NULL, none = NULL;
	g_autofree char *meminfo = NULL, *want = NULL, *cpus = NULL, *want_cpus = NULL;
	struct vfs_entry e, other;
	uint64_t ino;
	struct stat st;
	double timeout;

	assert_int_equal(views_make(s, HOST_PID, 0, "4242", &e), 0);
	ino = walk(s, e.ino, "proc/meminfo");
	assert_int_equal(ino >> VIEWS_SLOT_SHIFT, e.ino >> VIEWS_SLOT_SHIFT);
	assert_int_equal(views_getattr(s, ino, &st, &timeout), 0);
	meminfo = read_all(s, ino);
	want = rendered_for(ctx, CTR_PID, "proc/meminfo");
	assert_string_equal(meminfo, want);
	assert_int_equal(st.st_size, strlen(want));
	assert_true(st.st_mtim.tv_sec > 0);
	/* Counters hold --refresh-ms, at least a tick of 10 ms. */
	assert_true(timeout >= 0.01 && timeout < 1);
	assert_int_equal(views_period_us(vnode_by_path("proc/uptime"), 200000), 10000);
	assert_int_equal(views_period_us(vnode_by_path("proc/meminfo"), 200000), 200000);
	assert_int_equal(views_period_us(vnode_by_path("proc/meminfo"), 0), 10000);
	cpus = read_all(s, walk(s, e.ino, "sys/devices/system/cpu/online"));
	want_cpus = rendered_for(ctx, CTR_PID, "sys/devices/system/cpu/online");
	assert_string_equal(cpus, want_cpus);

	/* The root lists the view by name; the view, the table's names. */
	assert_int_equal(views_list(s, HOST_PID, VIEWS_ROOT, &root), 0);
	assert_int_equal(root->len, 3);
	assert_string_equal(g_array_index(root, struct vfs_dirent, 2).name, "4242");
	assert_int_equal(views_list(s, CTR_PID, walk(s, e.ino, "proc"), &proc), 0);
	assert_true(proc->len > 8);
	assert_int_equal(views_is_dir(s, ino), 0);
	assert_int_equal(views_is_dir(s, e.ino), 1);

	/* A name not in the table, a slot never given: nothing. */
	assert_int_equal(views_lookup(s, HOST_PID, e.ino, "etc", &other), -ENOENT);
	/* A container's process finds no view by name, nor lists them. */
	assert_int_equal(views_lookup(s, CTR_PID, VIEWS_ROOT, "4242", &other), -EACCES);
	assert_int_equal(views_list(s, CTR_PID, VIEWS_ROOT, &none), -EACCES);
	assert_int_equal(views_getattr(s, (UINT64_C(7) << VIEWS_SLOT_SHIFT) | INO_PROC_MEMINFO, &st,
				       &timeout),
			 -ENOENT);
	views_free(s);
}

/* A text holds its period; after it, a GETATTR renders again, and gives a
 * new mtime only to a new text. A READ reads what its GETATTR sized. */
static void test_generations(void **state)
{
	char *root = fixture_copy("v2");
	/* Texts and counters hold 200 ms. */
	struct lensfs_ctx *ctx = fixture_ctx_refresh(root, true, 200);
	struct views *s = views_new(ctx);
	g_autofree char *before = NULL, *after = NULL;
	struct timespec first;
	struct vfs_entry e;
	struct stat st;
	double timeout;
	uint64_t ino;

	assert_int_equal(views_make(s, HOST_PID, 0, "4242", &e), 0);
	ino = walk(s, e.ino, "proc/meminfo");
	assert_int_equal(views_getattr(s, ino, &st, &timeout), 0);
	first = st.st_mtim;
	before = read_all(s, ino);
	/* The same text after the period: the same mtime (the kernel keeps
	 * its pages). */
	g_usleep(250 * 1000);
	assert_int_equal(views_getattr(s, ino, &st, &timeout), 0);
	assert_int_equal(st.st_mtim.tv_sec, first.tv_sec);
	assert_int_equal(st.st_mtim.tv_nsec, first.tv_nsec);
	/* The limit changes: within the period, the old text still... */
	fixture_write(root, "sys/fs/cgroup/lensfs.slice/ctr/memory.max", "104857600\n");
	after = read_all(s, ino);
	assert_string_equal(after, before);
	g_clear_pointer(&after, g_free);
	/* After it, a read beyond the start still reads the old text (the
	 * pages after the first come from the first's text)... */
	g_usleep(250 * 1000);
	{
		g_autofree char *slice = NULL;
		size_t len = 0;

		assert_int_equal(views_read(s, ino, 64, 64, &slice, &len), 0);
		assert_int_equal(len, 64);
		assert_memory_equal(slice, before + 64, 64);
	}
	/* ...and a GETATTR (or a read from the start) makes the new one, with
	 * a later mtime, and its size. */
	assert_int_equal(views_getattr(s, ino, &st, &timeout), 0);
	assert_true(st.st_mtim.tv_sec > first.tv_sec ||
		    (st.st_mtim.tv_sec == first.tv_sec && st.st_mtim.tv_nsec > first.tv_nsec));
	after = read_all(s, ino);
	assert_string_not_equal(after, before);
	assert_non_null(strstr(after, "MemTotal:         102400 kB\n"));
	assert_int_equal(st.st_size, strlen(after));
	views_free(s);
	lensfs_ctx_free(ctx);
	fixture_remove(root);
}

/* A view lives while the kernel holds an inode of it, or while its name is
 * there and its process runs. */
static void test_lifetime(void **state)
{
	char *root = fixture_copy("v2");
	struct lensfs_ctx *ctx = fixture_ctx_at(root, true);
	struct views *s = views_new(ctx);
	g_autofree char *gone = g_build_filename(root, "proc/4242", NULL);
	g_autofree char *hidden = g_build_filename(root, "proc/.4242", NULL);
	struct vfs_entry e;
	uint64_t ino, proc;

	assert_int_equal(views_make(s, HOST_PID, 0, "4242", &e), 0);
	proc = walk(s, e.ino, "proc");
	ino = walk(s, proc, "meminfo");
	/* The kernel forgets all (the container's mounts went): its name and
	 * its running process keep it. */
	views_forget(s, ino, 1);
	views_forget(s, proc, 1);
	views_forget(s, e.ino, 1);
	assert_int_equal(views_live(s), 1);
	/* Held by a bind mount, without a name: found again by its name
	 * first, as the kernel walks a path. */
	assert_int_equal(walk(s, VIEWS_ROOT, "4242"), e.ino);
	ino = walk(s, e.ino, "proc/uptime");
	assert_int_equal(views_remove(s, HOST_PID, 0, "4242"), 0);
	assert_int_equal(views_live(s), 1);
	views_forget(s, e.ino, 1);
	views_forget(s, proc, 1);
	assert_int_equal(views_live(s), 1);
	views_forget(s, ino, 1);
	assert_int_equal(views_live(s), 0);

	/* Named, but its process is gone: freed once the kernel forgets it. */
	assert_int_equal(views_make(s, HOST_PID, 0, "4242", &e), 0);
	assert_int_equal(rename(gone, hidden), 0);
	assert_int_equal(views_live(s), 1);
	views_forget(s, e.ino, 1);
	assert_int_equal(views_live(s), 0);
	assert_int_equal(rename(hidden, gone), 0);
	views_free(s);
	lensfs_ctx_free(ctx);
	fixture_remove(root);
}

/* A successor serves the inodes its predecessor gave out, from the log, and
 * never gives their slots again. */
static void test_successor(void **state)
{
	g_autoptr(lensfs_ctx) ctx = fixture_ctx("v2");
	int record = handover_create();
	struct views *first = views_new(ctx), *next = views_new(ctx);
	g_autofree char *text = NULL, *again = NULL;
	struct vfs_entry e, e2;
	uint64_t ino;
	struct stat st;
	double timeout;

	assert_true(record >= 0);
	views_set_log(first, record);
	assert_int_equal(views_make(first, HOST_PID, 0, "4242", &e), 0);
	ino = walk(first, e.ino, "proc/meminfo");
	text = read_all(first, ino);
	views_free(first);

	views_set_log(next, record);
	assert_int_equal(views_getattr(next, ino, &st, &timeout), 0);
	again = read_all(next, ino);
	assert_string_equal(again, text);
	/* Its name came back with it. */
	assert_int_equal(views_make(next, HOST_PID, 0, "4242", &e2), -EEXIST);
	assert_int_equal(views_remove(next, HOST_PID, 0, "4242"), 0);
	assert_int_equal(views_make(next, HOST_PID, 0, "4242", &e2), 0);
	assert_true(e2.ino >> VIEWS_SLOT_SHIFT > e.ino >> VIEWS_SLOT_SHIFT);
	views_free(next);
	close(record);
}

/* A copy of the v1 fixture (the one with cpuN directories) with the host's
 * symbolic links in each and a process of the host's pid namespace:
 * HOST_PID, as in the v2 fixture. */
static char *v1_with_host(void)
{
	char *copy = fixture_copy("v1");
	g_autofree char *cmd =
		g_strdup_printf("cd %s && cp -a proc/6074 proc/%d && rm proc/%d/ns/pid && "
				"ln -s 'pid:[4026531836]' proc/%d/ns/pid && "
				"sed -i 's/^NSpid:.*/NSpid:\t%d/' proc/%d/status && "
				"for c in 0 1; do ln -s ../../../../bus/cpu "
				"sys/devices/system/cpu/cpu$c/subsystem; done",
				copy, HOST_PID, HOST_PID, HOST_PID, HOST_PID, HOST_PID);

	assert_int_equal(system(cmd), 0);
	return copy;
}

struct told {
	GPtrArray *names;
	GArray *parents;
};

static void record_gone(void *data, uint64_t parent, uint64_t child, const char *name)
{
	struct told *t = data;

	g_ptr_array_add(t->names, g_strdup(name));
	g_array_append_val(t->parents, parent);
}

static int index_of(GPtrArray *names, const char *name)
{
	guint i;

	return g_ptr_array_find_with_equal_func(names, name, g_str_equal, &i) ? (int)i : -1;
}

/* The cpu directory and the cgroup view in a view: what the container's
 * processes see on the caller-based mount, numbered in the view's slot,
 * read-only, told gone deepest first once the container is, and found by
 * a successor in the log. */
static void test_passed_through(void **state)
{
	char *root = v1_with_host();
	struct lensfs_ctx *ctx = fixture_ctx_at(root, true);
	pid_t child = (pid_t)fixture_env("v1", "CHILD_PID");
	g_autofree char *name = g_strdup_printf("%ld", fixture_env("v1", "INIT_PID"));
	g_autofree char *gone = g_build_filename(root, "proc", name, NULL);
	g_autofree char *hidden = g_build_filename(root, "proc/.gone", NULL);
	g_autofree char *link = NULL, *text = NULL, *again = NULL;
	g_autoptr(GString) want = g_string_new(NULL);
	g_autoptr(ptree) t = ptree_new();
	g_autoptr(GArray) list = NULL;
	struct vfs_caller c = { .pid = child };
	struct told told = { g_ptr_array_new_with_free_func(g_free),
			     g_array_new(FALSE, FALSE, sizeof(uint64_t)) };
	int record = handover_create();
	struct views *s = views_new(ctx), *next = views_new(ctx);
	uint64_t cpu, cpu0, file, slot, other;
	struct vfs_entry e, e2, ce;
	struct stat st;
	double timeout;
	bool listed = false;

	views_set_log(s, record);
	views_set_gone(s, record_gone, &told);
	assert_int_equal(views_make(s, HOST_PID, 0, name, &e), 0);
	slot = e.ino >> VIEWS_SLOT_SHIFT;
	cpu = walk(s, e.ino, "sys/devices/system/cpu");
	cpu0 = walk(s, cpu, "cpu0");
	assert_true(ptree_is(cpu0));
	assert_int_equal((cpu0 & ~PT_INO_BIT) >> VIEWS_SLOT_SHIFT, slot);
	assert_int_equal(views_is_dir(s, cpu0), 1);
	/* The names the container's processes list, with these numbers. */
	assert_int_equal(views_list(s, HOST_PID, cpu, &list), 0);
	assert_int_equal(g_array_index(list, struct vfs_dirent, 0).ino, cpu);
	for (guint i = 0; i < list->len; i++) {
		const struct vfs_dirent *d = &g_array_index(list, struct vfs_dirent, i);

		if (strcmp(d->name, "cpu0") == 0)
			listed = d->ino == cpu0;
		assert_true(ptree_is(d->ino) || d->ino >> VIEWS_SLOT_SHIFT == slot);
	}
	assert_true(listed);
	/* A file's text, as the container reads it; its size; read-only. */
	file = walk(s, cpu0, "topology/core_siblings_list");
	assert_int_equal(views_getattr(s, file, &st, &timeout), 0);
	assert_int_equal(st.st_mode & 0222, 0);
	text = read_all(s, file);
	assert_int_equal(st.st_size, strlen(text));
	assert_int_equal(vfs_lookup(ctx, t, &c, INO_SYS_CPU, "cpu0", &ce), 0);
	assert_int_equal(vfs_lookup(ctx, t, &c, ce.ino, "topology", &ce), 0);
	assert_int_equal(vfs_lookup(ctx, t, &c, ce.ino, "core_siblings_list", &ce), 0);
	assert_int_equal(vfs_render(ctx, t, &c, ce.ino, want), 0);
	vfs_caller_clear(&c);
	assert_string_equal(text, want->str);
	assert_int_equal(views_readlink(s, walk(s, cpu0, "subsystem"), &link), 0);
	assert_string_equal(link, "../../../../bus/cpu");
	/* Another view of the same container: its own numbers. */
	g_free(name);
	name = g_strdup_printf("%d", child);
	assert_int_equal(views_make(s, HOST_PID, 0, name, &e2), 0);
	other = walk(s, e2.ino, "sys/devices/system/cpu/cpu0");
	assert_int_not_equal(other, cpu0);
	assert_int_equal(other & 0xffffffff, cpu0 & 0xffffffff);

	/* A successor finds the node, and its text, in the log. */
	views_set_log(next, record);
	assert_int_equal(views_getattr(next, file, &st, &timeout), 0);
	again = read_all(next, file);
	assert_string_equal(again, text);
	views_free(next);

	/* The container goes; the kernel still holds the names: told gone,
	 * the deepest first, each in its parent. */
	assert_int_equal(rename(gone, hidden), 0);
	assert_int_equal(views_live(s), 2);
	assert_true(index_of(told.names, "core_siblings_list") >= 0);
	assert_true(index_of(told.names, "core_siblings_list") < index_of(told.names, "topology"));
	assert_true(index_of(told.names, "topology") < index_of(told.names, "cpu0"));
	assert_int_equal(g_array_index(told.parents, uint64_t, index_of(told.names, "cpu0")), cpu);
	/* Forgotten: the view goes (the other one's process still runs).
	 * (Every count at once: however many lookups each had.) */
	{
		uint64_t held[] = { file,
				    walk(s, cpu0, "topology"),
				    walk(s, cpu0, "subsystem"),
				    cpu0,
				    cpu,
				    walk(s, e.ino, "sys/devices/system"),
				    walk(s, e.ino, "sys/devices"),
				    walk(s, e.ino, "sys"),
				    e.ino };

		for (size_t i = 0; i < G_N_ELEMENTS(held); i++)
			views_forget(s, held[i], 1000);
	}
	assert_int_equal(views_live(s), 1);
	assert_int_equal(rename(hidden, gone), 0);
	views_free(s);
	close(record);
	g_ptr_array_unref(told.names);
	g_array_unref(told.parents);
	lensfs_ctx_free(ctx);
	fixture_remove(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_who_makes_views),
		cmocka_unit_test(test_view_is_the_containers),
		cmocka_unit_test(test_generations),
		cmocka_unit_test(test_lifetime),
		cmocka_unit_test(test_successor),
		cmocka_unit_test(test_passed_through),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
