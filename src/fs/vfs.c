/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The table's nodes have fixed inode numbers and attributes. Below a
 * reader-dependent directory (vnode.dyn), each name is resolved for the
 * caller to a host entry and becomes a pass-through node (ptree.h): the
 * kernel must ask again every time (entry timeout 0), for the next caller
 * may see another host entry under the same name. Below a pass-through
 * directory, names are the host's, whoever asks.
 */
#include "config.h"

#include "vfs.h"
#include "host.h"

#include "caps.h"
#include "lanes.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

void vfs_caller_clear(struct vfs_caller *c)
{
	if (c->resolved)
		viewer_clear(&c->own);
	c->resolved = false;
}

int vfs_caller_viewer(struct lensfs_ctx *ctx, struct vfs_caller *c, const struct viewer **v)
{
	if (c->given) {
		*v = c->given;
		return 0;
	}
	if (!c->resolved) {
		int r = c->peek ? viewer_peek_pid(ctx, c->pid, &c->own)
				: viewer_of_pid(ctx, c->pid, &c->own);

		c->resolved = true;
		if (r < 0)
			return r;
	}
	*v = &c->own;
	return 0;
}

/* Node ino, which c holds, if it is in c's view: one another reader looked
 * up and c got hold of (a passed descriptor, a file handle) is not. On
 * failure p is empty. */
static int readable_node(struct lensfs_ctx *ctx, struct ptree *t, struct vfs_caller *c,
			 uint64_t ino, struct pnode *p)
{
	const struct viewer *v;
	int r = ptree_get(t, ino, p);

	if (r < 0 || !p->root->dyn->may_read)
		return r;
	r = vfs_caller_viewer(ctx, c, &v);
	if (r == 0)
		r = p->root->dyn->may_read(ctx, v, p);
	if (r < 0)
		pnode_clear(p);
	return r;
}

/* A name a directory can hold: not ".", "..", empty, or with a slash. */
static int name_check(const char *name)
{
	if (!*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || strchr(name, '/'))
		return -ENOENT;
	return strlen(name) > NAME_MAX ? -ENAMETOOLONG : 0;
}

static void host_attr(const struct stat *host, uint64_t ino, struct stat *st)
{
	*st = *host;
	st->st_ino = ino;
	st->st_dev = 0;
}

/* The pass-through node (vpath, hpath) below root, numbered by t, and
 * counted there when count is set. */
static int pass_entry(struct lensfs_ctx *ctx, struct ptree *t, bool count, const struct vnode *root,
		      const char *vpath, const char *hpath, struct vfs_entry *out)
{
	struct stat host;
	int r = host_lstat(ctx->sys_root, hpath, &host);

	if (r < 0)
		return r == -ELOOP || r == -EXDEV ? -ENOENT : r;
	out->ino = ptree_ino_in(t, vpath, hpath);
	if (t && count) {
		r = ptree_add(t, vpath, hpath, root, &out->ino);
		if (r < 0)
			return r;
	}
	host_attr(&host, out->ino, &out->st);
	out->attr_timeout = VFS_HOST_TIMEOUT;
	return 0;
}

static int lookup_dyn(struct lensfs_ctx *ctx, struct ptree *t, bool count, struct vfs_caller *c,
		      const struct vnode *dir, const char *name, struct vfs_entry *out)
{
	g_autofree char *hpath = NULL, *vpath = NULL;
	const struct viewer *v;
	int r = vfs_caller_viewer(ctx, c, &v);

	if (r < 0)
		return r;
	r = dir->dyn->resolve(ctx, v, name, &hpath);
	if (r < 0)
		return r;
	vpath = g_strconcat(dir->path, "/", name, NULL);
	return pass_entry(ctx, t, count, dir, vpath, hpath, out);
}

