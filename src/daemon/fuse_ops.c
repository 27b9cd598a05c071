/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The FUSE adapter: low-level libfuse API. Each handler replies exactly
 * once with what a do_* worker returned (0 or -errno). A file is rendered
 * once, at open, for the opening process; every read of that open is served
 * from the snapshot, whatever the offset. File handles are numbers in a
 * table, never pointers: the worker's generation in the top bits, a count
 * below, so a handle a dead predecessor gave out is recognized as such (its
 * file is rendered again for the reader) and never mistaken for one of ours.
 */
#include "config.h"

#include "fuse_common.h"
#include "fuse_ops.h"
#include "lanes.h"
#include "log.h"
#include "pagecache.h"
#include "psi_trigger.h"
#include "psi_watch.h"
#include "util.h"
#include "vfs.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <fuse_lowlevel.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FH_GENERATION_SHIFT 40

struct lensfs_fs {
	struct lensfs_ctx *ctx;
	struct fuse_session *se; /* for what the kernel is told unasked */
	struct lanes *lanes; /* where a request whose cost a container controls waits */
	GThreadPool *sizer; /* one thread: grows a file before its OPEN is answered */
	uint64_t generation; /* of this worker, in the top bits of its handles */
	bool initialized; /* the session has taken FUSE_INIT, the kernel's or replayed */
	GMutex lock; /* guards handles, held, next_fh and the warning count */
	GHashTable *handles; /* fh -> struct open_text */
	GHashTable *held; /* container -> bytes its open handles hold */
	struct pagecache *cache; /* what the kernel's page cache may hold */
	struct ptree *nodes; /* the pass-through nodes the kernel holds */
	GHashTable *triggers; /* container -> PSI trigger descriptors (psi_trigger.h) */
	struct psi_watch *watch; /* waits on them */
	uint64_t next_fh;
	uint64_t last_warn_us;
	unsigned int warns_dropped;
};

/* What an open file reads, and whose it is: one container's open files
 * hold at most --container-open-mb of text (ENFILE beyond), so that none
 * can make the worker that serves them all run out of memory. A container
 * is its outermost pid namespace (viewer.container): namespaces it nests
 * share its budget. */
struct open_text {
	GString *text;
	char *owner; /* viewer.container; NULL for the host's pid namespace */
	fuse_ino_t ino;
	/* A pressure file opened to write: the opener's cgroups, whose
	 * pressure file takes the trigger (psi_trigger.h), its descriptor
	 * once written (-1 before), whether the watcher took an event the
	 * reader has not polled yet, and the poll to tell of the next. */
	struct cgroup_membership *trigger_cg;
	int trigger_fd;
	bool arming; /* a trigger is being written: another write is EBUSY */
	bool fired;
	struct fuse_pollhandle *ph;
};

static void open_text_free(gpointer p)
{
	struct open_text *o = p;

	g_string_free(o->text, TRUE);
	g_free(o->owner);
	if (o->trigger_cg) {
		cgroup_membership_clear(o->trigger_cg);
		g_free(o->trigger_cg);
	}
	if (o->trigger_fd >= 0)
		close(o->trigger_fd);
	if (o->ph)
		fuse_pollhandle_destroy(o->ph);
	g_free(o);
}

/*
 * Whether handle fh may fill ino's page cache (a splice or a map reads
 * through it): the pages are the inode's, and every handle open on it when
 * they fill may read them. Only when no other container has it open.
 */
static bool fill_allowed(struct lensfs_fs *fs, fuse_ino_t ino, uint64_t fh)
{
	struct open_text *o;
	bool ok;

	g_mutex_lock(&fs->lock);
	o = g_hash_table_lookup(fs->handles, GUINT_TO_POINTER(fh));
	ok = o && pagecache_fill_allowed(fs->cache, ino, o->owner);
	g_mutex_unlock(&fs->lock);
	return ok;
}

/* Keeps text of ino under fh for owner, unless fh has a text already (then
 * text is dropped) or owner holds too much (-ENFILE). fs->lock held. */
static int keep_text(struct lensfs_fs *fs, uint64_t fh, fuse_ino_t ino, GString **text,
		     char **owner)
{
	struct open_text *o;
	gsize used = 0;

	if (g_hash_table_contains(fs->handles, GUINT_TO_POINTER(fh)))
		return 0;
	if (*owner) {
		used = GPOINTER_TO_SIZE(g_hash_table_lookup(fs->held, *owner));
		if (used + (*text)->len > fs->ctx->open_bytes_max)
			return -ENFILE;
		g_hash_table_insert(fs->held, g_strdup(*owner),
				    GSIZE_TO_POINTER(used + (*text)->len));
	}
	o = g_new0(struct open_text, 1);
	o->trigger_fd = -1;
	o->text = g_steal_pointer(text);
	o->owner = g_steal_pointer(owner);
	o->ino = ino;
	pagecache_open(fs->cache, ino, o->owner);
	g_hash_table_insert(fs->handles, GUINT_TO_POINTER(fh), o);
	return 0;
}

