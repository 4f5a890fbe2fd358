/* Unit tests of the stores' pure parts: several node URLs in an es: spec, index names per
 * index_period, the time an index name covers, and prune's cutoff. */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "esclient.h"
#include "prune.h"
#include "suites.h"

/* --- es: specs with several nodes ------------------------------------------------------------ */

struct nodes_case {
	const char *spec;
	int nurls; /* 0: refused */
	const char *first, *last, *prefix;
	enum esclient_period period;
	const char *errpart;
};

static const struct nodes_case nodes_cases[] = {
	{ "http://a:9200,http://b:9200", 2, "http://a:9200", "http://b:9200", "pcapstream", ESCLIENT_DAY, NULL },
	{ "http://a:9200/,https://b:9243//,http://c:9200?prefix=lab&index_period=month", 3, "http://a:9200",
	  "http://c:9200", "lab", ESCLIENT_MONTH, NULL },
	{ "http://a:9200?index_period=year", 1, "http://a:9200", "http://a:9200", "pcapstream", ESCLIENT_YEAR, NULL },
	{ "http://a:9200,b:9200", 0, NULL, NULL, NULL, ESCLIENT_DAY, "'b:9200' is not an http:// or https:// URL" },
	{ "http://a:9200,http://u:pw@b:9200", 0, NULL, NULL, NULL, ESCLIENT_DAY, "credentials in the URL are refused" },
	{ "http://a:9200,,http://b:9200", 0, NULL, NULL, NULL, ESCLIENT_DAY, "separated by commas" },
	{ "http://a:9200,", 0, NULL, NULL, NULL, ESCLIENT_DAY, "separated by commas" },
	{ "http://a:9200?index_period=week", 0, NULL, NULL, NULL, ESCLIENT_DAY, "not day, month or year" },
	{ "http://1,http://2,http://3,http://4,http://5,http://6,http://7,http://8,http://9,http://10,http://11,"
	  "http://12,http://13,http://14,http://15,http://16,http://17",
	  0, NULL, NULL, NULL, ESCLIENT_DAY, "more than 16 node URLs" },
	{ NULL, 0, NULL, NULL, NULL, ESCLIENT_DAY, NULL },
};

START_TEST(test_es_nodes_table)
{
	const struct nodes_case *c = &nodes_cases[_i];
	struct esclient e;
	char err[512] = "";
	int rc = esclient_parse(c->spec, &e, err, sizeof(err));

	ck_assert_msg((rc == 0) == (c->nurls > 0), "%s: rc %d %s", c->spec, rc, err);
	if (c->nurls == 0) {
		ck_assert_msg(strstr(err, c->errpart) != NULL, "%s: '%s' lacks '%s'", c->spec, err, c->errpart);
		return;
	}
	ck_assert_int_eq(e.nurls, c->nurls);
	ck_assert_str_eq(e.url, c->first);
	ck_assert_str_eq(e.urls[0], c->first);
	ck_assert_str_eq(e.urls[e.nurls - 1], c->last);
	ck_assert_str_eq(e.prefix, c->prefix);
	ck_assert_int_eq(e.period, c->period);
}
END_TEST

/* --- index names and the time they cover ------------------------------------------------------ */

struct period_case {
	const char *spec;
	int flows;
	int64_t ts_ns;
	const char *name;	 /* esclient_index_name */
	const char *start, *end; /* the range esclient_period_range gives for its period (YYYY-MM-DD) */
};

static const struct period_case period_cases[] = {
	/* 2019-11-07T06:08:21.807555Z */
	{ "http://h", 0, 1573106901807555000LL, "pcapstream-packets-2019.11.07", "2019-11-07", "2019-11-08" },
	{ "http://h?index_period=month", 0, 1573106901807555000LL, "pcapstream-packets-2019.11", "2019-11-01",
	  "2019-12-01" },
	{ "http://h?index_period=year&prefix=x", 1, 1573106901807555000LL, "x-flows-2019", "2019-01-01", "2020-01-01" },
	/* 2024-02-29T23:59:59.999999999Z: a leap day's last nanosecond */
	{ "http://h", 0, 1709251199999999999LL, "pcapstream-packets-2024.02.29", "2024-02-29", "2024-03-01" },
	/* 2023-12-31T12:00:00Z: the month that ends a year */
	{ "http://h?index_period=month", 1, 1704024000000000000LL, "pcapstream-flows-2023.12", "2023-12-01",
	  "2024-01-01" },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

/* Days since 1970-01-01 of YYYY-MM-DD, in nanoseconds. */
static int64_t day_ns(const char *s)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	ck_assert_ptr_nonnull(strptime(s, "%Y-%m-%d", &tm));
	return (int64_t)timegm(&tm) * 1000000000LL;
}

START_TEST(test_period_table)
{
	const struct period_case *c = &period_cases[_i];
	struct esclient e;
	char err[256], name[200];
	int64_t start, end;

	ck_assert_int_eq(esclient_parse(c->spec, &e, err, sizeof(err)), 0);
	esclient_index_name(&e, c->flows, c->ts_ns, name, sizeof(name));
	ck_assert_str_eq(name, c->name);
	ck_assert_int_eq(esclient_period_range(strrchr(name, '-') + 1, &start, &end), 0);
	ck_assert_int_eq(start, day_ns(c->start));
	ck_assert_int_eq(end, day_ns(c->end));
	ck_assert(start <= c->ts_ns && c->ts_ns < end);
}
END_TEST

