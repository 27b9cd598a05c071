/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "seccomp_profile.h"
#include "util.h"

#include <errno.h>
#include <string.h>

/* What the agent needs of the kernel's filter (docs/sysinfo.md). */
#define NOTIFY_RULE "{\"names\": [\"sysinfo\"], \"action\": \"SCMP_ACT_NOTIFY\"}"

/* A value from text written here, known to be good: objects are only made
 * by the reader, which owns how their members are freed. */
static struct json_value *constant(const char *text)
{
	g_autofree char *why = NULL;
	struct json_value *v = NULL;

	if (json_parse(text, strlen(text), &v, &why) < 0)
		g_error("%s: %s", text, why);
	return v;
}

static struct json_value *string_new(const char *s)
{
	struct json_value *v = g_new0(struct json_value, 1);

	v->type = JSON_STRING;
	v->text = g_strdup(s);
	return v;
}

/* json_member, for a value to change. */
static struct json_member *member(struct json_value *object, const char *name)
{
	struct json_member *found = NULL;

	for (guint i = 0; i < object->items->len; i++) {
		struct json_member *m = g_ptr_array_index(object->items, i);

		if (strcmp(m->name, name) == 0)
			found = m;
	}
	return found;
}

/* Sets the member (the last of that name, the one readers take) to value,
 * or adds it last: value, which the object now owns. */
static struct json_value *member_put(struct json_value *object, const char *name,
				     struct json_value *value)
{
	struct json_member *m = member(object, name);

	if (m) {
		json_value_free(m->value);
	} else {
		m = g_new(struct json_member, 1);
		m->name = g_strdup(name);
		g_ptr_array_add(object->items, m);
	}
	m->value = value;
	return value;
}

/* Absent, or null (what Go writes for a nil slice or pointer): none. */
static struct json_value *member_value(struct json_value *object, const char *name)
{
	struct json_member *m = member(object, name);

	return m && m->value->type != JSON_NULL ? m->value : NULL;
}

struct json_value *seccomp_profile_minimal(void)
{
	/* listenerPath is there so that it comes before syscalls, as the
	 * runtime-spec lists them. */
	return constant("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"\", "
			"\"syscalls\": []}");
}

/* Takes sysinfo out of the n-th rule: 1 when the rule named nothing else
 * and goes, 0 when it stays. */
static int rule_drop_sysinfo(struct json_value *rule, guint n, char **why)
{
	struct json_value *name, *names;
	guint before;

	if (rule->type != JSON_OBJECT)
		return fail_why(why, "syscalls[%u] is not an object", n);
	name = member_value(rule, "name");
	names = member_value(rule, "names");
	if (name && name->type != JSON_STRING)
		return fail_why(why, "syscalls[%u]: \"name\" is not a string", n);
	if (names && names->type != JSON_ARRAY)
		return fail_why(why, "syscalls[%u]: \"names\" is not an array of strings", n);
	for (guint i = 0; names && i < names->items->len; i++) {
		const struct json_value *s = g_ptr_array_index(names->items, i);

		if (s->type != JSON_STRING)
			return fail_why(why, "syscalls[%u]: \"names\" is not an array of strings",
					n);
	}
	/* Docker's profiles take one or the other, and refuse a rule with
	 * both: which of them would the rule mean? */
	if (name && names)
		return fail_why(why, "syscalls[%u] has both \"name\" and \"names\"", n);
	if (name)
		return strcmp(name->text, "sysinfo") == 0;
	if (!names)
		return 0;
	before = names->items->len;
	for (guint i = 0; i < names->items->len;) {
		const struct json_value *s = g_ptr_array_index(names->items, i);

		if (strcmp(s->text, "sysinfo") == 0)
			g_ptr_array_remove_index(names->items, i);
		else
			i++;
	}
	/* A rule that named nothing before is not ours to drop. */
	return names->items->len == 0 && before > 0;
}

static int rules_drop_sysinfo(struct json_value *rules, char **why)
{
	guint i = 0;

	for (guint n = 0; i < rules->items->len; n++) {
		int r = rule_drop_sysinfo(g_ptr_array_index(rules->items, i), n, why);

		if (r < 0)
			return r;
		if (r > 0)
			g_ptr_array_remove_index(rules->items, i);
		else
			i++;
	}
	return 0;
}

int seccomp_profile_apply(struct json_value *profile, const char *socket, char **why)
{
	struct json_value *rules = NULL;
	bool listener = false;

	*why = NULL;
	if (profile->type != JSON_OBJECT)
		return fail_why(why, "not a JSON object");
	/* Every listenerPath and every syscalls, should a name repeat:
	 * whichever of them a runtime reads, it reads the agent's. */
	for (guint i = 0; i < profile->items->len; i++) {
		struct json_member *m = g_ptr_array_index(profile->items, i);

		if (strcmp(m->name, "listenerPath") == 0) {
			json_value_free(m->value);
			m->value = string_new(socket);
			listener = true;
		} else if (strcmp(m->name, "syscalls") == 0) {
			if (m->value->type == JSON_NULL) {
				json_value_free(m->value);
				m->value = constant("[]");
			}
			if (m->value->type != JSON_ARRAY)
				return fail_why(why, "\"syscalls\" is not an array");
			if (rules_drop_sysinfo(m->value, why) < 0)
				return -EINVAL;
			rules = m->value;
		}
	}
	if (!listener)
		member_put(profile, "listenerPath", string_new(socket));
	if (!rules)
		rules = member_put(profile, "syscalls", constant("[]"));
	g_ptr_array_add(rules->items, constant(NOTIFY_RULE));
	return 0;
}

int seccomp_profile_apply_config(struct json_value *config, struct json_value *profile,
				 const char *socket, char **why)
{
	g_autoptr(json_value) given = profile;
	g_autofree char *err = NULL;
	struct json_value *linux_, *seccomp;
	bool made = false;

	*why = NULL;
	if (config->type != JSON_OBJECT)
		return fail_why(why, "not a JSON object");
	linux_ = member_value(config, "linux");
	if (!linux_)
		linux_ = member_put(config, "linux", constant("{}"));
	if (linux_->type != JSON_OBJECT)
		return fail_why(why, "\"linux\" is not an object");
	if (given) {
		seccomp = member_put(linux_, "seccomp", g_steal_pointer(&given));
	} else {
		seccomp = member_value(linux_, "seccomp");
		made = !seccomp;
		if (made)
			seccomp = member_put(linux_, "seccomp", seccomp_profile_minimal());
	}
	if (seccomp->type != JSON_OBJECT)
		return fail_why(why, "linux.seccomp is not an object");
	if (seccomp_profile_apply(seccomp, socket, &err) < 0)
		return fail_why(why, "linux.seccomp: %s", err);
	return made;
}