/* The kernel told (or a fill ended short at) size: no more than that. */
static void size_told(struct lensfs_fs *fs, fuse_ino_t ino, off_t size)
{
	g_mutex_lock(&fs->lock);
	pagecache_told(fs->cache, ino, size);
	g_mutex_unlock(&fs->lock);
}

static void grow_and_answer(gpointer data, gpointer user_data);
static void trigger_fired(uint64_t fh, void *data);

void lensfs_fs_set_record(struct lensfs_fs *fs, int record_fd)
{
	ptree_set_log(fs->nodes, record_fd, vnode_by_ino);
}

struct lensfs_fs *lensfs_fs_new(struct lensfs_ctx *ctx, uint32_t generation,
				unsigned int lane_threads)
{
	struct lensfs_fs *fs = g_new0(struct lensfs_fs, 1);

	fs->ctx = ctx;
	fs->lanes = lanes_new(lane_threads);
	fs->generation = generation & 0xffffff;
	fs->next_fh = 1;
	g_mutex_init(&fs->lock);
	fs->handles = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, open_text_free);
	fs->held = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	fs->cache = pagecache_new();
	/* Exclusive: its one thread is made now, not borrowed or spawned later. */
	fs->sizer = g_thread_pool_new(grow_and_answer, fs, 1, TRUE, NULL);
	fs->nodes = ptree_new();
	fs->triggers = psi_counts_new();
	fs->watch = psi_watch_new(trigger_fired, fs);
	if (!fs->watch)
		log_warn("no PSI trigger watcher: %s", g_strerror(errno));
	return fs;
}

/* A worker that stops wakes every poll waiting on one of its triggers:
 * the kernel polls again, and its successor, which holds no trigger for
 * the handle, answers what the kernel answers for a file without one
 * (POLLERR among them): the reader opens again. */
static void wake_pollers(struct lensfs_fs *fs)
{
	g_autoptr(GPtrArray) phs = g_ptr_array_new();
	GHashTableIter it;
	gpointer value;

	g_mutex_lock(&fs->lock);
	g_hash_table_iter_init(&it, fs->handles);
	while (g_hash_table_iter_next(&it, NULL, &value)) {
		struct open_text *o = value;

		if (o->ph)
			g_ptr_array_add(phs, g_steal_pointer(&o->ph));
	}
	g_mutex_unlock(&fs->lock);
	for (guint i = 0; i < phs->len; i++) {
		fuse_lowlevel_notify_poll(phs->pdata[i]);
		fuse_pollhandle_destroy(phs->pdata[i]);
	}
}

void lensfs_fs_drain(struct lensfs_fs *fs)
{
	/* The lanes first: an OPEN answered there may go on to the sizer. */
	g_clear_pointer(&fs->lanes, lanes_free);
	if (fs->sizer)
		g_thread_pool_free(g_steal_pointer(&fs->sizer), FALSE, TRUE);
	g_clear_pointer(&fs->watch, psi_watch_free);
	if (fs->se)
		wake_pollers(fs);
}

void lensfs_fs_free(struct lensfs_fs *fs)
{
	if (!fs)
		return;
	lensfs_fs_drain(fs);
	g_hash_table_unref(fs->handles);
	g_hash_table_unref(fs->held);
	g_hash_table_unref(fs->triggers);
	pagecache_free(fs->cache);
	ptree_free(fs->nodes);
	g_mutex_clear(&fs->lock);
	g_free(fs);
}

static struct lensfs_fs *fs_of(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

/* A node's path in the view, for a log line. */
static const char *node_name(struct lensfs_fs *fs, uint64_t ino)
{
	const struct vnode *n = vnode_by_ino(ino);

	return n ? n->path : ptree_is(ino) ? "a pass-through file" : "an unknown node";
}

/* One warning a second at most: a broken cgroup read in a loop must not
 * flood the log. */
static void warn_ratelimited(struct lensfs_fs *fs, uint64_t ino, pid_t pid, int err)
{
	uint64_t now = now_monotonic_us();

	g_mutex_lock(&fs->lock);
	if (now - fs->last_warn_us < 1000000) {
		fs->warns_dropped++;
		g_mutex_unlock(&fs->lock);
		return;
	}
	fs->last_warn_us = now;
	unsigned int dropped = fs->warns_dropped;
	fs->warns_dropped = 0;
	g_mutex_unlock(&fs->lock);
	log_warn("%s for pid %d: %s (%u similar messages suppressed)", node_name(fs, ino), (int)pid,
		 g_strerror(-err), dropped);
}

static void lensfs_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct lensfs_fs *fs = fs_of(req);
	struct vfs_caller c = { .pid = fuse_req_ctx(req)->pid };
	struct fuse_entry_param e;
	struct vfs_entry found;
	int r = vfs_lookup(fs->ctx, fs->nodes, &c, parent, name, &found);

	vfs_caller_clear(&c);
	if (r < 0 && r != -ENOENT) {
		fuse_reply_err(req, -r);
		return;
	}
	e = fuse_entry_of(&found, r == 0);
	if (r == 0)
		size_told(fs, e.ino, e.attr.st_size);
	if (fuse_reply_entry(req, &e) == -ENOENT && ptree_is(e.ino))
		ptree_forget(fs->nodes, e.ino, 1); /* the lookup was interrupted */
}

