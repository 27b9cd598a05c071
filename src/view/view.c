/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Inputs of each renderer. What a failure means (docs/errors.md): the
 * cgroup files of a limited caller that cannot be read or parsed make the
 * open fail (-EIO and a log line from the caller); lensfs never falls back
 * to the host's numbers for a caller whose limits it could not read.
 */
#include "config.h"

#include "census.h"
#include "cpu_dir.h"
#include "lanes.h"
#include "loadavg.h"
#include "procfs.h"
#include "render.h"
#include "util.h"
#include "view.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

struct cached_text {
	char *text;
};

static void cached_text_clear(gpointer p)
{
	g_free(((struct cached_text *)p)->text);
}

/* For cached values that own nothing. */
static void plain_clear(gpointer p)
{
}

static void cached_cpu_clear(gpointer p)
{
	cpu_facts_clear(p);
}

static void cached_census_clear(gpointer p)
{
	census_clear(p);
}

/* Reading a sampled census's states takes a three-hundredth of the time at
 * most, whatever the container's size: states that took 6 ms to read are
 * reused for 1.8 s. Those reads slow other readers while they last (procfs,
 * even at nice 19), and a p99 feels anything that lasts a percent of the
 * time (bench/hostile.sh). A container with no more threads than a census
 * reads is counted afresh every --refresh-ms, however slow the machine:
 * its census costs little, and a few new threads are most of it. */
static uint64_t census_ttl(gconstpointer value, uint64_t ttl_us)
{
	const struct thread_census *c = value;

	return c->total > CENSUS_SAMPLE_MAX ? c->cost_us * 300 : 0;
}

/*
 * A cgroup's thread ids (cgroup_threads). The kernel lists them without a
 * break: cgroup v1 builds the whole list of a 20,000-thread cgroup in one
 * go, some 15 ms during which a kernel without preemption (PREEMPT_NONE,
 * these machines') gives that CPU to nobody, and readers of other
 * containers whose turn falls there wait (at 200 times, bench/hostile.sh
 * measured their p99 2.6x worse; at 2,000, 1.5x). So a list is reused for
 * 1,000 times what it cost: a 15 ms list for 15 s, a thousandth of the
 * time. Meanwhile threads that exit drop out of the census (their states
 * cannot be read; the counts are scaled to those that could), threads
 * that start are not counted until the next list. A container with no more
 * threads than a census reads is listed every --refresh-ms, as before.
 */
struct thread_list {
	GArray *tids;
	GArray *procs; /* listed only with more threads than a census reads */
	uint64_t cost_us;
};

static void thread_list_clear(gpointer p)
{
	struct thread_list *l = p;

	if (l->tids)
		g_array_unref(l->tids);
	if (l->procs)
		g_array_unref(l->procs);
}

static uint64_t thread_list_ttl(gconstpointer value, uint64_t ttl_us)
{
	const struct thread_list *l = value;

	return l->tids && l->tids->len > CENSUS_SAMPLE_MAX ? l->cost_us * 1000 : 0;
}

/* The last counters a container was shown (proc/stat's CPU times,
 * proc/vmstat's I/O), which it is never shown less of. */
struct counter_floor {
	unsigned int n;
	uint64_t *last;
	uint64_t used_at; /* monotonic us */
};

static void counter_floor_free(gpointer p)
{
	struct counter_floor *f = p;

	g_free(f->last);
	g_free(f);
}

/* The caches of context.h, made at the first request that needs one;
 * lensfs_ctx_free frees them (each knows how to free what it holds). */
static struct lensfs_ctx *with_caches(struct lensfs_ctx *ctx)
{
	uint64_t ttl_us = ctx->refresh_us;

	if (!g_once_init_enter(&ctx->view_caches_made))
		return ctx;
	ctx->stat_floor =
		g_hash_table_new_full(g_str_hash, g_str_equal, g_free, counter_floor_free);
	ctx->rendered = ttl_cache_new(ttl_us, sizeof(struct cached_text), cached_text_clear);
	ctx->host_files = ttl_cache_new(ttl_us, sizeof(struct cached_text), cached_text_clear);
	ctx->memory = ttl_cache_new(ttl_us, sizeof(struct memory_facts), plain_clear);
	ctx->cpu = ttl_cache_new(ttl_us, sizeof(struct cpu_facts), cached_cpu_clear);
	ctx->cpu_use = ttl_cache_new(ttl_us, sizeof(struct cpu_times), plain_clear);
	ctx->threads = ttl_cache_new(ttl_us, sizeof(struct thread_census), cached_census_clear);
	ttl_cache_set_ttl_of(ctx->threads, census_ttl);
	ctx->thread_lists = ttl_cache_new(ttl_us, sizeof(struct thread_list), thread_list_clear);
	ttl_cache_set_ttl_of(ctx->thread_lists, thread_list_ttl);
	g_once_init_leave(&ctx->view_caches_made, 1);
	return ctx;
}

