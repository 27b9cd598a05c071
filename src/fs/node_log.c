/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The handover record's second part (handover.h): the log of pass-through
 * nodes. Apart from the INIT part, so that programs without a FUSE session
 * (lensfs-show) link without libfuse.
 */
#include "config.h"

#include "node_log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <string.h>
#include <unistd.h>

/* The node log: at NODES_OFFSET the bytes used (uint64_t), then entries,
 * each a struct node_head, the view path and the host path, both ending in
 * NUL. An entry is written before the count that covers it. */
#define NODES_OFFSET ((off_t)1 << 20)
#define NODES_MAX    ((uint64_t)64 << 20)

struct node_head {
	uint32_t len; /* of the whole entry */
	uint32_t root;
	uint64_t ino;
};

/* Workers are processes (POSIX record locks), and a worker may serve from
 * several threads (the mutex). */
static GMutex nodes_lock;

static int nodes_lock_fd(int fd, short type)
{
	struct flock fl = { .l_type = type,
			    .l_whence = SEEK_SET,
			    .l_start = NODES_OFFSET,
			    .l_len = sizeof(uint64_t) };

	while (fcntl(fd, F_SETLKW, &fl) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

static uint64_t nodes_used(int fd)
{
	uint64_t used = 0;

	if (pread(fd, &used, sizeof(used), NODES_OFFSET) != sizeof(used) || used > NODES_MAX)
		return 0;
	return used;
}

int node_log_put(int record_fd, uint64_t ino, uint64_t root, const char *vpath, const char *hpath)
{
	size_t vlen = strlen(vpath) + 1, hlen = strlen(hpath) + 1;
	struct node_head head = { (uint32_t)(sizeof(head) + vlen + hlen), (uint32_t)root, ino };
	g_autofree unsigned char *entry = g_malloc(head.len);
	uint64_t used;
	int r;

	memcpy(entry, &head, sizeof(head));
	memcpy(entry + sizeof(head), vpath, vlen);
	memcpy(entry + sizeof(head) + vlen, hpath, hlen);
	g_mutex_lock(&nodes_lock);
	r = nodes_lock_fd(record_fd, F_WRLCK);
	if (r == 0) {
		used = nodes_used(record_fd);
		if (used + head.len > NODES_MAX)
			used = 0; /* start over: older nodes are forgotten */
		r = fd_write_at(record_fd, entry, head.len,
				NODES_OFFSET + (off_t)sizeof(used) + (off_t)used);
		used += head.len;
		if (r == 0)
			r = fd_write_at(record_fd, &used, sizeof(used), NODES_OFFSET);
		nodes_lock_fd(record_fd, F_UNLCK);
	}
	g_mutex_unlock(&nodes_lock);
	return r;
}

/* Calls visit with each entry's head and offset, under the read lock,
 * until it returns other than -ENOENT; -ENOENT when none did, -EBADMSG for
 * a damaged log. */
typedef int (*visit_fn)(int record_fd, const struct node_head *head, off_t base, void *data);

static int scan(int record_fd, visit_fn visit, void *data)
{
	uint64_t used, at = 0;
	int r;

	g_mutex_lock(&nodes_lock);
	r = nodes_lock_fd(record_fd, F_RDLCK);
	if (r < 0) {
		g_mutex_unlock(&nodes_lock);
		return r;
	}
	used = nodes_used(record_fd);
	r = -ENOENT;
	while (r == -ENOENT && at + sizeof(struct node_head) <= used) {
		off_t base = NODES_OFFSET + (off_t)sizeof(used) + (off_t)at;
		struct node_head head;

		if (pread(record_fd, &head, sizeof(head), base) != sizeof(head) ||
		    head.len <= sizeof(head) || at + head.len > used) {
			r = -EBADMSG;
			break;
		}
		at += head.len;
		r = visit(record_fd, &head, base, data);
	}
	nodes_lock_fd(record_fd, F_UNLCK);
	g_mutex_unlock(&nodes_lock);
	return r;
}

struct found {
	uint64_t ino;
	uint64_t *root;
	char **vpath, **hpath;
};

static int visit_find(int record_fd, const struct node_head *head, off_t base, void *data)
{
	struct found *f = data;
	size_t len = head->len - sizeof(*head);
	g_autofree char *body = NULL;

	if (head->ino != f->ino)
		return -ENOENT;
	body = g_malloc(len + 1);
	if (pread(record_fd, body, len, base + (off_t)sizeof(*head)) != (ssize_t)len)
		return -EBADMSG;
	body[len] = '\0';
	if (strlen(body) + 1 >= len)
		return -EBADMSG;
	*f->root = head->root;
	*f->vpath = g_strdup(body);
	*f->hpath = g_strdup(body + strlen(body) + 1);
	return 0;
}

int node_log_find(int record_fd, uint64_t ino, uint64_t *root, char **vpath, char **hpath)
{
	struct found f = { ino, root, vpath, hpath };

	return scan(record_fd, visit_find, &f);
}

static int visit_max(int record_fd, const struct node_head *head, off_t base, void *data)
{
	uint64_t *max = data;

	*max = MAX(*max, head->ino);
	return -ENOENT; /* on to the next */
}

int node_log_max_ino(int record_fd, uint64_t *max)
{
	int r;

	*max = 0;
	r = scan(record_fd, visit_max, max);
	return r == -ENOENT ? 0 : r;
}
