/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "fuse_common.h"
#include "log.h"

#include <errno.h>
#include <string.h>

void fuse_reply_dirents(fuse_req_t req, const GArray *list, size_t size, off_t off)
{
	g_autoptr(GString) buf = g_string_sized_new(MIN(size, 4096));

	for (off_t i = MAX(off, 0); i < (off_t)list->len; i++) {
		const struct vfs_dirent *d = &g_array_index(list, struct vfs_dirent, i);
		struct stat st = { .st_ino = d->ino, .st_mode = d->type };
		size_t need = fuse_add_direntry(req, NULL, 0, d->name, NULL, 0);

		if (buf->len + need > size)
			break;
		g_string_set_size(buf, buf->len + need);
		fuse_add_direntry(req, buf->str + buf->len - need, need, d->name, &st, i + 1);
	}
	fuse_reply_buf(req, buf->str, buf->len);
}

struct fuse_entry_param fuse_entry_of(const struct vfs_entry *found, bool there)
{
	struct fuse_entry_param e = { 0 };

	e.entry_timeout = found->entry_timeout;
	if (there) {
		e.ino = found->ino;
		e.generation = 1;
		e.attr = found->st;
		e.attr_timeout = found->attr_timeout;
	}
	return e;
}

/* (libfuse's format, its arguments: the format checks are its own.) */
G_GNUC_PRINTF(2, 0)
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

struct fuse_session *fuse_session_on_fd(const struct fuse_lowlevel_ops *ops, size_t ops_size,
					void *userdata, int fuse_fd, bool debug)
{
	char *argv[] = { (char *)"lensfs", (char *)"-d", NULL };
	struct fuse_args args = FUSE_ARGS_INIT(debug ? 2 : 1, argv);
	g_autofree char *dev = g_strdup_printf("/dev/fd/%d", fuse_fd);
	struct fuse_session *se;

	fuse_set_log_func(fuse_log_to_ours);
	se = fuse_session_new(&args, ops, ops_size, userdata);
	fuse_opt_free_args(&args);
	if (!se)
		return NULL;
	/* libfuse serves an open /dev/fuse descriptor given as /dev/fd/N. */
	if (fuse_session_mount(se, dev) != 0) {
		fuse_session_destroy(se);
		return NULL;
	}
	return se;
}

void fuse_reply_opendir(fuse_req_t req, struct fuse_file_info *fi, int is_dir)
{
	if (is_dir < 0)
		fuse_reply_err(req, -is_dir);
	else if (!is_dir)
		fuse_reply_err(req, ENOTDIR);
	else
		fuse_reply_open(req, fi);
}
