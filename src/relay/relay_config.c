/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "relay_config.h"
#include "syslog_msg.h"
#include "util.h"

#include <errno.h>
#include <string.h>

#define MICRO 1000000ULL

void relay_config_init(struct relay_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->run_dir = g_strdup(RELAY_DEFAULT_RUN_DIR);
	cfg->target = RELAY_TO_SYSLOG;
	cfg->format = RELAY_RFC5424;
	cfg->max_message = 8192;
	cfg->rate = 200;
	cfg->burst = 1000;
	cfg->queue = 1000;
	cfg->queue_bytes = 4 << 20;
	cfg->total_queue_bytes = 64 << 20;
	cfg->receive_buffer = 1 << 20;
	cfg->summary_ms = 5000;
	cfg->reconnect_max_ms = 30000;
	cfg->severity_floor = SYSLOG_SEV_CRIT;
}

void relay_config_clear(struct relay_config *cfg)
{
	g_clear_pointer(&cfg->run_dir, g_free);
	g_clear_pointer(&cfg->path, g_free);
	g_clear_pointer(&cfg->address, g_free);
}

static const char *const target_names[] = { "syslog", "journal", "tcp", "udp" };

const char *relay_target_name(enum relay_target t)
{
	return target_names[t];
}

int relay_target_parse(const char *s, enum relay_target *out)
{
	for (size_t i = 0; i < G_N_ELEMENTS(target_names); i++) {
		if (strcmp(s, target_names[i]) == 0) {
			*out = (enum relay_target)i;
			return 0;
		}
	}
	return -EINVAL;
}

int relay_wire_parse(const char *s, enum relay_wire *out)
{
	if (strcmp(s, "rfc3164") == 0)
		*out = RELAY_RFC3164;
	else if (strcmp(s, "rfc5424") == 0)
		*out = RELAY_RFC5424;
	else
		return -EINVAL;
	return 0;
}

/* Number keys, with the smallest value each takes. */
static const struct {
	const char *key;
	size_t offset;
	guint64 min;
} numbers[] = {
	{ "max-message", G_STRUCT_OFFSET(struct relay_config, max_message), 64 },
	{ "rate", G_STRUCT_OFFSET(struct relay_config, rate), 0 },
	{ "burst", G_STRUCT_OFFSET(struct relay_config, burst), 0 },
	{ "max-rate", G_STRUCT_OFFSET(struct relay_config, max_rate), 0 },
	{ "max-burst", G_STRUCT_OFFSET(struct relay_config, max_burst), 0 },
	{ "queue", G_STRUCT_OFFSET(struct relay_config, queue), 1 },
	{ "queue-bytes", G_STRUCT_OFFSET(struct relay_config, queue_bytes), 65536 },
	{ "total-queue-bytes", G_STRUCT_OFFSET(struct relay_config, total_queue_bytes), 65536 },
	{ "receive-buffer", G_STRUCT_OFFSET(struct relay_config, receive_buffer), 4096 },
	{ "summary-ms", G_STRUCT_OFFSET(struct relay_config, summary_ms), 1 },
	{ "reconnect-max-ms", G_STRUCT_OFFSET(struct relay_config, reconnect_max_ms), 1 },
};

int relay_config_set(struct relay_config *cfg, const char *key, const char *value, char **why)
{
	uint64_t n;

	for (size_t i = 0; i < G_N_ELEMENTS(numbers); i++) {
		if (strcmp(key, numbers[i].key) != 0)
			continue;
		if (parse_u64(value, &n) < 0 || n < numbers[i].min || n > G_MAXINT32)
			return fail_why(why, "%s=%s: not a number from %" G_GUINT64_FORMAT " to %d",
					key, value, numbers[i].min, G_MAXINT32);
		G_STRUCT_MEMBER(guint64, cfg, numbers[i].offset) = n;
		return 0;
	}
	if (strcmp(key, "run-dir") == 0 || strcmp(key, "path") == 0) {
		char **field = strcmp(key, "path") == 0 ? &cfg->path : &cfg->run_dir;

		if (!g_path_is_absolute(value))
			return fail_why(why, "%s=%s: not an absolute path", key, value);
		g_free(*field);
		*field = g_strdup(value);
	} else if (strcmp(key, "to") == 0) {
		if (relay_target_parse(value, &cfg->target) < 0)
			return fail_why(why, "to=%s: not syslog, journal, tcp or udp", value);
	} else if (strcmp(key, "format") == 0) {
		if (relay_wire_parse(value, &cfg->format) < 0)
			return fail_why(why, "format=%s: not rfc3164 or rfc5424", value);
	} else if (strcmp(key, "severity-floor") == 0) {
		int floor = syslog_severity_parse(value);

		if (floor < 0)
			return fail_why(why,
					"severity-floor=%s: not emerg, alert, crit, err, warning, "
					"notice, info, debug or a number from 0 to 7",
					value);
		cfg->severity_floor = floor;
	} else if (strcmp(key, "address") == 0) {
		g_free(cfg->address);
		cfg->address = g_strdup(value);
	} else {
		return fail_why(why, "unknown key '%s'", key);
	}
	return 0;
}