static int fill_text(gpointer value, void *data)
{
	return file_read_all(data, &((struct cached_text *)value)->text, NULL);
}

/* A host file (/proc/meminfo, /proc/cpuinfo, cpu/online), fresh or cached. */
static int host_file(struct lensfs_ctx *ctx, const char *root, const char *file, char **out)
{
	g_autofree char *path = g_build_filename(root, file, NULL);
	struct cached_text *c;
	int r = ttl_cache_obtain(with_caches(ctx)->host_files, path, fill_text, path,
				 (gpointer *)&c);

	if (r < 0)
		return r;
	*out = g_strdup(c->text);
	ttl_cache_release(ctx->host_files, c);
	return 0;
}

/* What v's request reads from cache, kept for the next unless v only
 * peeks (viewer_peek_pid): limits and text read while a runtime sets the
 * container up would outlive the limits it writes next. What a peek does
 * not find is made in the container's lane, not on a serving thread
 * (-EWOULDBLOCK): a container that stats a view in a loop without opening
 * it (statx with AT_STATX_FORCE_SYNC passes the kernel's attribute cache)
 * costs its own lane a render each time, and no one else anything. */
static int cache_obtain(struct ttl_cache *cache, const struct viewer *v, const char *key,
			ttl_fill_fn fill, void *data, gpointer *out)
{
	int r;

	if (!v->peek)
		return ttl_cache_obtain(cache, key, fill, data, out);
	if (!lanes_on_serving_thread())
		return ttl_cache_peek(cache, key, fill, data, out);
	r = ttl_cache_lookup(cache, key, out);
	return r == -ENOENT ? -EWOULDBLOCK : r;
}

struct render_args {
	struct lensfs_ctx *ctx;
	view_fn view;
	const char *name;
	const struct viewer *v;
};

static int fill_rendered(gpointer value, void *data)
{
	struct render_args *a = data;
	g_autoptr(GString) text = g_string_sized_new(4096);
	int r = a->view(a->ctx, a->name, a->v, text);

	if (r < 0)
		return r;
	((struct cached_text *)value)->text = g_string_free(g_steal_pointer(&text), FALSE);
	return 0;
}

int view_cached(struct lensfs_ctx *ctx, const char *path, view_fn view, const char *name,
		const struct viewer *v, GString *out)
{
	g_autoptr(GString) key = g_string_new(path);
	struct render_args args = { ctx, view, name, v };
	struct cached_text *c;
	int r;

	for (int i = 0; i < CG__COUNT; i++)
		g_string_append_printf(key, "\n%s", v->cg.path[i] ? v->cg.path[i] : "");
	r = cache_obtain(with_caches(ctx)->rendered, v, key->str, fill_rendered, &args,
			 (gpointer *)&c);
	if (r < 0)
		return r;
	g_string_append(out, c->text);
	ttl_cache_release(ctx->rendered, c);
	return 0;
}

static int read_proc(struct lensfs_ctx *ctx, const char *file, char **out)
{
	return host_file(ctx, ctx->proc_root, file, out);
}

/* The host's /proc file as it is now, appended to out. */
static int append_host_proc(struct lensfs_ctx *ctx, const char *file, GString *out)
{
	g_autofree char *text = NULL;
	int r = file_read_allf(&text, "%s/%s", ctx->proc_root, file);

	if (r >= 0)
		g_string_append(out, text);
	return r;
}

static int host_online(struct lensfs_ctx *ctx, char **text, struct cpuset **set)
{
	int r = host_file(ctx, ctx->sys_root, "devices/system/cpu/online", text);

	if (r < 0)
		return r;
	r = cpuset_parse(*text, set);
	if (r < 0)
		return r;
	return cpuset_count(*set) ? 0 : -EINVAL;
}

struct facts_args {
	struct lensfs_ctx *ctx;
	const struct cgroup_membership *m;
};

static int fill_memory(gpointer value, void *data)
{
	struct facts_args *a = data;

	return cgroup_memory_facts(a->ctx->layout, a->m->path[CG_MEMORY], value);
}

static int memory_facts(struct lensfs_ctx *ctx, const struct viewer *v, struct memory_facts *out)
{
	struct facts_args args = { ctx, &v->cg };
	struct memory_facts *c;
	int r = cache_obtain(with_caches(ctx)->memory, v, v->cg.path[CG_MEMORY], fill_memory, &args,
			     (gpointer *)&c);

	if (r < 0)
		return r;
	*out = *c;
	ttl_cache_release(ctx->memory, c);
	return 0;
}

static int fill_cpu(gpointer value, void *data)
{
	struct facts_args *a = data;

	return cgroup_cpu_facts(a->ctx->layout, a->m, value);
}