/* The kernel let go of ino: what it knew of its size goes too. */
static void size_forget(struct lensfs_fs *fs, fuse_ino_t ino)
{
	g_mutex_lock(&fs->lock);
	pagecache_forget(fs->cache, ino);
	g_mutex_unlock(&fs->lock);
}

static void lensfs_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	size_forget(fs_of(req), ino);
	if (ptree_is(ino))
		ptree_forget(fs_of(req)->nodes, ino, nlookup);
	fuse_reply_none(req);
}

static void lensfs_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
	for (size_t i = 0; i < count; i++) {
		size_forget(fs_of(req), forgets[i].ino);
		if (ptree_is(forgets[i].ino))
			ptree_forget(fs_of(req)->nodes, forgets[i].ino, forgets[i].nlookup);
	}
	fuse_reply_none(req);
}

static void lensfs_readlink(fuse_req_t req, fuse_ino_t ino)
{
	struct lensfs_fs *fs = fs_of(req);
	struct vfs_caller c = { .pid = fuse_req_ctx(req)->pid };
	g_autofree char *target = NULL;
	int r = vfs_readlink(fs->ctx, fs->nodes, &c, ino, &target);

	vfs_caller_clear(&c);
	if (r < 0)
		fuse_reply_err(req, -r);
	else
		fuse_reply_readlink(req, target);
}

static void lensfs_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			   struct fuse_file_info *fi)
{
	struct lensfs_fs *fs = fs_of(req);
	struct vfs_caller c = { .pid = fuse_req_ctx(req)->pid };
	g_autoptr(GArray) list = NULL;
	int r = vfs_list(fs->ctx, fs->nodes, &c, ino, &list);

	vfs_caller_clear(&c);
	if (r < 0)
		fuse_reply_err(req, -r);
	else
		fuse_reply_dirents(req, list, size, off);
}

/* A trigger's descriptor closed in its container's lane: the kernel's
 * psi_trigger_destroy waits for an RCU grace period (and, for a cgroup's
 * last real-time trigger, its polling thread's end), which no serving
 * thread must wait for. */
static void close_trigger(void *data)
{
	close(GPOINTER_TO_INT(data) - 1);
}

static void forget_handle(struct lensfs_fs *fs, uint64_t fh)
{
	g_autofree char *lane = NULL;
	struct open_text *o;
	int fd = -1;

	g_mutex_lock(&fs->lock);
	o = g_hash_table_lookup(fs->handles, GUINT_TO_POINTER(fh));
	if (o && o->owner) {
		gsize used = GPOINTER_TO_SIZE(g_hash_table_lookup(fs->held, o->owner));

		if (used > o->text->len)
			g_hash_table_insert(fs->held, g_strdup(o->owner),
					    GSIZE_TO_POINTER(used - o->text->len));
		else
			g_hash_table_remove(fs->held, o->owner);
	}
	if (o)
		pagecache_close(fs->cache, o->ino, o->owner);
	if (o && (o->trigger_fd >= 0 || o->arming))
		psi_count_put(fs->triggers, o->owner);
	if (o && o->trigger_fd >= 0 && fs->lanes) {
		fd = o->trigger_fd;
		o->trigger_fd = -1;
		lane = g_strdup(o->owner ? o->owner : "host");
	}
	g_hash_table_remove(fs->handles, GUINT_TO_POINTER(fh));
	g_mutex_unlock(&fs->lock);
	if (fd >= 0)
		lanes_push(fs->lanes, lane, close_trigger, GINT_TO_POINTER(fd + 1));
}

/* The lane of the container a resolved caller is in. */
static char *lane_of(const struct vfs_caller *c)
{
	return g_strdup(c->resolved && c->own.container ? c->own.container : "host");
}

/* The text of node ino as caller c (not yet resolved) sees it, and whose
 * container it is for (NULL: the host's). -EWOULDBLOCK on a serving thread
 * when it takes work the reader's container controls the size of: *lane
 * then names the lane to render it in. */
static int render_for(struct lensfs_fs *fs, uint64_t ino, struct vfs_caller c, GString *text,
		      char **owner, char **lane)
{
	pid_t pid = c.pid;
	int r = vfs_render(fs->ctx, fs->nodes, &c, ino, text);

	if (r == -EWOULDBLOCK) {
		*lane = lane_of(&c);
		vfs_caller_clear(&c);
		return r;
	}
	if (r < 0) {
		vfs_caller_clear(&c);
		/* A reader that left, a file the kernel keeps for no one
		 * (pressure without PSI), a host entry that went away or a
		 * node a predecessor handed out are no fault of anyone's. */
		if (r == -EISDIR || r == -ESTALE || (ptree_is(ino) && r != -EBADMSG))
			return r;
		if (r != -ESRCH && r != -EOPNOTSUPP)
			warn_ratelimited(fs, ino, pid, r);
		return r == -ESRCH || r == -ENOMEM || r == -EOPNOTSUPP ? r : -EIO;
	}
	if (log_debug_enabled && c.resolved) {
		log_debug("render %s for pid %d: init %d, memory cgroup %s, %zu bytes",
			  node_name(fs, ino), (int)pid, (int)c.own.init_pid,
			  c.own.cg.path[CG_MEMORY] ? c.own.cg.path[CG_MEMORY] : "-", text->len);
	}
	*owner = c.resolved ? g_strdup(c.own.container) : NULL;
	vfs_caller_clear(&c);
	return 0;
}

