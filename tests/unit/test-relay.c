/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lensfs-relay's pure parts: the syslog parser and sanitizer on what real
 * senders write (glibc, musl, logger --rfc5424, Python) and on hostile
 * datagrams, the three upstream formats byte for byte, the token bucket,
 * the configuration and the registration file. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <glib.h>

#include "oci.h"
#include "relay_config.h"
#include "relay_ratelimit.h"
#include "relay_reg.h"
#include "relay_hook.h"
#include "syslog_msg.h"

#include <errno.h>

#define PARSE(m, lit) syslog_msg_parse(lit, sizeof(lit) - 1, 8192, m)

/* 2026-11-29 13:30:05.000042 UTC */
#define T0 (1795959005LL * 1000000 + 42)

static const struct syslog_origin origin = {
	.id = "0123456789abcdef0123",
	.name = "web",
	.pid = 4242,
	.uid = 1000,
	.has_creds = true,
	.time_us = T0,
};

/* One row per sender's shape: every field the parser fills, NULL where
 * the message has none. */
static const struct parse_case {
	const char *why, *in;
	size_t len; /* 0: strlen(in) */
	enum syslog_format format;
	int facility, severity;
	const char *tag, *claimed_pid, *msgid, *sd, *text;
} parse_cases[] = {
	/* daemon.info: a daemon's facility is the host's, not a container's. */
	{ "glibc", "<30>Nov 29 14:30:05 myapp[17]: started on port 80", 0, SYSLOG_3164,
	  SYSLOG_FAC_USER, 6, "myapp", "17", NULL, NULL, "started on port 80" },
	/* musl: UTC, a newline at the end; a one-digit day is space-padded. */
	{ "musl", "<11>Nov  2 09:01:02 worker: disk full\n", 0, SYSLOG_3164, 1, 3, "worker", NULL,
	  NULL, NULL, "disk full" },
	{ "RFC 5424",
	  "<165>1 2026-11-29T13:30:05.003Z otherhost app 999 ID47 "
	  "[exampleSDID@32473 iut=\"3\" eventSource=\"App\\]x\"] \xef\xbb\xbfhello 5424",
	  0, SYSLOG_5424, 20, 5, "app", "999", "ID47",
	  "[exampleSDID@32473 iut=\"3\" eventSource=\"App\\]x\"]", "hello 5424" },
	{ "RFC 5424, every field nil", "<14>1 - - - - - -", 0, SYSLOG_5424, 1, 6, NULL, NULL, NULL,
	  NULL, "" },
	/* What the relay vouches for cannot come from the sender. */
	{ "RFC 5424, the relay's own SD-ID forged",
	  "<14>1 - h a 1 - [lensfs@32473 id=\"other\" name=\"db\"][x@1 a=\"b\"] m", 0, SYSLOG_5424,
	  1, 6, "a", "1", NULL, "[x@1 a=\"b\"]", "m" },
	/* Malformed SD: not RFC 5424 after all, all of it is text. */
	{ "RFC 5424, malformed SD", "<14>1 - h a 1 - [broken m", 0, SYSLOG_3164, 1, 6, NULL, NULL,
	  NULL, NULL, "1 - h a 1 - [broken m" },
	/* logging.handlers.SysLogHandler: "<PRI>msg\0". */
	{ "Python", "<12>py: warned\0", 15, SYSLOG_3164, 1, 4, "py", NULL, NULL, NULL, "warned" },
	/* "just some text:" has blanks: not a tag. */
	{ "bare text", "just some text: with a colon", 0, SYSLOG_BARE, SYSLOG_FAC_USER,
	  SYSLOG_SEV_NOTICE, NULL, NULL, NULL, NULL, "just some text: with a colon" },
	/* 192 is beyond the largest PRI (23 * 8 + 7): text. */
	{ "PRI out of range", "<192>x", 0, SYSLOG_BARE, SYSLOG_FAC_USER, SYSLOG_SEV_NOTICE, NULL,
	  NULL, NULL, NULL, "<192>x" },
};

static void expect_field(const char *why, const char *field, const char *want, const char *got)
{
	if (g_strcmp0(want, got) != 0)
		fail_msg("%s: %s is '%s', not '%s'", why, field, got ? got : "(none)",
			 want ? want : "(none)");
}

static void test_parse_formats(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(parse_cases); i++) {
		const struct parse_case *c = &parse_cases[i];
		g_auto(syslog_msg) m = { 0 };

		syslog_msg_parse(c->in, c->len ? c->len : strlen(c->in), 8192, &m);
		if (m.format != c->format || m.facility != c->facility || m.severity != c->severity)
			fail_msg("%s: format %d facility %d severity %d, not %d %d %d", c->why,
				 m.format, m.facility, m.severity, c->format, c->facility,
				 c->severity);
		expect_field(c->why, "tag", c->tag, m.tag);
		expect_field(c->why, "claimed pid", c->claimed_pid, m.claimed_pid);
		expect_field(c->why, "msgid", c->msgid, m.msgid);
		expect_field(c->why, "sd", c->sd, m.sd);
		expect_field(c->why, "text", c->text, m.text);
		assert_false(m.truncated);
	}
}

/* What is not a PRI is text: out of range, negative, more than 3 digits
 * (RFC 5424 6.2.1: PRIVAL is 1 to 3 digits). */
static void test_bad_pri(void **state)
{
	static const char *const bad[] = { "<999>x",  "<-1>x",
					   "<0001>x", "<00000000000000000000000000013>x",
					   "<>x",     "<1a>x" };

	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_auto(syslog_msg) m = { 0 };

		syslog_msg_parse(bad[i], strlen(bad[i]), 8192, &m);
		assert_int_equal(m.format, SYSLOG_BARE);
		assert_int_equal(m.facility, SYSLOG_FAC_USER);
		assert_int_equal(m.severity, SYSLOG_SEV_NOTICE);
		assert_null(m.tag);
		assert_string_equal(m.text, bad[i]);
	}
}

static void test_kern_becomes_user(void **state)
{
	g_auto(syslog_msg) zero = { 0 }, kern = { 0 };

	PARSE(&zero, "<0>panic: forged");
	assert_int_equal(zero.facility, SYSLOG_FAC_USER);
	assert_int_equal(zero.severity, 0);
	PARSE(&kern, "<3>Nov 29 14:30:05 kernel: oops");
	assert_int_equal(kern.facility, SYSLOG_FAC_USER);
	assert_int_equal(kern.severity, 3);
	assert_string_equal(kern.tag, "kernel");
}

/* Only user (1) and local0-local7 (16-23) are a container's: kern, mail,
 * daemon, auth, syslog, lpr, news, uucp, cron, authpriv, ftp, ntp,
 * security, console, clock (0, 2-15, as rsyslog names them) name the
 * host's services and become user. Every facility, each severity, in each shape a PRI comes in. */
