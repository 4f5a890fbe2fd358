/* pmacct.c: records as pmacct writes them (kafka_output: json), and the ways they go wrong. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "pmacct.h"
#include "suites.h"

struct pm_case {
	const char *name;
	const char *json;
	const char *expect; /* the row's JSON with _id, or NULL when the record must be refused */
	const char *errpart;
};

#define PM_ID "\"_id\":\"%s-42\""

static const struct pm_case pm_cases[] = {
	{ "full record (pmacct 1.7 with a typical aggregate)",
	  "{\"event_type\": \"purge\", \"mac_src\": \"00:1b:21:ab:cd:ef\", \"mac_dst\": \"ff:ff:ff:ff:ff:ff\", "
	  "\"vlan\": 42, \"ip_src\": \"10.0.0.1\", \"ip_dst\": \"2001:db8::1\", \"port_src\": 443, \"port_dst\": "
	  "51000, "
	  "\"tcp_flags\": \"24\", \"ip_proto\": \"tcp\", \"tos\": 184, \"timestamp_start\": \"2019-11-07 "
	  "06:08:21.807555\", "
	  "\"timestamp_end\": \"0000-00-00 00:00:00.000000\", \"packets\": 3, \"bytes\": 1514, \"writer_id\": "
	  "\"default_kafka/1\"}",
	  "{\"@timestamp\":\"2019-11-07T06:08:21.807555000Z\",\"event\":{\"dataset\":\"pmacct\",\"action\":\"purge\"},"
	  "\"source\":{\"ip\":\"10.0.0.1\",\"port\":443,\"mac\":\"00-1B-21-AB-CD-EF\"},"
	  "\"destination\":{\"ip\":\"2001:db8::1\",\"port\":51000,\"mac\":\"FF-FF-FF-FF-FF-FF\"},"
	  "\"network\":{\"type\":\"ipv6\",\"transport\":\"tcp\",\"iana_number\":\"6\",\"bytes\":1514,\"packets\":3,"
	  "\"vlan\":{\"id\":\"42\"}},\"tcp\":{\"flags\":24},\"ip\":{\"tos\":184},"
	  "\"kafka\":{\"topic\":\"netflow\",\"partition\":3,\"offset\":42}," PM_ID "}",
	  NULL },
	{ "minimal: time and bytes only, protocol by number, epoch seconds",
	  "{\"timestamp_start\": \"1573107000.5\", \"bytes\": 60, \"ip_proto\": 17, \"vlan\": 0}",
	  "{\"@timestamp\":\"2019-11-07T06:10:00.500000000Z\",\"event\":{\"dataset\":\"pmacct\"},"
	  "\"network\":{\"transport\":\"udp\",\"iana_number\":\"17\",\"bytes\":60},"
	  "\"kafka\":{\"topic\":\"netflow\",\"partition\":3,\"offset\":42}," PM_ID "}",
	  NULL },
	{ "timestamp_arrival when timestamp_start is unset",
	  "{\"timestamp_start\": \"0000-00-00 00:00:00.000000\", \"timestamp_arrival\": \"2026-11-27 01:02:03\"}",
	  "{\"@timestamp\":\"2026-11-27T01:02:03.000000000Z\",\"event\":{\"dataset\":\"pmacct\"},"
	  "\"kafka\":{\"topic\":\"netflow\",\"partition\":3,\"offset\":42}," PM_ID "}",
	  NULL },
	{ "not JSON", "ip_src=10.0.0.1", NULL, "not JSON" },
	{ "not an object", "[1,2]", NULL, "not a JSON object" },
	{ "no timestamp", "{\"ip_src\": \"10.0.0.1\"}", NULL, "missing timestamp_start" },
	{ "bad time", "{\"timestamp_start\": \"yesterday\"}", NULL, "timestamp_start: not a time" },
	{ "port as text", "{\"timestamp_start\": \"2026-01-01 00:00:00\", \"port_src\": \"http\"}", NULL, "port_src" },
	{ "port out of range", "{\"timestamp_start\": \"2026-01-01 00:00:00\", \"port_dst\": 70000}", NULL,
	  "port_dst" },
	{ "bad address", "{\"timestamp_start\": \"2026-01-01 00:00:00\", \"ip_dst\": \"10.0.0.256\"}", NULL, "ip_dst" },
	{ "bad mac", "{\"timestamp_start\": \"2026-01-01 00:00:00\", \"mac_src\": \"00:11:22\"}", NULL, "mac_src" },
	{ "negative bytes", "{\"timestamp_start\": \"2026-01-01 00:00:00\", \"bytes\": -5}", NULL, "bytes" },
	{ "tcp_flags not decimal", "{\"timestamp_start\": \"2026-01-01 00:00:00\", \"tcp_flags\": \"0x18\"}", NULL,
	  "tcp_flags" },
	{ "unknown protocol name", "{\"timestamp_start\": \"2026-01-01 00:00:00\", \"ip_proto\": \"carrier-pigeon\"}",
	  NULL, "ip_proto" },
	{ "duplicate key", "{\"timestamp_start\": \"2026-01-01 00:00:00\", \"bytes\": 1, \"bytes\": 2}", NULL,
	  "not JSON" },
	{ NULL, NULL, NULL, NULL },
};

