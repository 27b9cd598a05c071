/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Parsers of cgroup files (v1 and v2). They take strings, never paths:
 * what reads the file is elsewhere (cgroup.c), so the unit tests drive
 * these directly. */

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* memory.stat, cgroup v1 (hierarchical "total_*" keys) and v2, in bytes. */
enum memstat_key {
	MS_ANON, /* v2 anon            v1 total_rss */
	MS_FILE, /* v2 file            v1 total_cache */
	MS_SHMEM, /* v2 shmem           v1 total_shmem */
	MS_FILE_MAPPED, /* v2 file_mapped     v1 total_mapped_file */
	MS_FILE_DIRTY, /* v2 file_dirty      v1 total_dirty */
	MS_FILE_WRITEBACK, /* v2 file_writeback  v1 total_writeback */
	MS_ANON_THP, /* v2 anon_thp        v1 total_rss_huge */
	MS_ACTIVE_ANON,
	MS_INACTIVE_ANON,
	MS_ACTIVE_FILE,
	MS_INACTIVE_FILE,
	MS_UNEVICTABLE,
	MS_SWAPCACHED,
	MS_SLAB, /* v2 only */
	MS_SLAB_RECLAIMABLE,
	MS_SLAB_UNRECLAIMABLE,
	MS_KERNEL_STACK,
	MS_PAGETABLES,
	MS_SEC_PAGETABLES,
	MS_PERCPU,
	MS_SHMEM_THP,
	MS_FILE_THP,
	MS_ZSWAP,
	MS_ZSWAPPED,
	MS_HIER_MEMORY_LIMIT, /* v1 hierarchical_memory_limit */
	MS_HIER_MEMSW_LIMIT, /* v1 hierarchical_memsw_limit */
	MS__COUNT
};

struct memory_stat {
	uint64_t v[MS__COUNT];
	uint64_t present; /* bit k set when key k was in the file */
};

static inline bool memory_stat_has(const struct memory_stat *s, enum memstat_key k)
{
	return (s->present >> k) & 1;
}

/* The file's name for key k in cgroup version 1 or 2, or NULL. */
const char *memory_stat_key_name(enum memstat_key k, int version);

/* version is 1 or 2. Unknown keys are skipped; a known key with a value
 * that is not a number is -EINVAL. */
int memory_stat_parse(const char *text, int version, struct memory_stat *out);

/* Value of "key value" in a flat keyed file (cpu.stat, memory.stat).
 * -ENOENT when absent, -EINVAL when not a number. */
int kv_find_u64(const char *text, const char *key, uint64_t *out);

/* cgroup v2 "max" or a number (memory.max, memory.swap.max, pids.max).
 * "max" gives UINT64_MAX. */
int parse_max_u64(const char *text, uint64_t *out);

/* cgroup v2 cpu.max: "max 100000" or "50000 100000". quota = 0 when "max". */
int cpu_max_parse(const char *text, uint64_t *quota_us, uint64_t *period_us);

/* I/O a cgroup completed on one device. */
struct io_dev {
	unsigned int major, minor;
	uint64_t rbytes, wbytes, dbytes; /* read, written, discarded */
	uint64_t rios, wios, dios; /* requests completed */
};
/* The device major:minor in devs, or NULL. */
const struct io_dev *io_dev_find(const GArray *devs, unsigned int major, unsigned int minor);
/* v2 io.stat: "MAJ:MIN rbytes=N wbytes=N rios=N wios=N dbytes=N dios=N",
 * keys in any order, unknown keys skipped. Appends to devs. */
int io_stat_parse(const char *text, GArray *devs);
/* v1 blkio.throttle.io_serviced (bytes = false) or io_service_bytes
 * (bytes = true): "MAJ:MIN Read N" ... lines per device and a "Total" line;
 * fills the matching fields of devs, adding devices as they come. */
int blkio_throttle_parse(const char *text, bool bytes, GArray *devs);
