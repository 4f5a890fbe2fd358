/* Fixtures shared by the unit-test suites. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include "suites.h"

char testutil_tmp[64];

void testutil_mktmp(void)
{
	snprintf(testutil_tmp, sizeof(testutil_tmp), "/tmp/pcapstream-check-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(testutil_tmp));
}

void testutil_rmtmp(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", testutil_tmp);
	ck_assert_int_eq(system(cmd), 0);
}

void testutil_write(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(p, 1, n, f), n);
	fclose(f);
}

void testutil_add(Suite *s, const TTest *t, int with_tmp)
{
	TCase *tc = tcase_create(t->name);

	if (with_tmp)
		tcase_add_checked_fixture(tc, testutil_mktmp, testutil_rmtmp);
	tcase_add_test(tc, t);
	suite_add_tcase(s, tc);
}

void testutil_add_loop(Suite *s, const TTest *t, int start, int end, int with_tmp)
{
	TCase *tc = tcase_create(t->name);

	if (with_tmp)
		tcase_add_checked_fixture(tc, testutil_mktmp, testutil_rmtmp);
	tcase_add_loop_test(tc, t, start, end);
	suite_add_tcase(s, tc);
}
