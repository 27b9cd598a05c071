/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sys/fs/cgroup for a reader (docs/design.md, "The cgroup view").
 *
 * The root of each hierarchy is the reader's container cgroup: the cgroup
 * of its pid namespace's init in that hierarchy (/proc/INIT/cgroup), less a
 * trailing /init.scope; a reader in the host's pid namespace sees the whole
 * hierarchy. On a pure v2 host the view itself is that cgroup's directory;
 * on v1 and hybrid hosts the top holds one directory per hierarchy mounted
 * under /sys/fs/cgroup (named as on the host) and the host's symlinks there
 * (cpu -> cpu,cpuacct).
 *
 * At the root only, limit files show the limit that applies: the text of
 * the tightest level over the cgroup and its ancestors (the kernel enforces
 * each level: mm/memcontrol.c, kernel/cgroup/pids.c, kernel/sched/fair.c
 * for the CFS bandwidth of each level), by the same rules as the renderers'
 * (src/cgroup/cg_limits.h: memory.max, memory.high, memory.swap.max,
 * pids.max, cpu.max, cpuset.cpus.effective; v1's memory.limit_in_bytes,
 * memory.memsw.limit_in_bytes, cpu.cfs_quota_us and cpu.cfs_period_us as a
 * pair, cpuset.effective_cpus). Everything else passes through, except the
 * pid lists (cgroup.procs, cgroup.threads, tasks), which are shown in the
 * reader's pid namespace.
 */
#include "config.h"

#include "caps.h"
#include "cg_limits.h"
#include "cgroup_view.h"
#include "delegate.h"
#include "host.h"
#include "ptree.h"
#include "nsfs.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

/* The root of one hierarchy in a reader's view. */
struct cg_root {
	char *top; /* its name at the top of the view; "" when it is the view */
	char *hpath; /* the reader's cgroup, below the sys root */
	char *hier; /* the hierarchy's own root, below the sys root */
	int version; /* the hierarchy's cgroup version */
};

static void cg_root_clear(gpointer p)
{
	struct cg_root *r = p;

	g_free(r->top);
	g_free(r->hpath);
	g_free(r->hier);
}

/* dir below root, or NULL when it is not below it. */
static char *below(const char *root, const char *dir)
{
	size_t n = strlen(root);

	if (strncmp(dir, root, n) != 0 || dir[n] != '/')
		return NULL;
	return g_strdup(dir + n + 1);
}

/* A reader's view: the root of each hierarchy in it, and the container's
 * own cgroup (cgroup_container_path; NULL for the host's pid namespace). */
struct cached_roots {
	GArray *roots;
	char *own;
};

static int find_roots(struct lensfs_ctx *ctx, const struct viewer *v, struct cached_roots *out)
{
	g_autoptr(GArray) roots = g_array_new(FALSE, TRUE, sizeof(struct cg_root));
	g_autoptr(GPtrArray) paths = NULL;
	g_autofree char *base = g_build_filename(ctx->sys_root, "fs/cgroup", NULL);
	g_autofree char *own = NULL;
	GPtrArray *hs = ctx->layout->hierarchies;
	int r;

	g_array_set_clear_func(roots, cg_root_clear);
	if (!v->host_pidns) {
		g_autofree char *text = NULL;

		r = file_read_allf(&text, "%s/%d/cgroup", ctx->proc_root, (int)v->init_pid);
		if (r < 0)
			return r == -ENOENT ? -ESRCH : r;
		r = cgroup_container_path(ctx->layout, text, &paths, &own);
		/* A container in the root cgroup has no subtree of its own. */
		if (r < 0 && r != -ENOENT)
			return r;
	}
	for (guint i = 0; i < hs->len; i++) {
		const struct cgroup_hierarchy *h = hs->pdata[i];
		g_autofree char *parent = g_path_get_dirname(h->dir);
		g_autofree char *dir = NULL;
		struct cg_root root = { 0 };

		if (strcmp(h->dir, base) == 0)
			root.top = g_strdup("");
		else if (strcmp(parent, base) == 0)
			root.top = g_path_get_basename(h->dir);
		else
			continue; /* mounted elsewhere: not in the view */
		if (!paths) {
			dir = g_strdup(h->dir);
		} else if (own && g_strcmp0(paths->pdata[i], own) == 0) {
			r = cgroup_hierarchy_dir(h, own, &dir);
			if (r < 0)
				dir = NULL;
		}
		root.hier = below(ctx->sys_root, h->dir);
		root.version = h->version;
		root.hpath = dir ? below(ctx->sys_root, dir) : NULL;
		if (!root.hier || !root.hpath) {
			cg_root_clear(&root);
			continue; /* the reader has no cgroup of its own there */
		}
		g_array_append_val(roots, root);
	}
	out->roots = g_steal_pointer(&roots);
	out->own = g_steal_pointer(&own);
	return 0;
}

