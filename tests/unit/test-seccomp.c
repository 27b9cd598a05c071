/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lensfs-hook seccomp-profile: the JSON writer (what it writes reads back
 * as the same tree), and the profile for the sysinfo agent made from OCI
 * and Docker profiles, from config.json files, and from the containers'
 * default profile as Debian ships it (tests/fixtures/seccomp). */
#include "config.h"

#include "fixture.h"

#include "json.h"
#include "seccomp_profile.h"

#include <errno.h>

#define SOCK "/run/lensfs/sysinfo.sock"

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

/* The profile made from text, as written; the same again from that. */
static char *profile(const char *text, const char *socket)
{
	g_autoptr(json_value) v = parse(text), again = NULL;
	g_autofree char *why = NULL, *twice = NULL;
	char *out;

	if (seccomp_profile_apply(v, socket, &why) < 0)
		fail_msg("'%s': %s", text, why);
	out = write_text(v);
	again = parse(out);
	assert_int_equal(seccomp_profile_apply(again, socket, &why), 0);
	twice = write_text(again);
	assert_string_equal(twice, out);
	return out;
}

static void test_oci_profile(void **state)
{
	g_autofree char *out = profile(
		"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 1, "
		"\"architectures\": [\"SCMP_ARCH_X86_64\"], \"syscalls\": [{\"names\": "
		"[\"read\", \"sysinfo\", "
		"\"write\"], \"action\": \"SCMP_ACT_ALLOW\"}, {\"names\": [\"personality\"], "
		"\"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, \"value\": 8, \"op\": "
		"\"SCMP_CMP_EQ\"}]}], \"flags\": [\"SECCOMP_FILTER_FLAG_LOG\"]}",
		SOCK);

	assert_string_equal(out, "{\n"
				 "  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n"
				 "  \"defaultErrnoRet\": 1,\n"
				 "  \"architectures\": [\n"
				 "    \"SCMP_ARCH_X86_64\"\n"
				 "  ],\n"
				 "  \"syscalls\": [\n"
				 "    {\n"
				 "      \"names\": [\n"
				 "        \"read\",\n"
				 "        \"write\"\n"
				 "      ],\n"
				 "      \"action\": \"SCMP_ACT_ALLOW\"\n"
				 "    },\n"
				 "    {\n"
				 "      \"names\": [\n"
				 "        \"personality\"\n"
				 "      ],\n"
				 "      \"action\": \"SCMP_ACT_ALLOW\",\n"
				 "      \"args\": [\n"
				 "        {\n"
				 "          \"index\": 0,\n"
				 "          \"value\": 8,\n"
				 "          \"op\": \"SCMP_CMP_EQ\"\n"
				 "        }\n"
				 "      ]\n"
				 "    },\n"
				 "    {\n"
				 "      \"names\": [\n"
				 "        \"sysinfo\"\n"
				 "      ],\n"
				 "      \"action\": \"SCMP_ACT_NOTIFY\"\n"
				 "    }\n"
				 "  ],\n"
				 "  \"flags\": [\n"
				 "    \"SECCOMP_FILTER_FLAG_LOG\"\n"
				 "  ],\n"
				 "  \"listenerPath\": \"/run/lensfs/sysinfo.sock\"\n"
				 "}");
}

/* Docker's format: sysinfo in a long list, a rule of its own with an
 * errno, includes, excludes and comments kept. */
