/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * cgroup v1, hybrid and v2 behind one interface. Callers ask for the
 * memory or CPU facts of a cgroup path; which files feed them is decided
 * here and nowhere else.
 */

#include "cpuset.h"
#include "cg_limits.h"
#include "cgroup_files.h"

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/* CG_UNIFIED is the unified (v2) hierarchy as such, on v2 and on hybrid
 * hosts alike: where the pressure files are. */
enum cg_controller { CG_MEMORY, CG_CPU, CG_CPUACCT, CG_CPUSET, CG_BLKIO, CG_UNIFIED, CG__COUNT };

enum cg_layout_kind { CG_LAYOUT_V1, CG_LAYOUT_HYBRID, CG_LAYOUT_V2 };

struct cgroup_hierarchy {
	int version; /* 1 or 2 */
	char *dir; /* where the hierarchy is mounted, re-rooted */
	char *mount_root; /* the cgroup that dir shows (mountinfo field 4) */
	char *controllers; /* v1: comma list from the super options; v2: NULL */
};

struct cgroup_layout {
	enum cg_layout_kind kind;
	GPtrArray *hierarchies; /* of struct cgroup_hierarchy */
	/* The hierarchy serving each controller, or NULL. */
	const struct cgroup_hierarchy *ctrl[CG__COUNT];
	const struct cgroup_hierarchy *unified;
};

/* Which cgroup a process is in, per controller ("/" = root; NULL when the
 * controller is not mounted). */
struct cgroup_membership {
	char *path[CG__COUNT];
};

void cgroup_layout_free(struct cgroup_layout *layout);
typedef struct cgroup_layout cgroup_layout;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(cgroup_layout, cgroup_layout_free)

/* Builds the layout from the text of /proc/self/mountinfo. Mount points
 * under /sys are moved under sys_root, so a fixture tree can stand in for
 * the machine's. */
int cgroup_layout_parse(const char *mountinfo, const char *sys_root, struct cgroup_layout **out);
const char *cgroup_layout_kind_name(enum cg_layout_kind kind);

void cgroup_membership_clear(struct cgroup_membership *m);
void cgroup_membership_copy(struct cgroup_membership *dst, const struct cgroup_membership *src);
/* Parses the text of /proc/PID/cgroup. */
int cgroup_membership_parse(const struct cgroup_layout *layout, const char *text,
			    struct cgroup_membership *out);
/* Drops a trailing "/init.scope" (systemd's place for a container's init). */
void cgroup_membership_strip_init_scope(struct cgroup_membership *m);
bool cgroup_membership_is_root(const struct cgroup_membership *m);

/* Directory of a cgroup path of a controller; -ENOENT when the path is not
 * below the hierarchy's mount root, -EINVAL for a path with "..". */
int cgroup_dir(const struct cgroup_layout *layout, enum cg_controller c, const char *path,
	       char **out);

/* Same, for a hierarchy. */
int cgroup_hierarchy_dir(const struct cgroup_hierarchy *h, const char *path, char **out);
/* The cgroup path of each hierarchy of layout (same order; NULL where the
 * text has none), from the text of /proc/PID/cgroup. */
int cgroup_hierarchy_paths(const struct cgroup_layout *layout, const char *text, GPtrArray **out);

/* The cgroup of a container whose init's /proc/PID/cgroup is text: its
 * path in the hierarchy that serves memory, else cpu, else the unified one,
 * less a trailing /init.scope (what the sys/fs/cgroup view roots, and what
 * delegation names). -ENOENT when it has none of its own (the root cgroup);
 * *paths, when asked for, gets every hierarchy's path likewise (NULL where
 * the text has none) in layout order, on -ENOENT too. */
int cgroup_container_path(const struct cgroup_layout *layout, const char *text, GPtrArray **paths,
			  char **own);

