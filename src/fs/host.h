/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The host entries the pass-through nodes (ptree.h) stand for. */

#include <glib.h>
#include <sys/stat.h>
#include <sys/types.h>

/* Host side, below root (a directory: the sys root), never following a
 * symlink on the way (RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS); the last
 * component's own attributes, not its target's. */
int host_lstat(const char *root, const char *hpath, struct stat *st);
int host_readlink(const char *root, const char *hpath, char **out);
/* A regular file's text, up to 1 MiB. */
int host_read(const char *root, const char *hpath, char **out);
/* The same ways: a file opened for writing (its descriptor), a directory
 * made or removed. */
int host_open_write(const char *root, const char *hpath);
int host_mkdir(const char *root, const char *hpath, mode_t mode);
int host_rmdir(const char *root, const char *hpath);
/* A directory's names, sorted, without "." and ".."; type[i] its d_type. */
int host_list(const char *root, const char *hpath, GPtrArray *names, GArray *types);
