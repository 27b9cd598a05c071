/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "cgroup.h"
#include "ttl_cache.h"

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

struct lensfs_config {
	const char *proc_root; /* "/proc" unless tests point it at a fixture */
	const char *sys_root; /* "/sys", likewise; cgroups are found below it */
	bool cpu_quota; /* limit the visible CPUs by the CPU quota */
	bool cgroup_delegate; /* containers may manage their sys/fs/cgroup subtree */
	const char *delegate_dir; /* those granted it (delegate.h); NULL: the default */
	unsigned int delegate_timeout_ms; /* for a pid's helper (delegate.h); 0: 1000 */
	unsigned int container_open_mb; /* text one container's open files hold; 0: 64 */
	unsigned int cache_ms; /* how long a resolved pid namespace is trusted */
	unsigned int refresh_ms; /* how long kernel counters are reused; 0: never */
	unsigned int loadavg_period_ms; /* load average period (5000); 0: no averages */
};

/* State shared by every request: configuration, cgroup layout, caches. */
struct lensfs_ctx {
	char *proc_root;
	char *sys_root;
	bool cpu_quota;
	bool cgroup_delegate;
	char *delegate_dir;
	unsigned int delegate_timeout_ms;
	uint64_t open_bytes_max; /* per pid namespace, fuse_ops.c */
	uint64_t cache_us;
	long ticks_per_sec;
	char *self_pidns; /* "pid:[N]" of the process serving requests */
	struct cgroup_layout *layout;
	GMutex lock; /* guards pidns_cache and the reaper's start */
	GHashTable *pidns_cache; /* "pid:[N]" -> struct pidns_entry */
	unsigned int pidns_max; /* entries it holds at most: each holds a pidfd */
	uint64_t pidns_serial; /* the last entry's number */
	/* Drops an entry once its init exits (its pidfd polls readable). */
	int reaper_epoll;
	int reaper_wake;
	GThread *reaper;
	/* Parsed kernel files and rendered text, reused for refresh_us: made
	 * by view.c at the first request (view_caches_made), freed here. */
	uint64_t refresh_us;
	gsize view_caches_made;
	struct ttl_cache *rendered; /* file and cgroup paths -> struct cached_text */
	struct ttl_cache *host_files; /* path -> struct cached_text */
	struct ttl_cache *memory; /* memory cgroup path -> struct memory_facts */
	struct ttl_cache *cpu; /* cpuset and cpu paths -> struct cpu_facts */
	struct ttl_cache *cpu_use; /* cpuacct path -> struct cpu_times */
	struct ttl_cache *threads; /* cpuacct path -> struct thread_census (view.c) */
	struct ttl_cache *thread_lists; /* cpuacct path -> its thread ids (view.c) */
	struct ttl_cache *cg_roots; /* container init -> its sys/fs/cgroup roots (cgroup_view.c) */
	/* Load averages of the containers that read proc/loadavg, created at
	 * the first such read (loadavg.c). */
	unsigned int loadavg_period_ms;
	struct loadavg_tracker *loadavg;
	/* The idle counters each container's proc/stat last showed (view.c). */
	GMutex stat_lock;
	GHashTable *stat_floor; /* cpuacct path and init start -> struct stat_floor */
};

/* Reads LENSFS_PROC_ROOT and LENSFS_SYS_ROOT when the config leaves the
 * roots unset. */
int lensfs_ctx_new(const struct lensfs_config *cfg, struct lensfs_ctx **out);
void lensfs_ctx_free(struct lensfs_ctx *ctx);
typedef struct lensfs_ctx lensfs_ctx;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(lensfs_ctx, lensfs_ctx_free)

/* Whose view a request is answered with. */
struct viewer {
	pid_t pid; /* the caller (0 for a cgroup given by path) */
	bool host_pidns; /* the caller shares the daemon's pid namespace */
	pid_t init_pid; /* its pid namespace's init, as the host numbers it */
	uint64_t init_start_ticks; /* /proc/INIT/stat field 22 */
	struct cgroup_membership cg; /* the cgroup whose limits apply */
	char *pidns; /* "pid:[N]"; NULL for a cgroup given by path */
	/* "pid:[N]" of the outermost pid namespace below the daemon's that
	 * holds the caller: the container whose budget and lane its requests
	 * count against, however deep it nests namespaces. NULL for the
	 * host's pid namespace and a cgroup given by path. */
	char *container;
	bool cached; /* resolved from the cache, not afresh */
	/* What is cached is used, nothing new is kept (viewer_peek_pid). */
	bool peek;
};

void viewer_clear(struct viewer *v);

/*
 * The view of a process: in the host's pid namespace, its own cgroups; in
 * any other pid namespace, the container's: the cgroups of that namespace's
 * init, less a trailing /init.scope. -ESRCH when the process is gone.
 */
int viewer_of_pid(struct lensfs_ctx *ctx, pid_t pid, struct viewer *out);

/*
 * The same, for a request whose view may not yet be the one that holds
 * once the container runs: a runtime's stat(2) of a view while it sets the
 * container up, before it writes the cgroup's limits (runc stats every bind
 * mount's source). Unless the container's resolution is kept already (one
 * of its processes opened a view: it runs), neither this resolution nor
 * anything read for it is kept (out->peek), so the container's first reads
 * see its limits, not what its cgroup held a moment before.
 */
int viewer_peek_pid(struct lensfs_ctx *ctx, pid_t pid, struct viewer *out);

/*
 * The view of the container whose first process is pid, fixed once (a
 * per-container view, views.h): that process's own cgroups (less a
 * trailing /init.scope), its start for uptime, its pid namespace; nothing
 * of it is cached. Right where pid's namespace is shared with other
 * containers (a pod's), whose init is not pid. No reader (out->pid 0).
 */
int viewer_of_process(struct lensfs_ctx *ctx, pid_t pid, struct viewer *out);

/* Pid namespaces whose resolution is kept now (each holds a pidfd). */
unsigned int lensfs_ctx_pidns_cached(struct lensfs_ctx *ctx);

/* Drops the cached resolution v came from (its container's cgroup moved or
 * vanished). */
void viewer_forget(struct lensfs_ctx *ctx, const struct viewer *v);

/* The view of a container whose cgroup (the same path in every hierarchy)
 * is given; its init is the longest-running process in it. */
int viewer_of_cgroup(struct lensfs_ctx *ctx, const char *path, struct viewer *out);

/* Host pid of the init of the pid namespace ns that pid is in. */
int pidns_find_init(struct lensfs_ctx *ctx, pid_t pid, const char *ns, pid_t *init);
