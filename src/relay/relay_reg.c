/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "relay_reg.h"
#include "util.h"

#include <string.h>

bool relay_reg_id_valid(const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n > 128 || id[0] == '.')
		return false;
	for (const char *c = id; *c; c++)
		if (!g_ascii_isalnum(*c) && !strchr("_.+-", *c))
			return false;
	return true;
}

char *relay_reg_name_sanitize(const char *name)
{
	char *n;

	while (*name == '.')
		name++;
	n = g_strndup(name, 128);

	for (char *c = n; *c; c++)
		if (!g_ascii_isalnum(*c) && !strchr("_.+-", *c))
			*c = '_';
	return n;
}

/* Whether name, less trailing dots (an absolute "host." reads as "host"),
 * is the len bytes at s, without case. */
static bool name_is(const char *name, const char *s, size_t len)
{
	size_t n = strlen(name);

	while (n > 0 && name[n - 1] == '.')
		n--;
	return n == len && len > 0 && g_ascii_strncasecmp(name, s, len) == 0;
}

bool relay_reg_name_is_host(const char *name, const char *hostname)
{
	return name_is(name, "localhost", strlen("localhost")) ||
	       name_is(name, "localhost.localdomain", strlen("localhost.localdomain")) ||
	       name_is(name, hostname, strlen(hostname)) ||
	       name_is(name, hostname, strcspn(hostname, "."));
}

char *relay_reg_name_pick(const char *base, relay_reg_name_taken_fn taken, void *data)
{
	if (!taken(base, data))
		return g_strdup(base);
	for (unsigned int n = 2;; n++) {
		g_autofree char *suffix = g_strdup_printf("-%u", n);
		g_autofree char *name = g_strdup_printf(
			"%.*s%s", (int)MIN(strlen(base), 128 - strlen(suffix)), base, suffix);

		if (!taken(name, data))
			return g_steal_pointer(&name);
	}
}

char *relay_reg_to_data(const struct relay_reg *reg)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();

	g_key_file_set_string(kf, "container", "id", reg->id);
	g_key_file_set_string(kf, "container", "name", reg->name);
	g_key_file_set_int64(kf, "container", "pid", reg->pid);
	if (reg->has_limits) {
		g_key_file_set_uint64(kf, "container", "rate", reg->rate);
		g_key_file_set_uint64(kf, "container", "burst", reg->burst);
	}
	return g_key_file_to_data(kf, NULL, NULL);
}

int relay_reg_parse(const char *text, size_t len, struct relay_reg *reg, char **why)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) err = NULL;
	g_autofree char *id = NULL, *name = NULL, *pid = NULL, *rate = NULL, *burst = NULL;
	int64_t p;

	memset(reg, 0, sizeof(*reg));
	*why = NULL;
	if (!g_key_file_load_from_data(kf, text, len, G_KEY_FILE_NONE, &err))
		return fail_why(why, "%s", err->message);
	id = g_key_file_get_string(kf, "container", "id", NULL);
	name = g_key_file_get_string(kf, "container", "name", NULL);
	pid = g_key_file_get_string(kf, "container", "pid", NULL);
	if (!id || !relay_reg_id_valid(id))
		return fail_why(why, "no valid id");
	if (!name || !relay_reg_id_valid(name))
		return fail_why(why, "no valid name");
	if (!pid || parse_i64(pid, &p) < 0 || p < 0 || p > G_MAXINT32)
		return fail_why(why, "no valid pid");
	rate = g_key_file_get_string(kf, "container", "rate", NULL);
	burst = g_key_file_get_string(kf, "container", "burst", NULL);
	/* lensfs-hook writes both or neither, from annotations it checked
	 * (relay_reg_limits_parse); a 0 (older hooks, a registration by hand) is
	 * the relay's limits, which relay_ratelimit_for decides. */
	if ((rate || burst) && (!rate || !burst || parse_u64(rate, &reg->rate) < 0 ||
				parse_u64(burst, &reg->burst) < 0 || reg->rate > G_MAXINT32 ||
				reg->burst > G_MAXINT32)) {
		reg->rate = reg->burst = 0;
		return fail_why(why, "rate and burst go together, as numbers");
	}
	reg->has_limits = rate != NULL;
	reg->id = g_steal_pointer(&id);
	reg->name = g_steal_pointer(&name);
	reg->pid = (pid_t)p;
	return 0;
}

void relay_reg_clear(struct relay_reg *reg)
{
	g_clear_pointer(&reg->id, g_free);
	g_clear_pointer(&reg->name, g_free);
}

int relay_reg_limits_parse(const char *rate, const char *burst, struct relay_reg *reg, char **why)
{
	uint64_t r = 0, b = 0;

	*why = NULL;
	/* 0 would be no limit at all: not the container's to choose. */
	if (rate && (parse_u64(rate, &r) < 0 || r == 0 || r > G_MAXINT32))
		return fail_why(why, "rate '%s' is not a number of messages a second from 1", rate);
	if (burst && (parse_u64(burst, &b) < 0 || b == 0 || b > G_MAXINT32))
		return fail_why(why, "burst '%s' is not a number of messages from 1", burst);
	if (!rate && !burst)
		return 0;
	/* One given alone: the other as many (a second's worth). */
	reg->rate = rate ? r : b;
	reg->burst = burst ? b : r;
	reg->has_limits = true;
	return 0;
}
