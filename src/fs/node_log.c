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
#include <sys/stat.h>
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

/* Takes the log's read lock (and the process's). */
static int locked(int record_fd)
{
	int r;

	g_mutex_lock(&nodes_lock);
	r = nodes_lock_fd(record_fd, F_RDLCK);
	if (r < 0)
		g_mutex_unlock(&nodes_lock);
	return r;
}

static void unlocked(int record_fd)
{
	nodes_lock_fd(record_fd, F_UNLCK);
	g_mutex_unlock(&nodes_lock);
}

/* Calls visit with each entry's head and offset from byte at of the log,
 * under the read lock (locked), until it returns other than -ENOENT;
 * -ENOENT when none did, -EBADMSG for a damaged log. */
typedef int (*visit_fn)(int record_fd, const struct node_head *head, off_t base, void *data);

static int scan_from(int record_fd, uint64_t at, visit_fn visit, void *data)
{
	uint64_t used = nodes_used(record_fd);
	int r = -ENOENT;

	while (r == -ENOENT && at + sizeof(struct node_head) <= used) {
		off_t base = NODES_OFFSET + (off_t)sizeof(used) + (off_t)at;
		struct node_head head;

		if (pread(record_fd, &head, sizeof(head), base) != sizeof(head) ||
		    head.len <= sizeof(head) || at + head.len > used)
			return -EBADMSG;
		at += head.len;
		r = visit(record_fd, &head, base, data);
	}
	return r;
}

/*
 * Finding a node: an index per record (ino -> where its entry is), built by
 * one pass over the log and brought up to date with the log's tail on a
 * miss, so that a successor that meets thousands of inodes its predecessors
 * gave out (every view's names after a restart) reads the log once, not
 * once per inode. An entry found where the log has started over since is
 * not trusted: the index is built again.
 */
struct log_index {
	int fd; /* -1: unused */
	dev_t dev; /* the record's file: a descriptor number can be reused */
	ino_t file;
	uint64_t done; /* bytes of the log indexed */
	/* The last entry indexed: still there, or the log is another one
	 * (started over, or another file that got the same numbers). */
	off_t last_base;
	uint64_t last_ino;
	GHashTable *at; /* ino -> offset of its (first) entry, both held in
			 * the pointers: no allocation per entry */
};

G_STATIC_ASSERT(sizeof(gpointer) >= sizeof(uint64_t));

/* Numbers differ in their low bits (a hash) or their high ones (a view's
 * slot): both count. */
static guint ino_hash(gconstpointer key)
{
	uint64_t ino = GPOINTER_TO_SIZE(key);

	return (guint)(ino ^ ino >> 32);
}

#define INDEXES 4 /* records a process reads: the mount's and the views' */
static struct log_index indexes[INDEXES] = { { -1 }, { -1 }, { -1 }, { -1 } };

static int visit_index(int record_fd, const struct node_head *head, off_t base, void *data)
{
	struct log_index *x = data;
	uint64_t ino = head->ino;

	if (!g_hash_table_contains(x->at, GSIZE_TO_POINTER(ino)))
		g_hash_table_insert(x->at, GSIZE_TO_POINTER(ino), GSIZE_TO_POINTER(base));
	x->done = (uint64_t)(base - NODES_OFFSET - (off_t)sizeof(uint64_t)) + head->len;
	x->last_base = base;
	x->last_ino = ino;
	return -ENOENT; /* on to the next */
}

static bool still_there(int record_fd, const struct log_index *x)
{
	struct node_head head;

	return x->done == 0 ||
	       (pread(record_fd, &head, sizeof(head), x->last_base) == sizeof(head) &&
		head.ino == x->last_ino &&
		(uint64_t)(x->last_base - NODES_OFFSET - (off_t)sizeof(uint64_t)) + head.len ==
			x->done);
}

/* The index of record_fd, up to date with the log's end. Under nodes_lock
 * and the record's read lock. */
static struct log_index *index_of(int record_fd, bool restart)
{
	struct log_index *x = NULL;
	struct stat st = { 0 };

	fstat(record_fd, &st);
	for (int i = 0; i < INDEXES && !x; i++)
		if (indexes[i].fd == record_fd)
			x = &indexes[i];
	for (int i = 0; i < INDEXES && !x; i++)
		if (indexes[i].fd < 0)
			x = &indexes[i];
	if (!x) /* more records than expected: the oldest index goes */
		x = &indexes[0];
	if (x->fd != record_fd || x->dev != st.st_dev || x->file != st.st_ino || restart ||
	    nodes_used(record_fd) < x->done || !still_there(record_fd, x)) {
		g_clear_pointer(&x->at, g_hash_table_unref);
		x->fd = record_fd;
		x->dev = st.st_dev;
		x->file = st.st_ino;
		x->done = 0;
	}
	if (!x->at)
		x->at = g_hash_table_new(ino_hash, g_direct_equal);
	return x;
}

struct found {
	uint64_t ino;
	uint64_t *root;
	char **vpath, **hpath;
};

/* The entry at base, if it is ino's. */
static int read_entry(int record_fd, off_t base, struct found *f)
{
	struct node_head head;
	size_t len;
	g_autofree char *body = NULL;

	if (pread(record_fd, &head, sizeof(head), base) != sizeof(head) ||
	    head.len <= sizeof(head) || head.ino != f->ino)
		return -ESTALE;
	len = head.len - sizeof(head);
	body = g_malloc(len + 1);
	if (pread(record_fd, body, len, base + (off_t)sizeof(head)) != (ssize_t)len)
		return -EBADMSG;
	body[len] = '\0';
	if (strlen(body) + 1 >= len)
		return -EBADMSG;
	*f->root = head.root;
	*f->vpath = g_strdup(body);
	*f->hpath = g_strdup(body + strlen(body) + 1);
	return 0;
}

/* Finds f->ino with the index, scanning the log's tail (from where the
 * index ends) on a miss. Under nodes_lock and the read lock. */
static int find_indexed(int record_fd, struct found *f, bool restart)
{
	struct log_index *x = index_of(record_fd, restart);
	/* (An entry is never at offset 0: the log starts at NODES_OFFSET.) */
	off_t base = (off_t)GPOINTER_TO_SIZE(g_hash_table_lookup(x->at, GSIZE_TO_POINTER(f->ino)));
	int r;

	if (!base) {
		r = scan_from(record_fd, x->done, visit_index, x);
		if (r != -ENOENT)
			return r;
		base = (off_t)GPOINTER_TO_SIZE(
			g_hash_table_lookup(x->at, GSIZE_TO_POINTER(f->ino)));
	}
	return base ? read_entry(record_fd, base, f) : -ENOENT;
}

int node_log_find(int record_fd, uint64_t ino, uint64_t *root, char **vpath, char **hpath)
{
	struct found f = { ino, root, vpath, hpath };
	int r = locked(record_fd);

	if (r < 0)
		return r;
	r = find_indexed(record_fd, &f, false);
	/* Another entry where the index said: the log started over. */
	if (r == -ESTALE)
		r = find_indexed(record_fd, &f, true);
	unlocked(record_fd);
	return r == -ESTALE ? -ENOENT : r;
}

static int visit_max(int record_fd, const struct node_head *head, off_t base, void *data)
{
	uint64_t *max = data;

	*max = MAX(*max, head->ino);
	return -ENOENT; /* on to the next */
}

int node_log_max_ino(int record_fd, uint64_t *max)
{
	int r = locked(record_fd);

	*max = 0;
	if (r == 0) {
		r = scan_from(record_fd, 0, visit_max, max);
		unlocked(record_fd);
	}
	return r == -ENOENT ? 0 : r;
}
