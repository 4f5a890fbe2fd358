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
Suite *growbuf_suite(void);
Suite *rowparse_suite(void);
Suite *stores_suite(void);
Suite *communityid_suite(void);
Suite *appnames_suite(void);
Suite *flow_suite(void);

/* A fresh temporary folder per test (checked fixture): testutil_tmp holds its path. */
extern char testutil_tmp[64];
void testutil_mktmp(void);
void testutil_rmtmp(void);

/* Write n bytes at p as the whole file path (the test fails if it cannot). */
void testutil_write(const char *path, const void *p, size_t n);

/* Add test t to suite s in a test case of its own, named after the test, so that one test can
 * be run alone: CK_RUN_SUITE=hash CK_RUN_CASE=test_hash_vectors build/check_pcapstream. with_tmp:
 * the test gets a fresh testutil_tmp folder. */
void testutil_add(Suite *s, const TTest *t, int with_tmp);

/* The same for a loop test over [start, end) (one row of a table per iteration). */
void testutil_add_loop(Suite *s, const TTest *t, int start, int end, int with_tmp);

#endif
