/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "context.h"
#include "delegate.h"
#include "loadavg.h"
#include "procfs.h"
#include "nsfs.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

/* Entries the cache holds at most, whatever RLIMIT_NOFILE allows: each
 * holds a pidfd, and the worker needs descriptors of its own. */
#define PIDNS_MAX    4096
#define FDS_RESERVED 64

/* A resolved pid namespace. The pidfd of its init proves the entry is
 * still about the same namespace: namespace inode numbers are reused once a
 * namespace is gone, and it is gone exactly when its init has exited. The
 * reaper drops the entry then (the pidfd polls readable), so that nothing
 * is held for a namespace that is gone. */
struct pidns_entry {
	pid_t init_pid;
	uint64_t start_ticks;
	int pidfd;
	uint64_t resolved_at;
	uint64_t used_at;
	uint64_t serial; /* its number in the reaper's epoll set */
	struct cgroup_membership cg;
	char *container;
};

static void pidns_entry_free(gpointer p)
{
	struct pidns_entry *e = p;

	/* Closing the only descriptor of the pidfd takes it out of the
	 * reaper's epoll set. */
	if (e->pidfd >= 0)
		close(e->pidfd);
	cgroup_membership_clear(&e->cg);
	g_free(e->container);
	g_free(e);
}

static const char *env_or(const char *value, const char *env, const char *fallback)
{
	const char *e;

	if (value)
		return value;
	e = getenv(env);
	return e && *e ? e : fallback;
}

int lensfs_ctx_new(const struct lensfs_config *cfg, struct lensfs_ctx **out)
{
	g_autoptr(lensfs_ctx) ctx = g_new0(struct lensfs_ctx, 1);
	g_autofree char *mountinfo = NULL;
	int r;

	struct rlimit nofile;

	g_mutex_init(&ctx->lock);
	ctx->pidns_cache = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, pidns_entry_free);
	ctx->reaper_epoll = ctx->reaper_wake = -1;
	ctx->pidns_max = PIDNS_MAX;
	if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur != RLIM_INFINITY)
		ctx->pidns_max = (unsigned int)CLAMP(((int64_t)nofile.rlim_cur - FDS_RESERVED) / 2,
						     16, PIDNS_MAX);
	ctx->proc_root = g_strdup(env_or(cfg->proc_root, "LENSFS_PROC_ROOT", "/proc"));
	ctx->sys_root = g_strdup(env_or(cfg->sys_root, "LENSFS_SYS_ROOT", "/sys"));
	ctx->cpu_quota = cfg->cpu_quota;
	ctx->cgroup_delegate = cfg->cgroup_delegate;
	ctx->delegate_dir = g_strdup(cfg->delegate_dir ? cfg->delegate_dir : DELEGATE_DIR_DEFAULT);
	ctx->delegate_timeout_ms = cfg->delegate_timeout_ms ? cfg->delegate_timeout_ms : 1000;
	ctx->open_bytes_max = (uint64_t)(cfg->container_open_mb ? cfg->container_open_mb : 64)
			      << 20;
	ctx->cache_us = (uint64_t)cfg->cache_ms * 1000;
	ctx->loadavg_period_ms = cfg->loadavg_period_ms;
	ctx->ticks_per_sec = sysconf(_SC_CLK_TCK);
	ctx->refresh_us = (uint64_t)cfg->refresh_ms * 1000;
	g_mutex_init(&ctx->stat_lock);

	r = file_read_allf(&mountinfo, "%s/self/mountinfo", ctx->proc_root);
	if (r < 0)
		return r;
	r = cgroup_layout_parse(mountinfo, ctx->sys_root, &ctx->layout);
	if (r < 0)
		return r;
	g_autofree char *nspath = g_strdup_printf("%s/self/ns/pid", ctx->proc_root);
	r = link_read(nspath, &ctx->self_pidns);
	if (r < 0)
		return r;
	*out = g_steal_pointer(&ctx);
	return 0;
}

static void reaper_stop(struct lensfs_ctx *ctx)
{
	uint64_t one = 1;

	if (ctx->reaper) {
		if (write(ctx->reaper_wake, &one, sizeof(one)) != sizeof(one))
			g_warn_if_reached();
		g_thread_join(ctx->reaper);
	}
	if (ctx->reaper_epoll >= 0)
		close(ctx->reaper_epoll);
	if (ctx->reaper_wake >= 0)
		close(ctx->reaper_wake);
}