static void cached_roots_clear(gpointer p)
{
	struct cached_roots *c = p;

	if (c->roots)
		g_array_unref(c->roots);
	g_free(c->own);
}

/* The cache of each container's roots (context.h, cg_roots), made at the
 * first request that asks. */
static struct ttl_cache *roots_cache(struct lensfs_ctx *ctx)
{
	if (g_once_init_enter(&ctx->cg_roots))
		g_once_init_leave(&ctx->cg_roots,
				  ttl_cache_new(ctx->refresh_us, sizeof(struct cached_roots),
						cached_roots_clear));
	return ctx->cg_roots;
}

struct roots_args {
	struct lensfs_ctx *ctx;
	const struct viewer *v;
};

static int fill_roots(gpointer value, void *data)
{
	struct roots_args *a = data;

	return find_roots(a->ctx, a->v, value);
}

/* v's roots, found at most --refresh-ms ago: every lookup, read and
 * write in the view asks, one path component at a time. Keyed by the
 * container's init (pid and start time); the host's are everyone's. The
 * container's own cgroup too, when own is not NULL. */
static int view_roots_own(struct lensfs_ctx *ctx, const struct viewer *v, GArray **out, char **own)
{
	g_autofree char *key = v->host_pidns
				       ? g_strdup("host")
				       : g_strdup_printf("%d:%" G_GUINT64_FORMAT, (int)v->init_pid,
							 v->init_start_ticks);
	struct roots_args args = { ctx, v };
	struct cached_roots *c;
	int r = ttl_cache_obtain(roots_cache(ctx), key, fill_roots, &args, (gpointer *)&c);

	if (r < 0)
		return r;
	*out = g_array_ref(c->roots);
	if (own)
		*own = g_strdup(c->own);
	ttl_cache_release(ctx->cg_roots, c);
	return 0;
}

static int view_roots(struct lensfs_ctx *ctx, const struct viewer *v, GArray **out)
{
	return view_roots_own(ctx, v, out, NULL);
}

static const struct cg_root *root_named(GArray *roots, const char *top)
{
	for (guint i = 0; i < roots->len; i++)
		if (strcmp(g_array_index(roots, struct cg_root, i).top, top) == 0)
			return &g_array_index(roots, struct cg_root, i);
	return NULL;
}

static int cgroup_resolve(struct lensfs_ctx *ctx, const struct viewer *v, const char *name,
			  char **hpath)
{
	g_autoptr(GArray) roots = NULL;
	g_autofree char *link = NULL;
	const struct cg_root *root;
	struct stat st;
	int r = view_roots(ctx, v, &roots);

	if (r < 0)
		return r;
	root = root_named(roots, "");
	if (root) {
		*hpath = g_strconcat(root->hpath, "/", name, NULL);
		return 0;
	}
	root = root_named(roots, name);
	if (root) {
		*hpath = g_strdup(root->hpath);
		return 0;
	}
	/* The host's symlinks at the top (cpu -> cpu,cpuacct). */
	link = g_strconcat("fs/cgroup/", name, NULL);
	if (host_lstat(ctx->sys_root, link, &st) == 0 && S_ISLNK(st.st_mode)) {
		*hpath = g_steal_pointer(&link);
		return 0;
	}
	return -ENOENT;
}

static int cgroup_list(struct lensfs_ctx *ctx, const struct viewer *v, GPtrArray *names)
{
	g_autoptr(GArray) roots = NULL;
	g_autoptr(GPtrArray) host = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GArray) types = g_array_new(FALSE, FALSE, 1);
	const struct cg_root *root;
	int r = view_roots(ctx, v, &roots);

	if (r < 0)
		return r;
	root = root_named(roots, "");
	if (root) {
		r = host_list(ctx->sys_root, root->hpath, host, NULL);
		for (guint i = 0; r == 0 && i < host->len; i++)
			g_ptr_array_add(names, g_steal_pointer(&host->pdata[i]));
		return r;
	}
	r = host_list(ctx->sys_root, "fs/cgroup", host, types);
	for (guint i = 0; r == 0 && i < host->len; i++) {
		if (root_named(roots, host->pdata[i]) ||
		    g_array_index(types, unsigned char, i) == DT_LNK)
			g_ptr_array_add(names, g_steal_pointer(&host->pdata[i]));
	}
	return r;
}

