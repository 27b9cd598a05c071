/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "syslog_msg.h"

#include <errno.h>
#include <string.h>
#include <time.h>

static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
				      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

/* Bytes of the UTF-8 sequence that starts at s (at most len bytes), or 0
 * when it is not one: RFC 3629 section 4, so no overlong form, no surrogate,
 * nothing above U+10FFFF. */
static size_t utf8_seq_len(const unsigned char *s, size_t len)
{
	size_t n;
	unsigned char lo = 0x80, hi = 0xbf;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (len < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

void syslog_escape(const char *s, size_t len, GString *out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		unsigned char c = p[i];
		size_t n;

		/* Doubled, so that \x1b upstream is always a byte the relay
		 * escaped, never four characters a sender wrote: the escaping
		 * can be undone. */
		if (c == '\\') {
			g_string_append(out, "\\\\");
			i++;
			continue;
		}
		if (c >= 0x20 && c < 0x7f) {
			g_string_append_c(out, (char)c);
			i++;
			continue;
		}
		if (c == '\t') {
			g_string_append_c(out, '\t');
			i++;
			continue;
		}
		n = c >= 0x80 ? utf8_seq_len(p + i, len - i) : 0;
		/* C1 controls (U+0080..U+009F, "\xc2\x80".."\xc2\x9f") are escaped
		 * too: some terminals act on them. */
		if (n > 0 && !(n == 2 && c == 0xc2 && p[i + 1] < 0xa0)) {
			g_string_append_len(out, s + i, (gssize)n);
			i += n;
			continue;
		}
		g_string_append_printf(out, "\\x%02x", c);
		i++;
	}
}

/* Printable ASCII without blanks, '_' for anything else, at most max bytes:
 * for tokens (tag, PID, MSGID, hostname) that a space would split. A
 * backslash becomes '_' too: tokens are not escaped, and \x1b upstream
 * means a byte syslog_escape escaped, never a sender's four characters. */
static char *token_dup(const char *s, size_t len, size_t max)
{
	char *t = g_strndup(s, MIN(len, max));

	for (char *c = t; *c; c++)
		if (*c <= 0x20 || *c >= 0x7f || *c == '\\')
			*c = '_';
	/* g_strndup stops at a NUL: the rest of a token that holds one is cut. */
	return t;
}

/* The tag, the same whatever the sender wrote: a token (token_dup: no
 * blank, control or backslash), and none of ':', '[', ']' either, so that
 * "TAG[PID]: " upstream has one reading (an RFC 5424 APP-NAME
 * "evil[99999]:" would make rsyslog read 99999 as the PID). The relay's
 * own tag is reserved: a sender's copy of it gets a '_' in front, so that
 * only the relay's summaries carry it. */
static char *tag_clean(const char *s, size_t len)
{
	char *t = token_dup(s, len, SYSLOG_TAG_MAX);

	for (char *c = t; *c; c++)
		if (*c == ':' || *c == '[' || *c == ']')
			*c = '_';
	if (strcmp(t, SYSLOG_OWN_TAG) == 0) {
		char *u = g_strconcat("_", t, NULL);

		g_free(t);
		t = u;
	}
	return t;
}

/* "Mmm dd hh:mm:ss " as glibc and musl write it (day padded with a space). */
static bool is_3164_time(const char *p, const char *end)
{
	bool month = false;

	if (end - p < 16)
		return false;
	for (size_t i = 0; i < G_N_ELEMENTS(months); i++)
		month |= strncmp(p, months[i], 3) == 0;
	return month && p[3] == ' ' && (p[4] == ' ' || g_ascii_isdigit(p[4])) &&
	       g_ascii_isdigit(p[5]) && p[6] == ' ' && g_ascii_isdigit(p[7]) &&
	       g_ascii_isdigit(p[8]) && p[9] == ':' && g_ascii_isdigit(p[10]) &&
	       g_ascii_isdigit(p[11]) && p[12] == ':' && g_ascii_isdigit(p[13]) &&
	       g_ascii_isdigit(p[14]) && p[15] == ' ';
}

/* A TAG at p: up to 48 characters other than blank, ':', '[', ']', then
 * "[digits]:" or ":". Returns the bytes up to and including the colon and
 * one following blank, or 0. */
static size_t tag_at(const char *p, const char *end, size_t *tag_len, const char **pid,
		     size_t *pid_len)
{
	const char *q = p;

	while (q < end && q - p <= SYSLOG_TAG_MAX && *q != ' ' && *q != ':' && *q != '[' &&
	       *q != ']' && *q != '\0')
		q++;
	if (q == p || q - p > SYSLOG_TAG_MAX || q == end)
		return 0;
	*tag_len = (size_t)(q - p);
	*pid = NULL;
	*pid_len = 0;
	if (*q == '[') {
		const char *d = ++q;

		while (q < end && g_ascii_isdigit(*q) && q - d < 20)
			q++;
		if (q == d || q + 1 >= end || q[0] != ']' || q[1] != ':')
			return 0;
		*pid = d;
		*pid_len = (size_t)(q - d);
		q++;
	}
	if (*q != ':')
		return 0;
	q++;
	if (q < end && *q == ' ')
		q++;
	return (size_t)(q - p);
}

/* TAG[PID]: and a hostname before it (when the sender wrote a timestamp:
 * some write "Mmm dd hh:mm:ss HOST TAG: MSG"). What is left is the text. */
static void parse_3164(const char *p, const char *end, bool had_time, struct syslog_msg *m,
		       const char **text)
{
	const char *pid;
	size_t tag_len, pid_len, n = tag_at(p, end, &tag_len, &pid, &pid_len);

	if (n == 0 && had_time) {
		const char *sp = memchr(p, ' ', (size_t)(end - p));

		/* A hostname: one word, then a tag. The hostname is dropped. */
		if (sp && sp > p && !memchr(p, ':', (size_t)(sp - p)) &&
		    !memchr(p, '[', (size_t)(sp - p))) {
			n = tag_at(sp + 1, end, &tag_len, &pid, &pid_len);
			if (n > 0)
				p = sp + 1;
		}
	}
	if (n > 0) {
		m->tag = tag_clean(p, tag_len);
		if (pid)
			m->claimed_pid = g_strndup(pid, pid_len);
		p += n;
	}
	*text = p;
}

/* One space-delimited RFC 5424 header field; NULL for "-". false when there
 * is none (end of input). */
static bool field_5424(const char **p, const char *end, size_t max, char **out)
{
	const char *sp = memchr(*p, ' ', (size_t)(end - *p));

	*out = NULL;
	if (!sp || sp == *p)
		return false;
	if (!(sp - *p == 1 && **p == '-'))
		*out = token_dup(*p, (size_t)(sp - *p), max);
	*p = sp + 1;
	return true;
}

/* An SD-PARAM, ' NAME="VALUE"', with '"', '\' and ']' in the value escaped
 * (RFC 5424 6.3.3). */
static void append_param(GString *out, const char *name, const char *value)
{
	g_string_append_printf(out, " %s=\"", name);
	for (const char *c = value; *c; c++) {
		if (*c == '"' || *c == '\\' || *c == ']')
			g_string_append_c(out, '\\');
		g_string_append_c(out, *c);
	}
	g_string_append_c(out, '"');
}

/* The length of the SD-NAME at p (an SD-ID or a PARAM-NAME, RFC 5424 6.3:
 * 1 to 32 printable US-ASCII characters but '=', SP, ']' and '"'), or 0. */
static size_t sd_name_at(const char *p, const char *end)
{
	const char *q = p;

	while (q < end && q - p <= SYSLOG_SD_NAME_MAX && *q > ' ' && *q < 0x7f && *q != '=' &&
	       *q != ']' && *q != '"')
		q++;
	return q - p > SYSLOG_SD_NAME_MAX ? 0 : (size_t)(q - p);
}

/* An SD-NAME as it goes upstream: a backslash becomes '_', as in tokens
 * (names are not escaped in SD, and \x1b upstream is the relay's escape). */
static char *sd_name_dup(const char *p, size_t n)
{
	char *name = g_strndup(p, n);

	for (char *c = name; *c; c++)
		if (*c == '\\')
			*c = '_';
	return name;
}

/* RFC 5424 STRUCTURED-DATA at p: the length of one or more well-formed
 * SD-ELEMENTs, or 0. Nothing of it is forwarded as the sender wrote it:
 * each element is written again into *kept, each PARAM-VALUE read (RFC 5424
 * 6.3.3: \" \\ \] stand for the character; a backslash before anything else
 * is itself), escaped for display as the text is (syslog_escape), then for
 * SD (append_param). A ']' the sender left unescaped in a value, which a
 * receiver that splits at ']' takes for the element's end, thus goes out
 * escaped, and no value carries a control character or invalid UTF-8.
 * Elements with our SD-ID are left out: what the relay vouches for comes
 * from the relay only. */
static size_t parse_sd(const char *p, const char *end, GString *kept)
{
	g_autoptr(GString) element = g_string_new(NULL), value = g_string_new(NULL);
	g_autoptr(GString) shown = g_string_new(NULL);
	const char *q = p;

	while (q < end && *q == '[') {
		size_t n = sd_name_at(++q, end);
		g_autofree char *id = NULL;
		bool ours;

		if (n == 0)
			return 0;
		id = sd_name_dup(q, n);
		ours = n == strlen(SYSLOG_SD_ID) && memcmp(q, SYSLOG_SD_ID, n) == 0;
		g_string_printf(element, "[%s", id);
		q += n;
		/* SP PARAM-NAME="PARAM-VALUE" */
		while (q < end && *q == ' ') {
			g_autofree char *name = NULL;

			n = sd_name_at(++q, end);
			if (n == 0 || (size_t)(end - q) < n + 2 || q[n] != '=' || q[n + 1] != '"')
				return 0;
			name = sd_name_dup(q, n);
			g_string_truncate(value, 0);
			for (q += n + 2; q < end && *q != '"'; q++) {
				if (*q == '\\' && q + 1 < end &&
				    (q[1] == '"' || q[1] == '\\' || q[1] == ']'))
					q++;
				else if (*q == '\0')
					return 0;
				g_string_append_c(value, *q);
			}
			if (q == end)
				return 0;
			q++;
			g_string_truncate(shown, 0);
			syslog_escape(value->str, value->len, shown);
			append_param(element, name, shown->str);
		}
		if (q == end || *q != ']')
			return 0;
		q++;
		if (!ours) {
			g_string_append_c(element, ']');
			g_string_append_len(kept, element->str, (gssize)element->len);
		}
	}
	return (size_t)(q - p);
}

static bool parse_5424(const char *p, const char *end, struct syslog_msg *m, const char **text)
{
	g_autofree char *time = NULL, *host = NULL, *app = NULL, *procid = NULL, *msgid = NULL;
	g_autoptr(GString) kept = g_string_new(NULL);
	size_t n;

	if (!field_5424(&p, end, 64, &time) || !field_5424(&p, end, 255, &host) ||
	    !field_5424(&p, end, SYSLOG_TAG_MAX, &app) || !field_5424(&p, end, 128, &procid) ||
	    !field_5424(&p, end, 32, &msgid) || p == end)
		return false;
	if (*p == '-') {
		p++;
	} else {
		n = parse_sd(p, end, kept);
		if (n == 0)
			return false;
		p += n;
	}
	if (p < end && *p != ' ')
		return false;
	if (p < end)
		p++;
	/* MSG may start with a BOM (RFC 5424 6.4). */
	if (end - p >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	if (app)
		m->tag = tag_clean(app, strlen(app));
	m->claimed_pid = g_steal_pointer(&procid);
	m->msgid = g_steal_pointer(&msgid);
	if (kept->len)
		m->sd = g_string_free(g_steal_pointer(&kept), FALSE);
	*text = p;
	return true;
}

void syslog_msg_parse(const char *data, size_t len, size_t max, struct syslog_msg *m)
{
	const char *p = data, *end, *text = NULL;
	g_autoptr(GString) t = g_string_new(NULL);
	bool pri = false;
	int v = 0;

	memset(m, 0, sizeof(*m));
	m->original_len = len;
	if (len > max) {
		len = max;
		m->truncated = true;
		/* Cut before a sequence the limit split in two, not in it. */
		for (size_t back = 1; back <= 3 && back <= len; back++) {
			unsigned char c = (unsigned char)data[len - back];

			if (c < 0x80)
				break;
			if (c >= 0xc0) {
				size_t need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;

				if (need > back)
					len -= back;
				break;
			}
		}
	}
	end = data + len;
	/* Python's trailing NUL, musl's newline. */
	while (end > p && (end[-1] == '\0' || end[-1] == '\n'))
		end--;
	m->facility = SYSLOG_FAC_USER;
	m->severity = SYSLOG_SEV_NOTICE;
	if (end - p >= 3 && *p == '<') {
		const char *q = p + 1;

		while (q < end && q - p <= 3 && g_ascii_isdigit(*q))
			v = v * 10 + (*q++ - '0');
		if (q > p + 1 && q < end && *q == '>' && v <= 191) {
			pri = true;
			p = q + 1;
		}
	}
	if (pri) {
		m->facility = v >> 3;
		m->severity = v & 7;
		/* Only user and local0-local7 are a container's (RFC 5424
		 * 6.2.1, table 1). The others name the host's own services,
		 * and hosts act on them: Debian 12's rsyslog.conf writes
		 * auth and authpriv to auth.log, cron, kern and mail to
		 * files of their own, and rules that watch logins or mail
		 * read those. A container is not the kernel ("<0>" is also
		 * what a sender that named no facility wrote), and syslog
		 * is the relay's own (its summaries). */
		if (m->facility != SYSLOG_FAC_USER && m->facility < SYSLOG_FAC_LOCAL0)
			m->facility = SYSLOG_FAC_USER;
	}
	if (pri && end - p >= 2 && p[0] == '1' && p[1] == ' ' && parse_5424(p + 2, end, m, &text)) {
		m->format = SYSLOG_5424;
	} else {
		bool had_time = is_3164_time(p, end);

		m->format = pri ? SYSLOG_3164 : SYSLOG_BARE;
		if (had_time)
			p += 16;
		parse_3164(p, end, had_time, m, &text);
	}
	syslog_escape(text, (size_t)(end - text), t);
	if (m->truncated)
		g_string_append_printf(t, " [truncated from %zu bytes]", m->original_len);
	m->text = g_string_free(g_steal_pointer(&t), FALSE);
}

static const char *const severities[] = { "emerg",   "alert",  "crit", "err",
					  "warning", "notice", "info", "debug" };

int syslog_severity_parse(const char *s)
{
	for (size_t i = 0; i < G_N_ELEMENTS(severities); i++)
		if (strcmp(s, severities[i]) == 0)
			return (int)i;
	if (s[0] >= '0' && s[0] <= '7' && s[1] == '\0')
		return s[0] - '0';
	return -EINVAL;
}

/* Hosts act on the most severe messages: Debian's rsyslog.conf writes
 * *.emerg to every logged-in user's terminal (:omusrmsg:*), and journald
 * (ForwardToWall=yes) broadcasts up to MaxLevelWall, emerg by default. A
 * container may say that something is critical to it (crit, the default
 * floor), not that the system is unusable (emerg) or that action must be
 * taken at once (alert; RFC 5424 6.2.1, table 2). */
void syslog_msg_floor(struct syslog_msg *m, int floor)
{
	if (!m->own && m->severity < floor)
		m->severity = floor;
}

void syslog_msg_clear(struct syslog_msg *m)
{
	g_clear_pointer(&m->tag, g_free);
	g_clear_pointer(&m->claimed_pid, g_free);
	g_clear_pointer(&m->msgid, g_free);
	g_clear_pointer(&m->sd, g_free);
	g_clear_pointer(&m->text, g_free);
}

void syslog_msg_init_own(struct syslog_msg *m, int severity, const char *text)
{
	memset(m, 0, sizeof(*m));
	m->format = SYSLOG_BARE;
	m->facility = SYSLOG_FAC_SYSLOG;
	m->severity = severity;
	m->tag = g_strdup(SYSLOG_OWN_TAG);
	m->own = true;
	m->text = g_strdup(text);
	m->original_len = strlen(text);
}

static int pri_of(const struct syslog_msg *m)
{
	return m->facility * 8 + m->severity;
}

static void append_hostname(const char *name, GString *out)
{
	g_autofree char *h = token_dup(name, strlen(name), 255);

	g_string_append(out, *h ? h : "-");
}

void syslog_format_3164(const struct syslog_msg *m, const struct syslog_origin *o, GString *out)
{
	time_t secs = (time_t)(o->time_us / 1000000);
	struct tm tm;

	localtime_r(&secs, &tm);
	g_string_append_printf(out, "<%d>%s %2d %02d:%02d:%02d ", pri_of(m), months[tm.tm_mon],
			       tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	append_hostname(o->name, out);
	g_string_append_c(out, ' ');
	g_string_append(out, m->tag ? m->tag : "-");
	if (o->has_creds)
		g_string_append_printf(out, "[%d]", (int)o->pid);
	g_string_append(out, ": ");
	g_string_append(out, m->text);
}

void syslog_format_5424(const struct syslog_msg *m, const struct syslog_origin *o, GString *out)
{
	time_t secs = (time_t)(o->time_us / 1000000);
	struct tm tm;

	gmtime_r(&secs, &tm);
	g_string_append_printf(out, "<%d>1 %04d-%02d-%02dT%02d:%02d:%02d.%06dZ ", pri_of(m),
			       tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			       tm.tm_sec, (int)(o->time_us % 1000000));
	append_hostname(o->name, out);
	g_string_append_printf(out, " %s ", m->tag ? m->tag : "-");
	if (o->has_creds)
		g_string_append_printf(out, "%d", (int)o->pid);
	else
		g_string_append_c(out, '-');
	g_string_append_printf(out, " %s [" SYSLOG_SD_ID, m->msgid ? m->msgid : "-");
	append_param(out, "id", o->id);
	append_param(out, "name", o->name);
	if (m->own)
		append_param(out, "origin", "relay");
	if (o->has_creds) {
		g_autofree char *pid = g_strdup_printf("%d", (int)o->pid);
		g_autofree char *uid = g_strdup_printf("%u", (unsigned)o->uid);

		append_param(out, "pid", pid);
		append_param(out, "uid", uid);
	}
	if (m->claimed_pid)
		append_param(out, "claimed-pid", m->claimed_pid);
	if (m->truncated) {
		g_autofree char *len = g_strdup_printf("%zu", m->original_len);

		append_param(out, "truncated", len);
	}
	g_string_append_c(out, ']');
	if (m->sd)
		g_string_append(out, m->sd);
	if (*m->text) {
		g_string_append_c(out, ' ');
		g_string_append(out, m->text);
	}
}

/* One field of journald's native protocol (systemd's
 * src/journal/journald-native.c reads it): "KEY=VALUE\n", or, for a value
 * with a newline, "KEY\n", its length as 64-bit little endian, the value,
 * "\n". */
static void journal_field(GString *out, const char *key, const char *value)
{
	size_t len = strlen(value);

	if (!memchr(value, '\n', len)) {
		g_string_append_printf(out, "%s=%s\n", key, value);
		return;
	}
	g_string_append_printf(out, "%s\n", key);
	for (int i = 0; i < 8; i++)
		g_string_append_c(out, (char)(((guint64)len >> (8 * i)) & 0xff));
	g_string_append_len(out, value, (gssize)len);
	g_string_append_c(out, '\n');
}

static void journal_fieldf(GString *out, const char *key, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static void journal_fieldf(GString *out, const char *key, const char *fmt, ...)
{
	g_autofree char *v = NULL;
	va_list ap;

	va_start(ap, fmt);
	v = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	journal_field(out, key, v);
}

void syslog_format_journal(const struct syslog_msg *m, const struct syslog_origin *o, GString *out)
{
	g_autofree char *short_id = g_strndup(o->id, 12);

	journal_field(out, "MESSAGE", m->text);
	journal_fieldf(out, "PRIORITY", "%d", m->severity);
	journal_fieldf(out, "SYSLOG_FACILITY", "%d", m->facility);
	if (m->tag)
		journal_field(out, "SYSLOG_IDENTIFIER", m->tag);
	if (m->claimed_pid)
		journal_field(out, "SYSLOG_PID", m->claimed_pid);
	journal_field(out, "CONTAINER_ID", short_id);
	journal_field(out, "CONTAINER_ID_FULL", o->id);
	journal_field(out, "CONTAINER_NAME", o->name);
	if (o->has_creds) {
		journal_fieldf(out, "LENSFS_SENDER_PID", "%d", (int)o->pid);
		journal_fieldf(out, "LENSFS_SENDER_UID", "%u", (unsigned)o->uid);
	}
	if (m->truncated)
		journal_fieldf(out, "LENSFS_TRUNCATED", "%zu", m->original_len);
	/* No sender can write a field: every value above is one line (the
	 * text is escaped, tags and names are tokens), so this one is the
	 * relay's alone. */
	if (m->own)
		journal_field(out, "LENSFS_RELAY_SUMMARY", "1");
}

void syslog_frame_octets(GString *msg)
{
	g_autofree char *len = g_strdup_printf("%zu ", msg->len);

	g_string_prepend(msg, len);
}