static int cpu_facts(struct lensfs_ctx *ctx, const struct viewer *v, struct cpu_facts *out)
{
	const struct cgroup_membership *m = &v->cg;
	g_autofree char *key =
		g_strdup_printf("%s\n%s", m->path[CG_CPUSET] ? m->path[CG_CPUSET] : "",
				m->path[CG_CPU] ? m->path[CG_CPU] : "");
	struct facts_args args = { ctx, m };
	struct cpu_facts *c;
	int r = cache_obtain(with_caches(ctx)->cpu, v, key, fill_cpu, &args, (gpointer *)&c);

	if (r < 0)
		return r;
	*out = *c;
	out->cpus = c->cpus ? cpuset_copy(c->cpus) : NULL;
	out->mems = c->mems ? cpuset_copy(c->mems) : NULL;
	ttl_cache_release(ctx->cpu, c);
	return 0;
}

/* The visible CPUs, and whether they are all the host's online CPUs (then
 * the host's files are served as they are); the cgroup's CPU facts too when
 * facts is not NULL (cpu_facts_clear them). */
static int viewer_cpus(struct lensfs_ctx *ctx, const struct viewer *v, char **online_text,
		       struct cpuset **visible, struct cpu_facts *facts, bool *all)
{
	g_autoptr(cpuset) online = NULL;
	struct cpu_facts f;
	int r = host_online(ctx, online_text, &online);

	if (r < 0)
		return r;
	r = cpu_facts(ctx, v, &f);
	if (r < 0)
		return r;
	*visible = cpu_online_visible(online, &f, ctx->cpu_quota);
	*all = cpuset_count(*visible) == cpuset_count(online);
	if (facts)
		*facts = f;
	else
		cpu_facts_clear(&f);
	return 0;
}

int view_cpu_map(struct lensfs_ctx *ctx, const struct viewer *v, struct cpu_map *m)
{
	g_autofree char *online_text = NULL;
	g_autoptr(cpuset) visible = NULL;
	bool all;
	int r = viewer_cpus(ctx, v, &online_text, &visible, NULL, &all);

	if (r < 0)
		return r;
	cpu_map_init(m, visible, all);
	return 0;
}

int view_meminfo(struct lensfs_ctx *ctx, const char *name, const struct viewer *v, GString *out)
{
	g_autofree char *host = NULL;
	struct memory_facts mem = { .limited = false };
	int r;

	if (v->cg.path[CG_MEMORY]) {
		r = memory_facts(ctx, v, &mem);
		if (r < 0)
			return r;
	}
	/* An unlimited reader gets the host's file as it is now. */
	r = mem.limited ? read_proc(ctx, "meminfo", &host)
			: file_read_allf(&host, "%s/meminfo", ctx->proc_root);
	if (r < 0)
		return r;
	return meminfo_render(host, &mem, out);
}

int view_swaps(struct lensfs_ctx *ctx, const char *name, const struct viewer *v, GString *out)
{
	g_autofree char *host = NULL;
	struct memory_facts mem = { .limited = false };
	uint64_t host_swap, total, used;
	int r;

	if (v->cg.path[CG_MEMORY]) {
		r = memory_facts(ctx, v, &mem);
		if (r < 0)
			return r;
	}
	if (!mem.limited)
		return append_host_proc(ctx, "swaps", out);
	/* The same numbers as the container's meminfo, which free and top show. */
	r = read_proc(ctx, "meminfo", &host);
	if (r < 0)
		return r;
	if (meminfo_find_kb(host, "SwapTotal", &host_swap) < 0)
		return -EIO;
	meminfo_swap(host_swap, &mem, &total, &used);
	return swaps_render(total, used, out);
}

int view_cpuinfo(struct lensfs_ctx *ctx, const char *name, const struct viewer *v, GString *out)
{
	g_autofree char *host = NULL;
	g_autofree char *online_text = NULL;
	g_autoptr(cpuset) visible = NULL;
	bool all;
	int r = read_proc(ctx, "cpuinfo", &host);

	if (r < 0)
		return r;
	r = viewer_cpus(ctx, v, &online_text, &visible, NULL, &all);
	if (r < 0)
		return r;
	if (all) {
		g_string_append(out, host);
		return 0;
	}
	return cpuinfo_render(host, visible, out);
}

/* online, possible and present, by the node's name: the visible CPUs
 * numbered from 0, or the host's file when every online CPU is visible.
 * glibc's sysconf(_SC_NPROCESSORS_CONF) reads possible. */
int view_cpu_list(struct lensfs_ctx *ctx, const char *name, const struct viewer *v, GString *out)
{
	g_autofree char *online_text = NULL, *host = NULL, *path = NULL;
	g_autoptr(cpuset) visible = NULL;
	bool all;
	int r = viewer_cpus(ctx, v, &online_text, &visible, NULL, &all);

	if (r < 0)
		return r;
	if (!all)
		return cpu_online_render(cpuset_count(visible), out);
	if (strcmp(name, "online") == 0) {
		g_string_append(out, online_text);
		return 0;
	}
	path = g_strconcat("devices/system/cpu/", name, NULL);
	r = host_file(ctx, ctx->sys_root, path, &host);
	if (r >= 0)
		g_string_append(out, host);
	return r;
}