static int read_beneath(const char *path, char **text, void *sys_root)
{
	return host_read(sys_root, path, text);
}

/* Whether name is a limit file in a hierarchy of either version. */
static bool limit_file(const char *name)
{
	return cg_limit_of_file(1, name, NULL, NULL) || cg_limit_of_file(2, name, NULL, NULL);
}

/* The file at the root that shows limit: its text at the level whose limit
 * applies (cg_limits.h), or the root's own when no level limits (max, or
 * v1's own "unlimited"). Read beneath the sys root like every other host
 * file of the view. */
static int effective(struct lensfs_ctx *ctx, const struct cg_root *root, enum cg_limit limit,
		     unsigned int file, GString *out)
{
	g_auto(cg_limits) l = { 0 };
	const struct cg_level *own, *at;
	int r = cg_limits_read(root->version, limit, root->hpath, root->hier, read_beneath,
			       ctx->sys_root, &l);

	if (r < 0)
		return r;
	own = &g_array_index(l.levels, struct cg_level, 0);
	at = cg_limits_tightest(&l);
	if (!own->text[file])
		return -ENOENT;
	g_string_append(out, at && at->text[file] ? at->text[file] : own->text[file]);
	return 0;
}

/* How many levels up from ns_fd's namespace want is; -1 when it is not an
 * ancestor (nor the namespace itself). Takes ns_fd. */
static int ns_depth(int ns_fd, const struct stat *want)
{
	for (int depth = 0; ns_fd >= 0 && depth < 33; depth++) {
		struct stat st;
		int parent;

		if (fstat(ns_fd, &st) == 0 && st.st_ino == want->st_ino &&
		    st.st_dev == want->st_dev) {
			close(ns_fd);
			return depth;
		}
		parent = ioctl(ns_fd, NS_GET_PARENT);
		close(ns_fd);
		ns_fd = parent;
	}
	if (ns_fd >= 0)
		close(ns_fd);
	return -1;
}

/* The pid process host_pid has depth levels above its own namespace
 * (/proc/PID/status NSpid: the host's number first, its own last). */
static int nspid_at(const char *proc_root, long host_pid, int depth, long *out)
{
	g_autofree char *status = NULL;
	g_auto(GStrv) lines = NULL;
	int r = file_read_allf(&status, "%s/%ld/status", proc_root, host_pid);

	if (r < 0)
		return r;
	lines = g_strsplit(status, "\n", -1);
	for (char **l = lines; *l; l++) {
		g_auto(GStrv) f = NULL;
		guint n;

		if (!g_str_has_prefix(*l, "NSpid:"))
			continue;
		f = g_strsplit_set(*l + strlen("NSpid:"), " \t", -1);
		g_autoptr(GPtrArray) ids = g_ptr_array_new();
		for (char **p = f; *p; p++)
			if (**p)
				g_ptr_array_add(ids, *p);
		n = ids->len;
		if ((guint)depth >= n)
			return -ENOENT;
		*out = strtol(ids->pdata[n - 1 - (guint)depth], NULL, 10);
		return 0;
	}
	return -ENOENT;
}

