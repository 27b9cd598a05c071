/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "pagecache.h"

#include <glib.h>

struct pagecache {
	GHashTable *sizes; /* ino -> the least size the kernel may hold (absent: 0) */
	GHashTable *readers; /* ino -> (container, "" for the host -> its open handles) */
};

struct pagecache *pagecache_new(void)
{
	struct pagecache *pc = g_new0(struct pagecache, 1);

	pc->sizes = g_hash_table_new(g_direct_hash, g_direct_equal);
	pc->readers = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
					    (GDestroyNotify)g_hash_table_unref);
	return pc;
}

void pagecache_free(struct pagecache *pc)
{
	if (!pc)
		return;
	g_hash_table_unref(pc->sizes);
	g_hash_table_unref(pc->readers);
	g_free(pc);
}

static off_t size_of(struct pagecache *pc, uint64_t ino)
{
	return (off_t)GPOINTER_TO_SIZE(g_hash_table_lookup(pc->sizes, GSIZE_TO_POINTER(ino)));
}

void pagecache_told(struct pagecache *pc, uint64_t ino, off_t size)
{
	if (size < size_of(pc, ino))
		g_hash_table_insert(pc->sizes, GSIZE_TO_POINTER(ino),
				    GSIZE_TO_POINTER((size_t)MAX(size, 0)));
}

void pagecache_stored(struct pagecache *pc, uint64_t ino, off_t end)
{
	if (end > size_of(pc, ino))
		g_hash_table_insert(pc->sizes, GSIZE_TO_POINTER(ino),
				    GSIZE_TO_POINTER((size_t)end));
}

bool pagecache_short(struct pagecache *pc, uint64_t ino, off_t len)
{
	return len > size_of(pc, ino);
}

void pagecache_forget(struct pagecache *pc, uint64_t ino)
{
	g_hash_table_remove(pc->sizes, GSIZE_TO_POINTER(ino));
}

/* Adds by (1 or -1) to container's count of open handles of ino. */
static void count(struct pagecache *pc, uint64_t ino, const char *container, int by)
{
	GHashTable *who = g_hash_table_lookup(pc->readers, GSIZE_TO_POINTER(ino));
	const char *key = container ? container : "";
	gsize n;

	if (!who) {
		if (by < 0)
			return;
		who = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
		g_hash_table_insert(pc->readers, GSIZE_TO_POINTER(ino), who);
	}
	n = GPOINTER_TO_SIZE(g_hash_table_lookup(who, key));
	if (by < 0 && n == 0)
		return;
	n += (gsize)by;
	if (n > 0)
		g_hash_table_insert(who, g_strdup(key), GSIZE_TO_POINTER(n));
	else
		g_hash_table_remove(who, key);
	if (g_hash_table_size(who) == 0)
		g_hash_table_remove(pc->readers, GSIZE_TO_POINTER(ino));
}

void pagecache_open(struct pagecache *pc, uint64_t ino, const char *container)
{
	count(pc, ino, container, 1);
}

void pagecache_close(struct pagecache *pc, uint64_t ino, const char *container)
{
	count(pc, ino, container, -1);
}

bool pagecache_fill_allowed(struct pagecache *pc, uint64_t ino, const char *container)
{
	GHashTable *who = g_hash_table_lookup(pc->readers, GSIZE_TO_POINTER(ino));

	return who && g_hash_table_size(who) == 1 &&
	       g_hash_table_contains(who, container ? container : "");
}
