/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * What the kernel's page cache of each inode may hold, as the daemon can
 * know it (docs/design.md, "Every way of reading"). Readers that splice or
 * map a file read through the inode's page cache, which stops at the
 * inode's size and is shared by every handle open on the inode, whichever
 * container opened it. Two facts are kept per inode:
 *
 * - the least size the kernel may hold: a LOOKUP's or GETATTR's attributes
 *   set it, a page-cache fill that ends short lowers it to its end, and a
 *   store raises it to the store's end. Kept low when unsure: too low costs
 *   a store, too high would cut a reader's text;
 * - which containers have it open (the host's pid namespace counts as one,
 *   NULL): a fill is allowed only for the one container that has it open.
 *
 * Not thread-safe: the caller serializes.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct pagecache;

struct pagecache *pagecache_new(void);
void pagecache_free(struct pagecache *pc);

/* Attributes told (a LOOKUP or GETATTR answered with size), or a fill that
 * ended short at size: the kernel holds no more than that. */
void pagecache_told(struct pagecache *pc, uint64_t ino, off_t size);
/* A store ended at end: the kernel holds at least that. */
void pagecache_stored(struct pagecache *pc, uint64_t ino, off_t end);
/* Whether a text of len bytes may be longer than the size the kernel
 * holds (then a splice would stop short of its end). */
bool pagecache_short(struct pagecache *pc, uint64_t ino, off_t len);
/* The kernel let go of ino. */
void pagecache_forget(struct pagecache *pc, uint64_t ino);

/* A handle of ino opens (or closes) for container (NULL: the host). */
void pagecache_open(struct pagecache *pc, uint64_t ino, const char *container);
void pagecache_close(struct pagecache *pc, uint64_t ino, const char *container);
/* Whether container's handle may fill ino's page cache: no other
 * container has ino open (and container has). */
bool pagecache_fill_allowed(struct pagecache *pc, uint64_t ino, const char *container);
