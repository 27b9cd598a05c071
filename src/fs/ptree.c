/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "node.h"
#include "node_log.h"
#include "ptree.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define HOST_READ_MAX (1 << 20)

/* The first 63 bits of SHA-256 over both paths: stable across workers and
 * restarts, and no one makes a name of theirs collide with someone else's. */
uint64_t ptree_ino(const char *vpath, const char *hpath)
{
	g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
	guint8 digest[32];
	gsize len = sizeof(digest);
	uint64_t ino = 0;

	g_checksum_update(sum, (const guchar *)vpath, (gssize)strlen(vpath) + 1);
	g_checksum_update(sum, (const guchar *)hpath, (gssize)strlen(hpath) + 1);
	g_checksum_get_digest(sum, digest, &len);
	for (int i = 0; i < 8; i++)
		ino = ino << 8 | digest[i];
	return ino | PT_INO_BIT;
}

struct entry {
	struct pnode node;
	uint64_t nlookup;
};

struct ptree {
	GMutex lock;
	GHashTable *nodes; /* &entry.node.ino -> struct entry */
	int log_fd; /* a handover record, or -1 */
	ptree_root_fn root_of;
};

void pnode_clear(struct pnode *n)
{
	g_clear_pointer(&n->vpath, g_free);
	g_clear_pointer(&n->hpath, g_free);
}

static void entry_free(gpointer p)
{
	struct entry *e = p;

	pnode_clear(&e->node);
	g_free(e);
}

struct ptree *ptree_new(void)
{
	struct ptree *t = g_new0(struct ptree, 1);

	g_mutex_init(&t->lock);
	t->nodes = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, entry_free);
	t->log_fd = -1;
	return t;
}

void ptree_free(struct ptree *t)
{
	if (!t)
		return;
	g_hash_table_unref(t->nodes);
	g_mutex_clear(&t->lock);
	g_free(t);
}

void ptree_set_log(struct ptree *t, int record_fd, ptree_root_fn root_of)
{
	t->log_fd = record_fd;
	t->root_of = root_of;
}

static int add_node(struct ptree *t, const char *vpath, const char *hpath, const struct vnode *root,
		    bool log, uint64_t *ino)
{
	uint64_t key = ptree_ino(vpath, hpath);
	struct entry *e;
	bool added = false;
	int r = 0;

	g_mutex_lock(&t->lock);
	e = g_hash_table_lookup(t->nodes, &key);
	if (!e) {
		e = g_new0(struct entry, 1);
		e->node.ino = key;
		e->node.vpath = g_strdup(vpath);
		e->node.hpath = g_strdup(hpath);
		e->node.root = root;
		g_hash_table_insert(t->nodes, &e->node.ino, e);
		added = true;
	} else if (strcmp(e->node.vpath, vpath) != 0 || strcmp(e->node.hpath, hpath) != 0) {
		r = -EIO;
	}
	if (r == 0)
		e->nlookup++;
	g_mutex_unlock(&t->lock);
	/* Logged once per worker: a successor may meet it again. */
	if (added && log && t->log_fd >= 0 && root)
		node_log_put(t->log_fd, key, root->ino, vpath, hpath);
	*ino = key;
	return r;
}

int ptree_add(struct ptree *t, const char *vpath, const char *hpath, const struct vnode *root,
	      uint64_t *ino)
{
	return add_node(t, vpath, hpath, root, true, ino);
}

/* A node a predecessor gave out, from the log, into the table (with one
 * lookup: the kernel's own count is unknown; a later lookup or forget
 * settles it). */
static bool from_log(struct ptree *t, uint64_t ino)
{
	g_autofree char *vpath = NULL, *hpath = NULL;
	const struct vnode *root;
	uint64_t root_ino, again;

	if (t->log_fd < 0 || node_log_find(t->log_fd, ino, &root_ino, &vpath, &hpath) < 0)
		return false;
	root = t->root_of(root_ino);
	/* Only what this binary would have made of the same paths. */
	if (!root || !root->dyn || ptree_ino(vpath, hpath) != ino)
		return false;
	return add_node(t, vpath, hpath, root, false, &again) == 0;
}

int ptree_get(struct ptree *t, uint64_t ino, struct pnode *out)
{
	struct entry *e;

	memset(out, 0, sizeof(*out));
	g_mutex_lock(&t->lock);
	e = g_hash_table_lookup(t->nodes, &ino);
	g_mutex_unlock(&t->lock);
	if (!e && !from_log(t, ino))
		return -ESTALE;
	g_mutex_lock(&t->lock);
	e = g_hash_table_lookup(t->nodes, &ino);
	if (e) {
		*out = e->node;
		out->vpath = g_strdup(e->node.vpath);
		out->hpath = g_strdup(e->node.hpath);
	}
	g_mutex_unlock(&t->lock);
	return e ? 0 : -ESTALE;
}