START_TEST(test_pmacct_table)
{
	const struct pm_case *c = &pm_cases[_i];
	struct row r;
	struct pmacct_strings s;
	char err[256] = "", *out = malloc(ROW_JSON_MAX + 1), expect[4096];
	int rc;

	ck_assert_int_eq(pmacct_set_timezone("UTC"), 0);
	rc = pmacct_parse(c->json, strlen(c->json), "netflow", 3, 42, &r, &s, err, sizeof(err));
	if (c->expect == NULL) {
		ck_assert_msg(rc == -1, "%s: accepted", c->name);
		ck_assert_msg(strstr(err, c->errpart) != NULL, "%s: '%s' lacks '%s'", c->name, err, c->errpart);
	} else {
		ck_assert_msg(rc == 0, "%s: %s", c->name, err);
		out[row_to_json(&r, out, 1)] = '\0';
		snprintf(expect, sizeof(expect), c->expect, s.id_prefix);
		ck_assert_str_eq(out, expect);
	}
	free(out);
}
END_TEST

/* Zone-less times are read in --pmacct-timezone; ids depend on topic and partition only. */
START_TEST(test_pmacct_timezone_and_ids)
{
	const char *rec = "{\"timestamp_start\": \"2026-07-01 12:00:00.000000\"}";
	struct row a, b, c;
	struct pmacct_strings sa, sb, sc;
	char err[256];
	char big[PMACCT_MAX_RECORD + 64];

	ck_assert_int_eq(pmacct_set_timezone("Europe/Paris"), 0);
	ck_assert_int_eq(pmacct_parse(rec, strlen(rec), "netflow", 0, 7, &a, &sa, err, sizeof(err)), 0);
	ck_assert_int_eq(pmacct_set_timezone("UTC"), 0);
	ck_assert_int_eq(pmacct_parse(rec, strlen(rec), "netflow", 0, 8, &b, &sb, err, sizeof(err)), 0);
	ck_assert_int_eq(b.timestamp - a.timestamp, 2 * 3600 * 1000000000LL); /* CEST is UTC+2 */
	ck_assert_str_eq(sa.id_prefix, sb.id_prefix);
	ck_assert_int_eq(pmacct_parse(rec, strlen(rec), "netflow", 1, 7, &c, &sc, err, sizeof(err)), 0);
	ck_assert_str_ne(sa.id_prefix, sc.id_prefix);
	ck_assert_int_eq(pmacct_set_timezone("Mars/Olympus_Mons"), -1);
	ck_assert_int_eq(pmacct_set_timezone("../../etc/passwd"), -1);
	memset(big, ' ', sizeof(big));
	big[0] = '{';
	big[sizeof(big) - 1] = '}';
	ck_assert_int_eq(pmacct_parse(big, sizeof(big), "netflow", 0, 1, &c, &sc, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "oversized"));
}
END_TEST

/* Parse json both ways, with the flat scanner and with jansson alone: the outcome, the error text
 * and the row must be the same. Returns whether it was accepted. */