/* The same for pid, for a new handle. */
static int render(struct lensfs_fs *fs, uint64_t ino, pid_t pid, GString *text, char **owner,
		  char **lane)
{
	return render_for(fs, ino, (struct vfs_caller){ .pid = pid }, text, owner, lane);
}

/*
 * A request whose answer takes work the caller's container controls the
 * size of (lanes.h) is answered in the container's lane: the same answering
 * function runs again there, with the request's arguments kept here. Writes,
 * mkdir and rmdir (the cgroup view's delegation: synchronous kernel work, a
 * helper process) always go there.
 */
enum deferred_op { DEFER_GETATTR, DEFER_OPEN, DEFER_READ, DEFER_WRITE, DEFER_MKDIR, DEFER_RMDIR };

struct deferred {
	enum deferred_op op;
	struct lensfs_fs *fs;
	fuse_req_t req;
	fuse_ino_t ino; /* the file, or for mkdir and rmdir the directory */
	struct fuse_file_info fi;
	size_t size; /* read: bytes wanted; write: bytes in buf */
	off_t off;
	char *buf; /* write: the data; mkdir and rmdir: the name */
	mode_t mode;
};

static void run_deferred(void *data);

/* Hands d's request to lane (both taken); it is answered there. */
static void defer(struct deferred *d, char *lane)
{
	lanes_push(d->fs->lanes, lane, run_deferred, d);
	g_free(lane);
}

/* Hands d's request to its caller's lane: 0, or -errno when the caller
 * cannot be resolved (then nothing is taken). */
static int defer_to_caller(struct deferred *d)
{
	struct vfs_caller c = { .pid = fuse_req_ctx(d->req)->pid };
	const struct viewer *v;
	int r = vfs_caller_viewer(d->fs->ctx, &c, &v);

	if (r == 0)
		defer(d, lane_of(&c));
	vfs_caller_clear(&c);
	return r;
}

static int do_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi, char **lane,
		   size_t *len, char *last)
{
	struct lensfs_fs *fs = fs_of(req);
	g_autoptr(GString) text = g_string_sized_new(4096);
	g_autofree char *owner = NULL;
	g_autofree struct cgroup_membership *trigger_cg = NULL;
	int mode = fi->flags & O_ACCMODE, r = 0;
	const char *kind;
	bool trigger = mode != O_RDONLY && psi_trigger_node(ino, &kind);

	/* Writing: a PSI trigger to a pressure file, for the opener's own
	 * cgroup (kept with the handle, whoever writes); else only where the
	 * cgroup view delegates, where each write opens the host file for
	 * itself (vfs_write). */
	if (trigger) {
		struct vfs_caller c = { .pid = fuse_req_ctx(req)->pid };
		const struct viewer *v;

		r = vfs_caller_viewer(fs->ctx, &c, &v);
		if (r == 0) {
			trigger_cg = g_new0(struct cgroup_membership, 1);
			cgroup_membership_copy(trigger_cg, &v->cg);
			if (mode == O_WRONLY)
				owner = g_strdup(v->container);
		}
		vfs_caller_clear(&c);
	} else if (mode != O_RDONLY) {
		struct vfs_caller c = { .pid = fuse_req_ctx(req)->pid };

		r = vfs_may_write(fs->ctx, fs->nodes, &c, ino);
		vfs_caller_clear(&c);
	}
	if (r == 0 && mode != O_WRONLY)
		r = render(fs, ino, fuse_req_ctx(req)->pid, text, &owner, lane);
	if (r < 0) {
		if (trigger_cg)
			cgroup_membership_clear(trigger_cg);
		return r;
	}
	*len = text->len;
	*last = text->len ? text->str[text->len - 1] : '\0';
	g_mutex_lock(&fs->lock);
	fi->fh = fs->generation << FH_GENERATION_SHIFT | fs->next_fh++;
	if (mode != O_WRONLY || trigger)
		r = keep_text(fs, fi->fh, ino, &text, &owner);
	if (r == 0 && trigger) {
		struct open_text *o = g_hash_table_lookup(fs->handles, GUINT_TO_POINTER(fi->fh));

		o->trigger_cg = g_steal_pointer(&trigger_cg);
	}
	g_mutex_unlock(&fs->lock);
	if (trigger_cg)
		cgroup_membership_clear(trigger_cg);
	if (r < 0)
		return r;
	/* Each reader gets its own content through the same inode: no page cache. */
	fi->direct_io = 1;
	fi->keep_cache = 0;
#ifdef HAVE_STRUCT_FUSE_FILE_INFO_NOFLUSH
	fi->noflush = 1; /* nothing to do at close(2): spare the FLUSH round trip */
#endif
	return 0;
}