/* Threads of the cgroup and below: all of them, those running (R) and
 * those in uninterruptible sleep (D). */
struct thread_counts {
	unsigned int total, running, blocked;
};

static int fill_thread_list(gpointer value, void *data)
{
	struct facts_args *a = data;
	struct thread_list *l = value;
	uint64_t start = now_monotonic_us();
	int r = cgroup_threads(a->ctx->layout, a->m, CENSUS_CGROUPS_MAX, &l->tids);

	/* Its processes, to tell the small ones (census.h): a process that
	 * went meanwhile is only not told. */
	if (r >= 0 && l->tids->len > CENSUS_SAMPLE_MAX &&
	    cgroup_processes(a->ctx->layout, a->m, CENSUS_CGROUPS_MAX, &l->procs) < 0)
		l->procs = NULL;
	l->cost_us = now_monotonic_us() - start;
	return r;
}

static int fill_threads(gpointer value, void *data)
{
	struct facts_args *a = data;
	struct thread_census *c = value;
	struct thread_list *l;
	uint64_t start;
	int r = ttl_cache_obtain(with_caches(a->ctx)->thread_lists, a->m->path[CG_CPUACCT],
				 fill_thread_list, a, (gpointer *)&l);

	if (r < 0)
		return r;
	start = now_monotonic_us();
	census_take(a->ctx->proc_root, l->tids, l->procs, c);
	c->cost_us = now_monotonic_us() - start;
	ttl_cache_release(a->ctx->thread_lists, l);
	return 0;
}

/*
 * Counted as reader sees them (census_seen_by), from a census at most
 * --refresh-ms old (or ten times what it cost, census_ttl). Its cost grows
 * with the container's threads: a serving thread does not take one
 * (-EWOULDBLOCK: the request goes to the container's lane, which takes it
 * and leaves it for the next readers).
 */
static int count_threads(struct lensfs_ctx *ctx, const struct cgroup_membership *m, pid_t reader,
			 struct thread_counts *n)
{
	struct facts_args args = { ctx, m };
	struct thread_census *c;
	int r;

	memset(n, 0, sizeof(*n));
	if (!m->path[CG_CPUACCT])
		return 0;
	with_caches(ctx);
	if (lanes_on_serving_thread())
		r = ttl_cache_lookup(ctx->threads, m->path[CG_CPUACCT], (gpointer *)&c);
	else
		r = ttl_cache_obtain(ctx->threads, m->path[CG_CPUACCT], fill_threads, &args,
				     (gpointer *)&c);
	if (r == -ENOENT && lanes_on_serving_thread())
		return -EWOULDBLOCK;
	/* A cgroup that went away meanwhile has no threads to count. */
	if (r < 0)
		return 0;
	n->total = c->total;
	census_seen_by(c, reader, &n->running, &n->blocked);
	ttl_cache_release(ctx->threads, c);
	return 0;
}

static int fill_cpu_use(gpointer value, void *data)
{
	struct facts_args *a = data;

	return cgroup_cpu_times(a->ctx->layout, a->m, value);
}

/* The cgroup's CPU time, as counted at most --refresh-ms ago; user +
 * system is its whole usage (cgroup.h). */
static int cpu_use(struct lensfs_ctx *ctx, const struct cgroup_membership *m, struct cpu_times *out)
{
	struct facts_args args = { ctx, m };
	struct cpu_times *c;
	int r = ttl_cache_obtain(with_caches(ctx)->cpu_use, m->path[CG_CPUACCT], fill_cpu_use,
				 &args, (gpointer *)&c);

	if (r < 0)
		return r;
	*out = *c;
	ttl_cache_release(ctx->cpu_use, c);
	return 0;
}

int view_uptime(struct lensfs_ctx *ctx, const char *name, const struct viewer *v, GString *out)
{
	g_autofree char *host = NULL;
	g_autofree char *online_text = NULL;
	g_autoptr(cpuset) visible = NULL;
	struct uptime_input in = { .ticks_per_sec = ctx->ticks_per_sec };
	uint64_t host_idle;
	bool all;
	/* Cheap, and changes every tick: never cached. */
	int r = file_read_allf(&host, "%s/uptime", ctx->proc_root);

	if (r < 0)
		return r;
	if (v->host_pidns) {
		g_string_append(out, host);
		return 0;
	}
	if (!v->init_pid)
		return -ESRCH; /* a cgroup with no process has no start time */
	r = uptime_parse(host, &in.host_uptime_cs, &host_idle);
	if (r < 0)
		return r;
	r = viewer_cpus(ctx, v, &online_text, &visible, NULL, &all);
	if (r < 0)
		return r;
	/* Without a cpuacct (v1) or unified hierarchy nothing counts CPU time. */
	if (v->cg.path[CG_CPUACCT]) {
		struct cpu_times use;

		r = cpu_use(ctx, &v->cg, &use);
		if (r < 0)
			return r;
		in.cpu_usage_us = use.user_us + use.system_us;
	}
	in.start_ticks = v->init_start_ticks;
	in.ncpus = cpuset_count(visible);
	return uptime_render(&in, out);
}

