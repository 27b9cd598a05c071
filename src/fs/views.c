/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "views.h"
#include "node_log.h"
#include "ptree.h"
#include "util.h"
#include "vtree.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NODE_MASK ((UINT64_C(1) << VIEWS_SLOT_SHIFT) - 1)
/* A name's answer holds no time: the kernel drops a view's dentries as
 * soon as nothing uses them, and FORGET follows (docs/design.md). A bound
 * file is its mount's root and is never looked up again. */
#define VIEWS_ENTRY_TIMEOUT 0.0
/* The clock proc/uptime and proc/stat print in: hundredths of a second. */
#define TICK_US			(10 * 1000)
#define TELL_AGAIN_US		(500 * 1000)
#define SWEEP_SOME		16
#define VIEWS_ROOT_ATTR_TIMEOUT 1.0
/* Texts kept beyond twice the pass-through files held: the table's. */
#define PRUNE_SLACK 32
/* A text whose render takes long (a pid list of 20,000 threads, which a
 * container makes as long as it likes) holds this many times its render:
 * a container's files keep a view thread busy a tenth of the time at
 * most, whatever they cost. */
#define RENDERS_APART 10

/* One generation of a file's text: what a GETATTR sized. */
struct view_text {
	GString *text;
	uint64_t rendered_us; /* monotonic */
	uint64_t render_took_us; /* how long that render took */
	struct timespec mtime; /* when the text last changed */
};

struct view {
	uint64_t slot;
	char *name; /* NULL once removed, or replaced by a newer view's */
	struct viewer viewer;
	int pidfd; /* of its process (a real /proc's), or -1 */
	char *was; /* its name, once its process has left */
	uint64_t told_us; /* when the kernel was last told its names are gone */
	bool told_files; /* its files' names then, else its directories' */
	int error; /* 0, or why the view has no viewer (its process left) */
	GHashTable *held; /* table ino -> lookups the kernel holds */
	/* What the cpu directory and the cgroup view pass through, numbered
	 * in the view's slot (and counted there, as held counts the table's). */
	struct ptree *pt;
	GMutex lock; /* guards texts: renders of one view run one at a time */
	GHashTable *texts; /* node (table or pass-through) -> struct view_text */
};

struct views {
	struct lensfs_ctx *ctx;
	views_gone_fn gone; /* tells the kernel a name is gone */
	void *gone_data;
	GMutex lock; /* guards the tables, names and held counts */
	GHashTable *by_slot; /* slot -> struct view */
	GHashTable *by_name; /* name -> struct view (borrowed) */
	GQueue *round; /* slots, for sweep_some: the next to look at first */
	uint64_t next_slot;
	int record_fd;
};

static void text_free(gpointer p)
{
	struct view_text *t = p;

	g_string_free(t->text, TRUE);
	g_free(t);
}

static void view_free(gpointer p)
{
	struct view *v = p;

	g_free(v->name);
	g_free(v->was);
	viewer_clear(&v->viewer);
	if (v->pidfd >= 0)
		close(v->pidfd);
	g_hash_table_unref(v->held);
	ptree_free(v->pt);
	g_hash_table_unref(v->texts);
	g_mutex_clear(&v->lock);
	g_free(v);
}

/* v's number, and the tree of its pass-through nodes, logged where its
 * name is: a successor finds them there. */
static void view_number(struct views *s, struct view *v, uint64_t slot)
{
	v->slot = slot;
	v->pt = ptree_new_based(slot);
	ptree_set_log(v->pt, s->record_fd, vnode_by_ino);
}

static struct view *view_new(void)
{
	struct view *v = g_new0(struct view, 1);

	v->pidfd = -1;
	v->held = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
	v->texts = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, text_free);
	g_mutex_init(&v->lock);
	return v;
}

struct views *views_new(struct lensfs_ctx *ctx)
{
	struct views *s = g_new0(struct views, 1);

	s->ctx = ctx;
	g_mutex_init(&s->lock);
	s->by_slot = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, view_free);
	s->by_name = g_hash_table_new(g_str_hash, g_str_equal);
	s->round = g_queue_new();
	s->next_slot = 1;
	s->record_fd = -1;
	return s;
}

