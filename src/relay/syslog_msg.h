/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * What lensfs-relay makes of one datagram a container sent to its /dev/log,
 * and the three ways it writes the result upstream (docs/relay.md).
 *
 * Senders, as they write (../shared notes, checked against each):
 *   glibc syslog(3)   <PRI>Mmm dd hh:mm:ss TAG[PID]: MSG        (local time)
 *   musl syslog(3)    <PRI>Mmm dd hh:mm:ss TAG[PID]: MSG\n      (UTC)
 *   logger --rfc5424  <PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG
 *   Python logging    <PRI>MSG\0
 *   anything else     MSG                                      (bare text)
 *
 * Nothing in a message is trusted: the hostname is dropped (the container's
 * name replaces it), the PID is kept as "claimed", the timestamp is replaced
 * by the time of arrival, a facility other than user and local0-local7
 * (kern, auth, daemon, mail, cron...) becomes user. The text is made
 * printable: control characters and bytes that are not UTF-8 become \xHH,
 * and a backslash becomes two, so that the escaping can be undone.
 */

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* RFC 5424 6.2.1, table 1. */
#define SYSLOG_FAC_USER	  1
#define SYSLOG_FAC_SYSLOG 5
#define SYSLOG_FAC_LOCAL0 16
#define SYSLOG_FAC_LOCAL7 23
#define SYSLOG_SEV_CRIT	  2
#define SYSLOG_SEV_NOTICE 5
/* RFC 5424 6.2.5; 48 in its APP-NAME, 32 in RFC 3164's TAG. */
#define SYSLOG_TAG_MAX 48
/* RFC 5424 6.3: an SD-ID or a PARAM-NAME is 1 to 32 characters. */
#define SYSLOG_SD_NAME_MAX 32
/* The SD-ID of what the relay vouches for. 32473 is the enterprise number
 * RFC 5612 reserves for documentation and examples. */
#define SYSLOG_SD_ID "lensfs@32473"
/* The tag of the relay's own messages; no sender's tag is forwarded as it. */
#define SYSLOG_OWN_TAG "lensfs-relay"

enum syslog_format { SYSLOG_BARE, SYSLOG_3164, SYSLOG_5424 };

struct syslog_msg {
	enum syslog_format format; /* what the sender wrote */
	/* user (1) or local0..local7 (16..23); syslog (5) when own */
	int facility;
	int severity; /* 0..7 */
	/* printable ASCII without blank, ':', '[', ']', '\\', never
	 * SYSLOG_OWN_TAG (but own), <= SYSLOG_TAG_MAX bytes; NULL when none */
	char *tag;
	/* digits (RFC 3164), or RFC 5424's PROCID as a token; NULL when none */
	char *claimed_pid;
	char *msgid; /* RFC 5424 MSGID, a token (no blank, no '\\'); NULL */
	/* RFC 5424 structured data, written again (each value escaped as the
	 * text is, then for SD), ours removed; NULL when none */
	char *sd;
	char *text; /* printable UTF-8 */
	bool truncated;
	bool own; /* the relay's own message (syslog_msg_init_own) */
	size_t original_len; /* bytes the sender sent */
};

/* Who sent it, as the relay knows it: the socket it came in on (the
 * container), and what the kernel said about the sender. */
struct syslog_origin {
	const char *id; /* container id */
	const char *name; /* container name: the hostname upstream */
	pid_t pid; /* SCM_CREDENTIALS, in the relay's pid namespace; 0 unknown */
	uid_t uid;
	bool has_creds;
	int64_t time_us; /* arrival, CLOCK_REALTIME */
};

/* Parses one datagram of len bytes (any bytes, NULs included). Input beyond
 * max bytes is cut off first and the message marked truncated. Never fails. */
void syslog_msg_parse(const char *data, size_t len, size_t max, struct syslog_msg *out);
void syslog_msg_clear(struct syslog_msg *m);
typedef struct syslog_msg syslog_msg;
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(syslog_msg, syslog_msg_clear)

/* A severity by name, as syslog(3)'s LOG_ constants and rsyslog's
 * selectors write it (emerg, alert, crit, err, warning, notice, info,
 * debug: RFC 5424 6.2.1, table 2), or its number 0-7. -EINVAL otherwise. */
int syslog_severity_parse(const char *s);
/* A container's message more severe than floor (a lower number) goes out
 * at floor; the relay's own messages keep their severity. */
void syslog_msg_floor(struct syslog_msg *m, int floor);

/* Appends s (len bytes) to out with control characters (but TAB) and
 * invalid UTF-8 written as \xHH, and a backslash as two. */
void syslog_escape(const char *s, size_t len, GString *out);

/* The three upstream formats, appended to out:
 *   RFC 3164: <PRI>Mmm dd hh:mm:ss NAME TAG[PID]: TEXT        (local time)
 *   RFC 5424: <PRI>1 TIME NAME TAG PID MSGID [lensfs@32473 ...]SD TEXT
 *   journald's native protocol: KEY=VALUE lines (binary form for a value
 *   with a newline), fields in docs/relay.md.
 * PID is the kernel's (SCM_CREDENTIALS), or "-" / none when unknown. */
void syslog_format_3164(const struct syslog_msg *m, const struct syslog_origin *o, GString *out);
void syslog_format_5424(const struct syslog_msg *m, const struct syslog_origin *o, GString *out);
void syslog_format_journal(const struct syslog_msg *m, const struct syslog_origin *o, GString *out);
/* RFC 6587 3.4.1 octet counting: "LEN " in front of the message. */
void syslog_frame_octets(GString *msg);

/* A message the relay writes itself (its drop summaries): facility syslog,
 * tag SYSLOG_OWN_TAG, marked: origin="relay" in RFC 5424's lensfs@32473,
 * LENSFS_RELAY_SUMMARY=1 in the journal. No sender can write either. */
void syslog_msg_init_own(struct syslog_msg *m, int severity, const char *text);