/* Whether r asks for the request to go to a lane: only a serving thread
 * defers (in a lane, an EAGAIN of the host's is an answer). */
static bool must_defer(int r)
{
	return r == -EWOULDBLOCK && lanes_on_serving_thread();
}

/* An OPEN answered once the file's size is grown to len (grow_and_answer). */
struct grow {
	fuse_req_t req;
	fuse_ino_t ino;
	struct fuse_file_info fi;
	size_t len;
	char last; /* the text's last byte */
};

/*
 * The kernel is told that the file is at least len bytes long by storing
 * the text's last byte where it is (a store raises the size; a store of
 * nothing does not). The OPEN's answer (no keep_cache) then drops what
 * earlier readers left in the page cache, which fills from this open's own
 * text. The store waits for the page it touches, which a page-cache fill
 * may hold until a serving thread answers the fill's READ: hence a thread
 * of its own, never a serving or lane thread, and only when the size may
 * be short.
 */
static void grow_and_answer(gpointer data, gpointer user_data)
{
	struct lensfs_fs *fs = user_data;
	g_autofree struct grow *g = data;
	struct fuse_bufvec one = FUSE_BUFVEC_INIT(1);
	int r;

	one.buf[0].mem = &g->last;
	r = fuse_lowlevel_notify_store(fs->se, g->ino, (off_t)g->len - 1, &one, 0);
	if (r == 0) {
		g_mutex_lock(&fs->lock);
		pagecache_stored(fs->cache, g->ino, (off_t)g->len);
		g_mutex_unlock(&fs->lock);
	} else {
		log_debug("%s: size not stored: %s", node_name(fs, g->ino), g_strerror(-r));
	}
	/* -ENOENT: the opener was interrupted, or another worker answered
	 * this request; no RELEASE will come for this handle. */
	if (fuse_reply_open(g->req, &g->fi) == -ENOENT)
		forget_handle(fs, g->fi.fh);
}

static void answer_open(struct lensfs_fs *fs, fuse_req_t req, fuse_ino_t ino,
			struct fuse_file_info *fi)
{
	g_autofree char *lane = NULL;
	struct grow g = { .req = req, .ino = ino };
	bool short_size;
	int r = do_open(req, ino, fi, &lane, &g.len, &g.last);

	if (must_defer(r)) {
		struct deferred d = {
			.op = DEFER_OPEN, .fs = fs, .req = req, .ino = ino, .fi = *fi
		};

		defer(g_memdup2(&d, sizeof(d)), g_steal_pointer(&lane));
		return;
	}
	if (r < 0) {
		fuse_reply_err(req, -r);
		return;
	}
	g_mutex_lock(&fs->lock);
	short_size = fs->se && pagecache_short(fs->cache, ino, (off_t)g.len);
	g_mutex_unlock(&fs->lock);
	if (short_size) {
		g.fi = *fi;
		g_thread_pool_push(fs->sizer, g_memdup2(&g, sizeof(g)), NULL);
	} else if (fuse_reply_open(req, fi) == -ENOENT) {
		forget_handle(fs, fi->fh); /* as in grow_and_answer */
	}
}

static void lensfs_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	lanes_enter_serving();
	answer_open(fs_of(req), req, ino, fi);
}

/*
 * A file of the table says what procfs says where it can: changed just now
 * (find -newer, backup tools), and, where the table's size is procfs's 0,
 * the caller's text's length, so that a reader that trusts stat(2) (Node's
 * readFile, a map of st_size bytes) gets all of it. Attributes hold one
 * second: the kernel asks again at most once a second for an inode whose
 * size the last open did not change (an open that stores one invalidates
 * them, grow_to).
 */
static void answer_getattr(struct lensfs_fs *fs, fuse_req_t req, fuse_ino_t ino)
{
	const struct vnode *n = vnode_by_ino(ino);
	g_autoptr(GString) text = NULL;
	g_autofree char *owner = NULL, *lane = NULL;
	struct timespec now;
	struct stat st;
	double timeout;
	int r;

	if (!n || !n->view) {
		r = vfs_getattr(fs->ctx, fs->nodes, ino, &st, &timeout);
		if (r < 0) {
			fuse_reply_err(req, -r);
			return;
		}
		size_told(fs, ino, st.st_size);
		fuse_reply_attr(req, &st, timeout);
		return;
	}
	vnode_stat(n, &st);
	if (n->size == 0) {
		text = g_string_sized_new(4096);
		/* Only peeks (viewer_peek_pid): a runtime stats the views
		 * it binds before it writes the container's limits. */
		r = render_for(fs, ino,
			       (struct vfs_caller){ .pid = fuse_req_ctx(req)->pid, .peek = true },
			       text, &owner, &lane);
		if (must_defer(r)) {
			struct deferred d = {
				.op = DEFER_GETATTR, .fs = fs, .req = req, .ino = ino
			};

			defer(g_memdup2(&d, sizeof(d)), g_steal_pointer(&lane));
			return;
		}
		/* A caller that left, or a file it cannot read (it learns why
		 * at open): the table's size. */
		if (r == 0)
			st.st_size = (off_t)text->len;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	st.st_atim = st.st_mtim = st.st_ctim = now;
	size_told(fs, ino, st.st_size);
	fuse_reply_attr(req, &st, VFS_VIEW_ATTR_TIMEOUT);
}

static void lensfs_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	lanes_enter_serving();
	answer_getattr(fs_of(req), req, ino);
}