void lensfs_ctx_free(struct lensfs_ctx *ctx)
{
	if (!ctx)
		return;
	loadavg_tracker_free(ctx->loadavg);
	reaper_stop(ctx);
	g_hash_table_unref(ctx->pidns_cache);
	ttl_cache_free(ctx->rendered);
	ttl_cache_free(ctx->host_files);
	ttl_cache_free(ctx->memory);
	ttl_cache_free(ctx->cpu);
	ttl_cache_free(ctx->cpu_use);
	ttl_cache_free(ctx->threads);
	ttl_cache_free(ctx->thread_lists);
	ttl_cache_free(ctx->cg_roots);
	g_clear_pointer(&ctx->stat_floor, g_hash_table_unref);
	g_mutex_clear(&ctx->stat_lock);
	g_mutex_clear(&ctx->lock);
	cgroup_layout_free(ctx->layout);
	g_free(ctx->proc_root);
	g_free(ctx->sys_root);
	g_free(ctx->delegate_dir);
	g_free(ctx->self_pidns);
	g_free(ctx);
}

void viewer_clear(struct viewer *v)
{
	cgroup_membership_clear(&v->cg);
	g_clear_pointer(&v->pidns, g_free);
	g_clear_pointer(&v->container, g_free);
}

void viewer_forget(struct lensfs_ctx *ctx, const struct viewer *v)
{
	if (!v->pidns)
		return;
	g_mutex_lock(&ctx->lock);
	g_hash_table_remove(ctx->pidns_cache, v->pidns);
	g_mutex_unlock(&ctx->lock);
}

/* A process that vanished between two reads is -ESRCH, whatever the file. */
static int proc_read(struct lensfs_ctx *ctx, pid_t pid, const char *file, char **out)
{
	int r = file_read_allf(out, "%s/%d/%s", ctx->proc_root, (int)pid, file);

	return r == -ENOENT ? -ESRCH : r;
}

static int pid_ns(struct lensfs_ctx *ctx, pid_t pid, char **ns)
{
	g_autofree char *path = g_strdup_printf("%s/%d/ns/pid", ctx->proc_root, (int)pid);
	int r = link_read(path, ns);

	return r == -ENOENT ? -ESRCH : r;
}

static int pid_membership(struct lensfs_ctx *ctx, pid_t pid, struct cgroup_membership *m)
{
	g_autofree char *text = NULL;
	int r = proc_read(ctx, pid, "cgroup", &text);

	if (r < 0)
		return r;
	return cgroup_membership_parse(ctx->layout, text, m);
}

/* When pid started: field 22 of its main thread's own stat file, the same
 * as the process's. /proc/PID/stat sums over every thread of the process,
 * with interrupts off (fs/proc/array.c, do_task_stat, under
 * lock_task_sighand): a millisecond for a process of 20,000 threads, which
 * a container's init can be. */
static int pid_start_ticks(struct lensfs_ctx *ctx, pid_t pid, uint64_t *ticks)
{
	g_autofree char *text = NULL;
	g_autofree char *file = g_strdup_printf("task/%d/stat", (int)pid);
	int r = proc_read(ctx, pid, file, &text);

	if (r < 0)
		return r;
	return proc_stat_starttime(text, ticks);
}

static bool is_ns_init(struct lensfs_ctx *ctx, pid_t pid, const char *ns, pid_t *ppid)
{
	g_autofree char *text = NULL;
	g_autofree char *its_ns = NULL;
	struct proc_status st;

	if (pid_ns(ctx, pid, &its_ns) < 0 || strcmp(its_ns, ns) != 0)
		return false;
	if (proc_read(ctx, pid, "status", &text) < 0 || proc_status_parse(text, &st) < 0)
		return false;
	if (ppid)
		*ppid = st.ppid;
	return st.nspid_inner == 1;
}

