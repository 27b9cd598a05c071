/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A strict RFC 8259 JSON reader for the small documents lensfs-hook reads
 * (an OCI state, a config.json). json-glib would do, but it loads GIO and
 * its dependencies into every container start: 1.5 ms of the hook's 2 ms
 * budget (docs/performance.md).
 *
 * Strings are unescaped UTF-8 (invalid UTF-8, raw control characters and
 * \u0000 are refused); numbers keep their text; nesting is limited to
 * JSON_MAX_DEPTH, so a hostile document cannot exhaust the stack.
 *
 * The writer gives a tree back as text (lensfs-hook seccomp-profile): what
 * it writes reads back as the same tree, members in their order, numbers
 * as their literal.
 */

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#define JSON_MAX_DEPTH 64

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json_value {
	enum json_type type;
	char *text; /* STRING: the value; NUMBER: the literal; BOOL: "true"/"false" */
	GPtrArray *items; /* ARRAY: struct json_value; OBJECT: struct json_member */
};

struct json_member {
	char *name;
	struct json_value *value;
};

/* -EINVAL with *why set (free it) on anything that is not one JSON value. */
int json_parse(const char *text, size_t len, struct json_value **out, char **why);
/* The same, for a document that must be an object (a state, a config, a
 * profile): -EINVAL with *why set ("not JSON: ...", "not a JSON object"). */
int json_parse_object(const char *text, size_t len, struct json_value **out, char **why);
void json_value_free(struct json_value *v);
typedef struct json_value json_value;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(json_value, json_value_free)

/* An object's member (the last one, if the name repeats), or NULL. */
const struct json_value *json_member(const struct json_value *object, const char *name);
/* An integer number (no fraction, no exponent) that fits in int64: 0, else
 * -EINVAL (not an integer) or -ERANGE. */
int json_int64(const struct json_value *v, int64_t *out);

/* Appends v as JSON text: one member or item a line, indented by two
 * spaces a level (jq's layout), no newline at the end. Strings are escaped
 * as RFC 8259 requires ('"', '\\' and control characters), the rest of
 * their UTF-8 kept as it is; they must be valid UTF-8, as json_parse makes
 * them. */
void json_write(const struct json_value *v, GString *out);