/* Copies the slice [off, off + size) of handle fh's text; -EBADF for a
 * handle this worker does not hold. */
static int read_slice(struct lensfs_fs *fs, uint64_t fh, size_t size, off_t off, char **slice,
		      size_t *len)
{
	struct open_text *o;

	g_mutex_lock(&fs->lock);
	o = g_hash_table_lookup(fs->handles, GUINT_TO_POINTER(fh));
	if (o && off >= 0 && (uint64_t)off < o->text->len) {
		*len = MIN(size, o->text->len - (size_t)off);
		*slice = g_memdup2(o->text->str + off, *len);
	}
	g_mutex_unlock(&fs->lock);
	return o ? 0 : -EBADF;
}

/* A handle a predecessor gave out: its text died with it, so the file is
 * rendered again, for the reader, and kept under the same handle. */
static int adopt_handle(fuse_req_t req, fuse_ino_t ino, uint64_t fh, char **lane)
{
	struct lensfs_fs *fs = fs_of(req);
	g_autoptr(GString) text = g_string_sized_new(4096);
	g_autofree char *owner = NULL;
	int r;

	if (fh >> FH_GENERATION_SHIFT == fs->generation)
		return -EBADF;
	r = render(fs, ino, fuse_req_ctx(req)->pid, text, &owner, lane);
	if (r < 0)
		return r;
	g_mutex_lock(&fs->lock);
	r = keep_text(fs, fh, ino, &text, &owner);
	g_mutex_unlock(&fs->lock);
	return r;
}

static void answer_read(struct lensfs_fs *fs, fuse_req_t req, fuse_ino_t ino, size_t size,
			off_t off, struct fuse_file_info *fi)
{
	g_autofree char *slice = NULL, *lane = NULL;
	size_t len = 0;
	/* A page-cache fill has no lock owner; a direct read always has one. */
	bool fill = fi->lock_owner == 0;
	/* Copy, then reply without the lock: no lock is held across a reply. */
	int r = read_slice(fs, fi->fh, size, off, &slice, &len);

	if (r == -EBADF) {
		r = adopt_handle(req, ino, fi->fh, &lane);
		if (r == 0)
			r = read_slice(fs, fi->fh, size, off, &slice, &len);
	}
	/* Refused, it makes a splice fail with EIO; busybox and Python's
	 * shutil then read(2), which reads this handle's own text. */
	if (r == 0 && fill && !fill_allowed(fs, ino, fi->fh))
		r = -EIO;
	if (must_defer(r)) {
		struct deferred d = { .op = DEFER_READ,
				      .fs = fs,
				      .req = req,
				      .ino = ino,
				      .fi = *fi,
				      .size = size,
				      .off = off };

		defer(g_memdup2(&d, sizeof(d)), g_steal_pointer(&lane));
	} else if (r < 0) {
		fuse_reply_err(req, -r);
	} else {
		/* A fill that ends short sets the kernel's size to its end. */
		if (fill && len < size)
			size_told(fs, ino, off + (off_t)len);
		fuse_reply_buf(req, slice, len);
	}
}

static void lensfs_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			struct fuse_file_info *fi)
{
	lanes_enter_serving();
	answer_read(fs_of(req), req, ino, size, off, fi);
}

/*
 * A PSI trigger written to handle fh of pressure file kind: to the opener's
 * cgroup's pressure file, on a descriptor opened for this handle alone and
 * kept with it until RELEASE (the kernel keeps the trigger as long as the
 * descriptor). One trigger per handle (EBUSY, as the kernel answers a
 * second write), PSI_TRIGGERS_MAX per container (EMFILE); the kernel's
 * own errors as they are (EINVAL for a text it does not take, or a window
 * that is not a multiple of 2 s: the daemon writes without
 * CAP_SYS_RESOURCE). Runs in the writer's lane.
 */
static ssize_t set_trigger(struct lensfs_fs *fs, uint64_t fh, const char *kind, const char *buf,
			   size_t size)
{
	struct viewer v = { 0 };
	struct open_text *o;
	ssize_t r = 0;
	int fd = -1;

	g_mutex_lock(&fs->lock);
	o = g_hash_table_lookup(fs->handles, GUINT_TO_POINTER(fh));
	/* A predecessor's handle (its trigger died with it) or one not
	 * opened to write: open the file again. */
	if (!o || !o->trigger_cg)
		r = -EBADF;
	else if (o->trigger_fd >= 0 || o->arming)
		r = -EBUSY;
	else
		r = psi_count_take(fs->triggers, o->owner, PSI_TRIGGERS_MAX);
	if (r == 0) {
		o->arming = true;
		cgroup_membership_copy(&v.cg, o->trigger_cg);
	}
	g_mutex_unlock(&fs->lock);
	if (r < 0)
		return r;
	r = psi_trigger_set(fs->ctx, &v, kind, buf, size, &fd);
	cgroup_membership_clear(&v.cg);
	if (r < 0)
		fd = -1;
	g_mutex_lock(&fs->lock);
	/* Still there: a write holds the file, RELEASE comes after it. */
	o = g_hash_table_lookup(fs->handles, GUINT_TO_POINTER(fh));
	if (o) {
		o->arming = false;
		if (r >= 0) {
			o->trigger_fd = fd;
			o->fired = false;
		} else {
			psi_count_put(fs->triggers, o->owner);
		}
	}
	g_mutex_unlock(&fs->lock);
	if (fd >= 0 && (r < 0 || !o)) {
		close(fd);
	} else if (fd >= 0) {
		int w = psi_watch_add(fs->watch, fd, fh);

		if (w < 0)
			log_warn("a PSI trigger's events will not wake a poll: %s", g_strerror(-w));
	}
	return r < 0 ? r : (ssize_t)size;
}