void views_free(struct views *s)
{
	if (!s)
		return;
	g_hash_table_unref(s->by_name);
	g_hash_table_unref(s->by_slot);
	g_queue_free_full(s->round, g_free);
	g_mutex_clear(&s->lock);
	g_free(s);
}

void views_set_log(struct views *s, int record_fd)
{
	uint64_t max = 0;

	s->record_fd = record_fd;
	/* Pass-through numbers carry their view's slot below the top bit. */
	if (node_log_max_ino(record_fd, &max) == 0)
		s->next_slot = MAX(s->next_slot, ((max & ~PT_INO_BIT) >> VIEWS_SLOT_SHIFT) + 1);
}

uint64_t views_period_us(const struct vnode *n, uint64_t refresh_us)
{
	if (n->ino == INO_PROC_UPTIME || n->ino == INO_PROC_STAT)
		return TICK_US;
	return MAX(refresh_us, (uint64_t)TICK_US);
}

static uint64_t ino_of(const struct view *v, uint64_t node)
{
	return v->slot << VIEWS_SLOT_SHIFT | node;
}

void views_set_gone(struct views *s, views_gone_fn fn, void *data)
{
	s->gone = fn;
	s->gone_data = data;
}

/* Whether the view's process still runs: its pidfd says so; without one
 * (a fixture's /proc), the same pid, started at the same tick. */
static bool view_running(struct views *s, const struct view *v)
{
	struct viewer now;
	bool same;

	if (v->error)
		return false;
	if (v->pidfd >= 0)
		return pidfd_alive(v->pidfd);
	if (viewer_of_process(s->ctx, v->viewer.init_pid, &now) < 0)
		return false;
	same = now.init_start_ticks == v->viewer.init_start_ticks;
	viewer_clear(&now);
	return same;
}

/* The names below dir in view v of directories (dirs) or of files,
 * deepest first. */
static void tell_below(struct views *s, const struct view *v, uint64_t dir, bool dirs)
{
	const struct vnode *n;

	for (unsigned int i = 0; (n = vnode_child(dir, i)); i++) {
		if (S_ISDIR(n->mode))
			tell_below(s, v, n->ino, dirs);
		if (S_ISDIR(n->mode) == dirs)
			s->gone(s->gone_data, ino_of(v, dir), ino_of(v, n->ino), n->name);
	}
}

static bool holds_files(const struct view *v)
{
	GHashTableIter it;
	gpointer node;

	if (ptree_size(v->pt))
		return true;
	g_hash_table_iter_init(&it, v->held);
	while (g_hash_table_iter_next(&it, &node, NULL))
		if (vnode_by_ino(*(uint64_t *)node)->view)
			return true;
	return false;
}

/*
 * The kernel keeps a view's dentries, and its inodes, after their last use
 * (a bind mount gone), whatever their entry timeout: it forgets them when
 * told their names are gone (FUSE_NOTIFY_DELETE drops a dentry and clears
 * its inode's link count, so that its last reference evicts it and its
 * FORGET comes). Files first: a bound one is let go when its mount goes. A
 * directory is refused while a name in it is in use, and told no more
 * once its dentry is dropped: so directories (and the view's name) only
 * once the kernel holds no file of the view. Told again at most every
 * TELL_AGAIN_US. Under s->lock; gone only queues.
 */
struct told {
	struct views *s;
	const struct view *v;
	GPtrArray *nodes; /* struct pnode copies */
};

static void collect(const struct pnode *n, void *data)
{
	struct pnode *copy = g_new(struct pnode, 1);

	*copy = *n;
	copy->vpath = g_strdup(n->vpath);
	copy->hpath = g_strdup(n->hpath);
	g_ptr_array_add(((struct told *)data)->nodes, copy);
}

static void pnode_free(gpointer p)
{
	pnode_clear(p);
	g_free(p);
}

