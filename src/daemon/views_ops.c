/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The FUSE adapter of the views connection (views.h): no OPEN, no RELEASE,
 * no FLUSH. OPEN is answered ENOSYS, after which the kernel sends none on
 * this connection and opens every file with its page cache kept
 * (fs/fuse/file.c, no_open); the texts are the pages, read once per
 * period, and each GETATTR says whether they still hold (mtime and size,
 * with FUSE_CAP_AUTO_INVAL_DATA).
 */
#include "config.h"

#include "fuse_common.h"
#include "log.h"
#include "views_ops.h"

#include <errno.h>
#include <fcntl.h>
#include <fuse_lowlevel.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct views_fs {
	struct views *views;
	struct fuse_session *se;
	bool initialized;
	/* Names gone (views.h, views_gone_fn), told to the kernel by a thread
	 * of their own: a notification waits for the directory's lock, which
	 * the kernel holds while a request in it waits for its answer. */
	GAsyncQueue *gone;
	GThread *teller;
	gint telling; /* the teller is in a notification */
};

struct gone {
	uint64_t parent, child;
	char *name; /* NULL: stop */
};

static void queue_gone(void *data, uint64_t parent, uint64_t child, const char *name)
{
	struct views_fs *fs = data;
	struct gone *g = g_new(struct gone, 1);

	g->parent = parent;
	g->child = child;
	g->name = g_strdup(name);
	g_async_queue_push(fs->gone, g);
}

static gpointer teller_thread(gpointer data)
{
	struct views_fs *fs = data;
	struct gone *g;

	while ((g = g_async_queue_pop(fs->gone)) && g->name) {
		g_atomic_int_set(&fs->telling, 1);
		/* ENOENT: the kernel has no such dentry (any more); ENOTEMPTY:
		 * a directory whose file is still bound (told again later). */
		int r = fuse_lowlevel_notify_delete(fs->se, g->parent, g->child, g->name,
						    strlen(g->name));

		if (r < 0 && r != -ENOENT && r != -ENOTEMPTY)
			log_warn("telling the kernel %s is gone: %s", g->name, g_strerror(-r));
		log_debug("gone %" PRIx64 "/%s: %d", g->parent, g->name, r);
		g_atomic_int_set(&fs->telling, 0);
		g_free(g->name);
		g_free(g);
	}
	g_free(g);
	return NULL;
}

static struct views *views_of(fuse_req_t req)
{
	return ((struct views_fs *)fuse_req_userdata(req))->views;
}

static void views_init(void *userdata, struct fuse_conn_info *conn)
{
	struct views_fs *fs = userdata;

	/* Pages of a file whose mtime or size changed are dropped at the
	 * GETATTR that tells it. */
	if (conn->capable & FUSE_CAP_AUTO_INVAL_DATA)
		conn->want |= FUSE_CAP_AUTO_INVAL_DATA;
	/* Reads go by pages through the cache, never around it. */
	conn->want &= ~(unsigned int)FUSE_CAP_ASYNC_DIO;
	fs->initialized = true;
}

static void views_lookup_op(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct vfs_entry found;
	int r = views_lookup(views_of(req), fuse_req_ctx(req)->pid, parent, name, &found);
	struct fuse_entry_param e = fuse_entry_of(&found, r == 0);

	if (r < 0 && r != -ENOENT)
		fuse_reply_err(req, -r);
	else if (fuse_reply_entry(req, &e) == -ENOENT && r == 0)
		views_forget(views_of(req), e.ino, 1); /* the lookup was interrupted */
}

static void views_forget_op(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	views_forget(views_of(req), ino, nlookup);
	fuse_reply_none(req);
}

static void views_forget_multi_op(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
	for (size_t i = 0; i < count; i++)
		views_forget(views_of(req), forgets[i].ino, forgets[i].nlookup);
	fuse_reply_none(req);
}

static void views_getattr_op(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct stat st;
	double timeout;
	int r = views_getattr(views_of(req), ino, &st, &timeout);

	if (r < 0)
		fuse_reply_err(req, -r);
	else
		fuse_reply_attr(req, &st, timeout);
}

/* ENOSYS: the kernel stops sending OPEN (and RELEASE) for good. */
static void views_open_op(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	int r = views_is_dir(views_of(req), ino);

	if (r < 0)
		fuse_reply_err(req, -r);
	else if (r)
		fuse_reply_err(req, EISDIR);
	else if (fi->flags & O_ACCMODE) /* writing: nothing here takes it */
		fuse_reply_err(req, EROFS);
	else
		fuse_reply_err(req, ENOSYS);
}