static void answer_write(struct lensfs_fs *fs, fuse_req_t req, fuse_ino_t ino, uint64_t fh,
			 const char *buf, size_t size)
{
	struct vfs_caller c = { .pid = fuse_req_ctx(req)->pid };
	const char *kind;
	ssize_t r;

	if (psi_trigger_node(ino, &kind)) {
		r = set_trigger(fs, fh, kind, buf, size);
	} else {
		/* Checked again: the writer may not be the opener (a passed fd). */
		r = vfs_write(fs->ctx, fs->nodes, &c, ino, buf, size);
	}
	vfs_caller_clear(&c);
	if (r < 0)
		fuse_reply_err(req, (int)-r);
	else
		fuse_reply_write(req, (size_t)r);
}

/* Hands a request that always goes to a lane over, or answers the error. */
static void defer_or_fail(struct deferred *d)
{
	int r = defer_to_caller(d);

	if (r < 0) {
		fuse_reply_err(d->req, -r);
		g_free(d->buf);
		g_free(d);
	}
}

static void lensfs_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
			 struct fuse_file_info *fi)
{
	struct deferred d = { .op = DEFER_WRITE,
			      .fs = fs_of(req),
			      .req = req,
			      .ino = ino,
			      .fi = *fi,
			      .size = size,
			      .buf = g_memdup2(buf, size) };

	lanes_enter_serving();
	defer_or_fail(g_memdup2(&d, sizeof(d)));
}

/* Only the truncation an open with O_TRUNC asks for, of a file the caller
 * may write: cgroup files take no size, so it changes nothing. */
static void lensfs_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
			   struct fuse_file_info *fi)
{
	struct lensfs_fs *fs = fs_of(req);
	struct vfs_caller c = { .pid = fuse_req_ctx(req)->pid };
	const int times = FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME | FUSE_SET_ATTR_ATIME_NOW |
			  FUSE_SET_ATTR_MTIME_NOW | FUSE_SET_ATTR_CTIME;
	struct stat st;
	double timeout;
	int r = -EPERM;

	if ((to_set & FUSE_SET_ATTR_SIZE) && !(to_set & ~(FUSE_SET_ATTR_SIZE | times)) &&
	    attr->st_size == 0) {
		const char *kind;

		/* A shell's "echo ... > proc/pressure/memory" truncates first. */
		r = psi_trigger_node(ino, &kind) ? 0 : vfs_may_write(fs->ctx, fs->nodes, &c, ino);
	}
	vfs_caller_clear(&c);
	if (r == 0)
		r = vfs_getattr(fs->ctx, fs->nodes, ino, &st, &timeout);
	if (r < 0)
		fuse_reply_err(req, -r);
	else
		fuse_reply_attr(req, &st, timeout);
}

static void answer_mkdir(struct lensfs_fs *fs, fuse_req_t req, fuse_ino_t parent, const char *name,
			 mode_t mode)
{
	struct vfs_caller c = { .pid = fuse_req_ctx(req)->pid };
	struct fuse_entry_param e;
	struct vfs_entry made;
	int r = vfs_mkdir(fs->ctx, fs->nodes, &c, parent, name, mode, &made);

	vfs_caller_clear(&c);
	if (r < 0) {
		fuse_reply_err(req, -r);
		return;
	}
	e = fuse_entry_of(&made, true);
	if (fuse_reply_entry(req, &e) == -ENOENT)
		ptree_forget(fs->nodes, e.ino, 1);
}

static void lensfs_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	struct deferred d = { .op = DEFER_MKDIR,
			      .fs = fs_of(req),
			      .req = req,
			      .ino = parent,
			      .buf = g_strdup(name),
			      .mode = mode };

	lanes_enter_serving();
	defer_or_fail(g_memdup2(&d, sizeof(d)));
}

static void answer_rmdir(struct lensfs_fs *fs, fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct vfs_caller c = { .pid = fuse_req_ctx(req)->pid };
	int r = vfs_rmdir(fs->ctx, fs->nodes, &c, parent, name);

	vfs_caller_clear(&c);
	fuse_reply_err(req, -r);
}

