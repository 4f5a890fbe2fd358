/* redact.c: no password or secret option survives into text meant for people. */
#include <check.h>
#include <string.h>
#include "redact.h"
#include "suites.h"

struct redact_case {
	const char *in;
	const char *out;
};

static const struct redact_case redact_cases[] = {
	/* no secret: unchanged */
	{ "file:out", "file:out" },
	{ "es:http://127.0.0.1:9200?prefix=lab&gzip=off", "es:http://127.0.0.1:9200?prefix=lab&gzip=off" },
	{ "mongo:mongodb://alice@db:27017/x", "mongo:mongodb://alice@db:27017/x" },
	{ "", "" },
	/* user:password@: the user stays, the password goes */
	{ "es:http://user:S3cret@127.0.0.1:1", "es:http://user:***@127.0.0.1:1" },
	{ "mongo:mongodb://u:p@h1:1,h2:2/db?w=majority", "mongo:mongodb://u:***@h1:1,h2:2/db?w=majority" },
	/* a password holding '/', ':' or '@' unencoded */
	{ "mongodb://u:a/b:c@d@host/db", "mongodb://u:***@host/db" },
	/* inside a message, in quotes, several URLs */
	{ "sink mongo:mongodb://u:pw@h/x: insert failed; also \"http://v:pw2@e\" down",
	  "sink mongo:mongodb://u:***@h/x: insert failed; also \"http://v:***@e\" down" },
	/* secret query options, any case; others kept */
	{ "mongodb://h/db?authSource=admin&password=pw&w=1", "mongodb://h/db?authSource=admin&password=***&w=1" },
	{ "http://h/?API_KEY=k1&token=t&prefix=p", "http://h/?API_KEY=***&token=***&prefix=p" },
	{ "kafka://b:9092/t?sasl.password=x", "kafka://b:9092/t?sasl.password=***" },
	{ NULL, NULL },
};

START_TEST(test_redact_table)
{
	for (const struct redact_case *c = redact_cases; c->in != NULL; c++) {
		char out[512];
		redact_text(c->in, out, sizeof(out));
		ck_assert_msg(strcmp(out, c->out) == 0, "redact(\"%s\"): \"%s\", expected \"%s\"", c->in, out, c->out);
	}
}
END_TEST

/* A small buffer cuts the text but never leaves the password in it, and is always terminated. */
START_TEST(test_redact_small_buffer)
{
	const char *in = "mongodb://user:S3cretS3cret@host/db";
	for (size_t cap = 1; cap <= strlen(in) + 1; cap++) {
		char out[64];
		memset(out, 'Z', sizeof(out));
		redact_text(in, out, cap);
		ck_assert_uint_lt(strlen(out), cap);
		ck_assert_ptr_null(strstr(out, "S3c"));
	}
}
END_TEST

Suite *redact_suite(void)
{
	Suite *s = suite_create("redact");

	testutil_add(s, test_redact_table, 0);
	testutil_add(s, test_redact_small_buffer, 0);
	return s;
}