int cgroup_view_pids_translate(const char *proc_root, pid_t ns_pid, const char *host, GString *out)
{
	g_autofree char *ns_path = g_strdup_printf("%s/%d/ns/pid", proc_root, (int)ns_pid);
	g_auto(GStrv) lines = g_strsplit(host, "\n", -1);
	autoclose int ns = open(ns_path, O_RDONLY | O_CLOEXEC);
	bool by_nsfs = ns >= 0;
	struct stat want;

	if (ns >= 0 ? fstat(ns, &want) < 0 : stat(ns_path, &want) < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	for (char **l = lines; *l; l++) {
		g_autofree char *path = NULL;
		uint64_t pid;
		long shown;
		int depth;

		if (!**l)
			continue;
		if (parse_u64(*l, &pid) < 0 || pid > INT32_MAX)
			return -EINVAL;
		/* The kernel's translation, one call a pid (ESRCH: not in the
		 * reader's namespace nor below it, or gone). */
		if (by_nsfs) {
			int r = ioctl(ns, NS_GET_PID_IN_PIDNS, (int)pid);

			if (r > 0)
				g_string_append_printf(out, "%d\n", r);
			if (r > 0 || errno == ESRCH)
				continue;
			by_nsfs = false; /* a kernel without it */
		}
		path = g_strdup_printf("%s/%" G_GUINT64_FORMAT "/ns/pid", proc_root, pid);
		depth = ns_depth(open(path, O_RDONLY | O_CLOEXEC), &want);
		/* Not in the reader's namespace nor below it, or gone. */
		if (depth < 0 || nspid_at(proc_root, (long)pid, depth, &shown) < 0)
			continue;
		g_string_append_printf(out, "%ld\n", shown);
	}
	return 0;
}

static bool pid_list(const char *name)
{
	return strcmp(name, "cgroup.procs") == 0 || strcmp(name, "cgroup.threads") == 0 ||
	       strcmp(name, "tasks") == 0;
}

static int cgroup_read(struct lensfs_ctx *ctx, const struct viewer *v, const struct pnode *p,
		       const char *host, GString *out)
{
	const char *name = strrchr(p->hpath, '/') + 1;
	g_autofree char *dir = g_strndup(p->hpath, (gsize)(name - 1 - p->hpath));

	if (limit_file(name)) {
		g_autoptr(GArray) roots = NULL;
		int r = view_roots(ctx, v, &roots);

		if (r < 0)
			return r;
		for (guint i = 0; i < roots->len; i++) {
			const struct cg_root *root = &g_array_index(roots, struct cg_root, i);
			enum cg_limit limit;
			unsigned int file;

			if (strcmp(root->hpath, dir) == 0 &&
			    cg_limit_of_file(root->version, name, &limit, &file))
				return effective(ctx, root, limit, file, out);
		}
	}
	if (pid_list(name) && !v->host_pidns)
		return cgroup_view_pids_translate(ctx->proc_root, v->pid ? v->pid : v->init_pid,
						  host, out);
	g_string_append(out, host);
	return 0;
}

/* The root of v's view that hpath is in or below; NULL when none. */
static const struct cg_root *root_above(GArray *roots, const char *hpath)
{
	for (guint i = 0; i < roots->len; i++) {
		const struct cg_root *r = &g_array_index(roots, struct cg_root, i);
		size_t n = strlen(r->hpath);

		if (strncmp(hpath, r->hpath, n) == 0 && (hpath[n] == '/' || hpath[n] == '\0'))
			return r;
	}
	return NULL;
}

/*
 * Delegation (docs/design.md, "The cgroup view"): with --cgroup-delegate,
 * the containers lensfs-hook granted it (delegate.h) write the files of
 * cgroup v2's delegation model, at their root and below it
 * (delegate_allowed); never a limit at their root, nothing above it (it has
 * no name), nothing else. The others' view stays read-only. A reader in the
 * host's pid namespace writes nothing here: root has /sys/fs/cgroup, and
 * anyone else must not get this daemon's uid 0 for its writes.
 */
static int delegated_root(struct lensfs_ctx *ctx, const struct viewer *v, const char *hpath,
			  const struct cg_root **root, GArray **roots)
{
	g_autofree char *own = NULL;
	int r;

	if (!ctx->cgroup_delegate || v->host_pidns)
		return -EROFS;
	r = view_roots_own(ctx, v, roots, &own);
	if (r < 0)
		return r;
	*root = root_above(*roots, hpath);
	if (!*root)
		return -EPERM;
	return own ? delegate_granted(ctx->delegate_dir, own) : -EROFS;
}

static int cgroup_may_write(struct lensfs_ctx *ctx, const struct viewer *v, const struct pnode *p)
{
	const char *name = strrchr(p->hpath, '/') + 1;
	g_autofree char *dir = g_strndup(p->hpath, (gsize)(name - 1 - p->hpath));
	g_autoptr(GArray) roots = NULL;
	const struct cg_root *root = NULL;
	int r = delegated_root(ctx, v, dir, &root, &roots);

	if (r < 0)
		return r;
	return delegate_allowed(name, strcmp(root->hpath, dir) == 0) ? 0 : -EPERM;
}

static int cgroup_may_mkdir(struct lensfs_ctx *ctx, const struct viewer *v, const char *hpath)
{
	g_autoptr(GArray) roots = NULL;
	const struct cg_root *root = NULL;
	int r = delegated_root(ctx, v, hpath, &root, &roots);

	if (r < 0)
		return r;
	/* Only strictly below a root: the root itself is not the reader's to
	 * remove. */
	return strcmp(root->hpath, hpath) != 0 ? 0 : -EPERM;
}

/* Whether host thread (or process) id is in root's subtree, by its own
 * /proc/ID/cgroup. */
static bool in_subtree(struct lensfs_ctx *ctx, const struct cg_root *root, long id)
{
	g_autofree char *text = NULL;
	g_autoptr(GPtrArray) paths = NULL;
	GPtrArray *hs = ctx->layout->hierarchies;

	if (file_read_allf(&text, "%s/%ld/cgroup", ctx->proc_root, id) < 0 ||
	    cgroup_hierarchy_paths(ctx->layout, text, &paths) < 0)
		return false;
	for (guint i = 0; i < hs->len; i++) {
		const struct cgroup_hierarchy *h = hs->pdata[i];
		g_autofree char *hier = below(ctx->sys_root, h->dir), *dir = NULL, *at = NULL;
		size_t n = strlen(root->hpath);

		if (g_strcmp0(hier, root->hier) != 0 || !paths->pdata[i] ||
		    cgroup_hierarchy_dir(h, paths->pdata[i], &dir) < 0)
			continue;
		at = below(ctx->sys_root, dir);
		return at && strncmp(at, root->hpath, n) == 0 && (at[n] == '/' || at[n] == '\0');
	}
	return false;
}

/* The host number of the thread (threads) or process that v's pid
 * namespace calls shown, among those in root's subtree; -ESRCH when it
 * has none there. The kernel translates where it can
 * (NS_GET_PID_FROM_PIDNS); else each thread of the subtree is looked at. */
static int host_pid_in(struct lensfs_ctx *ctx, const struct viewer *v, const struct cg_root *root,
		       long shown, long *host)
{
	g_autoptr(GPtrArray) dirs = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GString) mine = g_string_new(NULL);
	pid_t ns_pid = v->pid ? v->pid : v->init_pid;
	g_autofree char *ns_path = g_strdup_printf("%s/%d/ns/pid", ctx->proc_root, (int)ns_pid);
	autoclose int ns = open(ns_path, O_RDONLY | O_CLOEXEC);
	int h = ns >= 0 ? ioctl(ns, NS_GET_PID_FROM_PIDNS, (int)shown) : -1;

	if (h > 0 || (ns >= 0 && errno == ESRCH)) {
		if (h <= 0 || !in_subtree(ctx, root, h))
			return -ESRCH;
		*host = h;
		return 0;
	}
	g_ptr_array_add(dirs, g_strdup(root->hpath));
	for (guint i = 0; i < dirs->len; i++) {
		g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
		g_autoptr(GArray) types = g_array_new(FALSE, FALSE, 1);
		g_autofree char *tids = NULL, *path = NULL;
		g_auto(GStrv) host_ids = NULL;

		path = g_strconcat(dirs->pdata[i], "/cgroup.threads", NULL);
		if (host_read(ctx->sys_root, path, &tids) < 0) {
			g_free(path);
			path = g_strconcat(dirs->pdata[i], "/tasks", NULL);
			if (host_read(ctx->sys_root, path, &tids) < 0)
				continue;
		}
		host_ids = g_strsplit(tids, "\n", -1);
		for (char **id = host_ids; *id; id++) {
			g_string_truncate(mine, 0);
			if (!**id ||
			    cgroup_view_pids_translate(ctx->proc_root, ns_pid, *id, mine) < 0)
				continue;
			if (mine->len && strtol(mine->str, NULL, 10) == shown) {
				*host = strtol(*id, NULL, 10);
				return 0;
			}
		}
		if (host_list(ctx->sys_root, dirs->pdata[i], names, types) < 0)
			continue;
		for (guint j = 0; j < names->len; j++)
			if (g_array_index(types, unsigned char, j) == DT_DIR)
				g_ptr_array_add(dirs, g_strconcat(dirs->pdata[i], "/",
								  names->pdata[j], NULL));
	}
	return -ESRCH;
}