static int deeper_first(gconstpointer a, gconstpointer b)
{
	const struct pnode *x = *(struct pnode *const *)a, *y = *(struct pnode *const *)b;
	int dx = 0, dy = 0;

	for (const char *c = x->vpath; *c; c++)
		dx += *c == '/';
	for (const char *c = y->vpath; *c; c++)
		dy += *c == '/';
	return dy - dx;
}

/* The names of v's pass-through nodes, deepest first: a node's parent is
 * the table's directory it is below, or the node of both paths' parents. */
static void tell_passed(struct views *s, const struct view *v)
{
	struct told t = { s, v, g_ptr_array_new_with_free_func(pnode_free) };

	ptree_each(v->pt, collect, &t);
	g_ptr_array_sort(t.nodes, deeper_first);
	for (guint i = 0; i < t.nodes->len; i++) {
		const struct pnode *n = t.nodes->pdata[i];
		g_autofree char *vdir = g_path_get_dirname(n->vpath);
		g_autofree char *hdir = g_path_get_dirname(n->hpath);
		const char *name = strrchr(n->vpath, '/');
		uint64_t parent = strcmp(vdir, n->root->path) == 0
					  ? ino_of(v, n->root->ino)
					  : ptree_ino_in(v->pt, vdir, hdir);

		if (name)
			s->gone(s->gone_data, parent, n->ino, name + 1);
	}
	g_ptr_array_unref(t.nodes);
}

static void tell_gone(struct views *s, struct view *v)
{
	bool files = holds_files(v);
	uint64_t now = now_monotonic_us();

	if (!s->gone || (v->told_files == files && now - v->told_us < TELL_AGAIN_US))
		return;
	v->told_us = now;
	v->told_files = files;
	if (files)
		tell_passed(s, v);
	tell_below(s, v, INO_ROOT, !files);
	if (!files && v->was)
		s->gone(s->gone_data, VIEWS_ROOT, ino_of(v, INO_ROOT), v->was);
}

/* v's name goes: removed, taken by a newer view, or its process left. */
static void unname(struct views *s, struct view *v)
{
	if (!v->name)
		return;
	g_hash_table_remove(s->by_name, v->name);
	g_free(v->was);
	v->was = g_steal_pointer(&v->name);
}

/* Frees v if nothing keeps it: no inode held, and no name, or a name whose
 * process has left (the name goes then). While the kernel holds a view
 * without a name (its process left, or the host removed it), tells it the
 * names are gone: bound files stay in use, the rest is let go. Under
 * s->lock. */
static void drop_if_unused(struct views *s, struct view *v)
{
	if (v->name && !view_running(s, v))
		unname(s, v);
	if (g_hash_table_size(v->held) == 0 && ptree_size(v->pt) == 0) {
		if (!v->name)
			g_hash_table_remove(s->by_slot, &v->slot);
	} else if (!v->name) {
		tell_gone(s, v);
	}
}

static void hold(struct view *v, uint64_t node, uint64_t n)
{
	uint64_t *count = g_hash_table_lookup(v->held, &node);

	if (!count) {
		count = g_new0(uint64_t, 1);
		g_hash_table_insert(v->held, g_memdup2(&node, sizeof(node)), count);
	}
	*count += n;
}

/* Names whose process has left go; views nothing keeps, too. Under
 * s->lock. */
static void sweep(struct views *s)
{
	g_autoptr(GList) all = g_hash_table_get_values(s->by_slot);

	for (GList *l = all; l; l = l->next)
		drop_if_unused(s, l->data);
}

/* A few views, in turn: a container start looks at SWEEP_SOME of them,
 * not at thousands. Under s->lock. */
static void sweep_some(struct views *s)
{
	for (unsigned int i = 0; i < SWEEP_SOME && !g_queue_is_empty(s->round); i++) {
		uint64_t *slot = g_queue_pop_head(s->round);
		struct view *v = g_hash_table_lookup(s->by_slot, slot);

		if (v)
			drop_if_unused(s, v);
		if (v && g_hash_table_contains(s->by_slot, slot))
			g_queue_push_tail(s->round, slot);
		else
			g_free(slot);
	}
}

/* The view whose predecessor's worker gave out slot, from the log: the
 * kernel still holds its inodes. Under s->lock. */