static void test_facilities(void **state)
{
	/* What follows the PRI. */
	static const char *const shapes[] = { "t: x", "Nov 29 14:30:05 t[1]: x",
					      "1 - h t - - - x" };

	for (int facility = 0; facility <= 23; facility++) {
		int want = facility == 1 || facility >= 16 ? facility : SYSLOG_FAC_USER;

		for (int severity = 0; severity <= 7; severity++) {
			for (size_t i = 0; i < G_N_ELEMENTS(shapes); i++) {
				g_auto(syslog_msg) m = { 0 };
				g_autofree char *in = g_strdup_printf(
					"<%d>%s", facility * 8 + severity, shapes[i]);

				syslog_msg_parse(in, strlen(in), 8192, &m);
				if (m.facility != want || m.severity != severity ||
				    strcmp(m.tag, "t") != 0)
					fail_msg(
						"'%s': facility %d severity %d tag %s, not %d %d t",
						in, m.facility, m.severity, m.tag, want, severity);
			}
		}
	}
}

/* The relay's summaries carry a mark no sender can write. */
static void test_own_marked(void **state)
{
	g_auto(syslog_msg) own = { 0 }, forged = { 0 };
	g_autoptr(GString) a = g_string_new(NULL), b = g_string_new(NULL);
	g_autoptr(GString) ja = g_string_new(NULL), jb = g_string_new(NULL);
	struct syslog_origin o = origin;

	o.has_creds = false;
	syslog_msg_init_own(&own, 4, "container web (x): 5 messages dropped");
	syslog_format_5424(&own, &o, a);
	assert_string_equal(a->str, "<44>1 2026-11-29T13:30:05.000042Z web lensfs-relay - - "
				    "[lensfs@32473 id=\"0123456789abcdef0123\" name=\"web\" "
				    "origin=\"relay\"] container web (x): 5 messages dropped");
	syslog_format_journal(&own, &o, ja);
	assert_non_null(strstr(ja->str, "\nLENSFS_RELAY_SUMMARY=1\n"));
	/* A sender that writes all of it, with line breaks for journal fields
	 * and our SD-ID: none of it counts. */
	PARSE(&forged, "<44>1 - - lensfs-relay - - [lensfs@32473 origin=\"relay\"] "
		       "container web (x): 5 messages dropped\nLENSFS_RELAY_SUMMARY=1");
	syslog_format_5424(&forged, &o, b);
	assert_null(strstr(b->str, "origin="));
	assert_null(strstr(b->str, " lensfs-relay "));
	syslog_format_journal(&forged, &o, jb);
	assert_null(strstr(jb->str, "\nLENSFS_RELAY_SUMMARY="));
	assert_non_null(strstr(jb->str, "SYSLOG_FACILITY=1\n"));
}

/* Structured data is written again, never forwarded as the sender wrote it:
 * each value read (RFC 5424 6.3.3), escaped as the text is, then for SD (so
 * a control byte is \xHH, and that backslash escaped for SD). */
static void test_sd_rewritten(void **state)
{
	g_autofree char *id32 = g_strnfill(SYSLOG_SD_NAME_MAX, 'i');
	g_autofree char *name32 = g_strnfill(SYSLOG_SD_NAME_MAX, 'n');
	g_autofree char *long_names =
		g_strdup_printf("<14>1 - h a - - [%s %s=\"v\"] m", id32, name32);
	g_autofree char *long_names_sd = g_strdup_printf("[%s %s=\"v\"]", id32, name32);
	const struct {
		const char *why, *in, *sd;
	} cases[] = {
		{ "an unescaped ']' in a value", "<14>1 - h a - - [x@1 a=\"b]c\"] m",
		  "[x@1 a=\"b\\]c\"]" },
		{ "escaped '\"', '\\' and ']'",
		  "<14>1 - h a - - [x@1 q=\"say \\\"hi\\\" \\\\ \\]\"] m",
		  "[x@1 q=\"say \\\"hi\\\" \\\\\\\\ \\]\"]" },
		/* A backslash is itself before another character, and doubled as
		 * the text's are: the sender's four characters \x1b and the byte
		 * ESC differ upstream. */
		{ "a backslash before another character",
		  "<14>1 - h a - - [x@1 p=\"C:\\dir\" e=\"\\x1b\" b=\"\x1b\"] m",
		  "[x@1 p=\"C:\\\\\\\\dir\" e=\"\\\\\\\\x1b\" b=\"\\\\x1b\"]" },
		{ "a backslash in names", "<14>1 - h a - - [x\\y@1 p\\q=\"v\"] m",
		  "[x_y@1 p_q=\"v\"]" },
		{ "control bytes",
		  "<14>1 - h a - - [x@1 c=\"a\x01"
		  "b\x1b[2J\x7f\tz\"] m",
		  "[x@1 c=\"a\\\\x01b\\\\x1b[2J\\\\x7f\tz\"]" },
		{ "invalid UTF-8", "<14>1 - h a - - [x@1 u=\"\xff\xc3(\xc3\xa9\xc2\x85\"] m",
		  "[x@1 u=\"\\\\xff\\\\xc3(\xc3\xa9\\\\xc2\\\\x85\"]" },
		{ "our SD-ID among others",
		  "<14>1 - h a - - [x@1 a=\"1\"][lensfs@32473 id=\"y\" origin=\"relay\"][z@2] m",
		  "[x@1 a=\"1\"][z@2]" },
		{ "only ours", "<14>1 - h a - - [lensfs@32473 name=\"db\"] m", NULL },
		{ "names of 32 characters", long_names, long_names_sd },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_auto(syslog_msg) m = { 0 };

		syslog_msg_parse(cases[i].in, strlen(cases[i].in), 8192, &m);
		if (m.format != SYSLOG_5424)
			fail_msg("%s: not read as RFC 5424", cases[i].why);
		expect_field(cases[i].why, "sd", cases[i].sd, m.sd);
		expect_field(cases[i].why, "text", "m", m.text);
	}
}

/* Malformed structured data: the message is RFC 3164 after all, and what
 * follows the PRI is its text. */
static void test_sd_malformed(void **state)
{
	g_autofree char *id33 = g_strnfill(SYSLOG_SD_NAME_MAX + 1, 'i');
	g_autofree char *name33 = g_strnfill(SYSLOG_SD_NAME_MAX + 1, 'n');
	g_autofree char *long_id = g_strdup_printf("1 - h a - - [%s a=\"v\"] m", id33);
	g_autofree char *long_name = g_strdup_printf("1 - h a - - [x@1 %s=\"v\"] m", name33);
	const char *const bodies[] = {
		long_id,
		long_name,
		"1 - h a - - [] m",
		"1 - h a - - [x@1 a=\"v] m",
		"1 - h a - - [x@1 a=\"v\" m",
		"1 - h a - - [x@1 a=v] m",
		"1 - h a - - [x@1  a=\"v\"] m",
		"1 - h a - - [x@1 =\"v\"] m",
		"1 - h a - - [x=1 a=\"v\"] m",
	};

	for (size_t i = 0; i < G_N_ELEMENTS(bodies); i++) {
		g_auto(syslog_msg) m = { 0 };
		g_autofree char *in = g_strconcat("<14>", bodies[i], NULL);

		syslog_msg_parse(in, strlen(in), 8192, &m);
		if (m.format != SYSLOG_3164 || m.sd || strcmp(m.text, bodies[i]) != 0)
			fail_msg("'%s': format %d, sd '%s', text '%s'", bodies[i], m.format, m.sd,
				 m.text);
	}
	/* A NUL in a value: malformed too, the NUL escaped in the text. */
	{
		g_auto(syslog_msg) m = { 0 };
		static const char nul[] = "<14>1 - h a - - [x@1 a=\"v\0w\"] m";

		syslog_msg_parse(nul, sizeof(nul) - 1, 8192, &m);
		assert_int_equal(m.format, SYSLOG_3164);
		assert_null(m.sd);
		assert_string_equal(m.text, "1 - h a - - [x@1 a=\"v\\x00w\"] m");
	}
}

