/* growbuf.c: the capped growable buffer every module grows memory with. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "growbuf.h"
#include "suites.h"

struct append_case {
	size_t max;	      /* the buffer's cap */
	const char *parts[4]; /* appended in turn, NULL-ended */
	const char *want;     /* the content after every append that fits */
	int failures;	      /* appends refused for passing the cap */
};

static const struct append_case append_cases[] = {
	{ 16, { "abc", "def", NULL }, "abcdef", 0 },
	{ 6, { "abc", "def", NULL }, "abcdef", 0 },    /* exactly at the cap */
	{ 5, { "abc", "def", "g", NULL }, "abcg", 1 }, /* "def" would pass it; "g" still fits */
	{ 0, { "a", NULL }, "", 1 },		       /* a cap of 0 holds nothing */
	{ SIZE_MAX, { "x", "yz", NULL }, "xyz", 0 },   /* no cap (the arithmetic must not wrap) */
	{ 1000, { "", "", NULL }, "", 0 },	       /* empty appends */
	{ 0, { NULL }, NULL, 0 },		       /* end */
};

START_TEST(test_growbuf_append_cap)
{
	for (const struct append_case *c = append_cases; c->want != NULL; c++) {
		struct growbuf b;
		int failures = 0;
		growbuf_init(&b, c->max);
		for (int i = 0; c->parts[i] != NULL; i++)
			failures += growbuf_append(&b, c->parts[i], strlen(c->parts[i])) < 0;
		ck_assert_int_eq(failures, c->failures);
		ck_assert_uint_eq(b.len, strlen(c->want));
		ck_assert_uint_le(b.len, c->max);
		if (b.len > 0)
			ck_assert_str_eq(b.data, c->want);
		growbuf_free(&b);
		ck_assert_ptr_null(b.data);
	}
}
END_TEST

/* Growing one byte at a time to 100 kB keeps every byte and never allocates past the cap + NUL. */
START_TEST(test_growbuf_grows_and_lines)
{
	struct growbuf b;
	growbuf_init(&b, 100000);
	for (int i = 0; i < 100000; i++)
		ck_assert_int_eq(growbuf_append(&b, &"0123456789"[i % 10], 1), 0);
	ck_assert_int_lt(growbuf_append(&b, "x", 1), 0);
	ck_assert_uint_le(b.cap, 100001);
	ck_assert_int_eq(b.data[99999], '9');
	growbuf_reset(&b);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_int_eq(growbuf_append_line(&b, "{\"a\":1}"), 0);
	ck_assert_int_eq(growbuf_append_line(&b, "{}"), 0);
	ck_assert_str_eq(b.data, "{\"a\":1}\n{}\n");
	char *taken = growbuf_take(&b);
	ck_assert_str_eq(taken, "{\"a\":1}\n{}\n");
	ck_assert_ptr_null(b.data);
	free(taken);
	growbuf_free(NULL);
}
END_TEST

START_TEST(test_growbuf_array)
{
	int *v = NULL;
	size_t cap = 0;
	ck_assert_int_eq(growbuf_array((void **)&v, &cap, 1, sizeof(*v), 100), 0);
	ck_assert_uint_eq(cap, 64);
	ck_assert_int_eq(growbuf_array((void **)&v, &cap, 65, sizeof(*v), 100), 0);
	ck_assert_uint_eq(cap, 100); /* doubled, then held at the cap */
	ck_assert_int_lt(growbuf_array((void **)&v, &cap, 101, sizeof(*v), 100), 0);
	ck_assert_uint_eq(cap, 100);
	ck_assert_int_lt(growbuf_array((void **)&v, &cap, SIZE_MAX / 2, 8, SIZE_MAX), 0); /* overflow */
	free(v);
}
END_TEST

Suite *growbuf_suite(void)
{
	Suite *s = suite_create("growbuf");

	testutil_add(s, test_growbuf_append_cap, 0);
	testutil_add(s, test_growbuf_grows_and_lines, 0);
	testutil_add(s, test_growbuf_array, 0);
	return s;
}