static struct view *adopt(struct views *s, uint64_t slot)
{
	g_autofree char *name = NULL, *ticks = NULL;
	uint64_t pid = 0, start = 0;
	struct view *v;

	if (s->record_fd < 0 ||
	    node_log_find(s->record_fd, slot << VIEWS_SLOT_SHIFT, &pid, &name, &ticks) < 0)
		return NULL;
	v = view_new();
	view_number(s, v, slot);
	if (strcmp(s->ctx->proc_root, "/proc") == 0)
		v->pidfd = pidfd_of((pid_t)pid);
	v->error = viewer_of_process(s->ctx, (pid_t)pid, &v->viewer);
	if (v->error == 0 &&
	    (parse_u64(ticks, &start) < 0 || start != v->viewer.init_start_ticks)) {
		viewer_clear(&v->viewer);
		v->error = -ESRCH;
	}
	/* The name comes back with it, unless a newer view took it. */
	if (v->error == 0 && !g_hash_table_contains(s->by_name, name)) {
		v->name = g_steal_pointer(&name);
		g_hash_table_insert(s->by_name, v->name, v);
	}
	g_hash_table_insert(s->by_slot, g_memdup2(&slot, sizeof(slot)), v);
	g_queue_push_tail(s->round, g_memdup2(&slot, sizeof(slot)));
	return v;
}

/* The slot of a view's number, the table's or a pass-through one. */
static uint64_t slot_of(uint64_t ino)
{
	return (ino & ~PT_INO_BIT) >> VIEWS_SLOT_SHIFT;
}

/* The view of ino, or NULL; its table node in *n, or NULL for a
 * pass-through node (whose number, as vfs knows it, is ino itself).
 * Under s->lock. */
static struct view *view_of(struct views *s, uint64_t ino, const struct vnode **n)
{
	uint64_t slot = slot_of(ino);
	struct view *v;

	*n = ptree_is(ino) ? NULL : vnode_by_ino(ino & NODE_MASK);
	if (!slot || (!*n && !ptree_is(ino)))
		return NULL;
	v = g_hash_table_lookup(s->by_slot, &slot);
	if (!v)
		v = adopt(s, slot);
	/* The kernel holds ino, perhaps from a predecessor, which counted its
	 * lookups: held, by a count this worker does not know (0), which its
	 * FORGET ends. (A pass-through node's tree finds it in the log.) */
	if (v && *n && !g_hash_table_contains(v->held, &(*n)->ino))
		hold(v, (*n)->ino, 0);
	return v;
}

/* view_of for a request on ino: the kernel holds ino (a parent it looks a
 * name up in, a file it reads) until the request is answered, and a view
 * is freed only when the kernel forgets the last of its inodes, so the view
 * outlives the request without s->lock. */
static struct view *view_during(struct views *s, uint64_t ino, const struct vnode **n)
{
	struct view *v;

	g_mutex_lock(&s->lock);
	v = view_of(s, ino, n);
	g_mutex_unlock(&s->lock);
	return v;
}

/* The number vfs knows node ino of a view by. */
static uint64_t local_of(uint64_t ino, const struct vnode *n)
{
	return n ? n->ino : ino;
}

/* A node's attributes in view v; a file's size is set by the caller. */
static void node_entry(const struct view *v, const struct vnode *n, struct vfs_entry *out)
{
	memset(out, 0, sizeof(*out));
	vnode_stat(n, &out->st);
	out->ino = out->st.st_ino = ino_of(v, n->ino);
	out->entry_timeout = VIEWS_ENTRY_TIMEOUT;
	out->attr_timeout = S_ISDIR(n->mode) ? VFS_FIXED_TIMEOUT : 0;
}

/* Whether caller is in the daemon's pid namespace: the host's. */
static bool on_host(struct views *s, pid_t caller)
{
	struct viewer v;
	bool host;

	if (viewer_of_pid(s->ctx, caller, &v) < 0)
		return false;
	host = v.host_pidns;
	viewer_clear(&v);
	return host;
}