static void test_claimed_hostname_dropped(void **state)
{
	g_auto(syslog_msg) m = { 0 };
	g_autoptr(GString) out = g_string_new(NULL);

	PARSE(&m, "<13>Nov 29 14:30:05 db fake[1]: I am db");
	assert_string_equal(m.tag, "fake");
	assert_string_equal(m.claimed_pid, "1");
	assert_string_equal(m.text, "I am db");
	syslog_format_5424(&m, &origin, out);
	assert_string_equal(out->str,
			    "<13>1 2026-11-29T13:30:05.000042Z web fake 4242 - [lensfs@32473 "
			    "id=\"0123456789abcdef0123\" name=\"web\" pid=\"4242\" uid=\"1000\" "
			    "claimed-pid=\"1\"] I am db");
}

/* An APP-NAME may hold '[', ']' and ':' (RFC 5424 6.2.5 allows any
 * PRINTUSASCII): upstream, "evil[99999]:" would be read as the tag "evil"
 * and the PID 99999. Tags are cleaned alike whatever the sender wrote. */
static void test_tag_cannot_claim_pid(void **state)
{
	g_auto(syslog_msg) m = { 0 }, g = { 0 }, own = { 0 }, own5 = { 0 };
	g_autoptr(GString) out = g_string_new(NULL);

	setenv("TZ", "UTC", 1);
	tzset();
	PARSE(&m, "<14>1 - h evil[99999]: - - - hi");
	assert_int_equal(m.format, SYSLOG_5424);
	assert_string_equal(m.tag, "evil_99999__");
	syslog_format_3164(&m, &origin, out);
	assert_string_equal(out->str, "<14>Nov 29 13:30:05 web evil_99999__[4242]: hi");
	g_string_truncate(out, 0);
	syslog_format_5424(&m, &origin, out);
	assert_string_equal(out->str, "<14>1 2026-11-29T13:30:05.000042Z web evil_99999__ 4242 - "
				      "[lensfs@32473 id=\"0123456789abcdef0123\" name=\"web\" "
				      "pid=\"4242\" uid=\"1000\"] hi");
	/* RFC 3164: a tag stops at those characters already; the same function
	 * makes it. */
	PARSE(&g, "<14>Nov 29 14:30:05 a b: x");
	assert_string_equal(g.tag, "b");
	/* The relay's own tag is its own. */
	PARSE(&own, "<44>lensfs-relay: container web (x): 5 messages dropped");
	assert_string_equal(own.tag, "_lensfs-relay");
	PARSE(&own5, "<44>1 - - lensfs-relay - - - y");
	assert_string_equal(own5.tag, "_lensfs-relay");
}

static void test_sanitize(void **state)
{
	g_auto(syslog_msg) m = { 0 }, utf = { 0 };
	g_autoptr(GString) s = g_string_new(NULL);
	const char nul[] = "<14>t: a\0b\nc\x1b[31m\x7f\tz";

	syslog_msg_parse(nul, sizeof(nul) - 1, 8192, &m);
	assert_string_equal(m.text, "a\\x00b\\x0ac\\x1b[31m\\x7f\tz");
	/* Valid UTF-8 stays; a lone continuation byte, an overlong '/', a
	 * surrogate, a C1 control and a cut sequence are escaped. */
	PARSE(&utf, "<14>t: \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80 \x80 \xc0\xaf \xed\xa0\x80 "
		    "\xc2\x85 \xe2\x82");
	assert_string_equal(utf.text, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80 \\x80 \\xc0\\xaf "
				      "\\xed\\xa0\\x80 \\xc2\\x85 \\xe2\\x82");
	assert_true(g_utf8_validate(utf.text, -1, NULL));
	syslog_escape("\xf4\x90\x80\x80", 4, s);
	assert_string_equal(s->str, "\\xf4\\x90\\x80\\x80");
}

/* A backslash in the text is doubled and nowhere else kept, so that \x1b
 * upstream is always an escaped byte, never four characters a sender wrote
 * to look like one. */
static void test_backslash(void **state)
{
	g_auto(syslog_msg) m = { 0 }, tag = { 0 }, m5 = { 0 };

	PARSE(&m, "<14>t: C:\\dir \\x1b[2J \\\\ \x1b");
	assert_string_equal(m.text, "C:\\\\dir \\\\x1b[2J \\\\\\\\ \\x1b");
	PARSE(&tag, "<14>Nov 29 14:30:05 a\\x1b[3]: x");
	assert_string_equal(tag.tag, "a_x1b");
	assert_string_equal(tag.claimed_pid, "3");
	PARSE(&m5, "<14>1 - h a\\pp 1\\2 m\\id - x\\y");
	assert_int_equal(m5.format, SYSLOG_5424);
	assert_string_equal(m5.tag, "a_pp");
	assert_string_equal(m5.claimed_pid, "1_2");
	assert_string_equal(m5.msgid, "m_id");
	assert_string_equal(m5.text, "x\\\\y");
}

/* What syslog_escape writes, read back: \\ is a backslash, \xHH a byte. */
static GString *unescape(const char *s)
{
	GString *out = g_string_new(NULL);

	for (const char *c = s; *c; c++) {
		if (*c != '\\') {
			g_string_append_c(out, *c);
		} else if (c[1] == '\\') {
			g_string_append_c(out, '\\');
			c++;
		} else {
			assert_int_equal(c[1], 'x');
			assert_true(g_ascii_isxdigit(c[2]) && g_ascii_isxdigit(c[3]));
			g_string_append_c(out, (char)(g_ascii_xdigit_value(c[2]) * 16 +
						      g_ascii_xdigit_value(c[3])));
			c += 3;
		}
	}
	return out;
}

/* len random bytes into buf, half of them from the n bytes of hot. */
static void random_bytes(GRand *rnd, char *buf, size_t len, const char *hot, size_t n)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = g_rand_boolean(rnd) ? hot[g_rand_int_range(rnd, 0, (gint32)n)]
					     : (char)g_rand_int_range(rnd, 0, 256);
}

/* The escaping can be undone: any bytes, escaped then read back, are the
 * same bytes (fixed seed). */
static void test_escape_reversible(void **state)
{
	g_autoptr(GRand) rnd = g_rand_new_with_seed(5);
	char buf[300];

	for (int round = 0; round < 5000; round++) {
		g_autoptr(GString) e = g_string_new(NULL), back = NULL;
		size_t len = (size_t)g_rand_int_range(rnd, 0, sizeof(buf));

		/* Often a backslash, an x, bytes that look like an escape. */
		static const char hot[] = "\\x1b\xc3\xa9\xe2\x82\xac\t";

		random_bytes(rnd, buf, len, hot, sizeof(hot) - 1);
		syslog_escape(buf, len, e);
		back = unescape(e->str);
		assert_int_equal(back->len, len);
		assert_memory_equal(back->str, buf, len);
	}
}

