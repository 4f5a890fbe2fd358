/* The unit-test suites, one per module. */
#ifndef PCAPSTREAM_TESTS_SUITES_H
#define PCAPSTREAM_TESTS_SUITES_H
#include <check.h>

Suite *decode_suite(void);
Suite *row_suite(void);
Suite *capture_suite(void);
Suite *hash_suite(void);
Suite *engine_parts_suite(void);
Suite *pmacct_suite(void);
Suite *redact_suite(void);

/* A fresh temporary folder per test (checked fixture): testutil_tmp holds its path. */
extern char testutil_tmp[64];
void testutil_mktmp(void);
void testutil_rmtmp(void);

#endif
