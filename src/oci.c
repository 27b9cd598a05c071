/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "oci.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <limits.h>

static int fail(char **why, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static int fail(char **why, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	*why = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* The top-level object of a JSON document, or NULL with *why set. */
static JsonObject *parse_object(JsonParser *parser, const char *text, size_t len, char **why)
{
	g_autoptr(GError) err = NULL;
	JsonNode *root;

	if (len > G_MAXSSIZE || !json_parser_load_from_data(parser, text, (gssize)len, &err)) {
		fail(why, "not JSON: %s", err ? err->message : "too long");
		return NULL;
	}
	root = json_parser_get_root(parser);
	if (!root) {
		fail(why, "not JSON: empty");
		return NULL;
	}
	if (!JSON_NODE_HOLDS_OBJECT(root)) {
		fail(why, "not a JSON object");
		return NULL;
	}
	return json_node_get_object(root);
}

/* A member that must be a string when present; NULL when absent. */
static int string_member(JsonObject *o, const char *name, const char **out, char **why)
{
	JsonNode *n = json_object_get_member(o, name);

	*out = NULL;
	if (!n)
		return 0;
	if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
		return fail(why, "\"%s\" is not a string", name);
	*out = json_node_get_string(n);
	return 0;
}

int oci_state_parse(const char *text, size_t len, struct oci_state *out, char **why)
{
	g_autoptr(JsonParser) parser = json_parser_new_immutable();
	const char *version, *id, *status, *bundle, *root;
	JsonObject *o;
	JsonNode *pid;

	memset(out, 0, sizeof(*out));
	*why = NULL;
	o = parse_object(parser, text, len, why);
	if (!o)
		return -EINVAL;
	if (string_member(o, "ociVersion", &version, why) < 0 ||
	    string_member(o, "id", &id, why) < 0 || string_member(o, "status", &status, why) < 0 ||
	    string_member(o, "bundle", &bundle, why) < 0 ||
	    string_member(o, "root", &root, why) < 0)
		return -EINVAL;
	if (!version)
		return fail(why, "no \"ociVersion\"");
	if (!id || !*id)
		return fail(why, "no \"id\"");
	if (!status)
		return fail(why, "no \"status\"");
	if (!bundle || !g_path_is_absolute(bundle))
		return fail(why, "\"bundle\" is not an absolute path");
	if (root && !g_path_is_absolute(root))
		return fail(why, "\"root\" is not an absolute path");
	pid = json_object_get_member(o, "pid");
	if (pid) {
		gint64 v;

		if (!JSON_NODE_HOLDS_VALUE(pid) || json_node_get_value_type(pid) != G_TYPE_INT64)
			return fail(why, "\"pid\" is not an integer");
		v = json_node_get_int(pid);
		if (v <= 0 || v > INT_MAX)
			return fail(why, "\"pid\" %" G_GINT64_FORMAT " is out of range", v);
		out->pid = (pid_t)v;
	}
	out->id = g_strdup(id);
	out->status = g_strdup(status);
	out->bundle = g_strdup(bundle);
	out->root = g_strdup(root);
	return 0;
}

void oci_state_clear(struct oci_state *s)
{
	g_clear_pointer(&s->id, g_free);
	g_clear_pointer(&s->status, g_free);
	g_clear_pointer(&s->bundle, g_free);
	g_clear_pointer(&s->root, g_free);
	s->pid = 0;
}

int oci_config_rootfs(const char *text, size_t len, const char *bundle, char **rootfs, char **why)
{
	g_autoptr(JsonParser) parser = json_parser_new_immutable();
	const char *path;
	JsonObject *o;
	JsonNode *root;

	*rootfs = NULL;
	*why = NULL;
	o = parse_object(parser, text, len, why);
	if (!o)
		return -EINVAL;
	root = json_object_get_member(o, "root");
	if (!root || !JSON_NODE_HOLDS_OBJECT(root))
		return fail(why, "no \"root\" object");
	if (string_member(json_node_get_object(root), "path", &path, why) < 0)
		return -EINVAL;
	if (!path || !*path)
		return fail(why, "no \"root.path\"");
	*rootfs = g_path_is_absolute(path) ? g_strdup(path) : g_build_filename(bundle, path, NULL);
	return 0;
}
