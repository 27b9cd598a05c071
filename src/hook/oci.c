/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "json.h"
#include "oci.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

/* A member that must be a string when present; NULL when absent. */
static int string_member(const struct json_value *o, const char *name, const char **out, char **why)
{
	const struct json_value *v = json_member(o, name);

	*out = NULL;
	if (!v)
		return 0;
	if (v->type != JSON_STRING)
		return fail_why(why, "\"%s\" is not a string", name);
	*out = v->text;
	return 0;
}

int oci_state_parse(const char *text, size_t len, struct oci_state *out, char **why)
{
	g_autoptr(json_value) o = NULL;
	const char *version, *id, *status, *bundle, *root;
	const struct json_value *pid, *ann;

	memset(out, 0, sizeof(*out));
	*why = NULL;
	if (json_parse_object(text, len, &o, why) < 0)
		return -EINVAL;
	if (string_member(o, "ociVersion", &version, why) < 0 ||
	    string_member(o, "id", &id, why) < 0 || string_member(o, "status", &status, why) < 0 ||
	    string_member(o, "bundle", &bundle, why) < 0 ||
	    string_member(o, "root", &root, why) < 0)
		return -EINVAL;
	if (!version)
		return fail_why(why, "no \"ociVersion\"");
	if (!id || !*id)
		return fail_why(why, "no \"id\"");
	if (!status)
		return fail_why(why, "no \"status\"");
	if (!bundle || !g_path_is_absolute(bundle))
		return fail_why(why, "\"bundle\" is not an absolute path");
	if (root && !g_path_is_absolute(root))
		return fail_why(why, "\"root\" is not an absolute path");
	pid = json_member(o, "pid");
	if (pid) {
		int64_t v = 0;
		int r = json_int64(pid, &v);

		if (r == -EINVAL)
			return fail_why(why, "\"pid\" is not an integer");
		if (r < 0 || v <= 0 || v > INT_MAX)
			return fail_why(why, "\"pid\" %s is out of range", pid->text);
		out->pid = (pid_t)v;
	}
	out->id = g_strdup(id);
	out->status = g_strdup(status);
	out->bundle = g_strdup(bundle);
	out->root = g_strdup(root);
	/* runtime-spec config.md: values are strings; others are left out. */
	ann = json_member(o, "annotations");
	if (ann && ann->type == JSON_OBJECT) {
		out->annotations = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
		for (guint i = 0; i < ann->items->len; i++) {
			const struct json_member *m = g_ptr_array_index(ann->items, i);

			if (m->value->type == JSON_STRING)
				g_hash_table_replace(out->annotations, g_strdup(m->name),
						     g_strdup(m->value->text));
		}
	}
	return 0;
}

const char *oci_state_annotation(const struct oci_state *s, const char *name)
{
	return s->annotations ? g_hash_table_lookup(s->annotations, name) : NULL;
}

void oci_state_clear(struct oci_state *s)
{
	g_clear_pointer(&s->id, g_free);
	g_clear_pointer(&s->status, g_free);
	g_clear_pointer(&s->bundle, g_free);
	g_clear_pointer(&s->root, g_free);
	g_clear_pointer(&s->annotations, g_hash_table_unref);
	s->pid = 0;
}

int oci_config_rootfs(const char *text, size_t len, const char *bundle, char **rootfs, char **why)
{
	g_autoptr(json_value) o = NULL;
	const struct json_value *root;
	const char *path;

	*rootfs = NULL;
	*why = NULL;
	if (json_parse_object(text, len, &o, why) < 0)
		return -EINVAL;
	root = json_member(o, "root");
	if (!root || root->type != JSON_OBJECT)
		return fail_why(why, "no \"root\" object");
	if (string_member(root, "path", &path, why) < 0)
		return -EINVAL;
	if (!path || !*path)
		return fail_why(why, "no \"root.path\"");
	*rootfs = g_path_is_absolute(path) ? g_strdup(path) : g_build_filename(bundle, path, NULL);
	return 0;
}
