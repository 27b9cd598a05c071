/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lensfs-hook seccomp-profile: the JSON writer (what it writes reads back
 * as the same tree). */
#include "config.h"

#include "fixture.h"

#include "json.h"

static struct json_value *parse(const char *text)
{
	g_autofree char *why = NULL;
	struct json_value *v = NULL;

	if (json_parse(text, strlen(text), &v, &why) < 0)
		fail_msg("'%s': %s", text, why);
	return v;
}

static char *write_text(const struct json_value *v)
{
	GString *out = g_string_new(NULL);

	json_write(v, out);
	return g_string_free(out, FALSE);
}

static bool same_tree(const struct json_value *a, const struct json_value *b)
{
	if (a->type != b->type || g_strcmp0(a->text, b->text) != 0)
		return false;
	if (a->type != JSON_ARRAY && a->type != JSON_OBJECT)
		return true;
	if (a->items->len != b->items->len)
		return false;
	for (guint i = 0; i < a->items->len; i++) {
		const void *x = g_ptr_array_index(a->items, i), *y = g_ptr_array_index(b->items, i);

		if (a->type == JSON_OBJECT) {
			const struct json_member *m = x, *n = y;

			if (strcmp(m->name, n->name) != 0 || !same_tree(m->value, n->value))
				return false;
		} else if (!same_tree(x, y)) {
			return false;
		}
	}
	return true;
}

/* parse, write, parse: the same tree, and the same text written again. */
static void round_trip(const char *text)
{
	g_autoptr(json_value) v = parse(text), again = NULL;
	g_autofree char *written = write_text(v), *rewritten = NULL;

	again = parse(written);
	if (!same_tree(v, again))
		fail_msg("'%s' wrote '%s', which reads back otherwise", text, written);
	rewritten = write_text(again);
	assert_string_equal(rewritten, written);
}

static void test_write(void **state)
{
	g_autoptr(json_value) v =
		parse(" {\"a\" : [1, -2.5e3, 1E+2, true, false, null, {}, []], \"o\": {\"x\": "
		      "{\"y\": 0}}, \"e\": \"\", \"a\": 7}");
	g_autofree char *text = write_text(v);

	/* Numbers as they were written; a repeated name kept, in its place. */
	assert_string_equal(text, "{\n"
				  "  \"a\": [\n"
				  "    1,\n"
				  "    -2.5e3,\n"
				  "    1E+2,\n"
				  "    true,\n"
				  "    false,\n"
				  "    null,\n"
				  "    {},\n"
				  "    []\n"
				  "  ],\n"
				  "  \"o\": {\n"
				  "    \"x\": {\n"
				  "      \"y\": 0\n"
				  "    }\n"
				  "  },\n"
				  "  \"e\": \"\",\n"
				  "  \"a\": 7\n"
				  "}");
	round_trip("{\"a\" : [1, -2.5e3, true, null, {}, []], \"a\": 7}");
	round_trip("\"just a string\"");
	round_trip("-0.5");
	round_trip("[[[[]]], {\"\": {\"\": null}}]");
}

static void test_write_escapes(void **state)
{
	/* Quote, backslash, the short escapes, other control characters as
	 * \u00XX; DEL, "/", and UTF-8 beyond ASCII (é, U+1F600) as they are. */
	g_autoptr(json_value) v = parse("{\"k\\\"\\\\\\n\": \"q\\\"\\\\\\/\\b\\f\\n\\r\\t"
					"\\u0001\\u001f\\u007f\\u00e9\\ud83d\\ude00 \xc3\xa9\"}");
	g_autofree char *text = write_text(v);

	assert_string_equal(text, "{\n  \"k\\\"\\\\\\n\": \"q\\\"\\\\/\\b\\f\\n\\r\\t\\u0001"
				  "\\u001f\x7f\xc3\xa9\xf0\x9f\x98\x80 \xc3\xa9\"\n}");
	round_trip("{\"k\\\"\\\\\\n\": \"q\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0001\\u001f\\u007f\\u00e9"
		   "\\ud83d\\ude00 \xc3\xa9\"}");
}

/* Real documents: the containers' default profile and runtimes' states. */
static void test_write_fixtures(void **state)
{
	const char *const files[][2] = {
		{ "seccomp", "containers-default.json" },
		{ "oci", "runc-createRuntime.json" },
		{ "oci", "podman-createRuntime.json" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
		g_autofree char *text = fixture_text(files[i][0], files[i][1]);

		round_trip(text);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write),
		cmocka_unit_test(test_write_escapes),
		cmocka_unit_test(test_write_fixtures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