static int pid_ns_fd(struct lensfs_ctx *ctx, pid_t pid)
{
	g_autofree char *path = g_strdup_printf("%s/%d/ns/pid", ctx->proc_root, (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	return fd >= 0 ? fd : errno == ENOENT ? -ESRCH : -errno;
}

/* The kernel's answer: the process that is pid 1 in pid's namespace
 * (NS_GET_PID_FROM_PIDNS), if it can give one; -ENOTTY when it cannot (an
 * older kernel, a fixture's /proc). */
static int init_by_nsfs(struct lensfs_ctx *ctx, pid_t pid, const char *ns, pid_t *init)
{
	g_autofree char *its_ns = NULL;
	autoclose int fd = pid_ns_fd(ctx, pid);
	int r;

	/* The walk below tells a process that left from a /proc that gives
	 * no namespace files. */
	if (fd < 0)
		return -ENOTTY;
	r = ioctl(fd, NS_GET_PID_FROM_PIDNS, 1);
	if (r < 0)
		return errno == ESRCH ? -ESRCH : -ENOTTY;
	/* pid may have left, and its number been reused, since ns was read:
	 * the init found must be of ns. */
	if (pid_ns(ctx, r, &its_ns) < 0 || strcmp(its_ns, ns) != 0)
		return -ESRCH;
	*init = r;
	return 0;
}

/*
 * The kernel knows a namespace's init (init_by_nsfs). Without that: the
 * init is usually an ancestor of its members, so walk the parents while
 * they are in the namespace; a process that entered the namespace with
 * setns(2) (runc exec, nsenter) has its parent outside, and then /proc is
 * scanned for the process of that namespace whose inner pid is 1.
 */
int pidns_find_init(struct lensfs_ctx *ctx, pid_t pid, const char *ns, pid_t *init)
{
	g_autoptr(GDir) dir = NULL;
	const char *name;
	pid_t cur = pid;
	int r = init_by_nsfs(ctx, pid, ns, init);

	if (r != -ENOTTY)
		return r;

	for (int depth = 0; depth < 4096 && cur > 0; depth++) {
		g_autofree char *its_ns = NULL;
		pid_t ppid = 0;

		if (pid_ns(ctx, cur, &its_ns) < 0 || strcmp(its_ns, ns) != 0)
			break;
		if (is_ns_init(ctx, cur, ns, &ppid)) {
			*init = cur;
			return 0;
		}
		cur = ppid;
	}
	dir = g_dir_open(ctx->proc_root, 0, NULL);
	if (!dir)
		return -EIO;
	while ((name = g_dir_read_name(dir))) {
		char *end;
		long p = strtol(name, &end, 10);

		if (*end || p <= 0)
			continue;
		if (is_ns_init(ctx, (pid_t)p, ns, NULL)) {
			*init = (pid_t)p;
			return 0;
		}
	}
	return -ESRCH;
}

static bool entry_valid(struct lensfs_ctx *ctx, const struct pidns_entry *e, uint64_t now)
{
	if (e->pidfd < 0 || now - e->resolved_at > ctx->cache_us)
		return false;
	return pidfd_alive(e->pidfd);
}

static char *ns_name(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 ? g_strdup_printf("pid:[%lu]", (unsigned long)st.st_ino) : NULL;
}

/* The outermost pid namespace below the daemon's that holds pid: up from
 * its own (NS_GET_PARENT) until the parent is the daemon's. Where the
 * kernel cannot tell (a fixture's /proc), ns, pid's own. */
static char *container_of(struct lensfs_ctx *ctx, pid_t pid, const char *ns)
{
	int cur = pid_ns_fd(ctx, pid);

	/* Namespaces nest 32 deep at most (kernel/pid_namespace.c,
	 * MAX_PID_NS_LEVEL). */
	for (int depth = 0; cur >= 0 && depth < 33; depth++) {
		int parent = ioctl(cur, NS_GET_PARENT);
		g_autofree char *above = parent >= 0 ? ns_name(parent) : NULL;

		if (above && strcmp(above, ctx->self_pidns) == 0) {
			char *outermost = ns_name(cur);

			close(parent);
			close(cur);
			return outermost ? outermost : g_strdup(ns);
		}
		close(cur);
		cur = parent;
	}
	if (cur >= 0)
		close(cur);
	return g_strdup(ns);
}

static int resolve_pidns(struct lensfs_ctx *ctx, pid_t pid, const char *ns,
			 struct pidns_entry **out)
{
	struct pidns_entry *e = g_new0(struct pidns_entry, 1);
	g_autofree char *init_ns = NULL;
	bool real = strcmp(ctx->proc_root, "/proc") == 0;
	int r;

	e->pidfd = -1;
	r = pidns_find_init(ctx, pid, ns, &e->init_pid);
	/* Only a real /proc can give a pidfd; fixtures are never cached.
	 * Opened first: if the init is still alive once the files below are
	 * read, they were its, not those of a process that took its number. */
	if (r >= 0 && real) {
		e->pidfd = pidfd_of(e->init_pid);
		if (e->pidfd < 0)
			r = -ESRCH;
	}
	if (r >= 0)
		r = pid_start_ticks(ctx, e->init_pid, &e->start_ticks);
	if (r >= 0)
		r = pid_membership(ctx, e->init_pid, &e->cg);
	if (r >= 0)
		r = pid_ns(ctx, e->init_pid, &init_ns);
	if (r >= 0 && (strcmp(init_ns, ns) != 0 || (real && !pidfd_alive(e->pidfd))))
		r = -ESRCH;
	if (r < 0) {
		pidns_entry_free(e);
		return r;
	}
	cgroup_membership_strip_init_scope(&e->cg);
	e->container = container_of(ctx, pid, ns);
	e->resolved_at = e->used_at = now_monotonic_us();
	*out = e;
	return 0;
}

static void copy_entry(const struct pidns_entry *e, struct viewer *out)
{
	out->init_pid = e->init_pid;
	out->init_start_ticks = e->start_ticks;
	out->container = g_strdup(e->container);
	cgroup_membership_copy(&out->cg, &e->cg);
}

static gpointer reaper_thread(gpointer data)
{
	struct lensfs_ctx *ctx = data;
	struct epoll_event ev[32];
	bool stop = false;
	sigset_t all;

	/* Signals are for the serving thread, which stops on them. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	while (!stop) {
		int n = epoll_wait(ctx->reaper_epoll, ev, G_N_ELEMENTS(ev), -1);
		GHashTableIter it;
		gpointer value;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		g_mutex_lock(&ctx->lock);
		for (int i = 0; i < n; i++) {
			stop |= ev[i].data.u64 == 0; /* reaper_wake: lensfs_ctx_free */
			g_hash_table_iter_init(&it, ctx->pidns_cache);
			while (ev[i].data.u64 && g_hash_table_iter_next(&it, NULL, &value)) {
				if (((struct pidns_entry *)value)->serial == ev[i].data.u64) {
					g_hash_table_iter_remove(&it);
					break;
				}
			}
		}
		g_mutex_unlock(&ctx->lock);
	}
	return NULL;
}

