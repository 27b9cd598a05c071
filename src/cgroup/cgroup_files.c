/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "cgroup_files.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Key names per cgroup version; NULL where a version has no such key.
 * v1 names are the hierarchical totals (mm/memcontrol-v1.c, memcg1_stat_format),
 * v2 names are from Documentation/admin-guide/cgroup-v2.rst, memory.stat. */
static const char *const memstat_names[MS__COUNT][2] = {
	[MS_ANON] = { "total_rss", "anon" },
	[MS_FILE] = { "total_cache", "file" },
	[MS_SHMEM] = { "total_shmem", "shmem" },
	[MS_FILE_MAPPED] = { "total_mapped_file", "file_mapped" },
	[MS_FILE_DIRTY] = { "total_dirty", "file_dirty" },
	[MS_FILE_WRITEBACK] = { "total_writeback", "file_writeback" },
	[MS_ANON_THP] = { "total_rss_huge", "anon_thp" },
	[MS_ACTIVE_ANON] = { "total_active_anon", "active_anon" },
	[MS_INACTIVE_ANON] = { "total_inactive_anon", "inactive_anon" },
	[MS_ACTIVE_FILE] = { "total_active_file", "active_file" },
	[MS_INACTIVE_FILE] = { "total_inactive_file", "inactive_file" },
	[MS_UNEVICTABLE] = { "total_unevictable", "unevictable" },
	[MS_SWAPCACHED] = { "total_swapcached", "swapcached" },
	[MS_SLAB] = { NULL, "slab" },
	[MS_SLAB_RECLAIMABLE] = { NULL, "slab_reclaimable" },
	[MS_SLAB_UNRECLAIMABLE] = { NULL, "slab_unreclaimable" },
	[MS_KERNEL_STACK] = { NULL, "kernel_stack" },
	[MS_PAGETABLES] = { NULL, "pagetables" },
	[MS_SEC_PAGETABLES] = { NULL, "sec_pagetables" },
	[MS_PERCPU] = { NULL, "percpu" },
	[MS_SHMEM_THP] = { NULL, "shmem_thp" },
	[MS_FILE_THP] = { NULL, "file_thp" },
	[MS_ZSWAP] = { NULL, "zswap" },
	[MS_ZSWAPPED] = { NULL, "zswapped" },
	[MS_HIER_MEMORY_LIMIT] = { "hierarchical_memory_limit", NULL },
	[MS_HIER_MEMSW_LIMIT] = { "hierarchical_memsw_limit", NULL },
};

const char *memory_stat_key_name(enum memstat_key k, int version)
{
	if (k >= MS__COUNT || (version != 1 && version != 2))
		return NULL;
	return memstat_names[k][version - 1];
}

static int memstat_key_of(const char *name, size_t len, int version)
{
	for (int k = 0; k < MS__COUNT; k++) {
		const char *n = memstat_names[k][version - 1];

		if (n && strlen(n) == len && memcmp(n, name, len) == 0)
			return k;
	}
	return -1;
}

/* Calls fn for each "key value" line; stops at the first error fn returns. */
static int for_each_kv_line(const char *text,
			    int (*fn)(const char *key, size_t keylen, const char *val, void *data),
			    void *data)
{
	const char *line = text;

	while (*line) {
		const char *eol = strchrnul(line, '\n');
		const char *sp = memchr(line, ' ', (size_t)(eol - line));

		if (sp) {
			char val[32];
			size_t vlen = (size_t)(eol - sp - 1);
			int r;

			if (vlen >= sizeof(val))
				vlen = sizeof(val) - 1;
			memcpy(val, sp + 1, vlen);
			val[vlen] = '\0';
			r = fn(line, (size_t)(sp - line), val, data);
			if (r != 0)
				return r;
		}
		line = *eol ? eol + 1 : eol;
	}
	return 0;
}

struct memstat_ctx {
	int version;
	struct memory_stat *out;
};

static int memstat_line(const char *key, size_t keylen, const char *val, void *data)
{
	struct memstat_ctx *ctx = data;
	int k = memstat_key_of(key, keylen, ctx->version);

	if (k < 0)
		return 0;
	if (parse_u64(val, &ctx->out->v[k]) < 0)
		return -EINVAL;
	ctx->out->present |= UINT64_C(1) << k;
	return 0;
}

int memory_stat_parse(const char *text, int version, struct memory_stat *out)
{
	struct memstat_ctx ctx = { version, out };

	if (version != 1 && version != 2)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	return for_each_kv_line(text, memstat_line, &ctx);
}

struct kv_find_ctx {
	const char *key;
	uint64_t *out;
};

static int kv_find_line(const char *key, size_t keylen, const char *val, void *data)
{
	struct kv_find_ctx *ctx = data;

	if (strlen(ctx->key) != keylen || memcmp(ctx->key, key, keylen) != 0)
		return 0;
	return parse_u64(val, ctx->out) < 0 ? -EINVAL : 1;
}