int vfs_lookup(struct lensfs_ctx *ctx, struct ptree *t, struct vfs_caller *c, uint64_t parent,
	       const char *name, struct vfs_entry *out)
{
	const struct vnode *dir = vnode_by_ino(parent), *n;
	int r;

	memset(out, 0, sizeof(*out));
	out->entry_timeout = VFS_FIXED_TIMEOUT;
	if (dir) {
		n = vnode_lookup(parent, name);
		if (n) {
			out->ino = n->ino;
			out->attr_timeout = n->view ? 0 : VFS_FIXED_TIMEOUT;
			vnode_stat(n, &out->st);
			return 0;
		}
		if (!dir->dyn)
			return S_ISDIR(dir->mode) ? -ENOENT : -ENOTDIR;
		out->entry_timeout = 0;
		r = name_check(name);
		return r < 0 ? r : lookup_dyn(ctx, t, true, c, dir, name, out);
	}
	if (!ptree_is(parent) || !t)
		return -ENOENT;
	struct pnode p = { 0 };
	g_autofree char *vpath = NULL, *hpath = NULL;

	out->entry_timeout = VFS_HOST_TIMEOUT;
	r = name_check(name);
	if (r < 0)
		return r;
	r = readable_node(ctx, t, c, parent, &p);
	if (r < 0)
		return r;
	vpath = g_strconcat(p.vpath, "/", name, NULL);
	hpath = g_strconcat(p.hpath, "/", name, NULL);
	if (p.root->dyn->hides && p.root->dyn->hides(hpath))
		r = -ENOENT;
	else
		r = pass_entry(ctx, t, true, p.root, vpath, hpath, out);
	pnode_clear(&p);
	return r;
}

int vfs_getattr(struct lensfs_ctx *ctx, struct ptree *t, uint64_t ino, struct stat *st,
		double *timeout)
{
	const struct vnode *n = vnode_by_ino(ino);
	struct stat host;
	struct pnode p = { 0 };
	int r;

	if (n) {
		vnode_stat(n, st);
		*timeout = VFS_FIXED_TIMEOUT;
		return 0;
	}
	if (!ptree_is(ino))
		return -ENOENT;
	r = ptree_get(t, ino, &p);
	if (r < 0)
		return r;
	r = host_lstat(ctx->sys_root, p.hpath, &host);
	pnode_clear(&p);
	if (r < 0)
		return r;
	host_attr(&host, ino, st);
	*timeout = VFS_HOST_TIMEOUT;
	return 0;
}

int vfs_readlink(struct lensfs_ctx *ctx, struct ptree *t, struct vfs_caller *c, uint64_t ino,
		 char **out)
{
	struct pnode p = { 0 };
	int r;

	if (vnode_by_ino(ino))
		return -EINVAL;
	r = readable_node(ctx, t, c, ino, &p);
	if (r == 0)
		r = host_readlink(ctx->sys_root, p.hpath, out);
	pnode_clear(&p);
	return r;
}

int vfs_is_dir(struct ptree *t, uint64_t ino)
{
	const struct vnode *n = vnode_by_ino(ino);
	struct pnode p = { 0 };
	int r;

	if (n)
		return S_ISDIR(n->mode);
	if (!ptree_is(ino))
		return -ENOENT;
	r = ptree_get(t, ino, &p);
	if (r < 0)
		return r;
	pnode_clear(&p);
	/* The host tells at readdir; a file gives ENOTDIR there. */
	return 1;
}

static void dirent_clear(gpointer p)
{
	g_free(((struct vfs_dirent *)p)->name);
}

GArray *vfs_dirents_new(void)
{
	GArray *list = g_array_new(FALSE, FALSE, sizeof(struct vfs_dirent));

	g_array_set_clear_func(list, dirent_clear);
	return list;
}

void vfs_dirents_add(GArray *list, const char *name, uint64_t ino, mode_t type)
{
	struct vfs_dirent d = { g_strdup(name), ino, type };

	g_array_append_val(list, d);
}

/* The table's children of dir, then the reader's (dyn), each once. */
static int list_fixed(struct lensfs_ctx *ctx, struct ptree *t, struct vfs_caller *c,
		      const struct vnode *dir, GArray *list)
{
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	const struct vnode *n;
	const struct viewer *v;
	int r;

	vfs_dirents_add(list, ".", dir->ino, S_IFDIR);
	vfs_dirents_add(list, "..", dir->parent, S_IFDIR);
	for (unsigned int i = 0; (n = vnode_child(dir->ino, i)); i++)
		vfs_dirents_add(list, n->name, n->ino, n->mode & S_IFMT);
	if (!dir->dyn)
		return 0;
	r = vfs_caller_viewer(ctx, c, &v);
	if (r < 0)
		return r;
	r = dir->dyn->list(ctx, v, names);
	for (guint i = 0; r == 0 && i < names->len; i++) {
		struct vfs_entry e;

		if (vnode_lookup(dir->ino, names->pdata[i]))
			continue;
		/* An entry gone since the listing is left out. */
		if (lookup_dyn(ctx, t, false, c, dir, names->pdata[i], &e) == 0)
			vfs_dirents_add(list, names->pdata[i], e.ino, e.st.st_mode & S_IFMT);
	}
	return r;
}

