/* Runs every unit-test suite. */
#include <check.h>
#include <stdlib.h>
#include "suites.h"

int main(void)
{
	SRunner *sr = srunner_create(decode_suite());
	int failed;

	srunner_add_suite(sr, row_suite());
	srunner_add_suite(sr, capture_suite());
	srunner_add_suite(sr, hash_suite());
	srunner_add_suite(sr, engine_parts_suite());
	srunner_add_suite(sr, pmacct_suite());
	srunner_add_suite(sr, redact_suite());
	srunner_add_suite(sr, growbuf_suite());
	srunner_add_suite(sr, flow_suite());
	srunner_add_suite(sr, rowparse_suite());
	srunner_add_suite(sr, stores_suite());
	srunner_add_suite(sr, communityid_suite());
	srunner_add_suite(sr, appnames_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
