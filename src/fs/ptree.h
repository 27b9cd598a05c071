/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Pass-through nodes: what lies below a directory whose entries depend on
 * the reader (sys/devices/system/cpu): host files and directories shown
 * under a name of the view. A node is the pair (path in the view, host
 * path); its inode number is derived from both, so it is the same in every
 * worker and differs between two readers who see one name stand for two
 * host entries (a directory inode has one name in the kernel's cache).
 */

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

/* The top bit marks a pass-through inode; the table's use the low numbers. */
#define PT_INO_BIT (UINT64_C(1) << 63)

struct vnode;

struct pnode {
	uint64_t ino;
	char *vpath; /* in the view: "sys/devices/system/cpu/cpu0/topology" */
	char *hpath; /* below the host's sys root: "devices/system/cpu/cpu2/topology" */
	const struct vnode *root; /* the reader-dependent directory it is below */
};

struct ptree;
uint64_t ptree_ino(const char *vpath, const char *hpath);
/* A tree's numbers: ptree_ino's, or for a tree with a base (a view's slot,
 * views.h) the base in bits 32 to 62 and 32 bits of the same hash below.
 * t may be NULL (no base). */
#define PT_BASE_SHIFT 32
uint64_t ptree_ino_in(const struct ptree *t, const char *vpath, const char *hpath);
static inline bool ptree_is(uint64_t ino)
{
	return ino & PT_INO_BIT;
}

/* The nodes the kernel holds, counted by its lookups. Thread-safe. */
struct ptree;
struct ptree *ptree_new(void);
/* A tree whose numbers carry base (< 2^31) in their top bits. */
struct ptree *ptree_new_based(uint64_t base);
void ptree_free(struct ptree *t);
typedef struct ptree ptree;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ptree, ptree_free)
/* Log new nodes to, and look missing ones up in, a handover record
 * (node_log.h): what predecessors gave out stays known. root_of gives the
 * table's node of a logged root's number (vnode_by_ino), NULL for none. */
typedef const struct vnode *(*ptree_root_fn)(uint64_t ino);
void ptree_set_log(struct ptree *t, int record_fd, ptree_root_fn root_of);
/* One more lookup of (vpath, hpath); its inode number in *ino. -EIO when
 * another node has that number (a hash collision: never served as the
 * other node). */
int ptree_add(struct ptree *t, const char *vpath, const char *hpath, const struct vnode *root,
	      uint64_t *ino);
/* A copy of node ino (pnode_clear it); -ESTALE when neither the table nor
 * the log has it, and out is then empty (pnode_clear does nothing). */
int ptree_get(struct ptree *t, uint64_t ino, struct pnode *out);
void pnode_clear(struct pnode *n);
/* Whether ino is in the table now (the log is not looked at). */
bool ptree_has(struct ptree *t, uint64_t ino);
/* The kernel forgets n lookups of ino; true when the node is gone. */
bool ptree_forget(struct ptree *t, uint64_t ino, uint64_t n);
/* Every node of the tree, under its lock (fn must not call back). */
void ptree_each(struct ptree *t, void (*fn)(const struct pnode *n, void *data), void *data);
unsigned int ptree_size(struct ptree *t);
