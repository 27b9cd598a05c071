/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "ttl_cache.h"
#include "util.h"

#include <errno.h>

struct entry {
	gpointer value;
	uint64_t stored_at;
	uint64_t ttl_us;
};

struct ttl_cache {
	GMutex lock;
	GHashTable *map; /* key -> struct entry */
	uint64_t ttl_us;
	size_t value_size;
	GDestroyNotify clear;
	ttl_of_fn ttl_of;
	unsigned int puts;
};

static void entry_free(gpointer p, GDestroyNotify clear)
{
	struct entry *e = p;

	g_atomic_rc_box_release_full(e->value, clear);
	g_free(e);
}

struct ttl_cache *ttl_cache_new(uint64_t ttl_us, size_t value_size, GDestroyNotify clear)
{
	struct ttl_cache *cache = g_new0(struct ttl_cache, 1);

	cache->value_size = value_size;
	g_mutex_init(&cache->lock);
	cache->map = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	cache->ttl_us = ttl_us;
	cache->clear = clear;
	return cache;
}

static gboolean always(gpointer k, gpointer v, gpointer data)
{
	entry_free(v, ((struct ttl_cache *)data)->clear);
	return TRUE;
}

void ttl_cache_set_ttl_of(struct ttl_cache *cache, ttl_of_fn ttl_of)
{
	cache->ttl_of = ttl_of;
}

static gboolean expired(gpointer k, gpointer v, gpointer data)
{
	struct ttl_cache *cache = data;
	struct entry *e = v;

	if (now_monotonic_us() - e->stored_at <= e->ttl_us)
		return FALSE;
	entry_free(e, cache->clear);
	return TRUE;
}

void ttl_cache_free(struct ttl_cache *cache)
{
	if (!cache)
		return;
	g_hash_table_foreach_remove(cache->map, always, cache);
	g_hash_table_unref(cache->map);
	g_mutex_clear(&cache->lock);
	g_free(cache);
}

/* A new reference to a value younger than the TTL, or NULL. */
static gpointer ttl_cache_get(struct ttl_cache *cache, const char *key)
{
	gpointer value = NULL;
	struct entry *e;

	if (cache->ttl_us == 0)
		return NULL;
	g_mutex_lock(&cache->lock);
	e = g_hash_table_lookup(cache->map, key);
	if (e && now_monotonic_us() - e->stored_at <= e->ttl_us)
		value = g_atomic_rc_box_acquire(e->value);
	g_mutex_unlock(&cache->lock);
	return value;
}

/* Stores value, taking over the caller's reference. */
static void ttl_cache_put(struct ttl_cache *cache, const char *key, gpointer value)
{
	struct entry *e;

	if (cache->ttl_us == 0) {
		g_atomic_rc_box_release_full(value, cache->clear);
		return;
	}
	e = g_new(struct entry, 1);
	e->value = value;
	e->stored_at = now_monotonic_us();
	e->ttl_us = cache->ttl_of ? MAX(cache->ttl_us, cache->ttl_of(value, cache->ttl_us))
				  : cache->ttl_us;
	g_mutex_lock(&cache->lock);
	struct entry *old = g_hash_table_lookup(cache->map, key);
	if (old)
		entry_free(old, cache->clear);
	g_hash_table_insert(cache->map, g_strdup(key), e);
	/* Now and then, forget cgroups nobody asked about lately. */
	if (++cache->puts % 256 == 0)
		g_hash_table_foreach_remove(cache->map, expired, cache);
	g_mutex_unlock(&cache->lock);
}

int ttl_cache_lookup(struct ttl_cache *cache, const char *key, gpointer *out)
{
	*out = ttl_cache_get(cache, key);
	return *out ? 0 : -ENOENT;
}

static int obtain(struct ttl_cache *cache, const char *key, ttl_fill_fn fill, void *data,
		  bool store, gpointer *out)
{
	gpointer value = ttl_cache_get(cache, key);
	int r;

	if (!value) {
		value = g_atomic_rc_box_alloc0(cache->value_size);
		r = fill(value, data);
		if (r < 0) {
			g_atomic_rc_box_release_full(value, cache->clear);
			return r;
		}
		if (store)
			ttl_cache_put(cache, key, g_atomic_rc_box_acquire(value));
	}
	*out = value;
	return 0;
}

int ttl_cache_obtain(struct ttl_cache *cache, const char *key, ttl_fill_fn fill, void *data,
		     gpointer *out)
{
	return obtain(cache, key, fill, data, true, out);
}

int ttl_cache_peek(struct ttl_cache *cache, const char *key, ttl_fill_fn fill, void *data,
		   gpointer *out)
{
	return obtain(cache, key, fill, data, false, out);
}

void ttl_cache_release(struct ttl_cache *cache, gpointer value)
{
	if (value)
		g_atomic_rc_box_release_full(value, cache->clear);
}