/* Only the host's root makes and removes views. */
static int may_manage(struct views *s, pid_t caller, uid_t uid)
{
	return uid == 0 && on_host(s, caller) ? 0 : -EPERM;
}

/* A name is a pid: decimal, no sign, no leading zero. */
static int name_pid(const char *name, pid_t *pid)
{
	uint64_t n;

	if (!name[0] || name[0] == '0' || parse_u64(name, &n) < 0 || n > INT_MAX)
		return -EINVAL;
	*pid = (pid_t)n;
	return 0;
}

int views_make(struct views *s, pid_t caller, uid_t uid, const char *name, struct vfs_entry *out)
{
	g_autofree char *ticks = NULL;
	struct view *v, *old;
	pid_t pid;
	int r = may_manage(s, caller, uid);

	if (r == 0)
		r = name_pid(name, &pid);
	if (r < 0)
		return r;
	v = view_new();
	/* The pidfd first: the process read below is then its, or gone. (A
	 * fixture's /proc has no pidfd: its start is compared instead.) */
	if (strcmp(s->ctx->proc_root, "/proc") == 0) {
		v->pidfd = pidfd_of(pid);
		r = MIN(v->pidfd, 0);
	}
	if (r == 0)
		r = viewer_of_process(s->ctx, pid, &v->viewer);
	if (r < 0) {
		view_free(v);
		return r;
	}
	g_mutex_lock(&s->lock);
	/* Every container start looks at a few views whose process may have
	 * left. */
	sweep_some(s);
	old = g_hash_table_lookup(s->by_name, name);
	if (old && view_running(s, old) &&
	    old->viewer.init_start_ticks == v->viewer.init_start_ticks) {
		g_mutex_unlock(&s->lock);
		view_free(v);
		return -EEXIST;
	}
	/* A name whose process left: the pid is another's now. */
	if (old) {
		unname(s, old);
		drop_if_unused(s, old);
	}
	view_number(s, v, s->next_slot++);
	v->name = g_strdup(name);
	g_hash_table_insert(s->by_slot, g_memdup2(&v->slot, sizeof(v->slot)), v);
	g_hash_table_insert(s->by_name, v->name, v);
	g_queue_push_tail(s->round, g_memdup2(&v->slot, sizeof(v->slot)));
	node_entry(v, vnode_by_ino(INO_ROOT), out);
	hold(v, INO_ROOT, 1);
	ticks = g_strdup_printf("%" PRIu64, v->viewer.init_start_ticks);
	if (s->record_fd >= 0)
		node_log_put(s->record_fd, ino_of(v, 0), (uint64_t)pid, name, ticks);
	g_mutex_unlock(&s->lock);
	return 0;
}

int views_remove(struct views *s, pid_t caller, uid_t uid, const char *name)
{
	struct view *v;
	int r = may_manage(s, caller, uid);

	if (r < 0)
		return r;
	g_mutex_lock(&s->lock);
	v = g_hash_table_lookup(s->by_name, name);
	if (v) {
		unname(s, v);
		drop_if_unused(s, v);
	}
	g_mutex_unlock(&s->lock);
	return v ? 0 : -ENOENT;
}

/* A file's stored text's size and mtime on its attributes: others would
 * make the kernel drop its pages (an mtime it has not seen). */
static void stored_attr(struct view *v, uint64_t node, struct stat *st)
{
	struct view_text *t;

	g_mutex_lock(&v->lock);
	t = g_hash_table_lookup(v->texts, &node);
	if (t) {
		st->st_size = (off_t)t->text->len;
		st->st_mtim = st->st_ctim = t->mtime;
	}
	g_mutex_unlock(&v->lock);
}

/* A pass-through node as a view shows it: the host's attributes, read-only
 * (nothing reaches the host through a view). */
static void passed_attr(struct stat *st)
{
	st->st_mode &= ~(mode_t)0222;
}

/* Whether a request on node n of v needs v's viewer, which an adopted view
 * whose process has left has not. */
static int needs_viewer(const struct view *v, const struct vnode *n)
{
	return (!n || n->dyn) ? v->error : 0;
}

