/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The limits over a cgroup and its ancestors (cg_limits.c): the rules on
 * their edge values, and, over every cgroup of every fixture tree, the
 * renderers' limits (cgroup_memory_facts, cgroup_cpu_facts) against what
 * the sys/fs/cgroup view shows at its root. */
#include "config.h"

#include "fixture.h"

#include "cg_limits.h"
#include "cgroup.h"
#include "ptree.h"
#include "vfs.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

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

/* Every cgroup below dir (a hierarchy's directory at path), as cgroup
 * paths; each path once. */
static void cgroups_below(const char *dir, const char *path, GPtrArray *out)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *name;

	if (!d)
		return;
	if (!g_ptr_array_find_with_equal_func(out, path, g_str_equal, NULL))
		g_ptr_array_add(out, g_strdup(path));
	while ((name = g_dir_read_name(d))) {
		g_autofree char *sub = g_build_filename(dir, name, NULL);
		g_autofree char *subpath = g_build_filename(path, name, NULL);

		if (g_file_test(sub, G_FILE_TEST_IS_DIR) &&
		    !g_file_test(sub, G_FILE_TEST_IS_SYMLINK))
			cgroups_below(sub, subpath, out);
	}
}

#define FAKE_INIT 77777

/* A viewer whose container cgroup is path in every hierarchy that has it:
 * the view's roots from a made-up init's /proc/PID/cgroup (with a
 * trailing /init.scope, which the view's root leaves out: so a cgroup
 * that is itself an init.scope can be a root too); "/" as the host's pid
 * namespace sees it. */
static void viewer_at(const char *copy, struct lensfs_ctx *ctx, const char *path, guint key,
		      struct viewer *v)
{
	const struct cgroup_layout *layout = ctx->layout;
	g_autoptr(GString) text = g_string_new(NULL);
	g_autofree char *procdir = g_strdup_printf("%s/proc/%d", copy, FAKE_INIT);
	g_autofree char *rel = g_strdup_printf("proc/%d/cgroup", FAKE_INIT);

	memset(v, 0, sizeof(*v));
	v->host_pidns = strcmp(path, "/") == 0;
	v->init_pid = FAKE_INIT;
	v->init_start_ticks = key;
	for (int c = 0; c < CG__COUNT; c++) {
		g_autofree char *dir = NULL;

		if (layout->ctrl[c] && cgroup_dir(layout, (enum cg_controller)c, path, &dir) == 0 &&
		    g_file_test(dir, G_FILE_TEST_IS_DIR))
			v->cg.path[c] = g_strdup(path);
	}
	for (guint i = 0; i < layout->hierarchies->len; i++) {
		const struct cgroup_hierarchy *h = layout->hierarchies->pdata[i];

		g_string_append_printf(text, "%u:%s:%s/init.scope\n", i,
				       h->version == 2 ? "" : h->controllers,
				       strcmp(path, "/") == 0 ? "" : path);
	}
	assert_int_equal(g_mkdir_with_parents(procdir, 0755), 0);
	fixture_write(copy, rel, text->str);
}

/* The text of file at the root of the view of hierarchy c; -ENOENT when
 * the root has no such file. */
static int view_text(struct lensfs_ctx *ctx, struct ptree *t, struct vfs_caller *c,
		     enum cg_controller ctrl, const char *file, char **out)
{
	const struct cgroup_hierarchy *h = ctx->layout->ctrl[ctrl];
	g_autofree char *base = g_build_filename(ctx->sys_root, "fs/cgroup", NULL);
	g_autoptr(GString) text = g_string_new(NULL);
	uint64_t dir = INO_SYS_FS_CGROUP;
	struct vfs_entry e;

	if (strcmp(h->dir, base) != 0) {
		g_autofree char *top = g_path_get_basename(h->dir);

		assert_int_equal(vfs_lookup(ctx, t, c, INO_SYS_FS_CGROUP, top, &e), 0);
		dir = e.ino;
	}
	if (vfs_lookup(ctx, t, c, dir, file, &e) == -ENOENT)
		return -ENOENT;
	assert_int_equal(vfs_render(ctx, t, c, e.ino, text), 0);
	*out = g_string_free(g_steal_pointer(&text), FALSE);
	return 0;
}

/* A limit as the view shows it, read as the kernel means it (the test's
 * own reading: v2 "max", v1 from 2^62 up is no limit). */
static uint64_t shown_limit(int version, const char *text)
{
	uint64_t v;

	if (version == 2 && strcmp(text, "max\n") == 0)
		return LIMIT_NONE;
	assert_int_equal(parse_u64(text, &v), 0);
	return version == 1 && v >= (UINT64_C(1) << 62) ? LIMIT_NONE : v;
}

struct compared {
	unsigned int memory, swap, cpu, cpuset;
};

