/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A map from strings to immutable, reference-counted values that are
 * trusted for a limited time. Reading the same kernel file many times a
 * millisecond costs more than serving the request (the kernel formats
 * memory.stat or /proc/meminfo afresh each time); the kernel's own memory
 * cgroup counters are flushed lazily anyway. Thread-safe.
 */

#include <glib.h>
#include <stdint.h>

struct ttl_cache;

/* Values are g_atomic_rc_box allocations of value_size bytes; clear frees
 * what they own. */
struct ttl_cache *ttl_cache_new(uint64_t ttl_us, size_t value_size, GDestroyNotify clear);
/* A value kept longer than the TTL: how long (at least the TTL) each
 * value made from now on is trusted, by the value. */
typedef uint64_t (*ttl_of_fn)(gconstpointer value, uint64_t ttl_us);
void ttl_cache_set_ttl_of(struct ttl_cache *cache, ttl_of_fn ttl_of);
void ttl_cache_free(struct ttl_cache *cache);
/* fill makes a value in a zeroed box: 0 or -errno. */
typedef int (*ttl_fill_fn)(gpointer value, void *data);
/* The value for key, cached or made now by fill (and then stored): a new
 * reference in *out, or -errno from fill. */
int ttl_cache_obtain(struct ttl_cache *cache, const char *key, ttl_fill_fn fill, void *data,
		     gpointer *out);
/* The same, but a value made now is not stored: for a request whose facts
 * may not be those that hold from now on (view.h, viewer.peek). */
int ttl_cache_peek(struct ttl_cache *cache, const char *key, ttl_fill_fn fill, void *data,
		   gpointer *out);
/* The value for key if one younger than the TTL is stored (a new
 * reference in *out); -ENOENT otherwise. */
int ttl_cache_lookup(struct ttl_cache *cache, const char *key, gpointer *out);
/* Drops a reference obtained from ttl_cache_obtain or ttl_cache_lookup. */
void ttl_cache_release(struct ttl_cache *cache, gpointer value);