int views_lookup(struct views *s, pid_t caller, uint64_t parent, const char *name,
		 struct vfs_entry *out)
{
	const struct vnode *dir, *n = NULL;
	struct vfs_caller c = { 0 };
	struct view *v;
	int r;

	memset(out, 0, sizeof(*out));
	out->entry_timeout = VIEWS_ENTRY_TIMEOUT;
	/* The names are the host's to look up: a process of a container that
	 * saw the views' mount would find none, its own or another's. (A
	 * bound file is its mount's root: never looked up.) */
	if (parent == VIEWS_ROOT && !on_host(s, caller))
		return -EACCES;
	if (parent == VIEWS_ROOT) {
		g_mutex_lock(&s->lock);
		v = g_hash_table_lookup(s->by_name, name);
		if (v && !view_running(s, v)) {
			drop_if_unused(s, v);
			v = NULL;
		}
		if (v) {
			node_entry(v, vnode_by_ino(INO_ROOT), out);
			hold(v, INO_ROOT, 1);
		}
		g_mutex_unlock(&s->lock);
		return v ? 0 : -ENOENT;
	}
	v = view_during(s, parent, &dir);
	r = v ? needs_viewer(v, dir) : -ENOENT;
	if (r < 0)
		return r;
	c.given = &v->viewer;
	r = vfs_lookup(s->ctx, v->pt, &c, local_of(parent, dir), name, out);
	if (r < 0) {
		out->entry_timeout = VIEWS_ENTRY_TIMEOUT;
		return r;
	}
	if (!ptree_is(out->ino)) {
		n = vnode_by_ino(out->ino);
		g_mutex_lock(&s->lock);
		node_entry(v, n, out);
		hold(v, n->ino, 1);
		g_mutex_unlock(&s->lock);
	} else {
		/* Counted in the view's tree. The names below the cpu
		 * directory and the cgroup view are the view's own: held as
		 * the host's are below a pass-through directory. */
		passed_attr(&out->st);
		out->entry_timeout = VFS_HOST_TIMEOUT;
		if (S_ISREG(out->st.st_mode))
			out->attr_timeout = 0;
	}
	/* Its first GETATTR renders a file. */
	if (S_ISREG(out->st.st_mode))
		stored_attr(v, local_of(out->ino, n), &out->st);
	return 0;
}

void views_forget(struct views *s, uint64_t ino, uint64_t n)
{
	uint64_t slot = slot_of(ino), node = ino & NODE_MASK;
	struct view *v;
	uint64_t *count;

	g_mutex_lock(&s->lock);
	v = slot ? g_hash_table_lookup(s->by_slot, &slot) : NULL;
	if (v && ptree_is(ino)) {
		/* Its text goes at the next render that finds it (prune). */
		ptree_forget(v->pt, ino, n);
		drop_if_unused(s, v);
		g_mutex_unlock(&s->lock);
		return;
	}
	count = v ? g_hash_table_lookup(v->held, &node) : NULL;
	/* An inode a predecessor gave out has a count this worker does not
	 * know: a FORGET of it is its end. */
	if (count && *count > n)
		*count -= n;
	else if (v)
		g_hash_table_remove(v->held, &node);
	if (v)
		drop_if_unused(s, v);
	g_mutex_unlock(&s->lock);
}

/* How long text t of node n (NULL: a pass-through file) holds: its
 * period, or RENDERS_APART times its render when that is longer. */
static uint64_t text_period(struct views *s, const struct vnode *n, const struct view_text *t)
{
	uint64_t period =
		n ? views_period_us(n, s->ctx->refresh_us) : MAX(s->ctx->refresh_us, TICK_US);

	return MAX(period, RENDERS_APART * t->render_took_us);
}

/* The texts of pass-through files the kernel has forgotten go, once they
 * outnumber the view's files: a view keeps what its files need, however
 * many names its container reads. Under v->lock. */