void ptree_forget(struct ptree *t, uint64_t ino, uint64_t n)
{
	struct entry *e;

	g_mutex_lock(&t->lock);
	e = g_hash_table_lookup(t->nodes, &ino);
	/* Lookups a predecessor answered are counted by the kernel, not here:
	 * a count that runs out early only means a lookup adds the node again. */
	if (e && e->nlookup <= n)
		g_hash_table_remove(t->nodes, &ino);
	else if (e)
		e->nlookup -= n;
	g_mutex_unlock(&t->lock);
}

unsigned int ptree_size(struct ptree *t)
{
	unsigned int n;

	g_mutex_lock(&t->lock);
	n = g_hash_table_size(t->nodes);
	g_mutex_unlock(&t->lock);
	return n;
}

static int open_beneath(const char *root, const char *hpath, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_NOFOLLOW | O_CLOEXEC),
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	autoclose int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	int fd;

	if (rootfd < 0)
		return -errno;
	fd = (int)syscall(SYS_openat2, rootfd, *hpath ? hpath : ".", &how, sizeof(how));
	return fd < 0 ? -errno : fd;
}

/* The directory holding hpath's last component, and that component. */
static int open_parent(const char *root, const char *hpath, const char **name)
{
	const char *slash = strrchr(hpath, '/');
	g_autofree char *dir = slash ? g_strndup(hpath, (gsize)(slash - hpath)) : g_strdup("");

	*name = slash ? slash + 1 : hpath;
	return open_beneath(root, dir, O_PATH | O_DIRECTORY);
}

int host_lstat(const char *root, const char *hpath, struct stat *st)
{
	const char *name;
	autoclose int dirfd = open_parent(root, hpath, &name);

	if (dirfd < 0)
		return dirfd;
	return fstatat(dirfd, name, st, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
}

int host_readlink(const char *root, const char *hpath, char **out)
{
	const char *name;
	autoclose int dirfd = open_parent(root, hpath, &name);
	char buf[4096];
	ssize_t n;

	if (dirfd < 0)
		return dirfd;
	n = readlinkat(dirfd, name, buf, sizeof(buf) - 1);
	if (n < 0)
		return -errno;
	*out = g_strndup(buf, (gsize)n);
	return 0;
}

int host_read(const char *root, const char *hpath, char **out)
{
	autoclose int fd = open_beneath(root, hpath, O_RDONLY);

	if (fd < 0)
		return fd;
	return fd_read_all(fd, HOST_READ_MAX, out, NULL);
}

int host_open_write(const char *root, const char *hpath)
{
	return open_beneath(root, hpath, O_WRONLY);
}

int host_mkdir(const char *root, const char *hpath, mode_t mode)
{
	const char *name;
	autoclose int dirfd = open_parent(root, hpath, &name);

	if (dirfd < 0)
		return dirfd;
	return mkdirat(dirfd, name, mode) < 0 ? -errno : 0;
}

int host_rmdir(const char *root, const char *hpath)
{
	const char *name;
	autoclose int dirfd = open_parent(root, hpath, &name);

	if (dirfd < 0)
		return dirfd;
	return unlinkat(dirfd, name, AT_REMOVEDIR) < 0 ? -errno : 0;
}

static gint compare_entries(gconstpointer a, gconstpointer b)
{
	return strcmp((*(struct dirent *const *)a)->d_name, (*(struct dirent *const *)b)->d_name);
}

int host_list(const char *root, const char *hpath, GPtrArray *names, GArray *types)
{
	int fd = open_beneath(root, hpath, O_RDONLY | O_DIRECTORY);
	g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func(g_free);
	struct dirent *d;
	DIR *dir;

	if (fd < 0)
		return fd;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return -ENOMEM;
	}
	while ((d = readdir(dir))) {
		if (strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0)
			g_ptr_array_add(entries, g_memdup2(d, sizeof(*d)));
	}
	closedir(dir);
	g_ptr_array_sort(entries, compare_entries);
	for (guint i = 0; i < entries->len; i++) {
		struct dirent *e = entries->pdata[i];
		unsigned char type = e->d_type;

		g_ptr_array_add(names, g_strdup(e->d_name));
		if (types)
			g_array_append_val(types, type);
	}
	return 0;
}