static void test_docker_profile(void **state)
{
	g_autofree char *out = profile(
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":38,\"archMap\":[{"
		"\"architecture\":\"SCMP_ARCH_X86_64\",\"subArchitectures\":[\"SCMP_ARCH_X86\"]}],"
		"\"syscalls\":[{\"names\":[\"accept\",\"brk\",\"sysinfo\",\"sysinfo\",\"uname\"],"
		"\"action\":\"SCMP_ACT_ALLOW\",\"args\":[],\"comment\":\"\",\"includes\":{},"
		"\"excludes\":{}},{\"names\":[\"sysinfo\"],\"action\":\"SCMP_ACT_ERRNO\","
		"\"errnoRet\":1,\"comment\":\"no\",\"includes\":{\"caps\":[\"CAP_SYS_ADMIN\"]},"
		"\"excludes\":{\"arches\":[\"s390x\"]}},{\"names\":[\"bpf\"],\"action\":"
		"\"SCMP_ACT_ALLOW\",\"args\":[],\"comment\":\"admin\",\"includes\":{\"caps\":["
		"\"CAP_SYS_ADMIN\"]},\"excludes\":{}}]}",
		"/run/x.sock");

	assert_string_equal(out, "{\n"
				 "  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n"
				 "  \"defaultErrnoRet\": 38,\n"
				 "  \"archMap\": [\n"
				 "    {\n"
				 "      \"architecture\": \"SCMP_ARCH_X86_64\",\n"
				 "      \"subArchitectures\": [\n"
				 "        \"SCMP_ARCH_X86\"\n"
				 "      ]\n"
				 "    }\n"
				 "  ],\n"
				 "  \"syscalls\": [\n"
				 "    {\n"
				 "      \"names\": [\n"
				 "        \"accept\",\n"
				 "        \"brk\",\n"
				 "        \"uname\"\n"
				 "      ],\n"
				 "      \"action\": \"SCMP_ACT_ALLOW\",\n"
				 "      \"args\": [],\n"
				 "      \"comment\": \"\",\n"
				 "      \"includes\": {},\n"
				 "      \"excludes\": {}\n"
				 "    },\n"
				 "    {\n"
				 "      \"names\": [\n"
				 "        \"bpf\"\n"
				 "      ],\n"
				 "      \"action\": \"SCMP_ACT_ALLOW\",\n"
				 "      \"args\": [],\n"
				 "      \"comment\": \"admin\",\n"
				 "      \"includes\": {\n"
				 "        \"caps\": [\n"
				 "          \"CAP_SYS_ADMIN\"\n"
				 "        ]\n"
				 "      },\n"
				 "      \"excludes\": {}\n"
				 "    },\n"
				 "    {\n"
				 "      \"names\": [\n"
				 "        \"sysinfo\"\n"
				 "      ],\n"
				 "      \"action\": \"SCMP_ACT_NOTIFY\"\n"
				 "    }\n"
				 "  ],\n"
				 "  \"listenerPath\": \"/run/x.sock\"\n"
				 "}");
}

/* Docker's older profiles: one call a rule, in "name". */
static void test_legacy_name(void **state)
{
	g_autofree char *out = profile(
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"name\":\"read\",\"action\":"
		"\"SCMP_ACT_ALLOW\",\"args\":[]},{\"name\":\"sysinfo\",\"action\":"
		"\"SCMP_ACT_ALLOW\",\"args\":[]},{\"name\":\"write\",\"action\":\"SCMP_ACT_ALLOW\","
		"\"args\":null}]}",
		SOCK);

	assert_string_equal(out, "{\n"
				 "  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n"
				 "  \"syscalls\": [\n"
				 "    {\n"
				 "      \"name\": \"read\",\n"
				 "      \"action\": \"SCMP_ACT_ALLOW\",\n"
				 "      \"args\": []\n"
				 "    },\n"
				 "    {\n"
				 "      \"name\": \"write\",\n"
				 "      \"action\": \"SCMP_ACT_ALLOW\",\n"
				 "      \"args\": null\n"
				 "    },\n"
				 "    {\n"
				 "      \"names\": [\n"
				 "        \"sysinfo\"\n"
				 "      ],\n"
				 "      \"action\": \"SCMP_ACT_NOTIFY\"\n"
				 "    }\n"
				 "  ],\n"
				 "  \"listenerPath\": \"/run/lensfs/sysinfo.sock\"\n"
				 "}");
}

/* A listenerPath already there is replaced where it stands (every one,
 * should the name repeat); listenerMetadata is kept; a rule that named
 * nothing from the start is not dropped; a profile without syscalls (or
 * with null, as Go writes an empty list) gets them. */