static void views_read_op(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			  struct fuse_file_info *fi)
{
	g_autofree char *slice = NULL;
	size_t len = 0;
	int r = views_read(views_of(req), ino, size, off, &slice, &len);

	if (r < 0)
		fuse_reply_err(req, -r);
	else
		fuse_reply_buf(req, slice, len);
}

/* With no OPEN, a writer opens: its write (and its O_TRUNC, a SETATTR)
 * is refused here. */
static void views_write_op(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
			   struct fuse_file_info *fi)
{
	fuse_reply_err(req, EROFS);
}

static void views_setattr_op(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
			     struct fuse_file_info *fi)
{
	fuse_reply_err(req, EROFS);
}

static void views_readlink_op(fuse_req_t req, fuse_ino_t ino)
{
	g_autofree char *target = NULL;
	int r = views_readlink(views_of(req), ino, &target);

	if (r < 0)
		fuse_reply_err(req, -r);
	else
		fuse_reply_readlink(req, target);
}

static void views_opendir_op(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	fuse_reply_opendir(req, fi, views_is_dir(views_of(req), ino));
}

static void views_readdir_op(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			     struct fuse_file_info *fi)
{
	g_autoptr(GArray) list = NULL;
	int r = views_list(views_of(req), fuse_req_ctx(req)->pid, ino, &list);

	if (r < 0)
		fuse_reply_err(req, -r);
	else
		fuse_reply_dirents(req, list, size, off);
}

static void views_mkdir_op(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	const struct fuse_ctx *c = fuse_req_ctx(req);
	struct vfs_entry made;
	int r = parent == VIEWS_ROOT ? views_make(views_of(req), c->pid, c->uid, name, &made)
				     : -EPERM;
	struct fuse_entry_param e;

	if (r < 0) {
		fuse_reply_err(req, -r);
		return;
	}
	e = fuse_entry_of(&made, true);
	if (fuse_reply_entry(req, &e) == -ENOENT)
		views_forget(views_of(req), e.ino, 1);
}

static void views_rmdir_op(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	const struct fuse_ctx *c = fuse_req_ctx(req);
	int r = parent == VIEWS_ROOT ? views_remove(views_of(req), c->pid, c->uid, name) : -EPERM;

	fuse_reply_err(req, -r);
}

static const struct fuse_lowlevel_ops views_ops = {
	.init = views_init,
	.lookup = views_lookup_op,
	.forget = views_forget_op,
	.forget_multi = views_forget_multi_op,
	.getattr = views_getattr_op,
	.open = views_open_op,
	.read = views_read_op,
	.setattr = views_setattr_op,
	.write = views_write_op,
	.readlink = views_readlink_op,
	.opendir = views_opendir_op,
	.readdir = views_readdir_op,
	.mkdir = views_mkdir_op,
	.rmdir = views_rmdir_op,
};

struct views_fs *views_fs_new(struct views *views)
{
	struct views_fs *fs = g_new0(struct views_fs, 1);

	fs->views = views;
	fs->gone = g_async_queue_new();
	return fs;
}

bool views_fs_free(struct views_fs *fs)
{
	struct gone *g;

	if (!fs)
		return true;
	if (fs->teller) {
		/* A teller waiting in the kernel for a lock that a request
		 * nobody answers now holds would wait for good: left to end
		 * with the process. */
		if (g_atomic_int_get(&fs->telling) || g_async_queue_length(fs->gone) > 0)
			return false;
		g_async_queue_push(fs->gone, g_new0(struct gone, 1));
		g_thread_join(fs->teller);
		views_set_gone(fs->views, NULL, NULL);
	}
	while ((g = g_async_queue_try_pop(fs->gone))) {
		g_free(g->name);
		g_free(g);
	}
	g_async_queue_unref(fs->gone);
	g_free(fs);
	return true;
}

bool views_fs_initialized(const struct views_fs *fs)
{
	return fs->initialized;
}

struct fuse_session *views_fs_session(struct views_fs *fs, int fuse_fd, bool debug)
{
	fs->se = fuse_session_on_fd(&views_ops, sizeof(views_ops), fs, fuse_fd, debug);
	if (fs->se && !fs->teller) {
		fs->teller = g_thread_new("lensfs-views-tell", teller_thread, fs);
		views_set_gone(fs->views, queue_gone, fs);
	}
	return fs->se;
}