int relay_config_parse(const char *text, size_t len, struct relay_config *cfg, char **why)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) err = NULL;
	g_auto(GStrv) groups = NULL, keys = NULL;

	*why = NULL;
	if (!g_key_file_load_from_data(kf, text, len, G_KEY_FILE_NONE, &err))
		return fail_why(why, "%s", err->message);
	groups = g_key_file_get_groups(kf, NULL);
	for (char **g = groups; *g; g++)
		if (strcmp(*g, "relay") != 0)
			return fail_why(why, "unknown group [%s]", *g);
	if (!g_key_file_has_group(kf, "relay"))
		return 0;
	keys = g_key_file_get_keys(kf, "relay", NULL, NULL);
	for (char **k = keys; k && *k; k++) {
		g_autofree char *v = g_key_file_get_string(kf, "relay", *k, &err);

		if (!v)
			return fail_why(why, "%s: %s", *k, err->message);
		if (relay_config_set(cfg, *k, v, why) < 0)
			return -EINVAL;
	}
	return 0;
}

int relay_config_check(const struct relay_config *cfg, char **why)
{
	*why = NULL;
	if ((cfg->target == RELAY_TO_TCP || cfg->target == RELAY_TO_UDP) && !cfg->address)
		return fail_why(why, "to=%s needs an address (host:port)",
				cfg->target == RELAY_TO_TCP ? "tcp" : "udp");
	if (cfg->rate > 0 && cfg->burst == 0)
		return fail_why(why, "burst=0 with rate=%" G_GUINT64_FORMAT ": nothing would pass",
				cfg->rate);
	return 0;
}

bool relay_id_valid(const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n > 128 || id[0] == '.')
		return false;
	for (const char *c = id; *c; c++)
		if (!g_ascii_isalnum(*c) && !strchr("_.+-", *c))
			return false;
	return true;
}

char *relay_name_sanitize(const char *name)
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

bool relay_name_is_host(const char *name, const char *hostname)
{
	return name_is(name, "localhost", strlen("localhost")) ||
	       name_is(name, "localhost.localdomain", strlen("localhost.localdomain")) ||
	       name_is(name, hostname, strlen(hostname)) ||
	       name_is(name, hostname, strcspn(hostname, "."));
}

char *relay_name_pick(const char *base, relay_name_taken_fn taken, void *data)
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
	if (!id || !relay_id_valid(id))
		return fail_why(why, "no valid id");
	if (!name || !relay_id_valid(name))
		return fail_why(why, "no valid name");
	if (!pid || parse_i64(pid, &p) < 0 || p < 0 || p > G_MAXINT32)
		return fail_why(why, "no valid pid");
	rate = g_key_file_get_string(kf, "container", "rate", NULL);
	burst = g_key_file_get_string(kf, "container", "burst", NULL);
	/* lensfs-hook writes both or neither, from annotations it checked
	 * (relay_limits_parse); a 0 (older hooks, a registration by hand) is
	 * the relay's limits, which relay_limits_apply decides. */
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

int relay_limits_parse(const char *rate, const char *burst, struct relay_reg *reg, char **why)
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

void relay_limits_apply(const struct relay_config *cfg, const struct relay_reg *reg, guint64 *rate,
			guint64 *burst)
{
	guint64 max_rate = cfg->max_rate ? cfg->max_rate : cfg->rate;
	guint64 max_burst = cfg->max_burst ? cfg->max_burst : cfg->burst;

	*rate = cfg->rate;
	*burst = cfg->burst;
	if (!reg->has_limits || reg->rate == 0 || reg->burst == 0)
		return;
	/* A relay without a limit (rate 0) has none to enforce. */
	*rate = max_rate ? MIN(reg->rate, max_rate) : reg->rate;
	*burst = max_burst ? MIN(reg->burst, max_burst) : reg->burst;
}

void relay_reg_clear(struct relay_reg *reg)
{
	g_clear_pointer(&reg->id, g_free);
	g_clear_pointer(&reg->name, g_free);
}

void token_bucket_init(struct token_bucket *b, guint64 rate, guint64 burst, guint64 now_us)
{
	b->rate = rate;
	b->burst = burst;
	b->tokens = burst * MICRO;
	b->last_us = now_us;
}

void token_bucket_refund(struct token_bucket *b)
{
	if (b->rate > 0)
		b->tokens = MIN(b->burst * MICRO, b->tokens + MICRO);
}

bool token_bucket_take(struct token_bucket *b, guint64 now_us)
{
	guint64 cap = b->burst * MICRO;

	if (b->rate == 0)
		return true;
	if (now_us > b->last_us) {
		/* rate <= 2^31 and a gap capped at 10^9 us: no overflow. */
		guint64 gap = MIN(now_us - b->last_us, 1000000000ULL);

		b->tokens = MIN(cap, b->tokens + gap * b->rate);
		b->last_us = now_us;
	}
	if (b->tokens < MICRO)
		return false;
	b->tokens -= MICRO;
	return true;
}

enum relay_admit relay_admit(struct token_bucket *b, guint64 queued, guint64 queue_max,
			     guint64 now_us)
{
	if (queued >= queue_max)
		return RELAY_DROP_QUEUE;
	if (!token_bucket_take(b, now_us))
		return RELAY_DROP_RATE;
	return RELAY_ADMIT;
}