static int list_host(struct lensfs_ctx *ctx, struct ptree *t, struct vfs_caller *c, uint64_t ino,
		     GArray *list)
{
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GArray) types = g_array_new(FALSE, FALSE, sizeof(unsigned char));
	struct pnode p = { 0 };
	int r = readable_node(ctx, t, c, ino, &p);

	if (r == 0)
		r = host_list(ctx->sys_root, p.hpath, names, types);
	if (r == 0) {
		vfs_dirents_add(list, ".", ino, S_IFDIR);
		/* The parent's number is not needed by the kernel: it asks with
		 * a lookup of "..", which FUSE answers itself. */
		vfs_dirents_add(list, "..", ino, S_IFDIR);
	}
	for (guint i = 0; r == 0 && i < names->len; i++) {
		g_autofree char *vpath = g_strconcat(p.vpath, "/", names->pdata[i], NULL);
		g_autofree char *hpath = g_strconcat(p.hpath, "/", names->pdata[i], NULL);
		unsigned char type = g_array_index(types, unsigned char, i);

		if (p.root->dyn->hides && p.root->dyn->hides(hpath))
			continue;
		vfs_dirents_add(list, names->pdata[i], ptree_ino_in(t, vpath, hpath), DTTOIF(type));
	}
	pnode_clear(&p);
	return r == -ELOOP ? -ENOTDIR : r;
}

int vfs_list(struct lensfs_ctx *ctx, struct ptree *t, struct vfs_caller *c, uint64_t ino,
	     GArray **out)
{
	const struct vnode *dir = vnode_by_ino(ino);
	g_autoptr(GArray) list = vfs_dirents_new();
	int r;

	if (dir && !S_ISDIR(dir->mode))
		return -ENOTDIR;
	if (dir)
		r = list_fixed(ctx, t, c, dir, list);
	else if (ptree_is(ino))
		r = list_host(ctx, t, c, ino, list);
	else
		r = -ENOENT;
	if (r == 0)
		*out = g_steal_pointer(&list);
	return r;
}

static int render_host(struct lensfs_ctx *ctx, struct ptree *t, struct vfs_caller *c, uint64_t ino,
		       GString *out)
{
	g_autofree char *text = NULL;
	const struct viewer *v = NULL;
	struct pnode p = { 0 };
	/* The host's answer, as it is: a write-only cgroup file's EINVAL too. */
	int r = readable_node(ctx, t, c, ino, &p);

	if (r == 0)
		r = vfs_caller_viewer(ctx, c, &v);
	/* Before the host's text is even read. */
	if (r == 0 && p.root->dyn->costly && lanes_on_serving_thread() &&
	    p.root->dyn->costly(v, &p))
		r = -EWOULDBLOCK;
	if (r == 0)
		r = host_read(ctx->sys_root, p.hpath, &text);
	if (r < 0) {
		pnode_clear(&p);
		return r == -ELOOP ? -ENOENT : r;
	}
	r = p.root->dyn->read(ctx, v, &p, text, out);
	pnode_clear(&p);
	/* A host text lensfs cannot show (a CPU list that does not parse):
	 * not the reader's doing. */
	return r == -EINVAL ? -EBADMSG : r;
}

int vfs_render(struct lensfs_ctx *ctx, struct ptree *t, struct vfs_caller *c, uint64_t ino,
	       GString *out)
{
	const struct vnode *n = vnode_by_ino(ino);

	if (!n)
		return ptree_is(ino) ? render_host(ctx, t, c, ino, out) : -ENOENT;
	if (S_ISDIR(n->mode))
		return -EISDIR;
	if (c->given)
		return vnode_render(ctx, n, c->given, out);
	vfs_caller_clear(c);
	c->resolved = true;
	return vnode_render_for_pid(ctx, n, c->pid, c->peek ? viewer_peek_pid : viewer_of_pid,
				    &c->own, out);
}

/* The pass-through node ino, its writable directory's ops, and c's view. */
static int writable_node(struct lensfs_ctx *ctx, struct ptree *t, struct vfs_caller *c,
			 uint64_t ino, struct pnode *p, const struct viewer **v)
{
	int r;

	memset(p, 0, sizeof(*p));
	if (!ptree_is(ino))
		return vnode_by_ino(ino) ? -EACCES : -ENOENT;
	r = ptree_get(t, ino, p);
	if (r < 0)
		return r;
	if (!p->root->dyn->may_write)
		r = -EACCES;
	if (r == 0)
		r = vfs_caller_viewer(ctx, c, v);
	if (r == 0)
		r = p->root->dyn->may_write(ctx, *v, p);
	if (r < 0)
		pnode_clear(p);
	return r;
}