static void agree_memory(struct lensfs_ctx *ctx, struct ptree *t, struct vfs_caller *c,
			 const struct viewer *v, struct compared *n)
{
	int version = ctx->layout->ctrl[CG_MEMORY]->version;
	g_autofree char *mem = NULL, *swap = NULL;
	struct memory_facts f;
	uint64_t want;

	assert_int_equal(cgroup_memory_facts(ctx->layout, v->cg.path[CG_MEMORY], &f), 0);
	if (view_text(ctx, t, c, CG_MEMORY, version == 1 ? "memory.limit_in_bytes" : "memory.max",
		      &mem) == 0) {
		assert_true(shown_limit(version, mem) == f.limit);
		n->memory++;
	} else {
		/* Only v2's root has none, and nothing limits it. */
		assert_int_equal(version, 2);
		assert_true(v->host_pidns && f.limit == LIMIT_NONE);
	}
	if (version == 2 && view_text(ctx, t, c, CG_MEMORY, "memory.swap.max", &swap) == 0) {
		assert_true(shown_limit(2, swap) == f.swap_limit);
		n->swap++;
	}
	if (version == 1 && mem &&
	    view_text(ctx, t, c, CG_MEMORY, "memory.memsw.limit_in_bytes", &swap) == 0) {
		/* Swap alone is memsw - memory. */
		uint64_t memsw = shown_limit(1, swap), limit = shown_limit(1, mem);

		want = memsw == LIMIT_NONE ? LIMIT_NONE
					   : sat_sub(memsw, limit == LIMIT_NONE ? memsw : limit);
		assert_true(want == f.swap_limit);
		n->swap++;
	}
}

static void agree_quota(struct lensfs_ctx *ctx, struct ptree *t, struct vfs_caller *c,
			const struct viewer *v, const struct cpu_facts *f, struct compared *n)
{
	int version = ctx->layout->ctrl[CG_CPU]->version;
	g_autofree char *quota = NULL, *period = NULL;
	uint64_t q = 0, p = 0;
	int64_t s;

	if (version == 2) {
		/* A cgroup without the cpu controller (v2's root, an
		 * init.scope) has no cpu.max: the renderers' quota is then an
		 * ancestor's, which the view does not show. */
		if (view_text(ctx, t, c, CG_CPU, "cpu.max", &quota) < 0)
			return;
		if (!g_str_has_prefix(quota, "max "))
			assert_int_equal(sscanf(quota, "%" SCNu64 " %" SCNu64, &q, &p), 2);
	} else {
		assert_int_equal(view_text(ctx, t, c, CG_CPU, "cpu.cfs_quota_us", &quota), 0);
		assert_int_equal(view_text(ctx, t, c, CG_CPU, "cpu.cfs_period_us", &period), 0);
		assert_int_equal(parse_i64(quota, &s), 0);
		if (s != -1) {
			q = (uint64_t)s;
			assert_int_equal(parse_u64(period, &p), 0);
		}
	}
	assert_int_equal(f->quota_us, q);
	assert_int_equal(f->period_us, p);
	n->cpu++;
}

static void agree_cpuset(struct lensfs_ctx *ctx, struct ptree *t, struct vfs_caller *c,
			 const struct cpu_facts *f, struct compared *n)
{
	int version = ctx->layout->ctrl[CG_CPUSET]->version;
	g_autofree char *text = NULL;
	g_autoptr(GString) want = g_string_new(NULL);
	g_autoptr(GString) got = g_string_new(NULL);
	g_autoptr(cpuset) set = NULL;

	/* A v2 cgroup without the controller has no file: the renderers'
	 * cpuset is then an ancestor's, which the view does not show. */
	if (view_text(ctx, t, c, CG_CPUSET,
		      version == 1 ? "cpuset.effective_cpus" : "cpuset.cpus.effective", &text) < 0)
		return;
	assert_int_equal(cpuset_parse(text, &set), 0);
	cpuset_format(set, want);
	cpuset_format(f->cpus, got);
	assert_string_equal(got->str, want->str);
	n->cpuset++;
}

static void agree_cpu(struct lensfs_ctx *ctx, struct ptree *t, struct vfs_caller *c,
		      const struct viewer *v, struct compared *n)
{
	struct cpu_facts f;

	assert_int_equal(cgroup_cpu_facts(ctx->layout, &v->cg, &f), 0);
	if (v->cg.path[CG_CPU])
		agree_quota(ctx, t, c, v, &f, n);
	if (v->cg.path[CG_CPUSET])
		agree_cpuset(ctx, t, c, &f, n);
	cpu_facts_clear(&f);
}

/* One rule: at the root of the view of every cgroup of a tree, the limits
 * shown are the renderers'. want: how many of each the view shows (a
 * cgroup without a file, the kernel's hierarchy root without its limits,
 * has nothing to compare). */