/* A container unread for this long loses its floor (and then starts from
 * its computed values again). */
#define FLOOR_IDLE_US (600 * G_USEC_PER_SEC)

static gboolean floor_stale(gpointer key, gpointer value, gpointer now)
{
	return *(uint64_t *)now - ((struct counter_floor *)value)->used_at > FLOOR_IDLE_US;
}

/* Never show a container less of any of its n counters than it was last
 * shown under key (a file's name and the container's). */
static void counters_apply_floor(struct lensfs_ctx *ctx, const char *key, unsigned int n,
				 uint64_t *v)
{
	uint64_t now = now_monotonic_us();
	struct counter_floor *f;

	g_mutex_lock(&ctx->stat_lock);
	f = g_hash_table_lookup(with_caches(ctx)->stat_floor, key);
	if (!f || f->n != n) {
		if (g_hash_table_size(ctx->stat_floor) >= 1024)
			g_hash_table_foreach_remove(ctx->stat_floor, floor_stale, &now);
		f = g_new0(struct counter_floor, 1);
		f->n = n;
		f->last = g_new0(uint64_t, n);
		g_hash_table_replace(ctx->stat_floor, g_strdup(key), f);
	}
	for (unsigned int i = 0; i < n; i++) {
		v[i] = MAX(v[i], f->last[i]);
		f->last[i] = v[i];
	}
	f->used_at = now;
	g_mutex_unlock(&ctx->stat_lock);
}

/* Never show a container less of any time on a CPU than it was last shown. */
static void stat_apply_floor(struct lensfs_ctx *ctx, const char *key, unsigned int n,
			     struct stat_cpu *cpu)
{
	G_STATIC_ASSERT(sizeof(struct stat_cpu) == 3 * sizeof(uint64_t));
	counters_apply_floor(ctx, key, n * 3, (uint64_t *)cpu);
}

int view_stat(struct lensfs_ctx *ctx, const char *name, const struct viewer *v, GString *out)
{
	g_autofree char *host = NULL, *uptime = NULL, *online_text = NULL, *key = NULL;
	g_autofree struct stat_cpu *cpu = NULL;
	g_autoptr(cpuset) visible = NULL;
	struct stat_usage u = { .ticks_per_sec = ctx->ticks_per_sec };
	struct stat_input in = { 0 };
	struct cpu_facts facts;
	struct cpu_times use = { 0 };
	struct thread_counts threads;
	uint64_t host_up, host_idle;
	bool all;
	int r;

	if (!v->init_pid)
		return -ESRCH; /* a cgroup with no process has no start time */
	/* The host's pid namespace: the host's file, fresh (like proc/uptime). */
	if (v->host_pidns)
		return append_host_proc(ctx, "stat", out);
	r = read_proc(ctx, "stat", &host);
	if (r >= 0)
		r = file_read_allf(&uptime, "%s/uptime", ctx->proc_root);
	if (r >= 0)
		r = uptime_parse(uptime, &host_up, &host_idle);
	if (r >= 0)
		r = viewer_cpus(ctx, v, &online_text, &visible, &facts, &all);
	if (r < 0)
		return r;
	in.ncpus = cpuset_count(visible);
	u.capacity_milli = (uint64_t)in.ncpus * 1000;
	if (ctx->cpu_quota && facts.quota_us && facts.period_us)
		u.capacity_milli = MIN(u.capacity_milli, facts.quota_us * 1000 / facts.period_us);
	cpu_facts_clear(&facts);
	/* Without a cpuacct (v1) or unified hierarchy nothing counts CPU time. */
	if (v->cg.path[CG_CPUACCT]) {
		r = cpu_use(ctx, &v->cg, &use);
		if (r < 0)
			return r;
	}
	u.user_us = use.user_us;
	u.system_us = use.system_us;
	u.uptime_cs = uptime_container_cs(host_up, v->init_start_ticks, ctx->ticks_per_sec);
	cpu = g_new0(struct stat_cpu, in.ncpus);
	r = stat_compute(&u, in.ncpus, cpu);
	if (r < 0)
		return r;
	key = g_strdup_printf("stat\n%s\n%" G_GUINT64_FORMAT,
			      v->cg.path[CG_CPUACCT] ? v->cg.path[CG_CPUACCT] : "",
			      v->init_start_ticks);
	r = count_threads(ctx, &v->cg, v->pid, &threads);
	if (r < 0)
		return r;
	stat_apply_floor(ctx, key, in.ncpus, cpu);
	in.cpu = cpu;
	in.procs_running = threads.running;
	in.procs_blocked = threads.blocked;
	return stat_render(host, &in, out);
}