int vfs_may_write(struct lensfs_ctx *ctx, struct ptree *t, struct vfs_caller *c, uint64_t ino)
{
	const struct viewer *v;
	struct pnode p = { 0 };
	int r = writable_node(ctx, t, c, ino, &p, &v);

	pnode_clear(&p);
	return r;
}

/*
 * What is written for a reader is opened, made and removed with no
 * effective capability (this thread's only; caps.h), and the write(2)
 * itself made so by the directory's write op: what the kernel then allows
 * is what the daemon's uid allows, on top of the reader's own rights, which
 * it checked against the host's owners and modes (default_permissions). A
 * capability the daemon keeps for itself (CAP_SYS_ADMIN, which
 * devices.allow and others check) never serves a reader's write.
 */
static int open_without_caps(struct lensfs_ctx *ctx, const char *hpath)
{
	int r = caps_thread_effective(false);
	int fd = r < 0 ? r : host_open_write(ctx->sys_root, hpath);

	caps_thread_effective(true);
	return fd;
}

ssize_t vfs_write(struct lensfs_ctx *ctx, struct ptree *t, struct vfs_caller *c, uint64_t ino,
		  const char *buf, size_t len)
{
	const struct viewer *v;
	struct pnode p = { 0 };
	ssize_t r = writable_node(ctx, t, c, ino, &p, &v);
	int fd;

	if (r < 0)
		return r;
	fd = open_without_caps(ctx, p.hpath);
	if (fd >= 0) {
		r = p.root->dyn->write(ctx, v, &p, fd, buf, len);
		close(fd);
	} else {
		r = fd == -ELOOP ? -EACCES : fd;
	}
	pnode_clear(&p);
	return r;
}

/* Where name in directory parent is on the host, for mkdir and rmdir. */
static int dir_target(struct lensfs_ctx *ctx, struct ptree *t, struct vfs_caller *c,
		      uint64_t parent, const char *name, const struct vnode **root, char **vpath,
		      char **hpath)
{
	const struct vnode *dir = vnode_by_ino(parent);
	const struct viewer *v;
	struct pnode p = { 0 };
	int r = name_check(name);

	if (r < 0)
		return r == -ENOENT ? -EINVAL : r;
	if (dir) {
		if (!dir->dyn || !dir->dyn->may_mkdir)
			return -EACCES;
		r = vfs_caller_viewer(ctx, c, &v);
		if (r == 0)
			r = dir->dyn->resolve(ctx, v, name, hpath);
		if (r < 0)
			return r == -ENOENT ? -EPERM : r;
		*root = dir;
		*vpath = g_strconcat(dir->path, "/", name, NULL);
	} else {
		if (!ptree_is(parent))
			return -ENOENT;
		r = ptree_get(t, parent, &p);
		if (r < 0)
			return r;
		*root = p.root;
		*vpath = g_strconcat(p.vpath, "/", name, NULL);
		*hpath = g_strconcat(p.hpath, "/", name, NULL);
		pnode_clear(&p);
		if (!(*root)->dyn->may_mkdir)
			return -EACCES;
		r = vfs_caller_viewer(ctx, c, &v);
	}
	if (r == 0)
		r = (*root)->dyn->may_mkdir(ctx, v, *hpath);
	return r;
}

int vfs_mkdir(struct lensfs_ctx *ctx, struct ptree *t, struct vfs_caller *c, uint64_t parent,
	      const char *name, mode_t mode, struct vfs_entry *out)
{
	g_autofree char *vpath = NULL, *hpath = NULL;
	const struct vnode *root = NULL;
	int r = dir_target(ctx, t, c, parent, name, &root, &vpath, &hpath);

	memset(out, 0, sizeof(*out));
	if (r == 0)
		r = caps_thread_effective(false);
	if (r == 0) {
		r = host_mkdir(ctx->sys_root, hpath, mode & 07777);
		caps_thread_effective(true);
	}
	if (r == 0)
		r = pass_entry(ctx, t, true, root, vpath, hpath, out);
	out->entry_timeout = vnode_by_ino(parent) ? 0 : VFS_HOST_TIMEOUT;
	return r;
}

int vfs_rmdir(struct lensfs_ctx *ctx, struct ptree *t, struct vfs_caller *c, uint64_t parent,
	      const char *name)
{
	g_autofree char *vpath = NULL, *hpath = NULL;
	const struct vnode *root = NULL;
	int r = dir_target(ctx, t, c, parent, name, &root, &vpath, &hpath);

	if (r == 0)
		r = caps_thread_effective(false);
	if (r == 0) {
		r = host_rmdir(ctx->sys_root, hpath);
		caps_thread_effective(true);
	}
	return r;
}