static void test_hostile_tag_and_binary(void **state)
{
	g_autofree char *junk = g_malloc(70000);
	g_auto(syslog_msg) m = { 0 }, tag = { 0 }, big = { 0 };

	/* Every byte value, many times: nothing read beyond the input, the text
	 * is valid UTF-8 without controls. */
	for (size_t i = 0; i < 70000; i++)
		junk[i] = (char)(i * 7 + (i >> 8));
	syslog_msg_parse(junk, 70000, 70000, &m);
	assert_true(g_utf8_validate(m.text, -1, NULL));
	for (const char *c = m.text; *c; c++)
		assert_false((unsigned char)*c < 0x20 && *c != '\t');
	/* A tag of 49 characters is no tag. */
	PARSE(&tag, "<14>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa: x");
	assert_null(tag.tag);
	/* A PRI with no end, an empty datagram. */
	syslog_msg_parse("<1", 2, 8192, &big);
	assert_string_equal(big.text, "<1");
	syslog_msg_clear(&big);
	syslog_msg_parse("", 0, 8192, &big);
	assert_string_equal(big.text, "");
	assert_int_equal(big.severity, SYSLOG_SEV_NOTICE);
}

static void test_truncate(void **state)
{
	g_auto(syslog_msg) m = { 0 }, cut = { 0 };
	g_autoptr(GString) out = g_string_new(NULL);

	syslog_msg_parse("<14>t: 0123456789", 17, 12, &m);
	assert_true(m.truncated);
	assert_int_equal(m.original_len, 17);
	assert_string_equal(m.text, "01234 [truncated from 17 bytes]");
	/* A limit that splits "é": cut before it, not escaped halves. */
	syslog_msg_parse("<14>t: ab\xc3\xa9", 11, 10, &cut);
	assert_string_equal(cut.text, "ab [truncated from 11 bytes]");
	syslog_format_journal(&m, &origin, out);
	assert_non_null(strstr(out->str, "\nLENSFS_TRUNCATED=17\n"));
}

static void test_format_3164(void **state)
{
	g_auto(syslog_msg) m = { 0 }, none = { 0 };
	g_autoptr(GString) out = g_string_new(NULL);
	struct syslog_origin named = origin;

	setenv("TZ", "UTC", 1);
	tzset();
	PARSE(&m, "<30>Nov 29 01:02:03 myapp[17]: hi");
	syslog_format_3164(&m, &origin, out);
	assert_string_equal(out->str, "<14>Nov 29 13:30:05 web myapp[4242]: hi");
	/* No tag, no credentials; a name with a blank cannot split the line. */
	PARSE(&none, "bare");
	named.name = "my web";
	named.has_creds = false;
	g_string_truncate(out, 0);
	syslog_format_3164(&none, &named, out);
	assert_string_equal(out->str, "<13>Nov 29 13:30:05 my_web -: bare");
}

static void test_format_5424_escapes_and_frame(void **state)
{
	g_auto(syslog_msg) m = { 0 };
	g_autoptr(GString) out = g_string_new(NULL);
	struct syslog_origin o = origin;

	PARSE(&m, "<14>t: x");
	o.name = "a\"b]c\\";
	o.has_creds = false;
	syslog_format_5424(&m, &o, out);
	/* The hostname is a token: no backslash (which only escapes say). */
	assert_string_equal(out->str, "<14>1 2026-11-29T13:30:05.000042Z a\"b]c_ t - - "
				      "[lensfs@32473 id=\"0123456789abcdef0123\" "
				      "name=\"a\\\"b\\]c\\\\\"] x");
	g_string_assign(out, "<14>1 - - - - - - x");
	syslog_frame_octets(out);
	assert_string_equal(out->str, "19 <14>1 - - - - - - x");
}

static void test_format_journal(void **state)
{
	g_auto(syslog_msg) m = { 0 };
	g_autoptr(GString) out = g_string_new(NULL), nl = g_string_new(NULL);
	struct syslog_origin o = origin;

	PARSE(&m, "<27>Nov 29 01:02:03 myapp[17]: it broke");
	syslog_format_journal(&m, &origin, out);
	assert_string_equal(out->str, "MESSAGE=it broke\n"
				      "PRIORITY=3\n"
				      "SYSLOG_FACILITY=1\n"
				      "SYSLOG_IDENTIFIER=myapp\n"
				      "SYSLOG_PID=17\n"
				      "CONTAINER_ID=0123456789ab\n"
				      "CONTAINER_ID_FULL=0123456789abcdef0123\n"
				      "CONTAINER_NAME=web\n"
				      "LENSFS_SENDER_PID=4242\n"
				      "LENSFS_SENDER_UID=1000\n");
	/* A value with a newline takes the binary form. */
	o.name = "two\nlines";
	o.has_creds = false;
	syslog_format_journal(&m, &o, nl);
	assert_memory_equal(strstr(nl->str, "CONTAINER_NAME\n"),
			    "CONTAINER_NAME\n\x09\0\0\0\0\0\0\0two\nlines\n", 15 + 8 + 10);
}

static void test_token_bucket(void **state)
{
	struct relay_ratelimit b;
	int passed = 0;

	relay_ratelimit_init(&b, 10, 3, 1000);
	for (int i = 0; i < 5; i++)
		passed += relay_ratelimit_take(&b, 1000);
	assert_int_equal(passed, 3);
	/* 10 a second: one more every 100 ms, none at 99.999 ms. */
	assert_false(relay_ratelimit_take(&b, 1000 + 99999));
	assert_true(relay_ratelimit_take(&b, 1000 + 100000));
	assert_false(relay_ratelimit_take(&b, 1000 + 100000));
	/* A long pause refills to the burst, no more. */
	passed = 0;
	for (int i = 0; i < 10; i++)
		passed += relay_ratelimit_take(&b, 1000 + 3600000000ULL);
	assert_int_equal(passed, 3);
	/* A clock that goes back takes nothing away, gives nothing. */
	assert_false(relay_ratelimit_take(&b, 5));
	/* rate 0: no limit. */
	relay_ratelimit_init(&b, 0, 0, 0);
	for (int i = 0; i < 1000; i++)
		assert_true(relay_ratelimit_take(&b, 0));
	/* 3 a second: a token every 333333.3 us, no rounding lost over time. */
	relay_ratelimit_init(&b, 3, 2, 0);
	assert_true(relay_ratelimit_take(&b, 0));
	assert_true(relay_ratelimit_take(&b, 0));
	assert_false(relay_ratelimit_take(&b, 333333));
	assert_true(relay_ratelimit_take(&b, 333334));
	assert_false(relay_ratelimit_take(&b, 666666));
	assert_true(relay_ratelimit_take(&b, 666667));
	assert_true(relay_ratelimit_take(&b, 1000000));
	assert_false(relay_ratelimit_take(&b, 1000000));
}

/* A message the queue cannot take costs no token; one dropped for memory
 * after its token was taken gets it back. */