static int parse_both_ways(const char *json, size_t len)
{
	struct row ra, rb;
	struct pmacct_strings sa, sb;
	char ea[256] = "", eb[256] = "", *ja = malloc(ROW_JSON_MAX + 1), *jb = malloc(ROW_JSON_MAX + 1);
	int a, b;

	pmacct_use_flat_scanner(1);
	a = pmacct_parse(json, len, "netflow", 3, 42, &ra, &sa, ea, sizeof(ea));
	pmacct_use_flat_scanner(0);
	b = pmacct_parse(json, len, "netflow", 3, 42, &rb, &sb, eb, sizeof(eb));
	pmacct_use_flat_scanner(1);
	ck_assert_msg(a == b, "'%.*s': %d with the flat scanner, %d with jansson (%s / %s)", (int)len, json, a, b, ea,
		      eb);
	if (a == 0) {
		ja[row_to_json(&ra, ja, 1)] = '\0';
		jb[row_to_json(&rb, jb, 1)] = '\0';
		ck_assert_msg(strcmp(ja, jb) == 0, "'%.*s': rows differ:\n%s\n%s", (int)len, json, ja, jb);
	} else {
		ck_assert_msg(strcmp(ea, eb) == 0, "'%.*s': errors differ: '%s' / '%s'", (int)len, json, ea, eb);
	}
	free(ja);
	free(jb);
	return a == 0;
}

#define TS "\"timestamp_start\":\"2026-01-01 00:00:00\""

/* The shapes on both sides of the line between the flat scanner and jansson. */
static const char *const flat_edges[] = {
	"{}",
	" { } ",
	"{" TS "}",
	"\t{\r\n" TS " \n}\n",
	"{" TS ",\"event_type\":\"purge\"}",
	/* escapes and non-ASCII: jansson's */
	"{" TS ",\"event_type\":\"pu\\u0072ge\"}",
	"{" TS ",\"event_type\":\"\\\"q\\\"\"}",
	"{" TS ",\"event_type\":\"caf\xc3\xa9\"}",
	"{" TS ",\"event_type\":\"bad\xc3\"}",
	"{\"timestamp_\\u0073tart\":\"2026-01-01 00:00:00\"}",
	"{" TS ",\"event_type\":\"a\tb\"}",
	"{" TS ",\"event_type\":\"a\x7f\"}",
	"{" TS ",\"event_type\":\"\\ud800\"}",
	/* numbers */
	"{" TS ",\"bytes\":-0}",
	"{" TS ",\"bytes\":0}",
	"{" TS ",\"bytes\":01}",
	"{" TS ",\"bytes\":1.0}",
	"{" TS ",\"bytes\":1e3}",
	"{" TS ",\"bytes\":1E3}",
	"{" TS ",\"bytes\":-}",
	"{" TS ",\"bytes\":--1}",
	"{" TS ",\"bytes\":+1}",
	"{" TS ",\"bytes\":1x}",
	"{" TS ",\"bytes\":999999999999999999}",
	"{" TS ",\"bytes\":9223372036854775807}",
	"{" TS ",\"bytes\":9223372036854775808}",
	"{" TS ",\"bytes\":-9223372036854775808}",
	"{" TS ",\"port_src\":-1}",
	"{" TS ",\"tcp_flags\":\"-0\"}",
	/* literals and nesting */
	"{" TS ",\"bytes\":true}",
	"{" TS ",\"bytes\":null}",
	"{" TS ",\"bytes\":nul}",
	"{" TS ",\"bytes\":truex}",
	"{" TS ",\"vlan\":false}",
	"{" TS ",\"bytes\":{}}",
	"{" TS ",\"bytes\":[1]}",
	"{" TS ",\"x\":{\"y\":[]}}",
	"{\"timestamp_start\":null}",
	"{\"timestamp_start\":17}",
	/* structure */
	"{" TS ",}",
	"{,}",
	"{" TS ",\"a\" 1}",
	"{" TS ",\"a\":1 \"b\":2}",
	"{" TS "}}",
	"{" TS "} x",
	"{" TS "}{\"b\":2}",
	"{\"a\":\"x",
	"{\"a",
	"{",
	"",
	"  ",
	"\"str\"",
	"17",
	"[]",
	"null",
	"{" TS ":1}",
	"{1:2}",
	"{'a':1}",
	/* the same key twice */
	"{" TS ",\"bytes\":1,\"bytes\":1}",
	"{" TS "," TS "}",
	"{\"a\":1," TS ",\"a\":3}",
	NULL,
};