int kv_find_u64(const char *text, const char *key, uint64_t *out)
{
	struct kv_find_ctx ctx = { key, out };
	int r = for_each_kv_line(text, kv_find_line, &ctx);

	if (r < 0)
		return r;
	return r == 1 ? 0 : -ENOENT;
}

int parse_max_u64(const char *text, uint64_t *out)
{
	const char *p = text;

	while (*p == ' ')
		p++;
	if (g_str_has_prefix(p, "max") && (p[3] == '\0' || p[3] == '\n')) {
		*out = UINT64_MAX;
		return 0;
	}
	return parse_u64(text, out);
}

int cpu_max_parse(const char *text, uint64_t *quota_us, uint64_t *period_us)
{
	g_autofree char *copy = g_strstrip(g_strdup(text));
	g_auto(GStrv) words = g_strsplit(copy, " ", -1);
	uint64_t period;

	if (g_strv_length(words) != 2)
		return -EINVAL;
	if (parse_u64(words[1], &period) < 0 || period == 0)
		return -EINVAL;
	if (strcmp(words[0], "max") == 0)
		*quota_us = 0;
	else if (parse_u64(words[0], quota_us) < 0 || *quota_us == 0)
		return -EINVAL;
	*period_us = period;
	return 0;
}

const struct io_dev *io_dev_find(const GArray *devs, unsigned int major, unsigned int minor)
{
	for (guint i = 0; i < devs->len; i++) {
		const struct io_dev *e = &g_array_index(devs, struct io_dev, i);

		if (e->major == major && e->minor == minor)
			return e;
	}
	return NULL;
}

static struct io_dev *io_dev_get(GArray *devs, unsigned int major, unsigned int minor)
{
	struct io_dev d = { .major = major, .minor = minor };
	const struct io_dev *e = io_dev_find(devs, major, minor);

	if (e)
		return (struct io_dev *)e;
	g_array_append_val(devs, d);
	return &g_array_index(devs, struct io_dev, devs->len - 1);
}

static int parse_dev(const char *word, unsigned int *major, unsigned int *minor)
{
	g_auto(GStrv) mm = g_strsplit(word, ":", 3);
	uint64_t a, b;

	if (g_strv_length(mm) != 2 || parse_u64(mm[0], &a) < 0 || parse_u64(mm[1], &b) < 0 ||
	    a > UINT32_MAX || b > UINT32_MAX)
		return -EINVAL;
	*major = (unsigned int)a;
	*minor = (unsigned int)b;
	return 0;
}

int io_stat_parse(const char *text, GArray *devs)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

	for (char **l = lines; *l; l++) {
		g_auto(GStrv) words = g_strsplit_set(*l, " ", -1);
		unsigned int major, minor;
		struct io_dev *d;

		if (!**l)
			continue;
		if (parse_dev(words[0], &major, &minor) < 0)
			return -EINVAL;
		d = io_dev_get(devs, major, minor);
		for (char **w = words + 1; *w; w++) {
			static const struct {
				const char *key;
				size_t offset;
			} keys[] = {
				{ "rbytes", G_STRUCT_OFFSET(struct io_dev, rbytes) },
				{ "wbytes", G_STRUCT_OFFSET(struct io_dev, wbytes) },
				{ "dbytes", G_STRUCT_OFFSET(struct io_dev, dbytes) },
				{ "rios", G_STRUCT_OFFSET(struct io_dev, rios) },
				{ "wios", G_STRUCT_OFFSET(struct io_dev, wios) },
				{ "dios", G_STRUCT_OFFSET(struct io_dev, dios) },
			};
			const char *eq = strchr(*w, '=');

			if (!**w)
				continue;
			if (!eq)
				return -EINVAL;
			for (size_t k = 0; k < G_N_ELEMENTS(keys); k++) {
				if (strncmp(*w, keys[k].key, (size_t)(eq - *w)) != 0 ||
				    keys[k].key[eq - *w] != '\0')
					continue;
				if (parse_u64(eq + 1, G_STRUCT_MEMBER_P(d, keys[k].offset)) < 0)
					return -EINVAL;
			}
		}
	}
	return 0;
}

int blkio_throttle_parse(const char *text, bool bytes, GArray *devs)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

	for (char **l = lines; *l; l++) {
		g_auto(GStrv) words = g_strsplit_set(*l, " ", -1);
		unsigned int major, minor;
		struct io_dev *d;
		uint64_t v;

		/* Blank lines and the closing "Total N". */
		if (!**l || (g_strv_length(words) == 2 && strcmp(words[0], "Total") == 0))
			continue;
		if (g_strv_length(words) != 3 || parse_dev(words[0], &major, &minor) < 0 ||
		    parse_u64(words[2], &v) < 0)
			return -EINVAL;
		d = io_dev_get(devs, major, minor);
		if (strcmp(words[1], "Read") == 0)
			*(bytes ? &d->rbytes : &d->rios) = v;
		else if (strcmp(words[1], "Write") == 0)
			*(bytes ? &d->wbytes : &d->wios) = v;
		else if (strcmp(words[1], "Discard") == 0)
			*(bytes ? &d->dbytes : &d->dios) = v;
	}
	return 0;
}