static void lensfs_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct deferred d = { .op = DEFER_RMDIR,
			      .fs = fs_of(req),
			      .req = req,
			      .ino = parent,
			      .buf = g_strdup(name) };

	lanes_enter_serving();
	defer_or_fail(g_memdup2(&d, sizeof(d)));
}

static void run_deferred(void *data)
{
	g_autofree struct deferred *d = data;
	g_autofree char *buf = d->buf;

	switch (d->op) {
	case DEFER_GETATTR:
		answer_getattr(d->fs, d->req, d->ino);
		break;
	case DEFER_OPEN:
		answer_open(d->fs, d->req, d->ino, &d->fi);
		break;
	case DEFER_READ:
		answer_read(d->fs, d->req, d->ino, d->size, d->off, &d->fi);
		break;
	case DEFER_WRITE:
		answer_write(d->fs, d->req, d->ino, d->fi.fh, buf, d->size);
		break;
	case DEFER_MKDIR:
		answer_mkdir(d->fs, d->req, d->ino, buf, d->mode);
		break;
	case DEFER_RMDIR:
		answer_rmdir(d->fs, d->req, d->ino, buf);
		break;
	}
}

/* Files are never created: cgroupfs makes its own, the rest is fixed. */
static void lensfs_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
			 dev_t rdev)
{
	fuse_reply_err(req, EPERM);
}

static void lensfs_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
			  struct fuse_file_info *fi)
{
	fuse_reply_err(req, EPERM);
}

static void lensfs_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	forget_handle(fs_of(req), fi->fh);
	fuse_reply_err(req, 0);
}

/* The watcher took an event of handle fh's trigger: kept for the reader's
 * next poll, which is woken if it waits. */
static void trigger_fired(uint64_t fh, void *data)
{
	struct lensfs_fs *fs = data;
	struct fuse_pollhandle *ph = NULL;
	struct open_text *o;

	g_mutex_lock(&fs->lock);
	o = g_hash_table_lookup(fs->handles, GUINT_TO_POINTER(fh));
	if (o && o->trigger_fd >= 0) {
		o->fired = true;
		ph = g_steal_pointer(&o->ph);
	}
	g_mutex_unlock(&fs->lock);
	if (ph) {
		fuse_lowlevel_notify_poll(ph);
		fuse_pollhandle_destroy(ph);
	}
}

/*
 * poll(2): a handle with a trigger answers from its descriptor (and an
 * event the watcher took), and keeps ph to wake when the next one fires
 * (replacing an older one); every other handle answers at once what the
 * kernel's pressure files answer without a trigger, or, for the other
 * files, what a file without poll does (DEFAULT_POLLMASK).
 */
static void lensfs_poll(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
			struct fuse_pollhandle *ph)
{
	struct lensfs_fs *fs = fs_of(req);
	unsigned int revents = POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
	struct open_text *o;
	const char *kind;

	g_mutex_lock(&fs->lock);
	o = g_hash_table_lookup(fs->handles, GUINT_TO_POINTER(fi->fh));
	if (o && o->trigger_fd >= 0) {
		struct pollfd p = { .fd = o->trigger_fd,
				    .events =
					    POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM | POLLPRI };

		if (poll(&p, 1, 0) < 0)
			p.revents = POLLERR;
		revents = psi_poll_answer(true, o->fired, (unsigned int)p.revents);
		o->fired = false;
		if (ph) {
			if (o->ph)
				fuse_pollhandle_destroy(o->ph);
			o->ph = g_steal_pointer(&ph);
		}
	} else if (psi_trigger_node(ino, &kind)) {
		revents = psi_poll_answer(false, false, 0);
	}
	g_mutex_unlock(&fs->lock);
	if (ph)
		fuse_pollhandle_destroy(ph);
	fuse_reply_poll(req, revents);
}

static void lensfs_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	fuse_reply_opendir(req, fi, vfs_is_dir(fs_of(req)->nodes, ino));
}

static void lensfs_init(void *userdata, struct fuse_conn_info *conn)
{
	struct lensfs_fs *fs = userdata;

	fs->initialized = true;
}

bool lensfs_fs_initialized(const struct lensfs_fs *fs)
{
	return fs->initialized;
}

static const struct fuse_lowlevel_ops lensfs_ops = {
	.init = lensfs_init,
	.lookup = lensfs_lookup,
	.forget = lensfs_forget,
	.forget_multi = lensfs_forget_multi,
	.getattr = lensfs_getattr,
	.readlink = lensfs_readlink,
	.setattr = lensfs_setattr,
	.mkdir = lensfs_mkdir,
	.mknod = lensfs_mknod,
	.create = lensfs_create,
	.rmdir = lensfs_rmdir,
	.write = lensfs_write,
	.open = lensfs_open,
	.read = lensfs_read,
	.release = lensfs_release,
	.poll = lensfs_poll,
	.opendir = lensfs_opendir,
	.readdir = lensfs_readdir,
};

struct fuse_session *lensfs_fs_session(struct lensfs_fs *fs, int fuse_fd, bool debug)
{
	fs->se = fuse_session_on_fd(&lensfs_ops, sizeof(lensfs_ops), fs, fuse_fd, debug);
	return fs->se;
}