struct memory_facts {
	bool limited; /* false: no memory or swap limit anywhere above */
	uint64_t limit; /* bytes, min over the cgroup and its ancestors */
	uint64_t usage; /* bytes charged to the cgroup */
	uint64_t swap_limit; /* swap alone, bytes; LIMIT_NONE when none */
	uint64_t swap_usage; /* bytes */
	struct memory_stat stat;
};

struct cpu_facts {
	struct cpuset *cpus; /* effective cpuset; NULL when no cpuset controller */
	struct cpuset *mems; /* its memory nodes (cgroup_mems); NULL: all */
	uint64_t quota_us; /* 0 = no quota; the smallest quota/period above */
	uint64_t period_us;
};

int cgroup_memory_facts(const struct cgroup_layout *layout, const char *path,
			struct memory_facts *out);
int cgroup_cpu_facts(const struct cgroup_layout *layout, const struct cgroup_membership *m,
		     struct cpu_facts *out);
void cpu_facts_clear(struct cpu_facts *f);
struct cpu_times {
	uint64_t user_us;
	uint64_t system_us;
};
/* The cgroup's CPU time split into user and system; user + system is what
 * cgroup_cpu_usage returns. */
int cgroup_cpu_times(const struct cgroup_layout *layout, const struct cgroup_membership *m,
		     struct cpu_times *out);
/* The ids of the threads in the cgroup and below it (v1 "tasks" of the
 * cpuacct hierarchy, v2 "cgroup.threads"), in the host's pid namespace;
 * of max_cgroups cgroups below it at most (a container that delegates can
 * make any number). */
int cgroup_threads(const struct cgroup_layout *layout, const struct cgroup_membership *m,
		   unsigned int max_cgroups, GArray **tids);
/* Likewise the ids of its processes (thread group leaders: "cgroup.procs"
 * in v1 and v2). */
int cgroup_processes(const struct cgroup_layout *layout, const struct cgroup_membership *m,
		     unsigned int max_cgroups, GArray **pids);
/* The cgroup's pressure file ("cpu", "memory", "io": <kind>.pressure in
 * the unified hierarchy); -EOPNOTSUPP when the host keeps none for it (no
 * unified hierarchy, a kernel without PSI), -ENOENT when the cgroup is gone. */
int cgroup_pressure(const struct cgroup_layout *layout, const struct cgroup_membership *m,
		    const char *kind, char **text);
/* The same file opened to take a PSI trigger (O_RDWR | O_NONBLOCK): a
 * descriptor, or -errno with the same meanings. The cgroup's directory is
 * opened beneath its hierarchy's mount, following no symlink, and the file
 * in it: no name on the way is taken as a path. */
int cgroup_pressure_open(const struct cgroup_layout *layout, const struct cgroup_membership *m,
			 const char *kind);
/* The memory nodes the cgroup may use (v1 cpuset.effective_mems, else
 * cpuset.mems; v2 cpuset.mems.effective); *out NULL when nothing restricts
 * them (no cpuset controller, an empty list). */
int cgroup_mems(const struct cgroup_layout *layout, const struct cgroup_membership *m,
		struct cpuset **out);
/* A file of the cgroup at path in the memory hierarchy (memory.stat,
 * memory.numa_stat, memory.kmem.slabinfo): -ENOENT when the cgroup is gone
 * (or there is no memory hierarchy), -EOPNOTSUPP when the cgroup is there
 * and the file is not (a kernel or version without it). */
int cgroup_memory_file(const struct cgroup_layout *layout, const char *path, const char *file,
		       char **text);
/* The I/O the cgroup and its descendants completed, per device (struct
 * io_dev): v2 io.stat; v1 blkio.throttle.io_serviced and
 * io_service_bytes (their _recursive forms where the kernel has them). */
int cgroup_io(const struct cgroup_layout *layout, const struct cgroup_membership *m, GArray **devs);
/* Total CPU time the cgroup used, in microseconds. */
int cgroup_cpu_usage(const struct cgroup_layout *layout, const struct cgroup_membership *m,
		     uint64_t *usage_us);