static void prune(struct view *v)
{
	GHashTableIter it;
	gpointer node;

	if (g_hash_table_size(v->texts) <= PRUNE_SLACK + 2 * ptree_size(v->pt))
		return;
	g_hash_table_iter_init(&it, v->texts);
	while (g_hash_table_iter_next(&it, &node, NULL))
		if (ptree_is(*(uint64_t *)node) && !ptree_has(v->pt, *(uint64_t *)node))
			g_hash_table_iter_remove(&it);
}

/* The text of file node (a table's n, or a pass-through one) in view v,
 * rendered afresh when its period is over (fresh) or when there is none.
 * Under v->lock. */
static int current_text(struct views *s, struct view *v, uint64_t node, const struct vnode *n,
			bool fresh, struct view_text **out)
{
	struct view_text *t = g_hash_table_lookup(v->texts, &node);
	uint64_t now = now_monotonic_us();
	struct vfs_caller c = { .given = &v->viewer };
	g_autoptr(GString) text = NULL;
	int r;

	if (t && (!fresh || now - t->rendered_us < text_period(s, n, t))) {
		*out = t;
		return 0;
	}
	if (v->error)
		return v->error;
	text = g_string_sized_new(4096);
	r = vfs_render(s->ctx, v->pt, &c, node, text);
	if (r < 0)
		return r;
	if (!t) {
		prune(v);
		t = g_new0(struct view_text, 1);
		t->text = g_string_new(NULL);
		g_hash_table_insert(v->texts, g_memdup2(&node, sizeof(node)), t);
	}
	t->rendered_us = now;
	t->render_took_us = now_monotonic_us() - now;
	/* The same text keeps its mtime, and the kernel its pages. A new
	 * one gets a later mtime, even within the clock's resolution. */
	if (t->text->len != text->len || memcmp(t->text->str, text->str, text->len) != 0 ||
	    !t->mtime.tv_sec) {
		struct timespec before = t->mtime;

		clock_gettime(CLOCK_REALTIME, &t->mtime);
		if (t->mtime.tv_sec < before.tv_sec ||
		    (t->mtime.tv_sec == before.tv_sec && t->mtime.tv_nsec <= before.tv_nsec)) {
			t->mtime = before;
			if (++t->mtime.tv_nsec >= 1000000000L) {
				t->mtime.tv_sec++;
				t->mtime.tv_nsec = 0;
			}
		}
		g_string_truncate(t->text, 0);
		g_string_append_len(t->text, text->str, (gssize)text->len);
	}
	*out = t;
	return 0;
}

int views_getattr(struct views *s, uint64_t ino, struct stat *st, double *timeout)
{
	const struct vnode *n;
	struct view_text *t;
	struct vfs_entry e;
	struct view *v;
	int r = 0;

	/* The host's root makes views there (mkdir). Its links count the
	 * views alive, as a directory's count its subdirectories; held a
	 * second: every path walked through the root checks its permissions
	 * (default_permissions), which with no time held would look at every
	 * view at each container start (a mkdir drops it at once). */
	if (ino == VIEWS_ROOT) {
		vnode_stat(vnode_by_ino(INO_ROOT), st);
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2 + views_live(s);
		*timeout = VIEWS_ROOT_ATTR_TIMEOUT;
		return 0;
	}
	v = view_during(s, ino, &n);
	if (v && n)
		node_entry(v, n, &e);
	if (!v)
		return -ENOENT;
	if (n) {
		*st = e.st;
		*timeout = e.attr_timeout;
		if (!n->view)
			return 0;
	} else {
		r = needs_viewer(v, n);
		if (r == 0)
			r = vfs_getattr(s->ctx, v->pt, ino, st, timeout);
		if (r < 0)
			return r;
		passed_attr(st);
		if (!S_ISREG(st->st_mode))
			return 0;
	}
	g_mutex_lock(&v->lock);
	r = current_text(s, v, local_of(ino, n), n, true, &t);
	if (r == 0) {
		st->st_size = (off_t)t->text->len;
		st->st_mtim = st->st_ctim = t->mtime;
		clock_gettime(CLOCK_REALTIME, &st->st_atim);
		*timeout = (double)text_period(s, n, t) / 1e6;
	}
	g_mutex_unlock(&v->lock);
	return r;
}