/* Watches e's init, starting the reaper at the first entry. ctx->lock
 * held. */
static int reaper_watch(struct lensfs_ctx *ctx, struct pidns_entry *e)
{
	struct epoll_event ev = { .events = EPOLLIN };

	if (!ctx->reaper) {
		ctx->reaper_epoll = epoll_create1(EPOLL_CLOEXEC);
		ctx->reaper_wake = eventfd(0, EFD_CLOEXEC);
		if (ctx->reaper_epoll < 0 || ctx->reaper_wake < 0 ||
		    epoll_ctl(ctx->reaper_epoll, EPOLL_CTL_ADD, ctx->reaper_wake, &ev) < 0)
			return -errno;
		ctx->reaper = g_thread_new("lensfs-reaper", reaper_thread, ctx);
	}
	e->serial = ++ctx->pidns_serial;
	ev.data.u64 = e->serial;
	return epoll_ctl(ctx->reaper_epoll, EPOLL_CTL_ADD, e->pidfd, &ev) < 0 ? -errno : 0;
}

/* Room for one more entry: the one used longest ago goes. ctx->lock held. */
static void pidns_make_room(struct lensfs_ctx *ctx)
{
	const char *oldest = NULL;
	uint64_t oldest_at = UINT64_MAX;
	GHashTableIter it;
	gpointer key, value;

	if (g_hash_table_size(ctx->pidns_cache) < ctx->pidns_max)
		return;
	g_hash_table_iter_init(&it, ctx->pidns_cache);
	while (g_hash_table_iter_next(&it, &key, &value)) {
		if (((struct pidns_entry *)value)->used_at < oldest_at) {
			oldest_at = ((struct pidns_entry *)value)->used_at;
			oldest = key;
		}
	}
	if (oldest)
		g_hash_table_remove(ctx->pidns_cache, oldest);
}

/* Keeps e for ns, if there is a way to know when it stops being true;
 * takes e. */
static void pidns_keep(struct lensfs_ctx *ctx, char *ns, struct pidns_entry *e)
{
	g_mutex_lock(&ctx->lock);
	g_hash_table_remove(ctx->pidns_cache, ns);
	pidns_make_room(ctx);
	if (e->pidfd >= 0 && reaper_watch(ctx, e) == 0)
		g_hash_table_replace(ctx->pidns_cache, ns, e);
	else {
		pidns_entry_free(e);
		g_free(ns);
	}
	g_mutex_unlock(&ctx->lock);
}

unsigned int lensfs_ctx_pidns_cached(struct lensfs_ctx *ctx)
{
	unsigned int n;

	g_mutex_lock(&ctx->lock);
	n = g_hash_table_size(ctx->pidns_cache);
	g_mutex_unlock(&ctx->lock);
	return n;
}

