/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "mountinfo.h"

#include <errno.h>
#include <glib.h>
#include <string.h>

/* mountinfo escapes blanks and backslashes as \ooo (fs/proc_namespace.c, mangle). */
static char *unescape(const char *s)
{
	GString *out = g_string_sized_new(strlen(s));

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			g_string_append_c(
				out, (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0')));
			s += 4;
		} else {
			g_string_append_c(out, *s++);
		}
	}
	return g_string_free(out, FALSE);
}

int mountinfo_entry_parse(const char *line, struct mountinfo_entry *e)
{
	g_auto(GStrv) f = g_strsplit(line, " ", -1);
	guint n = g_strv_length(f), sep;
	guint64 id, parent;

	memset(e, 0, sizeof(*e));
	/* Six fixed fields, optional fields, "-", then type, source, options. */
	for (sep = 6; sep < n && strcmp(f[sep], "-") != 0; sep++)
		;
	if (n < 7 || sep + 2 >= n ||
	    !g_ascii_string_to_unsigned(f[0], 10, 0, G_MAXUINT, &id, NULL) ||
	    !g_ascii_string_to_unsigned(f[1], 10, 0, G_MAXUINT, &parent, NULL))
		return -EINVAL;
	e->id = (unsigned int)id;
	e->parent = (unsigned int)parent;
	e->dev = g_strdup(f[2]);
	e->root = unescape(f[3]);
	e->mountpoint = unescape(f[4]);
	e->mount_opts = g_strdup(f[5]);
	e->fstype = unescape(f[sep + 1]);
	e->super_opts = g_strdup(sep + 3 < n ? f[sep + 3] : "");
	return 0;
}

void mountinfo_entry_clear(struct mountinfo_entry *e)
{
	g_clear_pointer(&e->dev, g_free);
	g_clear_pointer(&e->root, g_free);
	g_clear_pointer(&e->mount_opts, g_free);
	g_clear_pointer(&e->mountpoint, g_free);
	g_clear_pointer(&e->fstype, g_free);
	g_clear_pointer(&e->super_opts, g_free);
}

int mountinfo_entry_at(const char *mountinfo, const char *path, struct mountinfo_entry *e)
{
	g_auto(GStrv) lines = g_strsplit(mountinfo, "\n", -1);
	int r = -ENOENT;

	memset(e, 0, sizeof(*e));
	for (char **l = lines; *l; l++) {
		struct mountinfo_entry one;

		if (mountinfo_entry_parse(*l, &one) < 0)
			continue;
		if (strcmp(one.mountpoint, path) == 0) {
			mountinfo_entry_clear(e);
			*e = one;
			r = 0;
		} else {
			mountinfo_entry_clear(&one);
		}
	}
	return r;
}

char *mountinfo_fstype_at(const char *mountinfo, const char *path)
{
	struct mountinfo_entry e;
	char *fstype;

	if (mountinfo_entry_at(mountinfo, path, &e) < 0)
		return NULL;
	fstype = g_steal_pointer(&e.fstype);
	mountinfo_entry_clear(&e);
	return fstype;
}
