/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "json.h"

#include <errno.h>
#include <string.h>

struct reader {
	const char *start, *p, *end;
	char *why;
};

static bool fail(struct reader *r, const char *what)
{
	if (!r->why)
		r->why = g_strdup_printf("%s at byte %td", what, r->p - r->start);
	return false;
}

static void skip_blanks(struct reader *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
		r->p++;
}

static bool literal(struct reader *r, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n) != 0)
		return fail(r, "unexpected character");
	r->p += n;
	return true;
}

static int hex4(const char *s)
{
	int v = 0;

	for (int i = 0; i < 4; i++) {
		int d = g_ascii_xdigit_value(s[i]);

		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/* A \uXXXX escape (r->p on the 'u'), with its low surrogate if it has one. */
static bool unicode_escape(struct reader *r, GString *out)
{
	gunichar c;
	int hi, lo;

	if (r->end - r->p < 5 || (hi = hex4(r->p + 1)) < 0)
		return fail(r, "bad \\u escape");
	r->p += 5;
	c = (gunichar)hi;
	if (hi >= 0xd800 && hi <= 0xdbff) {
		if (r->end - r->p < 6 || r->p[0] != '\\' || r->p[1] != 'u' ||
		    (lo = hex4(r->p + 2)) < 0xdc00 || lo > 0xdfff)
			return fail(r, "unpaired surrogate");
		r->p += 6;
		c = 0x10000 + (((gunichar)hi - 0xd800) << 10) + ((gunichar)lo - 0xdc00);
	} else if (hi >= 0xdc00 && hi <= 0xdfff) {
		return fail(r, "unpaired surrogate");
	}
	if (c == 0)
		return fail(r, "\\u0000 in a string");
	g_string_append_unichar(out, c);
	return true;
}

/* A string (r->p on the opening quote). */
static bool string(struct reader *r, char **out)
{
	g_autoptr(GString) s = g_string_new(NULL);

	r->p++;
	while (r->p < r->end && *r->p != '"') {
		unsigned char c = (unsigned char)*r->p;

		if (c < 0x20)
			return fail(r, "control character in a string");
		if (c != '\\') {
			g_string_append_c(s, (char)c);
			r->p++;
			continue;
		}
		if (++r->p == r->end)
			break;
		switch (*r->p) {
		case '"':
			g_string_append_c(s, '"');
			break;
		case '\\':
			g_string_append_c(s, '\\');
			break;
		case '/':
			g_string_append_c(s, '/');
			break;
		case 'b':
			g_string_append_c(s, '\b');
			break;
		case 'f':
			g_string_append_c(s, '\f');
			break;
		case 'n':
			g_string_append_c(s, '\n');
			break;
		case 'r':
			g_string_append_c(s, '\r');
			break;
		case 't':
			g_string_append_c(s, '\t');
			break;
		case 'u':
			if (!unicode_escape(r, s))
				return false;
			continue;
		default:
			return fail(r, "bad escape");
		}
		r->p++;
	}
	if (r->p == r->end)
		return fail(r, "unterminated string");
	r->p++;
	if (!g_utf8_validate(s->str, (gssize)s->len, NULL))
		return fail(r, "invalid UTF-8 in a string");
	*out = g_string_free(g_steal_pointer(&s), FALSE);
	return true;
}

static bool digits(struct reader *r)
{
	const char *from = r->p;

	while (r->p < r->end && g_ascii_isdigit(*r->p))
		r->p++;
	return r->p > from || fail(r, "bad number");
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool number(struct reader *r, char **out)
{
	const char *from = r->p;

	if (*r->p == '-')
		r->p++;
	if (r->p < r->end && *r->p == '0')
		r->p++;
	else if (!digits(r))
		return false;
	if (r->p < r->end && *r->p == '.') {
		r->p++;
		if (!digits(r))
			return false;
	}
	if (r->p < r->end && (*r->p == 'e' || *r->p == 'E')) {
		r->p++;
		if (r->p < r->end && (*r->p == '+' || *r->p == '-'))
			r->p++;
		if (!digits(r))
			return false;
	}
	*out = g_strndup(from, (gsize)(r->p - from));
	return true;
}

static void member_free(gpointer p)
{
	struct json_member *m = p;

	g_free(m->name);
	json_value_free(m->value);
	g_free(m);
}

static bool value(struct reader *r, int depth, struct json_value **out);

/* The items of an array or the members of an object (r->p on the bracket). */
static bool container(struct reader *r, int depth, struct json_value *v)
{
	bool object = v->type == JSON_OBJECT;
	char close = object ? '}' : ']';

	v->items = g_ptr_array_new_with_free_func(object ? member_free
							 : (GDestroyNotify)json_value_free);
	if (depth >= JSON_MAX_DEPTH)
		return fail(r, "nested too deep");
	r->p++;
	skip_blanks(r);
	if (r->p < r->end && *r->p == close) {
		r->p++;
		return true;
	}
	for (;;) {
		struct json_value *item = NULL;
		char *name = NULL;

		skip_blanks(r);
		if (object) {
			if (r->p == r->end || *r->p != '"')
				return fail(r, "expected a member name");
			if (!string(r, &name))
				return false;
			skip_blanks(r);
			if (r->p == r->end || *r->p != ':') {
				g_free(name);
				return fail(r, "expected ':'");
			}
			r->p++;
		}
		if (!value(r, depth + 1, &item)) {
			g_free(name);
			return false;
		}
		if (object) {
			struct json_member *m = g_new(struct json_member, 1);

			m->name = name;
			m->value = item;
			g_ptr_array_add(v->items, m);
		} else {
			g_ptr_array_add(v->items, item);
		}
		skip_blanks(r);
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			continue;
		}
		if (r->p < r->end && *r->p == close) {
			r->p++;
			return true;
		}
		return fail(r, object ? "expected ',' or '}'" : "expected ',' or ']'");
	}
}

static bool value(struct reader *r, int depth, struct json_value **out)
{
	g_autoptr(json_value) v = g_new0(struct json_value, 1);
	bool ok;

	skip_blanks(r);
	if (r->p == r->end)
		return fail(r, "unexpected end");
	switch (*r->p) {
	case '{':
		v->type = JSON_OBJECT;
		ok = container(r, depth, v);
		break;
	case '[':
		v->type = JSON_ARRAY;
		ok = container(r, depth, v);
		break;
	case '"':
		v->type = JSON_STRING;
		ok = string(r, &v->text);
		break;
	case 't':
		v->type = JSON_BOOL;
		ok = literal(r, "true");
		v->text = g_strdup("true");
		break;
	case 'f':
		v->type = JSON_BOOL;
		ok = literal(r, "false");
		v->text = g_strdup("false");
		break;
	case 'n':
		v->type = JSON_NULL;
		ok = literal(r, "null");
		break;
	default:
		if (*r->p != '-' && !g_ascii_isdigit(*r->p))
			return fail(r, "unexpected character");
		v->type = JSON_NUMBER;
		ok = number(r, &v->text);
	}
	if (ok)
		*out = g_steal_pointer(&v);
	return ok;
}

int json_parse_object(const char *text, size_t len, struct json_value **out, char **why)
{
	g_autofree char *err = NULL;

	*why = NULL;
	if (json_parse(text, len, out, &err) < 0) {
		*why = g_strdup_printf("not JSON: %s", err);
		return -EINVAL;
	}
	if ((*out)->type != JSON_OBJECT) {
		g_clear_pointer(out, json_value_free);
		*why = g_strdup("not a JSON object");
		return -EINVAL;
	}
	return 0;
}

int json_parse(const char *text, size_t len, struct json_value **out, char **why)
{
	struct reader r = { text, text, text + len, NULL };
	struct json_value *v = NULL;

	*out = NULL;
	*why = NULL;
	if (value(&r, 0, &v)) {
		skip_blanks(&r);
		if (r.p == r.end) {
			*out = v;
			return 0;
		}
		json_value_free(v);
		fail(&r, "text after the value");
	}
	*why = r.why;
	return -EINVAL;
}

void json_value_free(struct json_value *v)
{
	if (!v)
		return;
	g_free(v->text);
	if (v->items)
		g_ptr_array_unref(v->items);
	g_free(v);
}

const struct json_value *json_member(const struct json_value *object, const char *name)
{
	const struct json_value *found = NULL;

	if (!object || object->type != JSON_OBJECT)
		return NULL;
	for (guint i = 0; i < object->items->len; i++) {
		const struct json_member *m = g_ptr_array_index(object->items, i);

		if (strcmp(m->name, name) == 0)
			found = m->value;
	}
	return found;
}

int json_int64(const struct json_value *v, int64_t *out)
{
	gint64 n;

	if (!v || v->type != JSON_NUMBER || strpbrk(v->text, ".eE"))
		return -EINVAL;
	if (!g_ascii_string_to_signed(v->text, 10, G_MININT64, G_MAXINT64, &n, NULL))
		return -ERANGE;
	*out = n;
	return 0;
}

/* RFC 8259 section 7: '"', '\' and U+0000..U+001F must be escaped; the
 * short forms where there is one, else \u00XX. */
static void write_string(const char *s, GString *out)
{
	g_string_append_c(out, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '"':
			g_string_append(out, "\\\"");
			break;
		case '\\':
			g_string_append(out, "\\\\");
			break;
		case '\b':
			g_string_append(out, "\\b");
			break;
		case '\f':
			g_string_append(out, "\\f");
			break;
		case '\n':
			g_string_append(out, "\\n");
			break;
		case '\r':
			g_string_append(out, "\\r");
			break;
		case '\t':
			g_string_append(out, "\\t");
			break;
		default:
			if (c < 0x20)
				g_string_append_printf(out, "\\u%04x", c);
			else
				g_string_append_c(out, (char)c);
		}
	}
	g_string_append_c(out, '"');
}

static void write_indent(int depth, GString *out)
{
	g_string_append_c(out, '\n');
	for (int i = 0; i < depth; i++)
		g_string_append(out, "  ");
}

static void write_value(const struct json_value *v, int depth, GString *out)
{
	bool object = v->type == JSON_OBJECT;

	switch (v->type) {
	case JSON_NULL:
		g_string_append(out, "null");
		return;
	case JSON_BOOL:
	case JSON_NUMBER:
		g_string_append(out, v->text);
		return;
	case JSON_STRING:
		write_string(v->text, out);
		return;
	case JSON_ARRAY:
	case JSON_OBJECT:
		break;
	}
	g_string_append_c(out, object ? '{' : '[');
	for (guint i = 0; i < v->items->len; i++) {
		const struct json_value *item = g_ptr_array_index(v->items, i);

		if (i > 0)
			g_string_append_c(out, ',');
		write_indent(depth + 1, out);
		if (object) {
			const struct json_member *m = g_ptr_array_index(v->items, i);

			write_string(m->name, out);
			g_string_append(out, ": ");
			item = m->value;
		}
		write_value(item, depth + 1, out);
	}
	if (v->items->len > 0)
		write_indent(depth, out);
	g_string_append_c(out, object ? '}' : ']');
}

void json_write(const struct json_value *v, GString *out)
{
	write_value(v, 0, out);
}