static void test_listener_and_syscalls(void **state)
{
	g_autofree char *replaced =
		profile("{\"listenerPath\":\"/old\",\"listenerMetadata\":\"m\",\"syscalls\":[{"
			"\"names\":[],\"action\":\"SCMP_ACT_ALLOW\"}],\"listenerPath\":\"/old2\"}",
			SOCK);
	g_autofree char *none = profile("{\"defaultAction\":\"SCMP_ACT_ALLOW\"}", SOCK);
	g_autofree char *null = profile("{\"syscalls\":null,\"listenerPath\":null}", "/s");

	assert_string_equal(replaced, "{\n"
				      "  \"listenerPath\": \"/run/lensfs/sysinfo.sock\",\n"
				      "  \"listenerMetadata\": \"m\",\n"
				      "  \"syscalls\": [\n"
				      "    {\n"
				      "      \"names\": [],\n"
				      "      \"action\": \"SCMP_ACT_ALLOW\"\n"
				      "    },\n"
				      "    {\n"
				      "      \"names\": [\n"
				      "        \"sysinfo\"\n"
				      "      ],\n"
				      "      \"action\": \"SCMP_ACT_NOTIFY\"\n"
				      "    }\n"
				      "  ],\n"
				      "  \"listenerPath\": \"/run/lensfs/sysinfo.sock\"\n"
				      "}");
	assert_string_equal(none, "{\n"
				  "  \"defaultAction\": \"SCMP_ACT_ALLOW\",\n"
				  "  \"listenerPath\": \"/run/lensfs/sysinfo.sock\",\n"
				  "  \"syscalls\": [\n"
				  "    {\n"
				  "      \"names\": [\n"
				  "        \"sysinfo\"\n"
				  "      ],\n"
				  "      \"action\": \"SCMP_ACT_NOTIFY\"\n"
				  "    }\n"
				  "  ]\n"
				  "}");
	assert_string_equal(null, "{\n"
				  "  \"syscalls\": [\n"
				  "    {\n"
				  "      \"names\": [\n"
				  "        \"sysinfo\"\n"
				  "      ],\n"
				  "      \"action\": \"SCMP_ACT_NOTIFY\"\n"
				  "    }\n"
				  "  ],\n"
				  "  \"listenerPath\": \"/s\"\n"
				  "}");
}

/* What runc gets without a profile of its own: every call allowed but
 * sysinfo, which goes to the agent. */
static const char minimal[] = "{\n"
			      "      \"defaultAction\": \"SCMP_ACT_ALLOW\",\n"
			      "      \"listenerPath\": \"/run/lensfs/sysinfo.sock\",\n"
			      "      \"syscalls\": [\n"
			      "        {\n"
			      "          \"names\": [\n"
			      "            \"sysinfo\"\n"
			      "          ],\n"
			      "          \"action\": \"SCMP_ACT_NOTIFY\"\n"
			      "        }\n"
			      "      ]\n"
			      "    }";

/* The config.json made from text (and profile, given as text), as
 * written; the same again from that. */
static char *config(const char *text, const char *given, int made)
{
	g_autoptr(json_value) v = parse(text), again = NULL;
	g_autofree char *why = NULL, *twice = NULL;
	struct json_value *p = NULL;
	char *out;

	if (given) {
		p = parse(given);
		assert_int_equal(seccomp_profile_apply(p, SOCK, &why), 0);
	}
	assert_int_equal(seccomp_profile_apply_config(v, p, SOCK, &why), made);
	out = write_text(v);
	again = parse(out);
	assert_int_equal(seccomp_profile_apply_config(again, NULL, SOCK, &why), 0);
	twice = write_text(again);
	assert_string_equal(twice, out);
	return out;
}