/* The writer's own number in its pid namespace: its thread's, or for
 * cgroup.procs its process's (the last of /proc/PID/status's NSpid or
 * NStgid). */
static int writer_number(struct lensfs_ctx *ctx, const struct viewer *v, bool process, long *out)
{
	g_autofree char *status = NULL;
	g_auto(GStrv) lines = NULL;
	const char *key = process ? "NStgid:" : "NSpid:";
	int r = file_read_allf(&status, "%s/%d/status", ctx->proc_root, (int)v->pid);

	if (r < 0)
		return r == -ENOENT ? -ESRCH : r;
	lines = g_strsplit(status, "\n", -1);
	for (char **l = lines; *l; l++) {
		const char *last;

		if (!g_str_has_prefix(*l, key))
			continue;
		g_strchomp(*l);
		last = strrchr(*l, '\t');
		last = last ? last + 1 : *l + strlen(key);
		*out = strtol(last, NULL, 10);
		return *out > 0 ? 0 : -EIO;
	}
	return -EIO;
}

static ssize_t cgroup_write(struct lensfs_ctx *ctx, const struct viewer *v, const struct pnode *p,
			    int fd, const char *buf, size_t len)
{
	const char *name = strrchr(p->hpath, '/') + 1;
	g_autofree char *text = NULL, *out = NULL;
	g_autoptr(GArray) roots = NULL;
	const struct cg_root *root;
	uint64_t shown;
	long number, host;
	ssize_t n;
	int r;

	/* As the container's own process would write it: no capability a
	 * write handler could check (vfs.c). */
	if (!pid_list(name)) {
		r = caps_thread_effective(false);
		n = r < 0 ? r : write(fd, buf, len);
		if (n < 0 && r == 0)
			n = -errno;
		caps_thread_effective(true);
		return n;
	}
	/* One pid per write(2), as the kernel takes them; 0 is the writer
	 * (never this daemon, which does the writing). */
	text = g_strndup(buf, len);
	if (parse_u64(text, &shown) < 0 || shown > INT32_MAX)
		return -EINVAL;
	number = (long)shown;
	r = shown ? 0 : writer_number(ctx, v, strcmp(name, "cgroup.procs") == 0, &number);
	/* Only a process of the container's subtree; the write itself names
	 * it in the writer's namespace. */
	if (r == 0)
		r = view_roots(ctx, v, &roots);
	root = r == 0 ? root_above(roots, p->hpath) : NULL;
	if (r == 0)
		r = root ? host_pid_in(ctx, v, root, number, &host) : -EPERM;
	if (r < 0)
		return r;
	out = g_strdup_printf("%ld\n", number);
	r = delegate_write_pid(ctx->proc_root, v->pid, fd, out, ctx->delegate_timeout_ms);
	return r < 0 ? r : (ssize_t)len;
}

