/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "node.h"
#include "node_log.h"
#include "ptree.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

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
	uint64_t base;
	GMutex lock;
	GHashTable *nodes; /* &entry.node.ino -> struct entry */
	int log_fd; /* a handover record, or -1 */
	ptree_root_fn root_of;
};

uint64_t ptree_ino_in(const struct ptree *t, const char *vpath, const char *hpath)
{
	uint64_t ino = ptree_ino(vpath, hpath);

	if (!t || !t->base)
		return ino;
	return PT_INO_BIT | t->base << PT_BASE_SHIFT | (ino & ((UINT64_C(1) << PT_BASE_SHIFT) - 1));
}

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

struct ptree *ptree_new_based(uint64_t base)
{
	struct ptree *t = ptree_new();

	t->base = base;
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
	uint64_t key = ptree_ino_in(t, vpath, hpath);
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
	if (!root || !root->dyn || ptree_ino_in(t, vpath, hpath) != ino)
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

bool ptree_has(struct ptree *t, uint64_t ino)
{
	bool has;

	g_mutex_lock(&t->lock);
	has = g_hash_table_contains(t->nodes, &ino);
	g_mutex_unlock(&t->lock);
	return has;
}

bool ptree_forget(struct ptree *t, uint64_t ino, uint64_t n)
{
	struct entry *e;
	bool gone = false;

	g_mutex_lock(&t->lock);
	e = g_hash_table_lookup(t->nodes, &ino);
	/* Lookups a predecessor answered are counted by the kernel, not here:
	 * a count that runs out early only means a lookup adds the node again. */
	if (e && e->nlookup <= n)
		gone = g_hash_table_remove(t->nodes, &ino);
	else if (e)
		e->nlookup -= n;
	g_mutex_unlock(&t->lock);
	return gone;
}

void ptree_each(struct ptree *t, void (*fn)(const struct pnode *n, void *data), void *data)
{
	GHashTableIter it;
	gpointer e;

	g_mutex_lock(&t->lock);
	g_hash_table_iter_init(&it, t->nodes);
	while (g_hash_table_iter_next(&it, NULL, &e))
		fn(&((struct entry *)e)->node, data);
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
