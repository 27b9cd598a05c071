/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * lensfs-relay's settings (docs/relay.md lists every key), the
 * registration of one container (what lensfs-hook writes and the relay
 * reads back after a restart), and the per-container token bucket. Pure
 * functions on text and numbers: the unit tests drive them.
 */

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define RELAY_DEFAULT_RUN_DIR "/run/lensfs/relay"
/* Annotations a container may carry (OCI config.json "annotations"). */
#define RELAY_ANNOTATION_NAME  "org.lensfs.relay.name"
#define RELAY_ANNOTATION_RATE  "org.lensfs.relay.rate"
#define RELAY_ANNOTATION_BURST "org.lensfs.relay.burst"

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
/* Reads the [relay] group of a key file's text over what cfg holds. An
 * unknown key, a bad value: -EINVAL with *why set (free it), cfg partly
 * updated (the caller exits). */
/* One setting, key as in the file's [relay] group (the command line's
 * --KEY VALUE); the message names both when it is refused. */
int relay_config_set(struct relay_config *cfg, const char *key, const char *value, char **why);
int relay_config_parse(const char *text, size_t len, struct relay_config *cfg, char **why);
/* "syslog" etc.; -EINVAL otherwise. */
int relay_target_parse(const char *s, enum relay_target *out);
const char *relay_target_name(enum relay_target t);
int relay_wire_parse(const char *s, enum relay_wire *out);
/* Checks what no key alone can: an address for tcp/udp, burst >= 1 when
 * there is a rate. */
int relay_config_check(const struct relay_config *cfg, char **why);

/* A container id as runc accepts it and as a file name is safe: 1..128 of
 * [A-Za-z0-9_.+-], not starting with '.'. */
bool relay_id_valid(const char *id);

/* A name made valid as above: other characters become '_' ("web/1" ->
 * "web_1"), leading dots go, at most 128 characters kept. May be empty. */
char *relay_name_sanitize(const char *name);

/* Whether a name would pass for the host upstream: hostname
 * (gethostname(2)), its first label, "localhost" or
 * "localhost.localdomain", compared without case (hostnames have none, RFC
 * 4343) and without trailing dots. */
bool relay_name_is_host(const char *name, const char *hostname);

/* The first of BASE, BASE-2, BASE-3, ... that taken() says is free, at most
 * 128 characters (the base is cut, the suffix kept). taken() must say no
 * to some of them (a finite set of names is taken). */
typedef bool (*relay_name_taken_fn)(const char *name, void *data);
char *relay_name_pick(const char *base, relay_name_taken_fn taken, void *data);

struct relay_reg {
	char *id;
	char *name; /* what upstream sees as the hostname; valid as an id */
	pid_t pid; /* the container's init when registered */
	guint64 rate, burst; /* overrides; has_limits says whether set */
	bool has_limits;
};

/* The registration file: a key file, group [container]. */
char *relay_reg_to_data(const struct relay_reg *reg);
int relay_reg_parse(const char *text, size_t len, struct relay_reg *reg, char **why);
void relay_reg_clear(struct relay_reg *reg);
typedef struct relay_reg relay_reg;
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(relay_reg, relay_reg_clear)

/* The overrides from annotations' text (either may be NULL: the relay's
 * setting). -EINVAL with *why set for a value that is not a number from 1
 * (0 would turn the limit off: annotations are the container creator's). */
int relay_limits_parse(const char *rate, const char *burst, struct relay_reg *reg, char **why);
/* A container's limits: its overrides, capped at max-rate and max-burst
 * (rate and burst when those are 0), else the relay's own. */
void relay_limits_apply(const struct relay_config *cfg, const struct relay_reg *reg, guint64 *rate,
			guint64 *burst);

/* A token bucket in millionths of a message, so that any rate is exact
 * without floating point: burst messages at once, then rate a second. */
struct token_bucket {
	guint64 rate, burst; /* rate 0: every message passes */
	guint64 tokens; /* millionths */
	guint64 last_us;
};

void token_bucket_init(struct token_bucket *b, guint64 rate, guint64 burst, guint64 now_us);
/* true: the message passes (one token taken); false: drop it. */
bool token_bucket_take(struct token_bucket *b, guint64 now_us);
/* Gives back the token of a message dropped after all (at most burst). */
void token_bucket_refund(struct token_bucket *b);

/* Whether a datagram goes on: the container's share of the queue first
 * (a message it cannot take costs no token), then its bucket. */
enum relay_admit { RELAY_ADMIT, RELAY_DROP_QUEUE, RELAY_DROP_RATE };
enum relay_admit relay_admit(struct token_bucket *b, guint64 queued, guint64 queue_max,
			     guint64 now_us);
