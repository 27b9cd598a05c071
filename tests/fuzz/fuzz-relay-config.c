/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The relay's readers of its own files: the settings (relay_config_parse,
 * then relay_config_check as the relay does at start) and a container's
 * registration (relay_reg_parse), whose round trip through
 * relay_reg_to_data must give the same registration. The first byte
 * chooses. */
#include "config.h"

#include "fuzz.h"
#include "relay_config.h"
#include "relay_reg.h"

static void registration(const char *text, size_t len)
{
	g_auto(relay_reg) reg = { 0 };
	g_auto(relay_reg) again = { 0 };
	g_autofree char *why = NULL;
	g_autofree char *why_again = NULL;
	g_autofree char *written = NULL;

	if (relay_reg_parse(text, len, &reg, &why) < 0)
		return;
	fuzz_assert(relay_reg_id_valid(reg.id) && relay_reg_id_valid(reg.name));
	written = relay_reg_to_data(&reg);
	fuzz_assert(relay_reg_parse(written, strlen(written), &again, &why_again) == 0);
	fuzz_assert(strcmp(reg.id, again.id) == 0 && strcmp(reg.name, again.name) == 0);
	fuzz_assert(reg.pid == again.pid && reg.has_limits == again.has_limits);
	fuzz_assert(reg.rate == again.rate && reg.burst == again.burst);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data + 1;

	if (size < 1)
		return 0;
	if (data[0] & 1) {
		g_autofree char *base = fuzz_text(data + 1, size - 1);
		g_autofree char *name = relay_reg_name_sanitize(base);

		/* Empty when nothing was left of it (the caller then picks
		 * another name), valid otherwise. */
		fuzz_assert(!name[0] || relay_reg_id_valid(name));
		registration(text, size - 1);
	} else {
		g_auto(relay_config) cfg;
		g_autofree char *why = NULL;
		g_autofree char *why_check = NULL;

		relay_config_init(&cfg);
		if (relay_config_parse(text, size - 1, &cfg, &why) == 0)
			(void)relay_config_check(&cfg, &why_check);
	}
	return 0;
}
