/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The FUSE adapter: low-level libfuse API. Each handler replies exactly
 * once with what a do_* worker returned (0 or -errno). A file is rendered
 * once, at open, for the opening process; every read of that open is served
 * from the snapshot, whatever the offset. File handles are numbers in a
 * table, never pointers.
 */
#include "config.h"

#include "caps.h"
#include "fuse_ops.h"
#include "log.h"
#include "util.h"
#include "vtree.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <fuse_lowlevel.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>

/* The tree never changes: let the kernel keep names and attributes. */
#define ENTRY_TIMEOUT 86400.0

struct lensfs_fs {
	struct lensfs_ctx *ctx;
	GMutex lock; /* guards handles and next_fh */
	GHashTable *handles; /* fh -> GString snapshot */
	uint64_t next_fh;
	uint64_t last_warn_us;
	unsigned int warns_dropped;
};

static struct lensfs_fs *fs_of(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

/* One warning a second at most: a broken cgroup read in a loop must not
 * flood the log. */
static void warn_ratelimited(struct lensfs_fs *fs, const struct vnode *n, pid_t pid, int err)
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
	log_warn("%s for pid %d: %s (%u similar messages suppressed)", n->path, (int)pid,
		 g_strerror(-err), dropped);
}

static void fill_entry(const struct vnode *n, struct fuse_entry_param *e)
{
	memset(e, 0, sizeof(*e));
	e->ino = n->ino;
	e->generation = 1;
	e->attr_timeout = ENTRY_TIMEOUT;
	e->entry_timeout = ENTRY_TIMEOUT;
	vnode_stat(n, &e->attr);
}

static void lensfs_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	const struct vnode *n = vnode_lookup(parent, name);
	struct fuse_entry_param e;

	if (!n) {
		/* A negative entry lasts as long: the tree is fixed. */
		memset(&e, 0, sizeof(e));
		e.entry_timeout = ENTRY_TIMEOUT;
		fuse_reply_entry(req, &e);
		return;
	}
	fill_entry(n, &e);
	fuse_reply_entry(req, &e);
}

static void lensfs_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	const struct vnode *n = vnode_by_ino(ino);
	struct stat st;

	if (!n) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	vnode_stat(n, &st);
	fuse_reply_attr(req, &st, ENTRY_TIMEOUT);
}

static int do_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, GString *buf)
{
	const struct vnode *dir = vnode_by_ino(ino);

	if (!dir)
		return -ENOENT;
	if (!S_ISDIR(dir->mode))
		return -ENOTDIR;
	/* Offsets: 1 for ".", 2 for "..", 3 + i for the i-th child. */
	for (off_t i = off;; i++) {
		const struct vnode *n = NULL;
		const char *name;
		struct stat st = { 0 };
		size_t need;

		if (i == 0) {
			name = ".";
			vnode_stat(dir, &st);
		} else if (i == 1) {
			name = "..";
			vnode_stat(vnode_by_ino(dir->parent), &st);
		} else {
			n = vnode_child(dir->ino, (unsigned int)(i - 2));
			if (!n)
				break;
			name = n->name;
			vnode_stat(n, &st);
		}
		need = fuse_add_direntry(req, NULL, 0, name, NULL, 0);
		if (buf->len + need > size)
			break;
		g_string_set_size(buf, buf->len + need);
		fuse_add_direntry(req, buf->str + buf->len - need, need, name, &st, i + 1);
	}
	return 0;
}

static void lensfs_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			   struct fuse_file_info *fi)
{
	g_autoptr(GString) buf = g_string_sized_new(MIN(size, 4096));
	int r = do_readdir(req, ino, size, off, buf);

	if (r < 0)
		fuse_reply_err(req, -r);
	else
		fuse_reply_buf(req, buf->str, buf->len);
}

static int do_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct lensfs_fs *fs = fs_of(req);
	const struct vnode *n = vnode_by_ino(ino);
	const struct fuse_ctx *caller = fuse_req_ctx(req);
	g_autoptr(GString) text = g_string_sized_new(4096);
	struct viewer v;
	int r;

	if (!n)
		return -ENOENT;
	if (S_ISDIR(n->mode))
		return -EISDIR;
	if ((fi->flags & O_ACCMODE) != O_RDONLY)
		return -EACCES;
	r = vnode_render_for_pid(fs->ctx, n, caller->pid, &v, text);
	if (r < 0) {
		if (r != -ESRCH)
			warn_ratelimited(fs, n, caller->pid, r);
		viewer_clear(&v);
		return r == -ESRCH || r == -ENOMEM ? r : -EIO;
	}
	if (log_debug_enabled) {
		log_debug("open %s by pid %d: init %d, memory cgroup %s, %zu bytes", n->path,
			  (int)caller->pid, (int)v.init_pid,
			  v.cg.path[CG_MEMORY] ? v.cg.path[CG_MEMORY] : "-", text->len);
	}
	viewer_clear(&v);

	g_mutex_lock(&fs->lock);
	fi->fh = fs->next_fh++;
	g_hash_table_insert(fs->handles, GUINT_TO_POINTER(fi->fh), g_steal_pointer(&text));
	g_mutex_unlock(&fs->lock);
	/* Each reader gets its own content through the same inode: no page cache. */
	fi->direct_io = 1;
	fi->keep_cache = 0;
