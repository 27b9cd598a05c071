/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "relay_config.h"
#include "syslog_msg.h"
#include "util.h"

#include <errno.h>
#include <string.h>

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

const char *relay_config_target_name(enum relay_target t)
{
	return target_names[t];
}

static int target_parse(const char *s, enum relay_target *out)
{
	for (size_t i = 0; i < G_N_ELEMENTS(target_names); i++) {
		if (strcmp(s, target_names[i]) == 0) {
			*out = (enum relay_target)i;
			return 0;
		}
	}
	return -EINVAL;
}

static int wire_parse(const char *s, enum relay_wire *out)
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
		if (target_parse(value, &cfg->target) < 0)
			return fail_why(why, "to=%s: not syslog, journal, tcp or udp", value);
	} else if (strcmp(key, "format") == 0) {
		if (wire_parse(value, &cfg->format) < 0)
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