/* Reading: only below the reader's roots (a node another reader looked up
 * and this one got hold of, by a passed descriptor or a handle, is not
 * served to it). */
static int cgroup_may_read(struct lensfs_ctx *ctx, const struct viewer *v, const struct pnode *p)
{
	g_autoptr(GArray) roots = NULL;
	int r;

	if (v->host_pidns)
		return 0;
	r = view_roots(ctx, v, &roots);
	if (r < 0)
		return r;
	/* The host's symlinks at the top (cpu -> cpu,cpuacct) are nobody's. */
	if (!strchr(p->hpath + strlen("fs/cgroup/"), '/'))
		return 0;
	return root_above(roots, p->hpath) ? 0 : -ENOENT;
}

/* A pid list is translated pid by pid into the reader's numbering: its size
 * is the container's to choose. */
static bool cgroup_costly(const struct viewer *v, const struct pnode *p)
{
	return !v->host_pidns && pid_list(strrchr(p->hpath, '/') + 1);
}

const struct vdir_ops cgroup_view_dir = {
	.resolve = cgroup_resolve,
	.costly = cgroup_costly,
	.list = cgroup_list,
	.read = cgroup_read,
	.may_write = cgroup_may_write,
	.write = cgroup_write,
	.may_mkdir = cgroup_may_mkdir,
	.may_read = cgroup_may_read,
};