#ifdef HAVE_STRUCT_FUSE_FILE_INFO_NOFLUSH
	fi->noflush = 1; /* nothing to do at close(2): spare the FLUSH round trip */
#endif
	return 0;
}

static void lensfs_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	int r = do_open(req, ino, fi);

	if (r < 0) {
		fuse_reply_err(req, -r);
	} else if (fuse_reply_open(req, fi) == -ENOENT) {
		/* The opener was interrupted: no RELEASE will come for this handle. */
		struct lensfs_fs *fs = fs_of(req);

		g_mutex_lock(&fs->lock);
		g_hash_table_remove(fs->handles, GUINT_TO_POINTER(fi->fh));
		g_mutex_unlock(&fs->lock);
	}
}

static void lensfs_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			struct fuse_file_info *fi)
{
	struct lensfs_fs *fs = fs_of(req);
	GString *text;

	g_mutex_lock(&fs->lock);
	text = g_hash_table_lookup(fs->handles, GUINT_TO_POINTER(fi->fh));
	if (!text) {
		g_mutex_unlock(&fs->lock);
		fuse_reply_err(req, EBADF);
		return;
	}
	if (off < 0 || (uint64_t)off >= text->len)
		fuse_reply_buf(req, NULL, 0);
	else
		fuse_reply_buf(req, text->str + off, MIN(size, text->len - (size_t)off));
	g_mutex_unlock(&fs->lock);
}

static void lensfs_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct lensfs_fs *fs = fs_of(req);

	g_mutex_lock(&fs->lock);
	g_hash_table_remove(fs->handles, GUINT_TO_POINTER(fi->fh));
	g_mutex_unlock(&fs->lock);
	fuse_reply_err(req, 0);
}

static void lensfs_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	const struct vnode *n = vnode_by_ino(ino);

	if (!n)
		fuse_reply_err(req, ENOENT);
	else if (!S_ISDIR(n->mode))
		fuse_reply_err(req, ENOTDIR);
	else
		fuse_reply_open(req, fi);
}

static const struct fuse_lowlevel_ops lensfs_ops = {
	.lookup = lensfs_lookup,
	.getattr = lensfs_getattr,
	.open = lensfs_open,
	.read = lensfs_read,
	.release = lensfs_release,
	.opendir = lensfs_opendir,
	.readdir = lensfs_readdir,
};

static void snapshot_free(gpointer p)
{
	g_string_free(p, TRUE);
}

static void fuse_log_to_ours(enum fuse_log_level level, const char *fmt, va_list ap)
{
	g_autofree char *msg = g_strdup_vprintf(fmt, ap);
	size_t len = strlen(msg);

	if (len && msg[len - 1] == '\n')
		msg[len - 1] = '\0';
	if (level <= FUSE_LOG_ERR)
		log_error("libfuse: %s", msg);
	else if (level <= FUSE_LOG_NOTICE)
		log_info("libfuse: %s", msg);
	else
		log_debug("libfuse: %s", msg);
}

static volatile sig_atomic_t worker_pid;

static void forward_signal(int sig)
{
	if (worker_pid > 0)
		kill(worker_pid, sig);
}

/*
 * The process that mounted keeps the privilege to unmount and nothing else
 * to do: it waits for the worker (which drops its capabilities) and unmounts
 * when the worker ends, however it ends. It does not keep the /dev/fuse fd,
 * so a dead worker leaves no hanging mount.
 */
