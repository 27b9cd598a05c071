/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "fixture.h"

#include "cpuset.h"

static char *roundtrip(const char *in)
{
	g_autoptr(cpuset) set = NULL;
	GString *out = g_string_new(NULL);

	assert_int_equal(cpuset_parse(in, &set), 0);
	cpuset_format(set, out);
	return g_string_free(out, FALSE);
}

static void test_parse_format(void **state)
{
	static const char *const cases[][2] = {
		{ "0\n", "0" },
		{ "0-3\n", "0-3" },
		{ "0-3,8,10-11\n", "0-3,8,10-11" },
		{ "1,2,3,5", "1-3,5" },
		{ "63-65", "63-65" },
		{ "\n", "" },
		{ "", "" },
		{ "4095", "4095" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *out = roundtrip(cases[i][0]);

		assert_string_equal(out, cases[i][1]);
	}
}

static void test_parse_rejects(void **state)
{
	static const char *const bad[] = { "a",	   "3-1", "1-",	  "-1",
					   "0,,1", "1x",  "8192", "0-99999999999" };

	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(cpuset) set = NULL;

		assert_int_equal(cpuset_parse(bad[i], &set), -EINVAL);
		assert_null(set);
	}
}

static void test_ops(void **state)
{
	g_autoptr(cpuset) a = NULL;
	g_autoptr(cpuset) b = NULL;
	g_autoptr(GString) out = g_string_new(NULL);

	assert_int_equal(cpuset_parse("0-7,64-65", &a), 0);
	assert_int_equal(cpuset_count(a), 10);
	assert_int_equal(cpuset_limit(a), 66);
	assert_true(cpuset_test(a, 65));
	assert_false(cpuset_test(a, 8));
	assert_false(cpuset_test(a, 100000));
	assert_int_equal(cpuset_parse("2-4,65", &b), 0);
	cpuset_and(a, b);
	cpuset_format(a, out);
	assert_string_equal(out->str, "2-4,65");
	cpuset_keep_first(a, 2);
	g_string_truncate(out, 0);
	cpuset_format(a, out);
	assert_string_equal(out->str, "2-3");
	cpuset_keep_first(a, 5);
	assert_int_equal(cpuset_count(a), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_format),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_ops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