START_TEST(test_period_range_refuses_foreign_names)
{
	static const char *const bad[] = { "2019.11.7", "2019.13",    "2019.02.30",  "1969",
					   "19.11.07",	"2019-11-07", "2019.11.07x", "abcd",
					   "",		"2023.02.29", NULL };
	int64_t s, e;

	for (int i = 0; bad[i] != NULL; i++)
		ck_assert_msg(esclient_period_range(bad[i], &s, &e) == -1, "'%s' accepted", bad[i]);
	ck_assert_int_eq(esclient_period_range("2024.02.29", &s, &e), 0);
}
END_TEST

/* --- prune's cutoff ----------------------------------------------------------------------------- */

struct cutoff_case {
	const char *before, *older_than;
	int64_t now_ns, cutoff_ns; /* cutoff_ns -1: refused */
	const char *errpart;
};

#define NOW 1700000000000000000LL /* 2023-11-14T22:13:20Z */

static const struct cutoff_case cutoff_cases[] = {
	{ "2023-11-01", NULL, NOW, 1698796800000000000LL, NULL },
	{ "2023-11-14", NULL, NOW, 1699920000000000000LL, NULL }, /* today 00:00: in the past */
	{ NULL, "30d", NOW, NOW - 30 * 86400000000000LL, NULL },
	{ NULL, "0s", NOW, NOW, NULL },
	{ "2023-11-15", NULL, NOW, -1, "in the future" },
	{ "2023-02-30", NULL, NOW, -1, "is not a date" },
	{ "2023-11-1", NULL, NOW, -1, "is not a date" },
	{ NULL, "soon", NOW, -1, "is not a duration" },
	{ "2023-11-01", "30d", NOW, -1, "exactly one of" },
	{ NULL, NULL, NOW, -1, "exactly one of" },
	{ NULL, NULL, 0, 0, NULL },
};

START_TEST(test_cutoff_table)
{
	const struct cutoff_case *c = &cutoff_cases[_i];
	char err[256] = "";
	int64_t cut = 0;
	int rc = prune_cutoff(c->before, c->older_than, c->now_ns, &cut, err, sizeof(err));

	if (c->cutoff_ns < 0) {
		ck_assert_int_eq(rc, -1);
		ck_assert_msg(strstr(err, c->errpart) != NULL, "'%s' lacks '%s'", err, c->errpart);
		return;
	}
	ck_assert_msg(rc == 0, "%s", err);
	ck_assert_int_eq(cut, c->cutoff_ns);
}
END_TEST

/* --- the batch drivers' retention glue ---------------------------------------------------------- */

START_TEST(test_retention_targets_and_hourly)
{
	static const struct {
		const char *spec;
		int handled;
		const char *es, *mongo;
	} sinks[] = {
		{ "es:http://a:9200,http://b:9200?prefix=p", 1, "http://a:9200,http://b:9200?prefix=p", NULL },
		{ "mongo:mongodb://h:27017/db", 1, NULL, "mongodb://h:27017/db" },
		{ "file:/tmp/out", 0, NULL, NULL },
		{ "kafka:b:9092/t", 0, NULL, NULL },
		{ NULL, 0, NULL, NULL },
	};
	int64_t last = 0;

	for (int i = 0; sinks[i].spec != NULL; i++) {
		struct prune_opts o = { .cutoff_ns = 0 };
		ck_assert_int_eq(prune_sink_target(sinks[i].spec, &o), sinks[i].handled);
		if (sinks[i].es != NULL)
			ck_assert_str_eq(o.es, sinks[i].es);
		else
			ck_assert_ptr_null(o.es);
		if (sinks[i].mongo != NULL)
			ck_assert_str_eq(o.mongo, sinks[i].mongo);
		else
			ck_assert_ptr_null(o.mongo);
	}
	ck_assert_int_eq(prune_due(&last, 5000000000LL), 1); /* the first call */
	ck_assert_int_eq(prune_due(&last, 5000000000LL + PRUNE_EVERY_NS - 1), 0);
	ck_assert_int_eq(prune_due(&last, 5000000000LL + PRUNE_EVERY_NS), 1);
	ck_assert_int_eq(last, 5000000000LL + PRUNE_EVERY_NS);
	ck_assert_int_eq(prune_due(&last, 5000000000LL + PRUNE_EVERY_NS + 1), 0);
}
END_TEST

Suite *stores_suite(void)
{
	Suite *s = suite_create("stores");
	int nn = 0, np = 0, nc = 0;

	while (nodes_cases[nn].spec != NULL)
		nn++;
	while (period_cases[np].spec != NULL)
		np++;
	while (cutoff_cases[nc].now_ns != 0)
		nc++;
	testutil_add_loop(s, test_es_nodes_table, 0, nn, 0);
	testutil_add_loop(s, test_period_table, 0, np, 0);
	testutil_add(s, test_period_range_refuses_foreign_names, 0);
	testutil_add_loop(s, test_cutoff_table, 0, nc, 0);
	testutil_add(s, test_retention_targets_and_hourly, 0);
	return s;
}