START_TEST(test_pmacct_flat_scanner_edges)
{
	char many[4096];
	size_t off;

	for (int i = 0; flat_edges[i] != NULL; i++)
		parse_both_ways(flat_edges[i], strlen(flat_edges[i]));
	for (int i = 0; pm_cases[i].name != NULL; i++)
		parse_both_ways(pm_cases[i].json, strlen(pm_cases[i].json));
	/* a NUL inside a string, and more members than the scanner keeps */
	parse_both_ways("{" TS ",\"event_type\":\"a\0b\"}", sizeof("{" TS ",\"event_type\":\"a\0b\"}") - 1);
	off = (size_t)snprintf(many, sizeof(many), "{" TS);
	for (int i = 0; i < 60; i++)
		off += (size_t)snprintf(many + off, sizeof(many) - off, ",\"k%d\":%d", i, i);
	snprintf(many + off, sizeof(many) - off, ",\"bytes\":7}");
	ck_assert(parse_both_ways(many, strlen(many)));
}
END_TEST

/* 20,000 records made from good ones by a few random byte changes, insertions and deletions
 * (fixed seed): the flat scanner and jansson agree on every one. */
START_TEST(test_pmacct_flat_scanner_mutations)
{
	static const char alphabet[] = "\"\\{}[],: 0-.eExtnu\t\x01\x7f\x80\xc3\xa9/1";
	const char *bases[] = { pm_cases[0].json, pm_cases[1].json, pm_cases[2].json,
				"{\"event_type\": \"purge\", \"ip_src\": \"10.0.1.2\", \"ip_dst\": \"192.0.2.7\", "
				"\"port_src\": 1024, \"port_dst\": 443, \"ip_proto\": \"tcp\", \"tcp_flags\": \"24\", "
				"\"tos\": 0, \"timestamp_start\": \"2026-11-20 10:01:02.000003\", \"packets\": 3, "
				"\"bytes\": 1400, \"vlan\": 0, \"writer_id\": \"bench/1\"}" };
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	char buf[2048];
	int accepted = 0, refused = 0;

	for (int iter = 0; iter < 20000; iter++) {
		const char *b = bases[iter % 4];
		size_t len = strlen(b);
		memcpy(buf, b, len);
		int changes = 1 + iter % 3;
		for (int c = 0; c < changes; c++) {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			size_t pos = (size_t)(seed >> 33) % (len + 1);
			char ch = alphabet[(seed >> 20) % (sizeof(alphabet) - 1)];
			switch ((seed >> 10) % 3) {
			case 0: /* replace */
				if (pos < len)
					buf[pos] = ch;
				break;
			case 1: /* insert */
				if (len + 1 < sizeof(buf)) {
					memmove(buf + pos + 1, buf + pos, len - pos);
					buf[pos] = ch;
					len++;
				}
				break;
			default: /* delete */
				if (pos < len) {
					memmove(buf + pos, buf + pos + 1, len - pos - 1);
					len--;
				}
			}
		}
		if (parse_both_ways(buf, len))
			accepted++;
		else
			refused++;
	}
	/* both sides of the line were reached many times */
	ck_assert_int_gt(accepted, 1000);
	ck_assert_int_gt(refused, 1000);
}
END_TEST

/* The usual "YYYY-MM-DD HH:MM:SS.ffffff" (read without strptime in UTC) means the same instant as
 * the same time in epoch seconds (read by strtod), over dates from 1970 to 2199, month ends and
 * leap days included; dates strptime takes but the calendar lacks still roll over as timegm does. */
