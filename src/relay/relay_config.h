/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * lensfs-relay's settings (docs/relay.md, "Settings", lists every key):
 * their defaults, the [relay] group of the configuration file, the
 * command line's --KEY VALUE. Pure functions on text: the unit tests drive
 * them. Errors: -EINVAL with *why set (free it).
 */

#include <glib.h>

#define RELAY_DEFAULT_RUN_DIR "/run/lensfs/relay"

enum relay_target { RELAY_TO_SYSLOG, RELAY_TO_JOURNAL, RELAY_TO_TCP, RELAY_TO_UDP };
enum relay_wire { RELAY_RFC3164, RELAY_RFC5424 };

struct relay_config {
	char *run_dir;
	enum relay_target target;
	enum relay_wire format; /* syslog, tcp, udp */
	char *path; /* syslog, journal: the socket */
	char *address; /* tcp, udp: host:port ([v6]:port) */
	guint64 max_message; /* bytes of a datagram parsed; the rest is cut */
	guint64 rate; /* messages a second per container; 0: no limit */
	guint64 burst;
	/* The most a container's annotations may ask for; 0: rate, burst. */
	guint64 max_rate, max_burst;
	guint64 queue; /* messages per container waiting for the upstream */
	guint64 queue_bytes; /* their bytes, per container */
	guint64 total_queue_bytes; /* bytes of every message waiting */
	guint64 receive_buffer; /* SO_RCVBUF of each container's socket */
	guint64 summary_ms; /* a drop window closes after this long without a drop */
	guint64 reconnect_max_ms; /* longest pause between reconnections */
	/* a container's message more severe (a lower number) goes out at it */
	int severity_floor;
};

/* Defaults: docs/relay.md. */
void relay_config_init(struct relay_config *cfg);
void relay_config_clear(struct relay_config *cfg);
typedef struct relay_config relay_config;
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(relay_config, relay_config_clear)
/* One setting, key as in the file's [relay] group (the command line's
 * --KEY VALUE); the message names both when it is refused, and cfg keeps
 * what it had. */
int relay_config_set(struct relay_config *cfg, const char *key, const char *value, char **why);
/* Reads the [relay] group of a key file's text over what cfg holds. An
 * unknown group or key, a bad value: -EINVAL, cfg partly updated (the
 * caller exits). */
int relay_config_parse(const char *text, size_t len, struct relay_config *cfg, char **why);
/* Checks what no key alone can: an address for tcp/udp, burst >= 1 when
 * there is a rate. */
int relay_config_check(const struct relay_config *cfg, char **why);
/* "syslog", "journal", "tcp", "udp". */
const char *relay_config_target_name(enum relay_target t);