/* cpu, memory and io, by the node's name. A reader whose cgroup has no
 * pressure files gets EOPNOTSUPP, as the kernel answers an open of a
 * /proc/pressure file when PSI is off. */
int view_pressure(struct lensfs_ctx *ctx, const char *name, const struct viewer *v, GString *out)
{
	g_autofree char *text = NULL;
	const char *path = v->cg.path[CG_UNIFIED];
	int r;

	/* The root cgroup's pressure is the machine's. */
	if (path ? strcmp(path, "/") == 0 : cgroup_membership_is_root(&v->cg)) {
		g_autofree char *file = g_strconcat("pressure/", name, NULL);

		r = append_host_proc(ctx, file, out);
		return r == -ENOENT ? -EOPNOTSUPP : r;
	}
	r = cgroup_pressure(ctx->layout, &v->cg, name, &text);
	if (r < 0)
		return r;
	return pressure_render(text, out);
}

/* What the load averages count: running and uninterruptible threads, now
 * (the sampling thread's, every 5 s). */
static unsigned int active_threads(struct lensfs_ctx *ctx, const struct cgroup_membership *m)
{
	struct facts_args args = { ctx, m };
	struct thread_census c = { 0 };
	unsigned int n;

	if (!m->path[CG_CPUACCT] || fill_threads(&c, &args) < 0)
		return 0;
	n = c.running + c.blocked;
	census_clear(&c);
	return n;
}

/* The reader's own pid in its namespace: the namespace's last pid, unless
 * another process started since (the kernel's field is the last pid given
 * out in the reader's namespace, which only the namespace can read). */
static pid_t reader_pid_in_ns(struct lensfs_ctx *ctx, pid_t pid)
{
	g_autofree char *text = NULL;
	struct proc_status st;

	if (pid <= 0 || file_read_allf(&text, "%s/%d/status", ctx->proc_root, (int)pid) < 0 ||
	    proc_status_parse(text, &st) < 0)
		return 0;
	return st.nspid_inner;
}

int view_loadavg(struct lensfs_ctx *ctx, const char *name, const struct viewer *v, GString *out)
{
	uint64_t avg[3] = { 0, 0, 0 };
	struct thread_counts threads;
	int r;

	if (!v->init_pid)
		return -ESRCH;
	if (v->host_pidns)
		return append_host_proc(ctx, "loadavg", out);
	r = count_threads(ctx, &v->cg, v->pid, &threads);
	if (r < 0)
		return r;
	/* The daemon follows the containers that read loadavg; lensfs-show,
	 * which lives for one read, has no averages to show. */
	if (ctx->loadavg_period_ms) {
		g_mutex_lock(&ctx->lock);
		if (!ctx->loadavg)
			ctx->loadavg =
				loadavg_tracker_new(ctx, ctx->loadavg_period_ms, active_threads);
		g_mutex_unlock(&ctx->lock);
		loadavg_get(ctx->loadavg, &v->cg, avg);
	}
	return loadavg_render(avg, threads.running, threads.total, reader_pid_in_ns(ctx, v->pid),
			      out);
}

int view_diskstats(struct lensfs_ctx *ctx, const char *name, const struct viewer *v, GString *out)
{
	g_autofree char *host = NULL;
	g_autoptr(GArray) devs = NULL;
	int r = file_read_allf(&host, "%s/diskstats", ctx->proc_root);

	if (r < 0)
		return r;
	/* The root cgroup's I/O is the machine's. */
	if (!v->cg.path[CG_BLKIO] || strcmp(v->cg.path[CG_BLKIO], "/") == 0) {
		g_string_append(out, host);
		return 0;
	}
	r = cgroup_io(ctx->layout, &v->cg, &devs);
	if (r < 0)
		return r;
	return diskstats_render(host, devs, out);
}

/* Whether v reads the machine's memory counters as they are: the host's
 * pid namespace, or the memory hierarchy's root (or none). */
static bool host_memory(const struct viewer *v)
{
	const char *path = v->cg.path[CG_MEMORY];

	return v->host_pidns || !path || strcmp(path, "/") == 0;
}

/* The size of a PMD-mapped huge page, which vmstat counts huge pages in. */
static uint64_t hpage_pmd_size(struct lensfs_ctx *ctx)
{
	g_autofree char *text = NULL;
	uint64_t size;

	if (host_file(ctx, ctx->sys_root, "kernel/mm/transparent_hugepage/hpage_pmd_size", &text) <
		    0 ||
	    parse_u64(text, &size) < 0 || size == 0)
		return 2 << 20; /* x86-64's, on a kernel without THP */
	return size;
}

/* Bytes v's cgroup read and wrote on block devices, never less than it was
 * last shown (a device's line leaves io.stat with the device). */