static void test_config(void **state)
{
	g_autofree char *no_linux =
		config("{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"r\"}}", NULL, 1);
	g_autofree char *no_seccomp = config("{\"linux\":{\"namespaces\":[]},\"x\":1}", NULL, 1);
	g_autofree char *null = config("{\"linux\":{\"seccomp\":null}}", NULL, 1);
	g_autofree char *has = config("{\"linux\":{\"seccomp\":{\"defaultAction\":"
				      "\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"sysinfo\"],"
				      "\"action\":\"SCMP_ACT_ALLOW\"}]},\"z\":0}}",
				      NULL, 0);
	g_autofree char *given =
		config("{\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_KILL\"},\"z\":0}}",
		       "{\"defaultAction\":\"SCMP_ACT_ALLOW\"}", 0);
	g_autofree char *want = NULL;

	want = g_strconcat("{\n  \"ociVersion\": \"1.0.2\",\n  \"root\": {\n    \"path\": \"r\"\n"
			   "  },\n  \"linux\": {\n    \"seccomp\": ",
			   minimal, "\n  }\n}", NULL);
	assert_string_equal(no_linux, want);
	g_free(want);
	want = g_strconcat("{\n  \"linux\": {\n    \"namespaces\": [],\n    \"seccomp\": ", minimal,
			   "\n  },\n  \"x\": 1\n}", NULL);
	assert_string_equal(no_seccomp, want);
	g_free(want);
	want = g_strconcat("{\n  \"linux\": {\n    \"seccomp\": ", minimal, "\n  }\n}", NULL);
	assert_string_equal(null, want);
	assert_string_equal(has, "{\n"
				 "  \"linux\": {\n"
				 "    \"seccomp\": {\n"
				 "      \"defaultAction\": \"SCMP_ACT_ERRNO\",\n"
				 "      \"syscalls\": [\n"
				 "        {\n"
				 "          \"names\": [\n"
				 "            \"sysinfo\"\n"
				 "          ],\n"
				 "          \"action\": \"SCMP_ACT_NOTIFY\"\n"
				 "        }\n"
				 "      ],\n"
				 "      \"listenerPath\": \"/run/lensfs/sysinfo.sock\"\n"
				 "    },\n"
				 "    \"z\": 0\n"
				 "  }\n"
				 "}");
	/* A profile given (--from) takes the place of the config's own. */
	assert_string_equal(given, "{\n"
				   "  \"linux\": {\n"
				   "    \"seccomp\": {\n"
				   "      \"defaultAction\": \"SCMP_ACT_ALLOW\",\n"
				   "      \"listenerPath\": \"/run/lensfs/sysinfo.sock\",\n"
				   "      \"syscalls\": [\n"
				   "        {\n"
				   "          \"names\": [\n"
				   "            \"sysinfo\"\n"
				   "          ],\n"
				   "          \"action\": \"SCMP_ACT_NOTIFY\"\n"
				   "        }\n"
				   "      ]\n"
				   "    },\n"
				   "    \"z\": 0\n"
				   "  }\n"
				   "}");
}

static void expect_profile_error(const char *text, const char *want)
{
	g_autoptr(json_value) v = NULL;
	g_autofree char *why = NULL;

	if (json_parse_object(text, strlen(text), &v, &why) == 0)
		assert_int_equal(seccomp_profile_apply(v, SOCK, &why), -EINVAL);
	assert_non_null(why);
	assert_string_equal(why, want);
}

static void expect_config_error(const char *text, const char *want)
{
	g_autoptr(json_value) v = NULL;
	g_autofree char *why = NULL;

	if (json_parse_object(text, strlen(text), &v, &why) == 0)
		assert_int_equal(seccomp_profile_apply_config(v, NULL, SOCK, &why), -EINVAL);
	assert_non_null(why);
	assert_string_equal(why, want);
}

static void test_bad_input(void **state)
{
	expect_profile_error("", "not JSON: unexpected end at byte 0");
	expect_profile_error("{\"syscalls\": [}", "not JSON: unexpected character at byte 14");
	expect_profile_error("[]", "not a JSON object");
	expect_profile_error("\"sysinfo\"", "not a JSON object");
	expect_profile_error("{\"syscalls\": {}}", "\"syscalls\" is not an array");
	expect_profile_error("{\"syscalls\": \"sysinfo\"}", "\"syscalls\" is not an array");
	expect_profile_error("{\"syscalls\": [{\"names\": []}, \"sysinfo\"]}",
			     "syscalls[1] is not an object");
	expect_profile_error("{\"syscalls\": [{\"names\": \"sysinfo\"}]}",
			     "syscalls[0]: \"names\" is not an array of strings");
	expect_profile_error("{\"syscalls\": [{\"names\": [\"read\", 1]}]}",
			     "syscalls[0]: \"names\" is not an array of strings");
	/* The index is the rule's in the file, whatever went before it. */
	expect_profile_error("{\"syscalls\": [{\"names\": [\"sysinfo\"]}, {\"names\": [[]]}]}",
			     "syscalls[1]: \"names\" is not an array of strings");
	expect_profile_error("{\"syscalls\": [{\"name\": [\"sysinfo\"]}]}",
			     "syscalls[0]: \"name\" is not a string");
	expect_profile_error("{\"syscalls\": [{\"name\": \"read\", \"names\": [\"sysinfo\"]}]}",
			     "syscalls[0] has both \"name\" and \"names\"");

	expect_config_error("{\"linux\": [", "not JSON: unexpected end at byte 11");
	expect_config_error("[{}]", "not a JSON object");
	expect_config_error("{\"linux\": true}", "\"linux\" is not an object");
	expect_config_error("{\"linux\": {\"seccomp\": []}}", "linux.seccomp is not an object");
	expect_config_error("{\"linux\": {\"seccomp\": {\"syscalls\": [7]}}}",
			    "linux.seccomp: syscalls[0] is not an object");
}