static int resolve_viewer(struct lensfs_ctx *ctx, pid_t pid, bool peek, struct viewer *out)
{
	g_autofree char *ns = NULL;
	struct pidns_entry *e;
	uint64_t now;
	int r;

	memset(out, 0, sizeof(*out));
	out->pid = pid;
	out->peek = peek;
	if (pid <= 0)
		return -ESRCH;
	r = pid_ns(ctx, pid, &ns);
	if (r < 0)
		return r;
	if (strcmp(ns, ctx->self_pidns) == 0) {
		out->peek = false; /* no container is set up in the host's */
		out->host_pidns = true;
		out->init_pid = 1;
		r = pid_membership(ctx, pid, &out->cg);
		if (r < 0)
			viewer_clear(out);
		return r;
	}
	out->pidns = g_strdup(ns);

	now = now_monotonic_us();
	g_mutex_lock(&ctx->lock);
	e = g_hash_table_lookup(ctx->pidns_cache, ns);
	if (e && entry_valid(ctx, e, now)) {
		e->used_at = now;
		copy_entry(e, out);
		out->cached = true;
		/* A container whose resolution is kept has opened a view: it
		 * runs, its limits are written. */
		out->peek = false;
		g_mutex_unlock(&ctx->lock);
		return 0;
	}
	g_mutex_unlock(&ctx->lock);

	r = resolve_pidns(ctx, pid, ns, &e);
	if (r < 0) {
		viewer_clear(out);
		return r;
	}
	copy_entry(e, out);
	if (peek)
		pidns_entry_free(e);
	else
		pidns_keep(ctx, g_steal_pointer(&ns), e);
	return 0;
}

int viewer_of_process(struct lensfs_ctx *ctx, pid_t pid, struct viewer *out)
{
	int r;

	memset(out, 0, sizeof(*out));
	if (pid <= 0)
		return -ESRCH;
	out->init_pid = pid;
	r = pid_ns(ctx, pid, &out->pidns);
	if (r >= 0)
		r = pid_start_ticks(ctx, pid, &out->init_start_ticks);
	if (r >= 0)
		r = pid_membership(ctx, pid, &out->cg);
	if (r < 0) {
		viewer_clear(out);
		return r;
	}
	cgroup_membership_strip_init_scope(&out->cg);
	out->host_pidns = strcmp(out->pidns, ctx->self_pidns) == 0;
	if (out->host_pidns)
		g_clear_pointer(&out->pidns, g_free);
	else
		out->container = container_of(ctx, pid, out->pidns);
	return 0;
}

int viewer_of_pid(struct lensfs_ctx *ctx, pid_t pid, struct viewer *out)
{
	return resolve_viewer(ctx, pid, false, out);
}

int viewer_peek_pid(struct lensfs_ctx *ctx, pid_t pid, struct viewer *out)
{
	return resolve_viewer(ctx, pid, true, out);
}

/* The longest-running process of a cgroup directory, or 0 when it is empty. */
static void oldest_in(struct lensfs_ctx *ctx, const char *dir, struct viewer *out)
{
	g_autofree char *procs = NULL;
	g_auto(GStrv) pids = NULL;

	if (file_read_allf(&procs, "%s/cgroup.procs", dir) < 0)
		return;
	pids = g_strsplit(procs, "\n", -1);
	for (char **p = pids; *p; p++) {
		uint64_t ticks;
		long pid = strtol(*p, NULL, 10);

		if (pid <= 0 || pid_start_ticks(ctx, (pid_t)pid, &ticks) < 0)
			continue;
		if (!out->init_pid || ticks < out->init_start_ticks) {
			out->init_start_ticks = ticks;
			out->init_pid = (pid_t)pid;
		}
	}
}

int viewer_of_cgroup(struct lensfs_ctx *ctx, const char *path, struct viewer *out)
{
	bool found = false;

	memset(out, 0, sizeof(*out));
	for (int c = 0; c < CG__COUNT; c++) {
		g_autofree char *dir = NULL;
		int r;

		if (!ctx->layout->ctrl[c])
			continue;
		r = cgroup_dir(ctx->layout, (enum cg_controller)c, path, &dir);
		if (r == -EINVAL) {
			viewer_clear(out);
			return r;
		}
		if (r < 0 || !g_file_test(dir, G_FILE_TEST_IS_DIR))
			continue;
		out->cg.path[c] = g_strdup(path);
		if (!found)
			oldest_in(ctx, dir, out);
		found = true;
	}
	return found ? 0 : -ENOENT;
}