static int io_bytes(struct lensfs_ctx *ctx, const struct viewer *v, uint64_t bytes[2])
{
	g_autoptr(GArray) devs = NULL;
	g_autofree char *key = NULL;
	int r = cgroup_io(ctx->layout, &v->cg, &devs);

	if (r < 0)
		return r;
	bytes[0] = bytes[1] = 0;
	for (guint i = 0; i < devs->len; i++) {
		const struct io_dev *d = &g_array_index(devs, struct io_dev, i);

		bytes[0] += d->rbytes;
		bytes[1] += d->wbytes;
	}
	key = g_strdup_printf("vmstat\n%s\n%" G_GUINT64_FORMAT, v->cg.path[CG_BLKIO],
			      v->init_start_ticks);
	counters_apply_floor(ctx, key, 2, bytes);
	return 0;
}

int view_vmstat(struct lensfs_ctx *ctx, const char *name, const struct viewer *v, GString *out)
{
	g_autofree char *host = NULL, *stat = NULL;
	g_autoptr(GString) meminfo = g_string_new(NULL);
	struct vmstat_input in = { .page_size = (uint64_t)sysconf(_SC_PAGESIZE) };
	uint64_t io[2] = { 0, 0 };
	int r;

	if (host_memory(v))
		return append_host_proc(ctx, "vmstat", out);
	r = file_read_allf(&host, "%s/vmstat", ctx->proc_root);
	if (r >= 0)
		r = cgroup_memory_file(ctx->layout, v->cg.path[CG_MEMORY], "memory.stat", &stat);
	/* MemFree as the container's proc/meminfo shows it. */
	if (r >= 0)
		r = view_meminfo(ctx, "meminfo", v, meminfo);
	if (r >= 0)
		r = meminfo_find_kb(meminfo->str, "MemFree", &in.free_kb);
	if (r >= 0 && v->cg.path[CG_BLKIO] && strcmp(v->cg.path[CG_BLKIO], "/") != 0) {
		r = io_bytes(ctx, v, io);
		in.io = true;
		in.read_bytes = io[0];
		in.write_bytes = io[1];
	}
	if (r < 0)
		return r;
	in.version = ctx->layout->ctrl[CG_MEMORY]->version;
	in.memory_stat = stat;
	in.hpage_size = hpage_pmd_size(ctx);
	return vmstat_render(host, &in, out);
}

int view_slabinfo(struct lensfs_ctx *ctx, const char *name, const struct viewer *v, GString *out)
{
	g_autofree char *host = NULL, *caches = NULL, *stat = NULL, *kmem = NULL;
	struct slab_size sizes[2];
	unsigned int n = 0;
	int r;

	if (host_memory(v))
		return append_host_proc(ctx, "slabinfo", out);
	r = read_proc(ctx, "slabinfo", &host);
	if (r < 0)
		return r;
	if (ctx->layout->ctrl[CG_MEMORY]->version == 1) {
		r = cgroup_memory_file(ctx->layout, v->cg.path[CG_MEMORY], "memory.kmem.slabinfo",
				       &caches);
		if (r == -EOPNOTSUPP || r == -EIO)
			r = 0; /* no kmem accounting; or a kernel that refuses it */
		if (r >= 0)
			r = cgroup_memory_file(ctx->layout, v->cg.path[CG_MEMORY],
					       "memory.kmem.usage_in_bytes", &kmem);
		if (r >= 0) {
			sizes[n].name = "kmem_usage";
			r = parse_u64(kmem, &sizes[n++].bytes);
		} else if (r == -EOPNOTSUPP) {
			r = 0;
		}
	} else {
		static const char *const keys[] = { "slab_reclaimable", "slab_unreclaimable" };

		r = cgroup_memory_file(ctx->layout, v->cg.path[CG_MEMORY], "memory.stat", &stat);
		/* A kernel without one of them: no line for it. */
		for (size_t i = 0; r >= 0 && i < G_N_ELEMENTS(keys); i++) {
			sizes[n].name = keys[i];
			r = kv_find_u64(stat, keys[i], &sizes[n].bytes);
			if (r == 0)
				n++;
			else if (r == -ENOENT)
				r = 0;
		}
	}
	if (r < 0)
		return r;
	return slabinfo_render(host, caches, sizes, n, (uint64_t)sysconf(_SC_PAGESIZE), out);
}

/* The host's online memory nodes. */
static int host_nodes(struct lensfs_ctx *ctx, struct cpuset **online)
{
	g_autofree char *text = NULL;
	int r = host_file(ctx, ctx->sys_root, "devices/system/node/online", &text);

	if (r < 0)
		return r;
	r = cpuset_parse(text, online);
	if (r == 0 && cpuset_count(*online) == 0)
		r = -EINVAL;
	return r;
}

int view_node_map(struct lensfs_ctx *ctx, const struct viewer *v, struct cpu_map *m,
		  struct cpuset **online_out)
{
	g_autoptr(cpuset) online = NULL, mems = NULL;
	struct cpu_facts f;
	bool all;
	int r = host_nodes(ctx, &online);

