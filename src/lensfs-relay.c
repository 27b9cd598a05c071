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

/* Options that set a key of the configuration file, by the key's name. */
static const char *const keyed[] = { "run-dir",	    "to",
				     "format",	    "path",
				     "address",	    "rate",
				     "burst",	    "max-message",
				     "queue",	    "summary-ms",
				     "max-rate",    "max-burst",
				     "queue-bytes", "total-queue-bytes" };

/* The options' values, however main returns. */
static void values_free(char *(*values)[G_N_ELEMENTS(keyed)])
{
	for (size_t i = 0; i < G_N_ELEMENTS(keyed); i++)
		g_free((*values)[i]);
}

int main(int argc, char **argv)
{
	g_autofree char *config = NULL, *text = NULL, *why = NULL;
	g_autoptr(GString) overrides = g_string_new("[relay]\n");
	char *values[G_N_ELEMENTS(keyed)] __attribute__((cleanup(values_free))) = { NULL };
	gboolean debug = FALSE, version = FALSE;
	const GOptionEntry entries[] = {
		{ "config", 'c', 0, G_OPTION_ARG_FILENAME, &config,
		  "Read the settings from FILE (default " RELAY_DEFAULT_CONFIG
		  " when it exists); options override it",
		  "FILE" },
		{ "run-dir", 0, 0, G_OPTION_ARG_STRING, &values[0],
		  "Sockets and registrations (default " RELAY_DEFAULT_RUN_DIR ")", "DIR" },
		{ "to", 0, 0, G_OPTION_ARG_STRING, &values[1],
		  "Where messages go: syslog (default), journal, tcp or udp", "TARGET" },
		{ "format", 0, 0, G_OPTION_ARG_STRING, &values[2],
		  "rfc5424 (default) or rfc3164, for syslog, tcp and udp", "FORMAT" },
		{ "path", 0, 0, G_OPTION_ARG_STRING, &values[3],
		  "The syslog or journal socket (default /dev/log, "
		  "/run/systemd/journal/socket)",
		  "PATH" },
		{ "address", 0, 0, G_OPTION_ARG_STRING, &values[4],
		  "The collector, for tcp and udp", "HOST:PORT" },
		{ "rate", 0, 0, G_OPTION_ARG_STRING, &values[5],
		  "Messages a second per container; 0: no limit (default 200)", "N" },
		{ "burst", 0, 0, G_OPTION_ARG_STRING, &values[6],
		  "Messages at once per container (default 1000)", "N" },
		{ "max-message", 0, 0, G_OPTION_ARG_STRING, &values[7],
		  "Longer messages are truncated (default 8192 bytes)", "BYTES" },
		{ "queue", 0, 0, G_OPTION_ARG_STRING, &values[8],
		  "Messages per container waiting for the upstream (default 1000)", "N" },
		{ "summary-ms", 0, 0, G_OPTION_ARG_STRING, &values[9],
		  "Report drops once none happened for this long (default 5000)", "MS" },
		{ "max-rate", 0, 0, G_OPTION_ARG_STRING, &values[10],
		  "The most a container's annotation may set; 0: --rate (default 0)", "N" },
		{ "max-burst", 0, 0, G_OPTION_ARG_STRING, &values[11],
		  "The most a container's annotation may set; 0: --burst (default 0)", "N" },
		{ "queue-bytes", 0, 0, G_OPTION_ARG_STRING, &values[12],
		  "Bytes per container waiting for the upstream (default 4194304)", "BYTES" },
		{ "total-queue-bytes", 0, 0, G_OPTION_ARG_STRING, &values[13],
		  "Bytes of all containers waiting for the upstream (default 67108864)", "BYTES" },
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
	for (size_t i = 0; i < G_N_ELEMENTS(keyed); i++) {
		if (values[i] && strchr(values[i], '\n')) {
			fprintf(stderr, "lensfs-relay: --%s: a line break\n", keyed[i]);
			return 2;
		}
		if (values[i])
			g_string_append_printf(overrides, "%s=%s\n", keyed[i], values[i]);
	}
	g_clear_pointer(&why, g_free);
	if (relay_config_parse(overrides->str, overrides->len, &cfg, &why) < 0 ||
	    relay_config_check(&cfg, &why) < 0) {
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