static void test_admit_queue_first(void **state)
{
	struct relay_ratelimit b;

	relay_ratelimit_init(&b, 10, 3, 0);
	for (int i = 0; i < 100; i++)
		assert_int_equal(relay_ratelimit_admit(&b, 5, 5, 0), RELAY_RATELIMIT_DROP_QUEUE);
	assert_int_equal(relay_ratelimit_admit(&b, 4, 5, 0), RELAY_RATELIMIT_ADMIT);
	assert_int_equal(relay_ratelimit_admit(&b, 4, 5, 0), RELAY_RATELIMIT_ADMIT);
	assert_int_equal(relay_ratelimit_admit(&b, 4, 5, 0), RELAY_RATELIMIT_ADMIT);
	assert_int_equal(relay_ratelimit_admit(&b, 4, 5, 0), RELAY_RATELIMIT_DROP_RATE);
	relay_ratelimit_refund(&b);
	assert_int_equal(relay_ratelimit_admit(&b, 4, 5, 0), RELAY_RATELIMIT_ADMIT);
	/* No more than the burst back. */
	for (int i = 0; i < 10; i++)
		relay_ratelimit_refund(&b);
	assert_int_equal(b.tokens, 3 * 1000000);
}

static void test_config(void **state)
{
	struct relay_config cfg;
	g_autofree char *why = NULL;
	const char *text = "# comment\n[relay]\nrun-dir=/run/x\nto=journal\npath=/run/j.sock\n"
			   "format=rfc3164\nrate=50\nburst=70\nqueue=9\nmax-message=128\n"
			   "summary-ms=250\nmax-rate=80\nmax-burst=90\nqueue-bytes=70000\n"
			   "total-queue-bytes=80000\n";

	relay_config_init(&cfg);
	assert_string_equal(cfg.run_dir, "/run/lensfs/relay");
	assert_int_equal(cfg.target, RELAY_TO_SYSLOG);
	assert_int_equal(cfg.format, RELAY_RFC5424);
	assert_int_equal(cfg.rate, 200);
	assert_int_equal(cfg.burst, 1000);
	assert_int_equal(cfg.queue_bytes, 4 << 20);
	assert_int_equal(cfg.total_queue_bytes, 64 << 20);
	assert_int_equal(relay_config_parse(text, strlen(text), &cfg, &why), 0);
	assert_string_equal(cfg.run_dir, "/run/x");
	assert_int_equal(cfg.target, RELAY_TO_JOURNAL);
	assert_string_equal(cfg.path, "/run/j.sock");
	assert_int_equal(cfg.format, RELAY_RFC3164);
	assert_int_equal(cfg.rate, 50);
	assert_int_equal(cfg.burst, 70);
	assert_int_equal(cfg.queue, 9);
	assert_int_equal(cfg.max_message, 128);
	assert_int_equal(cfg.summary_ms, 250);
	assert_int_equal(cfg.max_rate, 80);
	assert_int_equal(cfg.max_burst, 90);
	assert_int_equal(cfg.queue_bytes, 70000);
	assert_int_equal(cfg.total_queue_bytes, 80000);
	assert_int_equal(relay_config_check(&cfg, &why), 0);
	relay_config_clear(&cfg);
}

static void expect_config_error(const char *text, const char *why_part)
{
	struct relay_config cfg;
	g_autofree char *why = NULL;
	int r;

	relay_config_init(&cfg);
	r = relay_config_parse(text, strlen(text), &cfg, &why);
	if (r == 0)
		r = relay_config_check(&cfg, &why);
	assert_int_equal(r, -EINVAL);
	if (!why || !strstr(why, why_part))
		fail_msg("'%s': '%s' does not say '%s'", text, why, why_part);
	relay_config_clear(&cfg);
}

static void test_config_errors(void **state)
{
	expect_config_error("[relay]\nrate=fast\n", "rate=fast: not a number");
	expect_config_error("[relay]\nrate=-1\n", "rate=-1: not a number");
	expect_config_error("[relay]\nmax-message=10\n", "max-message=10: not a number from 64");
	expect_config_error("[relay]\nto=kafka\n", "to=kafka: not syslog, journal, tcp or udp");
	expect_config_error("[relay]\nformat=json\n", "format=json: not rfc3164 or rfc5424");
	expect_config_error("[relay]\nrun-dir=run\n", "run-dir=run: not an absolute path");
	expect_config_error("[relay]\ncolour=red\n", "unknown key 'colour'");
	expect_config_error("[forward]\nto=udp\n", "unknown group [forward]");
	/* GLib's own message (the tests run in the C locale: untranslated). */
	expect_config_error("[relay\n", "Key file contains line \u201c[relay\u201d which is not a "
					"key-value pair, group, or comment");
	expect_config_error("[relay]\nto=tcp\n", "to=tcp needs an address");
	expect_config_error("[relay]\nrate=5\nburst=0\n", "burst=0 with rate=5");
}

/* severity-floor: a name or a number; a container's message more severe
 * than it goes out at it, the relay's own keep theirs. */
