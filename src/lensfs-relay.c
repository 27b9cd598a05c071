/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lensfs-relay: each container's own /dev/log, relayed to the host's syslog,
 * journald or a remote collector under the container's name. docs/relay.md. */
#include "config.h"

#include "caps.h"
#include "cli.h"
#include "log.h"
#include "relay.h"
#include "util.h"

#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>

/* Options that set a key of the configuration file ("--rate 5" is
 * "rate=5"), kept in order until the file is read: they override it. */
static GPtrArray *overrides;

static gboolean override(const gchar *option, const gchar *value, gpointer data, GError **error)
{
	g_ptr_array_add(overrides, g_strdup(option + 2));
	g_ptr_array_add(overrides, g_strdup(value));
	return TRUE;
}

#define KEY_OPTION(name, help, arg)                                               \
	{                                                                         \
		name, 0, 0, G_OPTION_ARG_CALLBACK, (gpointer) override, help, arg \
	}

int main(int argc, char **argv)
{
	g_autofree char *config = NULL, *text = NULL, *why = NULL;
	g_autoptr(GPtrArray) keyed = overrides = g_ptr_array_new_with_free_func(g_free);
	gboolean debug = FALSE, version = FALSE;
	const GOptionEntry entries[] = {
		{ "config", 'c', 0, G_OPTION_ARG_FILENAME, &config,
		  "Read the settings from FILE (default " RELAY_DEFAULT_CONFIG
		  " when it exists); options override it",
		  "FILE" },
		KEY_OPTION("run-dir",
			   "Sockets and registrations (default " RELAY_DEFAULT_RUN_DIR ")", "DIR"),
		KEY_OPTION("to", "Where messages go: syslog (default), journal, tcp or udp",
			   "TARGET"),
		KEY_OPTION("format", "rfc5424 (default) or rfc3164, for syslog, tcp and udp",
			   "FORMAT"),
		KEY_OPTION("path",
			   "The syslog or journal socket (default /dev/log, "
			   "/run/systemd/journal/socket)",
			   "PATH"),
		KEY_OPTION("address", "The collector, for tcp and udp", "HOST:PORT"),
		KEY_OPTION("rate", "Messages a second per container; 0: no limit (default 200)",
			   "N"),
		KEY_OPTION("burst", "Messages at once per container (default 1000)", "N"),
		KEY_OPTION("max-message", "Longer messages are truncated (default 8192 bytes)",
			   "BYTES"),
		KEY_OPTION("queue",
			   "Messages per container waiting for the upstream (default 1000)", "N"),
		KEY_OPTION("summary-ms",
			   "Report drops once none happened for this long (default 5000)", "MS"),
		KEY_OPTION("severity-floor",
			   "A container's message more severe than LEVEL goes out at LEVEL: "
			   "emerg, alert, crit (default), err, warning, notice, info, debug "
			   "or 0-7",
			   "LEVEL"),
		KEY_OPTION("max-rate",
			   "The most a container's annotation may set; 0: --rate (default 0)", "N"),
		KEY_OPTION("max-burst",
			   "The most a container's annotation may set; 0: --burst (default 0)",
			   "N"),
		KEY_OPTION("queue-bytes",
			   "Bytes per container waiting for the upstream (default 4194304)",
			   "BYTES"),
		KEY_OPTION("total-queue-bytes",
			   "Bytes of all containers waiting for the upstream (default 67108864)",
			   "BYTES"),
		{ "debug", 'd', 0, G_OPTION_ARG_NONE, &debug, "Debug messages", NULL },
		CLI_VERSION_ENTRY(&version),
		{ NULL },
	};
	g_autoptr(GOptionContext) octx =
		g_option_context_new("- every container's /dev/log, relayed under its name");
	g_auto(relay_config) cfg = { 0 };
	struct relay *relay = NULL;
	size_t len = 0;
	int r;

	g_option_context_add_main_entries(octx, entries, NULL);
	g_option_context_set_description(
		octx, "Containers are registered by lensfs-hook --relay (docs/relay.md).\n"
		      "Counters: lensfs-show --relay DIR.");
	r = cli_parse(octx, "lensfs-relay", &version, &argc, &argv);
	if (r >= 0)
		return r;
	if (argc > 1) {
		fprintf(stderr, "lensfs-relay: unexpected argument '%s'\n", argv[1]);
		return 2;
	}
	log_init("lensfs-relay", false, debug);
	relay_config_init(&cfg);
	if (!config && g_file_test(RELAY_DEFAULT_CONFIG, G_FILE_TEST_EXISTS))
		config = g_strdup(RELAY_DEFAULT_CONFIG);
	if (config) {
		r = file_read_all(config, &text, &len);
		if (r < 0) {
			fprintf(stderr, "lensfs-relay: %s: %s\n", config, g_strerror(-r));
			return 2;
		}
		if (relay_config_parse(text, len, &cfg, &why) < 0) {
			fprintf(stderr, "lensfs-relay: %s: %s\n", config, why);
			return 2;
		}
	}
	for (guint i = 0; i + 1 < keyed->len; i += 2) {
		if (relay_config_set(&cfg, keyed->pdata[i], keyed->pdata[i + 1], &why) < 0) {
			fprintf(stderr, "lensfs-relay: %s\n", why);
			return 2;
		}
	}
	if (relay_config_check(&cfg, &why) < 0) {
		fprintf(stderr, "lensfs-relay: %s\n", why);
		return 2;
	}
	g_clear_pointer(&why, g_free);
	r = relay_new(&cfg, &relay, &why);
	if (r < 0) {
		log_error("%s", why ? why : g_strerror(-r));
		relay_free(relay);
		return 1;
	}
	/* Sockets of containers registered later are made in directories the
	 * relay owns: no capability is needed for them. */
	r = caps_drop_all();
	if (r < 0) {
		log_error("dropping capabilities: %s", g_strerror(-r));
		relay_free(relay);
		return 1;
	}
	relay_run(relay);
	relay_free(relay);
	return 0;
}
