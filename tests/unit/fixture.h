/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Helpers shared by the unit tests: fixture trees copied from real kernels
 * (tests/fixtures/v1, captured by capture-v1.sh) and written from the
 * kernel's cgroup-v2 documentation (tests/fixtures/v2). */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "context.h"
#include "procfs.h"
#include "util.h"

static inline char *fixture_path(const char *tree, const char *rel)
{
	return g_build_filename(FIXTURE_DIR, tree, rel, NULL);
}

static inline char *fixture_text(const char *tree, const char *rel)
{
	g_autofree char *path = fixture_path(tree, rel);
	char *text = NULL;

	assert_int_equal(file_read_all(path, &text, NULL), 0);
	return text;
}

static inline uint64_t fixture_u64(const char *tree, const char *rel)
{
	g_autofree char *text = fixture_text(tree, rel);
	uint64_t v = 0;

	assert_int_equal(parse_u64(text, &v), 0);
	return v;
}

/* A value of tests/fixtures/TREE/fixture.env, e.g. INIT_PID. */
static inline long fixture_env(const char *tree, const char *key)
{
	g_autofree char *text = fixture_text(tree, "fixture.env");
	g_autofree char *prefix = g_strconcat(key, "=", NULL);
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

	for (char **l = lines; *l; l++)
		if (g_str_has_prefix(*l, prefix))
			return strtol(*l + strlen(prefix), NULL, 10);
	fail_msg("%s has no %s", tree, key);
	return -1;
}

/* A lensfs context whose /proc and /sys are the fixture's (or root's). */
/* A context on the fixture tree at root that reuses texts and counters for
 * refresh_ms (0: never). */
static inline struct lensfs_ctx *fixture_ctx_refresh(const char *root, bool cpu_quota,
						     unsigned int refresh_ms)
{
	g_autofree char *proc = g_build_filename(root, "proc", NULL);
	g_autofree char *sys = g_build_filename(root, "sys", NULL);
	struct lensfs_config cfg = {
		.proc_root = proc, .sys_root = sys, .cpu_quota = cpu_quota, .refresh_ms = refresh_ms
	};
	struct lensfs_ctx *ctx = NULL;

	assert_int_equal(lensfs_ctx_new(&cfg, &ctx), 0);
	return ctx;
}

static inline struct lensfs_ctx *fixture_ctx_at(const char *root, bool cpu_quota)
{
	return fixture_ctx_refresh(root, cpu_quota, 0);
}

static inline struct lensfs_ctx *fixture_ctx(const char *tree)
{
	g_autofree char *root = g_build_filename(FIXTURE_DIR, tree, NULL);

	return fixture_ctx_at(root, true);
}

/* Value in kB of a line of rendered meminfo text. */
static inline uint64_t meminfo_kb(const char *text, const char *key)
{
	uint64_t v = UINT64_MAX;

	assert_int_equal(meminfo_find_kb(text, key, &v), 0);
	return v;
}

/* Copies a fixture tree to a temporary directory, to damage it. */
static inline char *fixture_copy(const char *tree)
{
	g_autofree char *src = g_build_filename(FIXTURE_DIR, tree, NULL);
	char *dst = g_dir_make_tmp("lensfs-fixture-XXXXXX", NULL);
	/* Writable by its owner, as cgroupfs's files are for root, even when
	 * the fixtures are not (make distcheck's read-only source tree): the
	 * daemon writes for a container without CAP_DAC_OVERRIDE. */
	g_autofree char *cmd =
		g_strdup_printf("cp -a '%s'/. '%s'/ && chmod -R u+w '%s'", src, dst, dst);

	assert_non_null(dst);
	assert_int_equal(system(cmd), 0);
	return dst;
}

static inline void fixture_write(const char *root, const char *rel, const char *text)
{
	g_autofree char *path = g_build_filename(root, rel, NULL);

	assert_true(g_file_set_contents(path, text, -1, NULL));
}

static inline void fixture_remove(char *root)
{
	g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", root);

	assert_int_equal(system(cmd), 0);
	g_free(root);
}