static void agree_in(const char *tree, unsigned int cgroups, struct compared want)
{
	char *copy = fixture_copy(tree);
	g_autoptr(lensfs_ctx) ctx = fixture_ctx_at(copy, true);
	g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);
	struct compared n = { 0 };
	GPtrArray *hs = ctx->layout->hierarchies;

	for (guint i = 0; i < hs->len; i++) {
		const struct cgroup_hierarchy *h = hs->pdata[i];

		if (strcmp(h->mount_root, "/") == 0)
			cgroups_below(h->dir, "/", paths);
	}
	assert_int_equal(paths->len, cgroups);
	for (guint i = 0; i < paths->len; i++) {
		struct ptree *t = ptree_new();
		struct viewer v;
		struct vfs_caller c = { 0 };

		viewer_at(copy, ctx, paths->pdata[i], i + 1, &v);
		c.given = &v;
		if (v.cg.path[CG_MEMORY])
			agree_memory(ctx, t, &c, &v, &n);
		agree_cpu(ctx, t, &c, &v, &n);
		viewer_clear(&v);
		ptree_free(t);
	}
	assert_int_equal(n.memory, want.memory);
	assert_int_equal(n.swap, want.swap);
	assert_int_equal(n.cpu, want.cpu);
	assert_int_equal(n.cpuset, want.cpuset);
	fixture_remove(copy);
}

static void test_agree_v1(void **state)
{
	agree_in("v1", 3, (struct compared){ 3, 3, 3, 3 });
}

static void test_agree_v2(void **state)
{
	/* The root has no memory, swap or cpu files; init.scope no cpu or
	 * cpuset files, nor ctr cpuset files. */
	agree_in("v2", 4, (struct compared){ 3, 3, 2, 2 });
}

static void test_agree_v2_real(void **state)
{
	agree_in("v2-real", 3, (struct compared){ 2, 2, 2, 3 });
}

/* The v1 fixture's limits moved to the edge values, one after the other:
 * the view and the renderers agree, on the rule's side of each edge. */
static void test_agree_edges(void **state)
{
	char *copy = fixture_copy("v1");
	g_autoptr(lensfs_ctx) ctx = fixture_ctx_at(copy, true);
	const char *mem = "sys/fs/cgroup/memory/lensfs-fixture/memory.limit_in_bytes";
	const char *own = "sys/fs/cgroup/memory/lensfs-fixture/ctr/memory.limit_in_bytes";
	const char *quota = "sys/fs/cgroup/cpu/lensfs-fixture/cpu.cfs_quota_us";
	const char *cpus = "sys/fs/cgroup/cpuset/lensfs-fixture/ctr/cpuset.effective_cpus";
	const char *parent_cpus = "sys/fs/cgroup/cpuset/lensfs-fixture/cpuset.effective_cpus";
	struct {
		const char *file, *text;
		uint64_t limit, quota;
		const char *cpus;
	} edges[] = {
		/* The container unlimited: its parent's 200M. */
		{ own, "9223372036854771712\n", 200u << 20, 50000, "0" },
		/* The parent at 2^62: nothing limits. */
		{ mem, TWO_62, LIMIT_NONE, 50000, "0" },
		/* Just below: it applies. */
		{ mem, "4611686018427387903\n", (UINT64_C(1) << 62) - 1, 50000, "0" },
		/* No quota on the parent either. */
		{ quota, "-1\n", (UINT64_C(1) << 62) - 1, 0, "0" },
		/* The container's cpuset empty: the parent's. */
		{ parent_cpus, "1\n", (UINT64_C(1) << 62) - 1, 0, "0" },
		{ cpus, "\n", (UINT64_C(1) << 62) - 1, 0, "1" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(edges); i++) {
		struct ptree *t = ptree_new();
		struct viewer v;
		struct vfs_caller c = { 0 };
		struct compared n = { 0 };
		struct memory_facts mf;
		struct cpu_facts cf;
		g_autoptr(GString) s = g_string_new(NULL);

		fixture_write(copy, edges[i].file, edges[i].text);
		viewer_at(copy, ctx, "/lensfs-fixture/ctr", (guint)i + 100, &v);
		c.given = &v;
		agree_memory(ctx, t, &c, &v, &n);
		agree_cpu(ctx, t, &c, &v, &n);
		assert_int_equal(n.memory + n.swap + n.cpu + n.cpuset, 4);
		assert_int_equal(cgroup_memory_facts(ctx->layout, "/lensfs-fixture/ctr", &mf), 0);
		assert_true(mf.limit == edges[i].limit);
		assert_int_equal(cgroup_cpu_facts(ctx->layout, &v.cg, &cf), 0);
		assert_int_equal(cf.quota_us, edges[i].quota);
		cpuset_format(cf.cpus, s);
		assert_string_equal(s->str, edges[i].cpus);
		cpu_facts_clear(&cf);
		viewer_clear(&v);
		ptree_free(t);
	}
	fixture_remove(copy);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),	      cmocka_unit_test(test_use_hierarchy),
		cmocka_unit_test(test_cpu),	      cmocka_unit_test(test_cpuset),
		cmocka_unit_test(test_files),	      cmocka_unit_test(test_read),
		cmocka_unit_test(test_agree_v1),      cmocka_unit_test(test_agree_v2),
		cmocka_unit_test(test_agree_v2_real), cmocka_unit_test(test_agree_edges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