/* The profile podman, CRI-O and buildah use, as Debian ships it: sysinfo
 * gone from its allow list (and from every other), one rule that sends it
 * to the agent, last; everything else as it was. */
static void test_containers_default(void **state)
{
	g_autofree char *text = fixture_text("seccomp", "containers-default.json");
	g_autoptr(json_value) before = parse(text), after = NULL;
	g_autoptr(json_value) rule = parse("{\"names\": [\"sysinfo\"], \"action\": "
					   "\"SCMP_ACT_NOTIFY\"}");
	g_autofree char *out = profile(text, SOCK);
	const struct json_value *rules_before, *rules_after, *last;
	guint with_sysinfo = 0, changed = 0;

	after = parse(out);
	rules_before = json_member(before, "syscalls");
	rules_after = json_member(after, "syscalls");
	assert_int_equal(rules_before->items->len, 35);
	assert_int_equal(rules_after->items->len, rules_before->items->len + 1);
	for (guint i = 0; i < rules_before->items->len; i++) {
		const struct json_value *b = g_ptr_array_index(rules_before->items, i);
		const struct json_value *a = g_ptr_array_index(rules_after->items, i);
		const struct json_value *bn = json_member(b, "names"),
					*an = json_member(a, "names");
		bool had = false;

		for (guint j = 0; j < bn->items->len; j++)
			had |= strcmp(((struct json_value *)g_ptr_array_index(bn->items, j))->text,
				      "sysinfo") == 0;
		for (guint j = 0; j < an->items->len; j++)
			assert_string_not_equal(
				((struct json_value *)g_ptr_array_index(an->items, j))->text,
				"sysinfo");
		assert_int_equal(an->items->len, bn->items->len - (had ? 1 : 0));
		if (had) {
			assert_string_equal(json_member(a, "action")->text, "SCMP_ACT_ALLOW");
			changed++;
		} else {
			assert_true(same_tree(a, b));
		}
		/* Each rule's members, in their order. */
		assert_int_equal(a->items->len, b->items->len);
		for (guint j = 0; j < a->items->len; j++)
			assert_string_equal(
				((struct json_member *)g_ptr_array_index(a->items, j))->name,
				((struct json_member *)g_ptr_array_index(b->items, j))->name);
	}
	assert_int_equal(changed, 1);
	last = g_ptr_array_index(rules_after->items, rules_after->items->len - 1);
	assert_true(same_tree(last, rule));
	for (guint i = 0; i < rules_after->items->len; i++) {
		const struct json_value *names =
			json_member(g_ptr_array_index(rules_after->items, i), "names");

		for (guint j = 0; j < names->items->len; j++)
			with_sysinfo +=
				strcmp(((struct json_value *)g_ptr_array_index(names->items, j))
					       ->text,
				       "sysinfo") == 0;
	}
	assert_int_equal(with_sysinfo, 1);
	/* The top level: the same members in the same order, listenerPath
	 * added last. */
	assert_int_equal(after->items->len, before->items->len + 1);
	for (guint i = 0; i < before->items->len; i++) {
		const struct json_member *a = g_ptr_array_index(after->items, i);
		const struct json_member *b = g_ptr_array_index(before->items, i);

		assert_string_equal(a->name, b->name);
		if (strcmp(a->name, "syscalls") != 0)
			assert_true(same_tree(a->value, b->value));
	}
	assert_string_equal(
		((struct json_member *)g_ptr_array_index(after->items, after->items->len - 1))
			->name,
		"listenerPath");
	assert_string_equal(json_member(after, "listenerPath")->text, SOCK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write),
		cmocka_unit_test(test_write_escapes),
		cmocka_unit_test(test_write_fixtures),
		cmocka_unit_test(test_oci_profile),
		cmocka_unit_test(test_docker_profile),
		cmocka_unit_test(test_legacy_name),
		cmocka_unit_test(test_listener_and_syscalls),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_containers_default),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
