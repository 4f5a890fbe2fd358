/* pmacct.c: records as pmacct writes them (kafka_output: json), and the ways they go wrong. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

Suite *pmacct_suite(void)
{
	Suite *s = suite_create("pmacct");
	TCase *tc = tcase_create("records");
	int n = 0;

	while (pm_cases[n].name != NULL)
		n++;
	tcase_add_loop_test(tc, test_pmacct_table, 0, n);
	tcase_add_test(tc, test_pmacct_timezone_and_ids);
	suite_add_tcase(s, tc);
	return s;
}
