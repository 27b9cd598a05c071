/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "procfs.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int meminfo_find_kb(const char *text, const char *key, uint64_t *out)
{
	size_t keylen = strlen(key);
	const char *line = text;

	while (*line) {
		const char *eol = strchrnul(line, '\n');

		if (strncmp(line, key, keylen) == 0 && line[keylen] == ':') {
			const char *p = line + keylen + 1;
			char *end;

			while (*p == ' ')
				p++;
			if (!g_ascii_isdigit(*p))
				return -EINVAL;
			errno = 0;
			*out = strtoull(p, &end, 10);
			if (errno)
				return -ERANGE;
			return 0;
		}
		line = *eol ? eol + 1 : eol;
	}
	return -ENOENT;
}

static const char *parse_centi(const char *p, uint64_t *out)
{
	uint64_t v = 0;
	int decimals = 0;

	if (!g_ascii_isdigit(*p))
		return NULL;
	while (g_ascii_isdigit(*p) && v < UINT64_MAX / 1000)
		v = v * 10 + (uint64_t)(*p++ - '0');
	if (*p == '.') {
		p++;
		while (g_ascii_isdigit(*p)) {
			if (decimals++ < 2)
				v = v * 10 + (uint64_t)(*p - '0');
			p++;
		}
	}
	for (; decimals < 2; decimals++)
		v *= 10;
	*out = v;
	return p;
}

int uptime_parse(const char *text, uint64_t *uptime_cs, uint64_t *idle_cs)
{
	const char *p = parse_centi(text, uptime_cs);

	if (!p || *p != ' ')
		return -EINVAL;
	p = parse_centi(p + 1, idle_cs);
	if (!p || (*p != '\n' && *p != '\0'))
		return -EINVAL;
	return 0;
}

int loadavg_parse(const char *text, uint64_t load_cs[3], uint64_t *running, uint64_t *threads)
{
	const char *p = text;
	char *end;

	for (int i = 0; i < 3; i++) {
		p = parse_centi(p, &load_cs[i]);
		if (!p || *p++ != ' ')
			return -EINVAL;
	}
	if (!g_ascii_isdigit(*p))
		return -EINVAL;
	*running = g_ascii_strtoull(p, &end, 10);
	if (*end != '/' || !g_ascii_isdigit(end[1]))
		return -EINVAL;
	*threads = g_ascii_strtoull(end + 1, &end, 10);
	return *end == ' ' ? 0 : -EINVAL;
}

int proc_stat_starttime(const char *text, uint64_t *ticks)
{
	const char *p = strrchr(text, ')');

	if (!p)
		return -EINVAL;
	/* After ')' comes field 3 (state); field 22 is 19 fields later. */
	p++;
	for (int field = 2; field < 22; field++) {
		p = strchr(p, ' ');
		if (!p)
			return -EINVAL;
		p++;
	}
	if (!g_ascii_isdigit(*p))
		return -EINVAL;
	*ticks = g_ascii_strtoull(p, NULL, 10);
	return 0;
}

int proc_stat_state(const char *text, char *state)
{
	const char *p = strrchr(text, ')');

	/* fs/proc/array.c: "pid (comm) S ...", comm may hold ')' and blanks. */
	if (!p || p[1] != ' ' || !g_ascii_isalpha(p[2]))
		return -EINVAL;
	*state = p[2];
	return 0;
}

int proc_status_parse(const char *text, struct proc_status *out)
{
	const char *line = text;
	bool have_ppid = false;

	memset(out, 0, sizeof(*out));
	while (*line) {
		const char *eol = strchrnul(line, '\n');

		if (g_str_has_prefix(line, "PPid:")) {
			out->ppid = (pid_t)strtol(line + 5, NULL, 10);
			have_ppid = true;
		} else if (g_str_has_prefix(line, "NSpid:")) {
			const char *p = line + 6;

			while (p < eol) {
				char *end;
				long v;

				while (*p == ' ' || *p == '\t')
					p++;
				if (p >= eol)
					break;
				v = strtol(p, &end, 10);
				if (end == p)
					return -EINVAL;
				out->nspid_inner = (pid_t)v;
				out->nspid_depth++;
				p = end;
			}
		}
		line = *eol ? eol + 1 : eol;
	}
	return have_ppid && out->nspid_depth > 0 ? 0 : -EINVAL;
}
