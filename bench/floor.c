/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench/floor: the least a FUSE file server can do for the request pattern
 * lensfs serves, as a yardstick ("the FUSE floor"): one file, proc/meminfo,
 * whose fixed text (the host's /proc/meminfo read at start) is served with
 * direct I/O and no flush, like lensfs's, from libfuse's single-threaded
 * loop. No caller lookup, no rendering.
 *
 *   floor MOUNTPOINT        (foreground; unmount to stop)
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <fuse_lowlevel.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { INO_ROOT = 1, INO_PROC = 2, INO_FILE = 3 };

static char text[65536];
static size_t text_len;

static void fill_attr(fuse_ino_t ino, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	st->st_mode = ino == INO_FILE ? S_IFREG | 0444 : S_IFDIR | 0555;
	st->st_nlink = ino == INO_FILE ? 1 : 2;
}

static void floor_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse_entry_param e = { 0 };

	if (parent == INO_ROOT && strcmp(name, "proc") == 0)
		e.ino = INO_PROC;
	else if (parent == INO_PROC && strcmp(name, "meminfo") == 0)
		e.ino = INO_FILE;
	e.attr_timeout = e.entry_timeout = 86400.0;
	if (e.ino)
		fill_attr(e.ino, &e.attr);
	fuse_reply_entry(req, &e);
}

static void floor_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct stat st;

	fill_attr(ino, &st);
	fuse_reply_attr(req, &st, 86400.0);
}

static void floor_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	fi->direct_io = 1;
#ifdef HAVE_STRUCT_FUSE_FILE_INFO_NOFLUSH
	fi->noflush = 1;
#endif
	fuse_reply_open(req, fi);
}

static void floor_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	size_t start = (size_t)off < text_len ? (size_t)off : text_len;
	size_t n = text_len - start < size ? text_len - start : size;

	fuse_reply_buf(req, text + start, n);
}

static void floor_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	fuse_reply_err(req, 0);
}

static const struct fuse_lowlevel_ops ops = {
	.lookup = floor_lookup,
	.getattr = floor_getattr,
	.open = floor_open,
	.read = floor_read,
	.release = floor_release,
};

int main(int argc, char **argv)
{
	char *fargs[] = { argv[0], (char *)"-o", (char *)"allow_other,default_permissions,ro",
			  NULL };
	struct fuse_args args = FUSE_ARGS_INIT(3, fargs);
	struct fuse_session *se;
	int fd, r;

	if (argc != 2) {
		fprintf(stderr, "usage: floor MOUNTPOINT\n");
		return 2;
	}
	fd = open("/proc/meminfo", O_RDONLY);
	text_len = fd >= 0 ? (size_t)read(fd, text, sizeof(text)) : 0;
	if (fd >= 0)
		close(fd);
	se = fuse_session_new(&args, &ops, sizeof(ops), NULL);
	if (!se || fuse_session_mount(se, argv[1]) != 0)
		return 1;
	r = fuse_session_loop(se);
	fuse_session_unmount(se);
	fuse_session_destroy(se);
	return r ? 1 : 0;
}
