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