static void test_severity_floor(void **state)
{
	static const char *const names[] = { "emerg",	"alert",  "crit", "err",
					     "warning", "notice", "info", "debug" };
	static const char *const bad[] = { "8", "-1", "", "07", "warn", "error", "CRIT", "crit " };
	const char *zero = "[relay]\nseverity-floor=0\n";
	struct relay_config cfg;
	g_autofree char *why = NULL;

	for (int i = 0; i < 8; i++) {
		char digit[2] = { (char)('0' + i), '\0' };

		assert_int_equal(syslog_severity_parse(names[i]), i);
		assert_int_equal(syslog_severity_parse(digit), i);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
		assert_int_equal(syslog_severity_parse(bad[i]), -EINVAL);

	relay_config_init(&cfg);
	assert_int_equal(cfg.severity_floor, SYSLOG_SEV_CRIT);
	assert_int_equal(relay_config_set(&cfg, "severity-floor", "err", &why), 0);
	assert_int_equal(cfg.severity_floor, 3);
	assert_int_equal(relay_config_parse(zero, strlen(zero), &cfg, &why), 0);
	assert_int_equal(cfg.severity_floor, 0);
	relay_config_clear(&cfg);
	expect_config_error("[relay]\nseverity-floor=panic\n",
			    "severity-floor=panic: not emerg, alert, crit, err, warning, notice, "
			    "info, debug or a number from 0 to 7");

	for (int floor = 0; floor < 8; floor++) {
		for (int sev = 0; sev < 8; sev++) {
			g_auto(syslog_msg) m = { 0 }, own = { 0 };
			g_autofree char *in = g_strdup_printf("<%d>t: x", 8 + sev);

			syslog_msg_parse(in, strlen(in), 8192, &m);
			syslog_msg_floor(&m, floor);
			assert_int_equal(m.severity, MAX(sev, floor));
			assert_int_equal(m.facility, SYSLOG_FAC_USER);
			syslog_msg_init_own(&own, sev, "summary");
			syslog_msg_floor(&own, floor);
			assert_int_equal(own.severity, sev);
		}
	}
	/* The default: "<0>" (kern.emerg) goes out as user.crit. */
	{
		g_auto(syslog_msg) m = { 0 };
		g_autoptr(GString) out = g_string_new(NULL);
		struct syslog_origin o = origin;

		o.has_creds = false;
		PARSE(&m, "<0>panic: forged");
		syslog_msg_floor(&m, SYSLOG_SEV_CRIT);
		syslog_format_5424(&m, &o, out);
		assert_true(g_str_has_prefix(out->str, "<10>1 "));
	}
}

static void test_ids(void **state)
{
	assert_true(relay_reg_id_valid("abc-DEF_1.2+3"));
	assert_false(relay_reg_id_valid(""));
	assert_false(relay_reg_id_valid(".hidden"));
	assert_false(relay_reg_id_valid("a/b"));
	assert_false(relay_reg_id_valid(".."));
	assert_false(relay_reg_id_valid("a b"));
	{
		g_autofree char *long_id = g_strnfill(129, 'a');

		assert_false(relay_reg_id_valid(long_id));
		long_id[128] = '\0';
		assert_true(relay_reg_id_valid(long_id));
	}
}

static void test_name_sanitize(void **state)
{
	g_autofree char *a = relay_reg_name_sanitize("web/1 (prod)");
	g_autofree char *b = relay_reg_name_sanitize("..x\xc3\xa9");
	g_autofree char *c = relay_reg_name_sanitize("");

	assert_string_equal(a, "web_1__prod_");
	assert_string_equal(b, "x__");
	assert_string_equal(c, "");
	assert_true(relay_reg_id_valid(a));
	assert_true(relay_reg_id_valid(b));
}

/* The relay never lets a container pass for the host. */
static void test_name_is_host(void **state)
{
	static const char *const host[] = { "myhost.example.org",   "MYHOST",  "myhost",
					    "MyHost.Example.Org",   "myhost.", "localhost",
					    "LocalHost.localdomain" };
	static const char *const other[] = { "myhost-2", "myhost.other", "example",   "web",
					     "myhos",	 "myhost_",	 "localhost2" };

	for (size_t i = 0; i < G_N_ELEMENTS(host); i++)
		if (!relay_reg_name_is_host(host[i], "myhost.example.org"))
			fail_msg("'%s' is not taken for the host's", host[i]);
	for (size_t i = 0; i < G_N_ELEMENTS(other); i++)
		if (relay_reg_name_is_host(other[i], "myhost.example.org"))
			fail_msg("'%s' is taken for the host's", other[i]);
	assert_true(relay_reg_name_is_host("VM", "vm"));
	assert_false(relay_reg_name_is_host("vm.local", "vm"));
	/* No host name known: localhost still is one. */
	assert_true(relay_reg_name_is_host("localhost", ""));
	assert_false(relay_reg_name_is_host("web", ""));
}

/* taken() for relay_reg_name_pick: the names in a set, and the host's. */
static bool in_set(const char *name, void *data)
{
	return g_hash_table_contains(data, name) || relay_reg_name_is_host(name, "web-4");
}

static void test_name_pick(void **state)
{
	g_autoptr(GHashTable) taken = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_autofree char *long_base = g_strnfill(128, 'a');
	g_autofree char *a126 = g_strnfill(126, 'a'), *a125 = g_strnfill(125, 'a');
	g_autofree char *long2 = g_strconcat(a126, "-2", NULL);
	g_autofree char *long10 = g_strconcat(a125, "-10", NULL);
	const struct {
		const char *add, *want; /* add to the taken set, then pick "web" */
	} steps[] = {
		{ NULL, "web" },      { "web", "web-2" },
		{ "web-3", "web-2" }, { "web-2", "web-5" }, /* web-3 taken, web-4 is the host's */
		{ "web-5", "web-6" },
	};
	char *name;

	for (size_t i = 0; i < G_N_ELEMENTS(steps); i++) {
		g_autofree char *got = NULL;

		if (steps[i].add)
			g_hash_table_add(taken, g_strdup(steps[i].add));
		got = relay_reg_name_pick("web", in_set, taken);
		assert_string_equal(got, steps[i].want);
	}
	/* Past -9 the suffix grows. */
	for (int n = 6; n <= 10; n++)
		g_hash_table_add(taken, g_strdup_printf("web-%d", n));
	name = relay_reg_name_pick("web", in_set, taken);
	assert_string_equal(name, "web-11");
	g_free(name);
	/* At most 128 characters: the base is cut, the suffix kept. */
	g_hash_table_add(taken, g_strdup(long_base));
	name = relay_reg_name_pick(long_base, in_set, taken);
	assert_string_equal(name, long2);
	assert_true(relay_reg_id_valid(name));
	g_free(name);
	for (int n = 2; n <= 9; n++)
		g_hash_table_add(taken, g_strdup_printf("%s-%d", a126, n));
	name = relay_reg_name_pick(long_base, in_set, taken);
	assert_string_equal(name, long10);
	assert_int_equal(strlen(name), 128);
	g_free(name);
}

static void test_registration(void **state)
{
	struct relay_reg reg = { .id = "c1", .name = "web-1", .pid = 77 };
	g_auto(relay_reg) back = { 0 }, limited = { 0 };
	g_autofree char *data = NULL, *why = NULL, *data2 = NULL;

	data = relay_reg_to_data(&reg);
	assert_int_equal(relay_reg_parse(data, strlen(data), &back, &why), 0);
	assert_string_equal(back.id, "c1");
	assert_string_equal(back.name, "web-1");
	assert_int_equal(back.pid, 77);
	assert_false(back.has_limits);
	reg.has_limits = true;
	reg.rate = 5;
	reg.burst = 9;
	data2 = relay_reg_to_data(&reg);
	assert_int_equal(relay_reg_parse(data2, strlen(data2), &limited, &why), 0);
	assert_true(limited.has_limits);
	assert_int_equal(limited.rate, 5);
	assert_int_equal(limited.burst, 9);
}

/* A registration asking for no limit: the relay's limits (the relay caps
 * what a registration asks for, and 0 is no cap at all). */
static void test_registration_zero(void **state)
{
	const char *text = "[container]\nid=x\nname=a\npid=1\nrate=0\nburst=1\n";
	g_auto(relay_reg) reg = { 0 };
	g_autofree char *why = NULL;

	g_auto(relay_config) cfg = { 0 };
	guint64 rate, burst;

	assert_int_equal(relay_reg_parse(text, strlen(text), &reg, &why), 0);
	assert_string_equal(reg.id, "x");
	relay_config_init(&cfg);
	relay_ratelimit_for(&cfg, &reg, &rate, &burst);
	assert_int_equal(rate, cfg.rate);
	assert_int_equal(burst, cfg.burst);
	assert_int_equal(rate, 200);
}

static void expect_reg_error(const char *text, const char *why_part)
{
	g_auto(relay_reg) reg = { 0 };
	g_autofree char *why = NULL;

	assert_int_equal(relay_reg_parse(text, strlen(text), &reg, &why), -EINVAL);
	if (!why || !strstr(why, why_part))
		fail_msg("'%s': '%s' does not say '%s'", text, why, why_part);
	assert_null(reg.id);
}

static void test_registration_errors(void **state)
{
	expect_reg_error("[container]\nid=../x\nname=a\npid=1\n", "no valid id");
	expect_reg_error("[container]\nid=x\npid=1\n", "no valid name");
	expect_reg_error("[container]\nid=x\nname=a b\npid=1\n", "no valid name");
	expect_reg_error("[container]\nid=x\nname=a\npid=-3\n", "no valid pid");
	expect_reg_error("[container]\nid=x\nname=a\npid=1\nrate=x\nburst=1\n", "as numbers");
	expect_reg_error("[container]\nid=x\nname=a\npid=1\nrate=4\n", "go together");
}

static void test_limits(void **state)
{
	struct relay_reg r = { 0 };
	g_autofree char *why = NULL;

	assert_int_equal(relay_reg_limits_parse(NULL, NULL, &r, &why), 0);
	assert_false(r.has_limits);
	assert_int_equal(relay_reg_limits_parse("20", NULL, &r, &why), 0);
	assert_true(r.has_limits);
	assert_int_equal(r.rate, 20);
	assert_int_equal(r.burst, 20);
	assert_int_equal(relay_reg_limits_parse(NULL, "7", &r, &why), 0);
	assert_int_equal(r.rate, 7);
	assert_int_equal(r.burst, 7);
	/* 0 would turn the limit off: refused, the relay's limits apply. */
	r.has_limits = false;
	assert_int_equal(relay_reg_limits_parse("0", NULL, &r, &why), -EINVAL);
	assert_string_equal(why, "rate '0' is not a number of messages a second from 1");
	assert_false(r.has_limits);
	g_clear_pointer(&why, g_free);
	assert_int_equal(relay_reg_limits_parse(NULL, "0", &r, &why), -EINVAL);
	assert_string_equal(why, "burst '0' is not a number of messages from 1");
	g_clear_pointer(&why, g_free);
	assert_int_equal(relay_reg_limits_parse("5", "0", &r, &why), -EINVAL);
	assert_non_null(strstr(why, "burst '0'"));
	g_clear_pointer(&why, g_free);
	assert_int_equal(relay_reg_limits_parse("2147483648", NULL, &r, &why), -EINVAL);
	assert_false(r.has_limits);
}

/* Annotations are the container creator's: capped at the relay's limits
 * (or max-rate, max-burst). */
static void test_limits_apply(void **state)
{
	struct relay_config cfg;
	struct relay_reg none = { 0 },
			 big = { .rate = 2147483647, .burst = 2147483647, .has_limits = true },
			 small = { .rate = 5, .burst = 9, .has_limits = true },
			 zero = { .rate = 0, .burst = 0, .has_limits = true };
	guint64 rate, burst;

	relay_config_init(&cfg);
	relay_ratelimit_for(&cfg, &none, &rate, &burst);
	assert_int_equal(rate, 200);
	assert_int_equal(burst, 1000);
	relay_ratelimit_for(&cfg, &big, &rate, &burst);
	assert_int_equal(rate, 200);
	assert_int_equal(burst, 1000);
	relay_ratelimit_for(&cfg, &small, &rate, &burst);
	assert_int_equal(rate, 5);
	assert_int_equal(burst, 9);
	/* A registration with 0 (written by hand): the relay's limits. */
	relay_ratelimit_for(&cfg, &zero, &rate, &burst);
	assert_int_equal(rate, 200);
	assert_int_equal(burst, 1000);
	cfg.max_rate = 1000;
	cfg.max_burst = 500;
	relay_ratelimit_for(&cfg, &big, &rate, &burst);
	assert_int_equal(rate, 1000);
	assert_int_equal(burst, 500);
	/* A relay without a limit has none to cap with. */
	cfg.rate = 0;
	cfg.max_rate = 0;
	cfg.max_burst = 0;
	relay_ratelimit_for(&cfg, &big, &rate, &burst);
	assert_int_equal(rate, 2147483647);
	assert_int_equal(burst, 1000);
	relay_config_clear(&cfg);
}

/* The state a runtime writes, parsed as lensfs-hook does, then registered. */
static int reg_from_json(const char *text, struct relay_reg *reg, char **why, char **warning)
{
	g_auto(oci_state) st = { 0 };
	g_autofree char *err = NULL;

	assert_int_equal(oci_state_parse(text, strlen(text), &st, &err), 0);
	return relay_reg_from_state(&st, reg, why, warning);
}

#define STATE(rest) "{\"ociVersion\":\"1.0.2\",\"status\":\"creating\",\"bundle\":\"/b\"," rest "}"

/* What lensfs-hook registers, from the state a runtime writes. */
static void test_reg_from_state(void **state)
{
	const char *named =
		STATE("\"id\":\"c-1\",\"pid\":321,\"annotations\":{"
		      "\"io.kubernetes.cri.container-name\":\"k8s name\","
		      "\"org.lensfs.relay.name\":\"web/1\",\"org.lensfs.relay.rate\":\"30\"}");
	const char *k8s =
		STATE("\"id\":\"c-2\",\"pid\":5,\"annotations\":{"
		      "\"io.kubernetes.container.name\":\"api\",\"org.lensfs.relay.burst\":\"x\","
		      "\"org.lensfs.relay.rate\":7}");
	const char *plain = STATE(
		"\"id\":\"c-3\",\"pid\":5,\"annotations\":{\"org.lensfs.relay.name\":\"..\"}");
	const char *unlimited =
		STATE("\"id\":\"c-4\",\"pid\":5,\"annotations\":{"
		      "\"org.lensfs.relay.rate\":\"0\",\"org.lensfs.relay.burst\":\"0\"}");
	g_auto(relay_reg) a = { 0 }, b = { 0 }, c = { 0 }, d = { 0 }, bad = { 0 };
	g_autofree char *why = NULL, *warning = NULL;

	assert_int_equal(reg_from_json(named, &a, &why, &warning), 0);
	assert_null(warning);
	assert_string_equal(a.id, "c-1");
	/* Kubernetes' name comes before org.lensfs.relay.name. */
	assert_string_equal(a.name, "k8s_name");
	assert_int_equal(a.pid, 321);
	assert_true(a.has_limits);
	assert_int_equal(a.rate, 30);
	assert_int_equal(a.burst, 30);
	/* A number where a string belongs is no annotation. */
	assert_int_equal(reg_from_json(k8s, &b, &why, &warning), 0);
	assert_string_equal(b.name, "api");
	assert_false(b.has_limits);
	assert_non_null(strstr(warning, "burst 'x'"));
	g_clear_pointer(&warning, g_free);
	/* A name with nothing valid left: the id. */
	assert_int_equal(reg_from_json(plain, &c, &why, &warning), 0);
	assert_string_equal(c.name, "c-3");
	/* No limit from an annotation: a warning, the relay's limits. */
	assert_int_equal(reg_from_json(unlimited, &d, &why, &warning), 0);
	assert_false(d.has_limits);
	assert_string_equal(warning, "annotations: rate '0' is not a number of messages a second "
				     "from 1; the relay's limits apply");
	g_clear_pointer(&warning, g_free);
	assert_int_equal(reg_from_json(STATE("\"id\":\"../x\",\"pid\":1"), &bad, &why, &warning),
			 -EINVAL);
	assert_non_null(strstr(why, "container id"));
	g_clear_pointer(&why, g_free);
	assert_int_equal(reg_from_json(STATE("\"id\":\"x\""), &bad, &why, &warning), -EINVAL);
	assert_string_equal(why, "the state has no pid");
}

/* The name a container is registered under, from each set of annotations:
 * Kubernetes' three parts (CRI-O's or containerd's) first, whatever else it
 * carries; else org.lensfs.relay.name; else the id. */
static void test_reg_names(void **state)
{
	g_autofree char *long_pod = g_strnfill(200, 'p');
	g_autofree char *long_state = g_strdup_printf(
		STATE("\"id\":\"c\",\"pid\":5,\"annotations\":{"
		      "\"io.kubernetes.pod.namespace\":\"ns\",\"io.kubernetes.pod.name\":\"%s\","
		      "\"io.kubernetes.container.name\":\"web\"}"),
		long_pod);
	g_autofree char *long_want = g_strconcat("ns.", long_pod, NULL);
	const struct {
		const char *why, *annotations, *name;
	} cases[] = {
		{ "CRI-O",
		  "\"io.kubernetes.pod.namespace\":\"shop\",\"io.kubernetes.pod.name\":\"cart-"
		  "7d4\","
		  "\"io.kubernetes.container.name\":\"web\"",
		  "shop.cart-7d4.web" },
		{ "containerd",
		  "\"io.kubernetes.cri.sandbox-namespace\":\"shop\","
		  "\"io.kubernetes.cri.sandbox-name\":\"cart-7d4\","
		  "\"io.kubernetes.cri.container-name\":\"web\"",
		  "shop.cart-7d4.web" },
		/* A pod's sandbox has no container name. */
		{ "a sandbox (CRI-O)",
		  "\"io.kubernetes.pod.namespace\":\"shop\",\"io.kubernetes.pod.name\":\"cart-"
		  "7d4\"",
		  "shop.cart-7d4" },
		{ "a sandbox (containerd)",
		  "\"io.kubernetes.cri.sandbox-namespace\":\"shop\","
		  "\"io.kubernetes.cri.sandbox-name\":\"cart-7d4\"",
		  "shop.cart-7d4" },
		/* Whoever creates a pod may annotate it: not with another
		 * namespace's name. */
		{ "Kubernetes before org.lensfs.relay.name",
		  "\"org.lensfs.relay.name\":\"bank.api.web\",\"io.kubernetes.pod.namespace\":"
		  "\"shop\","
		  "\"io.kubernetes.pod.name\":\"cart\",\"io.kubernetes.container.name\":\"web\"",
		  "shop.cart.web" },
		{ "an empty part is no part",
		  "\"io.kubernetes.pod.namespace\":\"\",\"io.kubernetes.cri.sandbox-namespace\":"
		  "\"ns\","
		  "\"io.kubernetes.pod.name\":\"p\",\"io.kubernetes.container.name\":\"\"",
		  "ns.p" },
		{ "sanitized",
		  "\"io.kubernetes.pod.namespace\":\".ns\",\"io.kubernetes.pod.name\":"
		  "\"p/q r\",\"io.kubernetes.container.name\":\"c\xc3\xa9\"",
		  "ns.p_q_r.c__" },
		{ "org.lensfs.relay.name", "\"org.lensfs.relay.name\":\"web\"", "web" },
		{ "nothing: the id", "\"other\":\"x\"", "c" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *json = g_strdup_printf(
			STATE("\"id\":\"c\",\"pid\":5,\"annotations\":{%s}"), cases[i].annotations);
		g_auto(relay_reg) reg = { 0 };
		g_autofree char *why = NULL, *warning = NULL;

		assert_int_equal(reg_from_json(json, &reg, &why, &warning), 0);
		expect_field(cases[i].why, "name", cases[i].name, reg.name);
		assert_true(relay_reg_id_valid(reg.name));
	}
	/* At most 128 characters. */
	{
		g_auto(relay_reg) reg = { 0 };
		g_autofree char *why = NULL, *warning = NULL;

		assert_int_equal(reg_from_json(long_state, &reg, &why, &warning), 0);
		assert_int_equal(strlen(reg.name), 128);
		assert_true(g_str_has_prefix(long_want, reg.name));
	}
}

/* Random datagrams (a fixed seed: the same every run): whatever comes in,
 * the text is UTF-8 without control characters, within the limit's bounds. */
static void test_random_datagrams(void **state)
{
	g_autoptr(GRand) rnd = g_rand_new_with_seed(8);
	char buf[600];

	for (int round = 0; round < 20000; round++) {
		g_auto(syslog_msg) m = { 0 };
		size_t len = (size_t)g_rand_int_range(rnd, 0, sizeof(buf));

		/* Often the characters the parser looks for. */
		static const char hot[] = "<>[]: 1-\"\\\n\0\xc3\xe2";

		random_bytes(rnd, buf, len, hot, sizeof(hot) - 1);
		if (len > 4 && g_rand_boolean(rnd))
			memcpy(buf, "<13>", 4);
		syslog_msg_parse(buf, len, 400, &m);
		assert_true(g_utf8_validate(m.text, -1, NULL));
		for (const char *c = m.text; *c; c++)
			assert_false((unsigned char)*c < 0x20 && *c != '\t');
		assert_true(strlen(m.text) <= 4 * 400 + 64);
		assert_true(m.facility >= 1 && m.facility <= 23);
		assert_true(m.severity >= 0 && m.severity <= 7);
		assert_int_equal(m.truncated, len > 400);
		if (m.tag)
			assert_true(strlen(m.tag) <= SYSLOG_TAG_MAX);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_formats),
		cmocka_unit_test(test_kern_becomes_user),
		cmocka_unit_test(test_facilities),
		cmocka_unit_test(test_own_marked),
		cmocka_unit_test(test_bad_pri),
		cmocka_unit_test(test_tag_cannot_claim_pid),
		cmocka_unit_test(test_claimed_hostname_dropped),
		cmocka_unit_test(test_sd_rewritten),
		cmocka_unit_test(test_sd_malformed),
		cmocka_unit_test(test_sanitize),
		cmocka_unit_test(test_backslash),
		cmocka_unit_test(test_escape_reversible),
		cmocka_unit_test(test_hostile_tag_and_binary),
		cmocka_unit_test(test_truncate),
		cmocka_unit_test(test_format_3164),
		cmocka_unit_test(test_format_5424_escapes_and_frame),
		cmocka_unit_test(test_format_journal),
		cmocka_unit_test(test_token_bucket),
		cmocka_unit_test(test_admit_queue_first),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_config_errors),
		cmocka_unit_test(test_severity_floor),
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_name_sanitize),
		cmocka_unit_test(test_name_is_host),
		cmocka_unit_test(test_name_pick),
		cmocka_unit_test(test_registration),
		cmocka_unit_test(test_registration_errors),
		cmocka_unit_test(test_registration_zero),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_limits_apply),
		cmocka_unit_test(test_reg_from_state),
		cmocka_unit_test(test_reg_names),
		cmocka_unit_test(test_random_datagrams),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