START_TEST(test_pmacct_fast_time)
{
	struct row a, b;
	struct pmacct_strings sa, sb;
	char ra[160], rb[160], err[256];
	uint64_t x = 0x9e3779b97f4a7c15ULL;

	ck_assert_int_eq(pmacct_set_timezone("UTC"), 0);
	for (int i = 0; i < 20000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		/* every 7th a last second of a day (month ends, leap days), the others anywhere */
		time_t t = (time_t)(x % 7258118400ULL);
		if (i % 7 == 0)
			t = t - t % 86400 + 86399;
		struct tm tm;
		gmtime_r(&t, &tm);
		unsigned us = (unsigned)(x >> 40) % 1000000;
		snprintf(ra, sizeof(ra), "{\"timestamp_start\": \"%04d-%02d-%02d %02d:%02d:%02d.%06u\"}",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, us);
		snprintf(rb, sizeof(rb), "{\"timestamp_start\": \"%lld.%06u\"}", (long long)t, us);
		ck_assert_int_eq(pmacct_parse(ra, strlen(ra), "netflow", 0, 1, &a, &sa, err, sizeof(err)), 0);
		ck_assert_int_eq(pmacct_parse(rb, strlen(rb), "netflow", 0, 1, &b, &sb, err, sizeof(err)), 0);
		ck_assert_msg(a.timestamp == b.timestamp, "%s: %lld, epoch %lld", ra, (long long)a.timestamp,
			      (long long)b.timestamp);
	}
	static const char *const rolled[][2] = {
		{ "2026-02-30 00:00:00", "1772409600" }, /* 2026-03-02 */
		{ "2100-02-29 12:00:00", "4107585600" }, /* not a leap year: 2100-03-01 */
		{ "2024-02-29 23:59:59.5", "1709251199.5" }, { "1970-01-01 00:00:00", "0" }, { NULL, NULL },
	};
	for (int i = 0; rolled[i][0] != NULL; i++) {
		snprintf(ra, sizeof(ra), "{\"timestamp_start\": \"%s\"}", rolled[i][0]);
		snprintf(rb, sizeof(rb), "{\"timestamp_start\": \"%s\"}", rolled[i][1]);
		ck_assert_int_eq(pmacct_parse(ra, strlen(ra), "netflow", 0, 1, &a, &sa, err, sizeof(err)), 0);
		ck_assert_int_eq(pmacct_parse(rb, strlen(rb), "netflow", 0, 1, &b, &sb, err, sizeof(err)), 0);
		ck_assert_msg(a.timestamp == b.timestamp, "%s", rolled[i][0]);
	}
	/* before 1970, and not a time: refused as before */
	snprintf(ra, sizeof(ra), "{\"timestamp_start\": \"1969-12-31 23:59:59\"}");
	ck_assert_int_eq(pmacct_parse(ra, strlen(ra), "netflow", 0, 1, &a, &sa, err, sizeof(err)), -1);
	snprintf(ra, sizeof(ra), "{\"timestamp_start\": \"2026-11-20 10:00:00x\"}");
	ck_assert_int_eq(pmacct_parse(ra, strlen(ra), "netflow", 0, 1, &a, &sa, err, sizeof(err)), -1);
}
END_TEST

/* The id prefix of a partition is the same whether or not the previous record was of the same
 * partition (the last one is kept). */
START_TEST(test_pmacct_id_prefix_cache)
{
	const char *rec = "{\"timestamp_start\": \"2026-07-01 12:00:00\"}";
	struct row r;
	struct pmacct_strings p0, p1, p0again, other;
	char err[256];

	ck_assert_int_eq(pmacct_parse(rec, strlen(rec), "netflow", 0, 1, &r, &p0, err, sizeof(err)), 0);
	ck_assert_int_eq(pmacct_parse(rec, strlen(rec), "netflow", 1, 2, &r, &p1, err, sizeof(err)), 0);
	ck_assert_int_eq(pmacct_parse(rec, strlen(rec), "netflow", 0, 3, &r, &p0again, err, sizeof(err)), 0);
	ck_assert_int_eq(pmacct_parse(rec, strlen(rec), "netflow2", 0, 4, &r, &other, err, sizeof(err)), 0);
	ck_assert_str_eq(p0.id_prefix, p0again.id_prefix);
	ck_assert_str_ne(p0.id_prefix, p1.id_prefix);
	ck_assert_str_ne(p0.id_prefix, other.id_prefix);
	ck_assert_int_eq((int)strlen(p0.id_prefix), ROW_ID_PREFIX_LEN);
}
END_TEST

Suite *pmacct_suite(void)
{
	Suite *s = suite_create("pmacct");
	int n = 0;

	while (pm_cases[n].name != NULL)
		n++;
	testutil_add_loop(s, test_pmacct_table, 0, n, 0);
	testutil_add(s, test_pmacct_timezone_and_ids, 0);
	testutil_add(s, test_pmacct_flat_scanner_edges, 0);
	testutil_add(s, test_pmacct_flat_scanner_mutations, 0);
	testutil_add(s, test_pmacct_fast_time, 0);
	testutil_add(s, test_pmacct_id_prefix_cache, 0);
	return s;
}