static int guard_worker(pid_t pid, const char *mountpoint)
{
	struct sigaction sa = { .sa_handler = forward_signal };
	int status = 0;

	worker_pid = pid;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (umount2(mountpoint, MNT_DETACH) < 0 && errno != EINVAL)
		log_warn("unmounting %s: %s", mountpoint, g_strerror(errno));
	if (WIFSIGNALED(status)) {
		log_error("worker killed by signal %d", WTERMSIG(status));
		return 1;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

/*
 * Single-threaded loop that polls /dev/fuse for a short while after each
 * request before it sleeps. A request that arrives while the thread is
 * still running costs no wake-up: on virtual machines the cross-CPU wake-up
 * of a sleeping daemon is most of a request's latency (docs/performance.md).
 */
static int serve_polling(struct fuse_session *se, unsigned int spin_us)
{
	struct fuse_buf buf = { 0 };
	int fd = fuse_session_fd(se);
	int r = 0;

	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	while (!fuse_session_exited(se)) {
		uint64_t idle_since = now_monotonic_us();

		for (;;) {
			r = fuse_session_receive_buf(se, &buf);
			if (r != -EAGAIN)
				break;
			if (now_monotonic_us() - idle_since >= spin_us) {
				struct pollfd pfd = { .fd = fd, .events = POLLIN };

				if (poll(&pfd, 1, -1) < 0 && errno != EINTR) {
					r = -errno;
					break;
				}
				idle_since = now_monotonic_us();
			}
		}
		if (r == -EINTR)
			continue;
		if (r <= 0)
			break;
		fuse_session_process_buf(se, &buf);
	}
	free(buf.mem);
	fuse_session_reset(se);
	return r < 0 && r != -ENODEV ? r : 0;
}

static int serve(struct fuse_session *se, unsigned int threads, unsigned int spin_us)
{
	struct fuse_loop_config *cfg;
	int r;

	if (threads <= 1 && spin_us)
		return serve_polling(se, spin_us);
	if (threads <= 1)
		return fuse_session_loop(se);
	cfg = fuse_loop_cfg_create();
	fuse_loop_cfg_set_clone_fd(cfg, 1);
	fuse_loop_cfg_set_max_threads(cfg, threads);
	fuse_loop_cfg_set_idle_threads(cfg, threads);
	r = fuse_session_loop_mt(se, cfg);
	fuse_loop_cfg_destroy(cfg);
	return r;
}

int lensfs_fuse_main(struct lensfs_ctx *ctx, const struct lensfs_mount_opts *opts)
{
	g_autoptr(GPtrArray) argv = g_ptr_array_new();
	struct fuse_args args;
	struct fuse_session *se;
	struct lensfs_fs fs = { .ctx = ctx, .next_fh = 1 };
	pid_t pid;
	int r;

	fuse_set_log_func(fuse_log_to_ours);
	g_ptr_array_add(argv, (char *)"lensfs");
	g_ptr_array_add(argv, (char *)"-o");
	g_ptr_array_add(argv,
			(char *)"allow_other,default_permissions,ro,fsname=lensfs,subtype=lensfs");
	if (opts->debug)
		g_ptr_array_add(argv, (char *)"-d");
	args = (struct fuse_args)FUSE_ARGS_INIT((int)argv->len, (char **)argv->pdata);

	g_mutex_init(&fs.lock);
	fs.handles = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, snapshot_free);
	se = fuse_session_new(&args, &lensfs_ops, sizeof(lensfs_ops), &fs);
	if (!se) {
		log_error("cannot create the FUSE session");
		return 1;
	}
	if (fuse_session_mount(se, opts->mountpoint) != 0) {
		log_error("cannot mount on %s", opts->mountpoint);
		fuse_session_destroy(se);
		return 1;
	}
	log_info("serving %s (cgroup %s)", opts->mountpoint,
		 cgroup_layout_kind_name(ctx->layout->kind));
	if (fuse_daemonize(opts->foreground) != 0) {
		fuse_session_unmount(se);
		fuse_session_destroy(se);
		return 1;
	}

	pid = fork();
	if (pid < 0) {
		log_error("fork: %s", g_strerror(errno));
		fuse_session_unmount(se);
		fuse_session_destroy(se);
		return 1;
	}
	if (pid > 0) {
		fuse_session_destroy(se); /* closes this process's /dev/fuse fd */
		fuse_opt_free_args(&args);
		return guard_worker(pid, opts->mountpoint);
	}

	r = caps_drop_to_worker();
	if (r < 0) {
		log_error("dropping capabilities: %s", g_strerror(-r));
		_exit(1);
	}
	if (fuse_set_signal_handlers(se) != 0)
		_exit(1);
	r = serve(se, opts->threads, opts->spin_us);
	fuse_remove_signal_handlers(se);
	fuse_session_destroy(se);
	fuse_opt_free_args(&args);
	g_hash_table_unref(fs.handles);
	g_mutex_clear(&fs.lock);
	/* libfuse returns the number of the signal that stopped the loop. */
	if (r > 0)
		log_info("stopping on signal %d", r);
	return r < 0 ? 1 : 0;
}