	if (r == 0)
		r = cpu_facts(ctx, v, &f);
	if (r < 0)
		return r;
	mems = g_steal_pointer(&f.mems);
	cpu_facts_clear(&f);
	if (mems)
		cpuset_and(mems, online);
	/* A cpuset of offline nodes only: the kernel would not run it; shown as
	 * the machine's rather than as no node. */
	if (!mems || cpuset_count(mems) == 0) {
		g_clear_pointer(&mems, cpuset_free);
		mems = cpuset_copy(online);
	}
	all = cpuset_count(mems) == cpuset_count(online);
	cpu_map_init(m, mems, all);
	if (online_out)
		*online_out = g_steal_pointer(&online);
	return 0;
}

/* The host node list text with only the nodes of m, renumbered. */
static int node_list_translate(const struct cpu_map *m, const char *host, GString *out)
{
	g_autoptr(cpuset) set = NULL, shown = NULL;
	int r = cpuset_parse(host, &set);

	if (r < 0)
		return r;
	shown = cpu_map_renumber(m, set);
	cpuset_format(shown, out);
	g_string_append_c(out, '\n');
	return 0;
}

/* online, possible, has_cpu, has_memory and has_normal_memory, by name:
 * the host's list of the nodes v sees, renumbered from 0 (possible: as
 * many as it sees, as cpu/possible). */
int view_node_list(struct lensfs_ctx *ctx, const char *name, const struct viewer *v, GString *out)
{
	g_autofree char *path = g_strconcat("devices/system/node/", name, NULL);
	g_autofree char *host = NULL;
	struct cpu_map m;
	int r = view_node_map(ctx, v, &m, NULL);

	if (r < 0)
		return r;
	if (strcmp(name, "possible") == 0 && !m.identity) {
		r = cpu_online_render(m.nshown, out);
	} else {
		r = host_file(ctx, ctx->sys_root, path, &host);
		if (r >= 0)
			r = m.identity ? (g_string_append(out, host), 0)
				       : node_list_translate(&m, host, out);
	}
	cpu_map_clear(&m);
	return r;
}

/* nodeN/meminfo: host node host's, with the cgroup's numbers. */
static int node_meminfo(struct lensfs_ctx *ctx, const struct viewer *v, unsigned int host,
			unsigned int shown, const char *text, GString *out)
{
	g_autoptr(GString) meminfo = g_string_new(NULL);
	g_autofree char *numa = NULL;
	struct memory_facts mem = { .limited = false };
	struct node_meminfo_input in = { .host_node = host,
					 .shown_node = shown,
					 .page_size = (uint64_t)sysconf(_SC_PAGESIZE) };
	int r;

	in.host_values = host_memory(v);
	if (!in.host_values) {
		r = memory_facts(ctx, v, &mem);
		if (r < 0)
			return r;
		/* An unlimited reader gets the host's, as in proc/meminfo. */
		in.host_values = !mem.limited;
	}
	if (in.host_values)
		return node_meminfo_render(text, &in, out);
	r = view_meminfo(ctx, "meminfo", v, meminfo);
	if (r >= 0)
		r = meminfo_find_kb(meminfo->str, "MemTotal", &in.total_kb);
	if (r >= 0)
		r = meminfo_find_kb(meminfo->str, "MemFree", &in.free_kb);
	if (r >= 0)
		r = cgroup_memory_file(ctx->layout, v->cg.path[CG_MEMORY], "memory.numa_stat",
				       &numa);
	if (r < 0)
		return r;
	in.version = ctx->layout->ctrl[CG_MEMORY]->version;
	in.numa_stat = numa;
	return node_meminfo_render(text, &in, out);
}

int view_node_file(struct lensfs_ctx *ctx, const struct viewer *v, unsigned int host,
		   const char *name, const char *text, GString *out)
{
	g_autoptr(cpuset) online = NULL;
	struct cpu_map nodes, cpus;
	int shown, r = view_node_map(ctx, v, &nodes, &online);

	if (r < 0)
		return r;
	shown = cpu_map_shown(&nodes, host);
	if (shown < 0) {
		r = -ENOENT;
	} else if (strcmp(name, "meminfo") == 0) {
		r = node_meminfo(ctx, v, host, (unsigned int)shown, text, out);
	} else if (strcmp(name, "distance") == 0) {
		g_autoptr(cpuset) seen = nodes.identity ? cpuset_copy(online) : cpuset_new();

		for (unsigned int i = 0; !nodes.identity && i < nodes.nshown; i++)
			cpuset_set(seen, nodes.host[i]);
		r = node_distance_render(text, online, seen, out);
	} else if (strcmp(name, "cpulist") == 0 || strcmp(name, "cpumap") == 0) {
		r = view_cpu_map(ctx, v, &cpus);
		if (r >= 0) {
			r = cpu_text_translate(&cpus, name, text, out);
			cpu_map_clear(&cpus);
		}
	} else {
		g_string_append(out, text);
	}
	cpu_map_clear(&nodes);
	return r;
}
