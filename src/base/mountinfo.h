/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* One line of /proc/PID/mountinfo (Documentation/filesystems/proc.rst 3.5),
 * with the escapes undone. */
struct mountinfo_entry {
	unsigned int id; /* field 1 */
	unsigned int parent; /* field 2: the mount it is on (itself for the root) */
	char *dev; /* field 3: "MAJ:MIN" of the filesystem */
	char *root; /* field 4: the mounted directory, from its filesystem's root */
	char *mountpoint; /* field 5 */
	char *mount_opts; /* field 6: the mount's own ("ro,nosuid,...") */
	char *fstype; /* after " - ": "cgroup2", "fuse.lensfs" */
	char *super_opts; /* the superblock options ("" when absent) */
};

/* -EINVAL for a line that is not a mountinfo line. */
int mountinfo_entry_parse(const char *line, struct mountinfo_entry *e);
void mountinfo_entry_clear(struct mountinfo_entry *e);
/* The last mount on path in a mountinfo text (the one a lookup reaches):
 * 0 and *e filled (clear it), or -ENOENT when nothing is mounted there. */
int mountinfo_entry_at(const char *mountinfo, const char *path, struct mountinfo_entry *e);
/* Its filesystem type, or NULL when nothing is mounted there. Free it. */
char *mountinfo_fstype_at(const char *mountinfo, const char *path);