int views_read(struct views *s, uint64_t ino, size_t size, off_t off, char **slice, size_t *len)
{
	const struct vnode *n;
	struct view_text *t;
	struct view *v;
	int r;

	v = view_during(s, ino, &n);
	if (!v)
		return -ENOENT;
	if (n && !n->view)
		return -EISDIR;
	g_mutex_lock(&v->lock);
	/* A read from the start renders again a text past its period: one
	 * whose GETATTR another worker answered (an upgrade's moment when two
	 * serve) would otherwise be this worker's last, however old. Further
	 * pages come from the same text as the first. */
	r = current_text(s, v, local_of(ino, n), n, off == 0, &t);
	if (r == 0) {
		*len = off >= 0 && (uint64_t)off < t->text->len
			       ? MIN(size, t->text->len - (size_t)off)
			       : 0;
		*slice = g_memdup2(*len ? t->text->str + off : "", *len ? *len : 1);
	}
	g_mutex_unlock(&v->lock);
	return r;
}

int views_readlink(struct views *s, uint64_t ino, char **out)
{
	struct vfs_caller c = { 0 };
	const struct vnode *n;
	struct view *v;
	int r;

	v = view_during(s, ino, &n);
	if (!v)
		return -ENOENT;
	if (n)
		return -EINVAL;
	r = needs_viewer(v, n);
	c.given = &v->viewer;
	return r < 0 ? r : vfs_readlink(s->ctx, v->pt, &c, ino, out);
}

int views_is_dir(struct views *s, uint64_t ino)
{
	const struct vnode *n;
	struct view *v;

	if (ino == VIEWS_ROOT)
		return 1;
	v = view_during(s, ino, &n);
	if (!v)
		return -ENOENT;
	return n ? S_ISDIR(n->mode) : vfs_is_dir(v->pt, ino);
}

/* The views' root: one directory per name. */
static GArray *list_root(struct views *s)
{
	g_autoptr(GArray) list = vfs_dirents_new();
	g_autoptr(GList) names = NULL;

	g_mutex_lock(&s->lock);
	sweep(s);
	names = g_list_sort(g_hash_table_get_keys(s->by_name), (GCompareFunc)strcmp);
	vfs_dirents_add(list, ".", VIEWS_ROOT, S_IFDIR);
	vfs_dirents_add(list, "..", VIEWS_ROOT, S_IFDIR);
	for (GList *l = names; l; l = l->next) {
		struct view *v = g_hash_table_lookup(s->by_name, l->data);

		vfs_dirents_add(list, l->data, ino_of(v, INO_ROOT), S_IFDIR);
	}
	g_mutex_unlock(&s->lock);
	return g_steal_pointer(&list);
}

int views_list(struct views *s, pid_t caller, uint64_t ino, GArray **out)
{
	struct vfs_caller c = { 0 };
	const struct vnode *dir;
	struct view *v;
	int r;

	if (ino == VIEWS_ROOT && !on_host(s, caller))
		return -EACCES;
	if (ino == VIEWS_ROOT) {
		*out = list_root(s);
		return 0;
	}
	v = view_during(s, ino, &dir);
	r = v ? needs_viewer(v, dir) : -ENOENT;
	if (r < 0)
		return r;
	c.given = &v->viewer;
	r = vfs_list(s->ctx, v->pt, &c, local_of(ino, dir), out);
	/* The table's numbers in the view's slot; the view's root's parent is
	 * the views' root. */
	for (guint i = 0; r == 0 && i < (*out)->len; i++) {
		struct vfs_dirent *d = &g_array_index(*out, struct vfs_dirent, i);

		if (i == 1 && dir && dir->ino == INO_ROOT)
			d->ino = VIEWS_ROOT;
		else if (!ptree_is(d->ino))
			d->ino = ino_of(v, d->ino);
	}
	return r;
}

unsigned int views_live(struct views *s)
{
	unsigned int n;

	g_mutex_lock(&s->lock);
	sweep(s);
	n = g_hash_table_size(s->by_slot);
	g_mutex_unlock(&s->lock);
	return n;
}
