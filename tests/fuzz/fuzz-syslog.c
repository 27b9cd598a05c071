/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A datagram from a container (syslog_msg_parse) and the three forms it
 * leaves in (RFC 3164, RFC 5424, journald's native protocol). A sender
 * must not be able to start a second message or field upstream, nor reach
 * a terminal that shows the log, so each form is checked, not only run:
 * a syslog line is one line of valid UTF-8 with no control character but
 * TAB (C1 controls included); a journal entry is KEY=VALUE lines of the
 * same. The first byte picks the size limit and the origin's details. */
#include "config.h"

#include "fuzz.h"
#include "syslog_msg.h"

static void check_value(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;

	fuzz_assert(g_utf8_validate(s, (gssize)len, NULL));
	for (size_t i = 0; i < len; i++) {
		fuzz_assert(p[i] >= 0x20 || p[i] == '\t');
		fuzz_assert(p[i] != 0x7f);
		fuzz_assert(!(p[i] == 0xc2 && i + 1 < len && p[i + 1] >= 0x80 && p[i + 1] < 0xa0));
	}
}

static void check_journal(const GString *out)
{
	const char *p = out->str, *end = out->str + out->len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eq;

		fuzz_assert(nl != NULL);
		eq = memchr(p, '=', (size_t)(nl - p));
		/* The binary form (KEY, newline, 64-bit length, value) is for
		 * a value with a newline; none of ours has one. */
		fuzz_assert(eq != NULL && eq > p);
		for (const char *k = p; k < eq; k++)
			fuzz_assert((*k >= 'A' && *k <= 'Z') || (*k >= '0' && *k <= '9') ||
				    *k == '_');
		check_value(eq + 1, (size_t)(nl - eq - 1));
		p = nl + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_auto(syslog_msg) m = { 0 };
	g_autoptr(GString) out = g_string_new(NULL);
	struct syslog_origin o = {
		.id = "0123456789abcdef0123456789abcdef",
		.name = "web",
		.pid = 4242,
		.uid = 1000,
		.time_us = 1700000000000000,
	};
	size_t max;

	if (size < 1)
		return 0;
	/* From a few bytes up to the relay's default of 8 KiB. */
	max = data[0] & 0x80 ? 8192 : (size_t)(data[0] & 0x7f) * 4;
	o.has_creds = data[0] & 1;
	syslog_msg_parse((const char *)data + 1, size - 1, max, &m);
	if (data[0] & 2)
		syslog_msg_floor(&m, data[0] % 8);

	syslog_format_3164(&m, &o, out);
	check_value(out->str, out->len);
	g_string_truncate(out, 0);
	syslog_format_5424(&m, &o, out);
	check_value(out->str, out->len);
	syslog_frame_octets(out);
	g_string_truncate(out, 0);
	syslog_format_journal(&m, &o, out);
	check_journal(out);
	return 0;
}
