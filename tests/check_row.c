/* Row serializers (generated from schema/fields.tsv) and the formatters behind them. */
#include <bson/bson.h>
#include <arpa/inet.h>
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "row.h"
#include "rowfmt.h"
#include "suites.h"

/* A row with every field set. */
static void full_row(struct row *r)
{
	memset(r, 0, sizeof(*r));
	ROW_SET(r, timestamp, 1573106901807555123LL);
	ROW_SET(r, event_dataset, "pmacct");
	ROW_SET(r, event_action, "purge");
	ROW_SET(r, event_start, 1573106901807555123LL);
	ROW_SET(r, event_end, 1573106902807555123LL);
	ROW_SET(r, event_duration, 1000000000LL);
	ROW_SET(r, event_created, 1573106903000000000LL);
	ROW_SET(r, source_bytes, 1200);
	ROW_SET(r, source_packets, 2);
	ROW_SET(r, destination_bytes, 314);
	ROW_SET(r, destination_packets, 1);
	ROW_SET(r, source_as_number, 64500);
	ROW_SET(r, destination_as_number, 4294967295LL);
	r->source_ip.family = 4;
	memcpy(r->source_ip.addr, "\x0a\x00\x00\x01", 4);
	r->has |= ROW_HAS_source_ip;
	ROW_SET(r, source_port, 443);
	memcpy(r->source_mac, "\x00\x1b\x21\xab\xcd\xef", 6);
	r->has |= ROW_HAS_source_mac;
	r->destination_ip.family = 6;
	memcpy(r->destination_ip.addr, "\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01", 16);
	r->has |= ROW_HAS_destination_ip;
	ROW_SET(r, destination_port, 51000);
	memcpy(r->destination_mac, "\xff\xff\xff\xff\xff\xff", 6);
	r->has |= ROW_HAS_destination_mac;
	ROW_SET(r, network_type, 0x86dd);
	ROW_SET(r, network_transport, "tcp");
	ROW_SET(r, network_iana_number, 6);
	ROW_SET(r, network_bytes, 1514);
	ROW_SET(r, network_packets, 3);
	ROW_SET(r, network_vlan_id, 42);
	ROW_SET(r, tcp_flags, 0x18);
	ROW_SET(r, ip_tos, 184);
	ROW_SET(r, ip_ttl, 63);
	ROW_SET(r, icmp_type, 3);
	ROW_SET(r, icmp_code, 1);
	strcpy(r->network_community_id, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
	strcpy(r->dns_question_name, "www.example.com");
	strcpy(r->dns_question_type, "AAAA");
	strcpy(r->url_domain, "example.com");
	strcpy(r->url_path, "/index.html");
	strcpy(r->tls_client_server_name, "example.org");
	r->has |= ROW_HAS_network_community_id | ROW_HAS_dns_question_name | ROW_HAS_dns_question_type |
		  ROW_HAS_url_domain | ROW_HAS_url_path | ROW_HAS_tls_client_server_name;
	ROW_SET(r, dns_id, 4660);
	ROW_SET(r, dns_response_code, "NXDOMAIN");
	ROW_SET(r, http_request_method, "GET");
	ROW_SET(r, http_response_status_code, 200);
	ROW_SET(r, pcap_file, "dump-\"a\"\\b\n.pcap");
	ROW_SET(r, pcap_frame, 7);
	ROW_SET(r, pcap_caplen, 96);
	ROW_SET(r, kafka_topic, "netflow");
	ROW_SET(r, kafka_partition, 2);
	ROW_SET(r, kafka_offset, 9000000000LL);
	ROW_SET(r, observer_ingress_interface_id, 1);
	ROW_SET(r, observer_ingress_interface_name, "eth0");
	ROW_SET(r, observer_egress_interface_id, 7);
	r->observer_ip.family = 4;
	memcpy(r->observer_ip.addr, "\xc0\x00\x02\xfe", 4);
	r->has |= ROW_HAS_observer_ip;
	strcpy(r->netflow_source_prefix, "192.0.2.0/25");
	strcpy(r->netflow_destination_prefix, "2001:db8::/32");
	r->has |= ROW_HAS_netflow_source_prefix | ROW_HAS_netflow_destination_prefix;
	r->netflow_bgp_next_hop_address.family = 6;
	memcpy(r->netflow_bgp_next_hop_address.addr, "\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xfe",
	       16);
	r->has |= ROW_HAS_netflow_bgp_next_hop_address;
	ROW_SET(r, netflow_dot1q_priority, 5);
	ROW_SET(r, netflow_sampling_interval, 1000);
	ROW_SET(r, error_message, "capture time outside 1970-01-01T00:00:00Z .. 2262-04-11T23:47:16Z: no @timestamp");
	r->id_prefix = "0123456789abcdef";
	r->id_seq = 7;
}

START_TEST(test_json_full_row)
{
	static const char expect[] =
	    "{\"@timestamp\":\"2019-11-07T06:08:21.807555123Z\",\"event\":{\"dataset\":\"pmacct\",\"action\":\"purge\","
	    "\"start\":\"2019-11-07T06:08:21.807555123Z\",\"end\":\"2019-11-07T06:08:22.807555123Z\","
	    "\"duration\":1000000000,\"created\":\"2019-11-07T06:08:23.000000000Z\"},"
	    "\"source\":{\"ip\":\"10.0.0.1\",\"port\":443,\"mac\":\"00-1B-21-AB-CD-EF\",\"bytes\":1200,"
	    "\"packets\":2,\"as\":{\"number\":64500}},"
	    "\"destination\":{\"ip\":\"2001:db8::1\",\"port\":51000,\"mac\":\"FF-FF-FF-FF-FF-FF\","
	    "\"bytes\":314,\"packets\":1,\"as\":{\"number\":4294967295}},"
	    "\"network\":{\"type\":\"ipv6\",\"transport\":\"tcp\",\"iana_number\":\"6\",\"bytes\":1514,\"packets\":3,"
	    "\"vlan\":{\"id\":\"42\"},\"community_id\":\"1:LQU9qZlK+B5F3KDmev6m5PMibrg=\"},\"tcp\":{\"flags\":24},"
	    "\"ip\":{\"tos\":184,\"ttl\":63},"
	    "\"icmp\":{\"type\":3,\"code\":1},"
	    "\"dns\":{\"id\":\"4660\",\"question\":{\"name\":\"www.example.com\",\"type\":\"AAAA\"},"
	    "\"response_code\":\"NXDOMAIN\"},"
	    "\"http\":{\"request\":{\"method\":\"GET\"},\"response\":{\"status_code\":200}},"
	    "\"url\":{\"domain\":\"example.com\",\"path\":\"/index.html\"},"
	    "\"tls\":{\"client\":{\"server_name\":\"example.org\"}},"
	    "\"pcap\":{\"file\":\"dump-\\\"a\\\"\\\\b\\u000a.pcap\",\"frame\":7,\"caplen\":96},"
	    "\"observer\":{\"ingress\":{\"interface\":{\"id\":\"1\",\"name\":\"eth0\"}},"
	    "\"egress\":{\"interface\":{\"id\":\"7\"}},\"ip\":\"192.0.2.254\"},"
	    "\"netflow\":{\"source_prefix\":\"192.0.2.0/25\",\"destination_prefix\":\"2001:db8::/32\","
	    "\"bgp_next_hop_address\":\"2001:db8::fe\",\"dot1q_priority\":5,\"sampling_interval\":1000},"
	    "\"error\":{\"message\":\"capture time outside 1970-01-01T00:00:00Z .. 2262-04-11T23:47:16Z: no "
	    "@timestamp\"},"
	    "\"kafka\":{\"topic\":\"netflow\",\"partition\":2,\"offset\":9000000000},"
	    "\"_id\":\"0123456789abcdef-7\"}";
	char *out = malloc(ROW_JSON_MAX + 1);
	struct row r;

	full_row(&r);
	out[row_to_json(&r, out, 1)] = '\0';
	ck_assert_str_eq(out, expect);
	free(out);
}
END_TEST

START_TEST(test_json_empty_row)
{
	char out[ROW_JSON_MAX];
	struct row r;

	memset(&r, 0, sizeof(r));
	r.id_prefix = "ab";
	r.id_seq = 0;
	out[row_to_json(&r, out, 0)] = '\0';
	ck_assert_str_eq(out, "{}");
	out[row_to_json(&r, out, 1)] = '\0';
	ck_assert_str_eq(out, "{\"_id\":\"ab-0\"}");
}
END_TEST

struct time_case {
	int64_t ns;
	const char *text;
};

static const struct time_case time_cases[] = {
	{ 0, "1970-01-01T00:00:00.000000000Z" },
	{ 1573106901807555000LL, "2019-11-07T06:08:21.807555000Z" },
	{ -1, "1969-12-31T23:59:59.999999999Z" },
	{ 1582934400000000001LL, "2020-02-29T00:00:00.000000001Z" }, /* leap day */
	{ 2177452800000000000LL, "2039-01-01T00:00:00.000000000Z" }, /* past the signed 32-bit limit */
	{ 4294967295999999999LL, "2106-02-07T06:28:15.999999999Z" }, /* last unsigned 32-bit second */
	{ 951782400000000000LL, "2000-02-29T00:00:00.000000000Z" },  /* 2000 is a leap year */
	{ 0, NULL },
};

START_TEST(test_time_format)
{
	for (const struct time_case *c = time_cases; c->text != NULL; c++) {
		char out[40];
		rowfmt_time_text(out, c->ns);
		ck_assert_msg(strcmp(out, c->text) == 0, "%lld: got %s, expected %s", (long long)c->ns, out, c->text);
	}
}
END_TEST

struct ip_case {
	int family;
	const char *addr;
	const char *text;
};

static const struct ip_case ip_cases[] = {
	{ 4, "\x00\x00\x00\x00", "0.0.0.0" },
	{ 4, "\xff\xff\xff\xff", "255.255.255.255" },
	{ 4, "\x0a\x09\x63\x64", "10.9.99.100" },
	{ 6, "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01", "::1" },
	{ 6, "\xfe\x80\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", "fe80::" },
	/* RFC 5952 4.2.2: a single zero group is not shortened */
	{ 6, "\x20\x01\x0d\xb8\x00\x00\x00\x01\x00\x01\x00\x01\x00\x01\x00\x01", "2001:db8:0:1:1:1:1:1" },
	/* RFC 5952 4.2.3: the first of two equal zero runs is shortened */
	{ 6, "\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x01", "2001:db8::1:0:0:1" },
	{ 6, "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\x01\x02\x03\x04", "::ffff:1.2.3.4" },
	{ 6, "\x20\x01\x0D\xB8\xAB\xCD\x00\x00\x00\x00\x00\x00\x00\x00\x00\x0A", "2001:db8:abcd::a" },
	{ 0, NULL, NULL },
};

START_TEST(test_ip_format)
{
	for (const struct ip_case *c = ip_cases; c->text != NULL; c++) {
		struct row_ip ip = { .family = (uint8_t)c->family };
		char out[64];
		memcpy(ip.addr, c->addr, c->family == 4 ? 4 : 16);
		*rowfmt_ip(out, &ip) = '\0';
		char expect[64];
		snprintf(expect, sizeof(expect), "\"%s\"", c->text);
		ck_assert_str_eq(out, expect);
	}
}
END_TEST

/* IPv6 written by hand must be what glibc's inet_ntop (RFC 5952) writes, which the rows always
 * had: every address built from groups drawn from 0, 1, ffff and a random value (so zero runs of
 * every length and place, ties, ::ffff:a.b.c.d and ::a.b.c.d come up), 200,000 of them. */
START_TEST(test_ipv6_format_as_inet_ntop)
{
	static const unsigned pick[] = { 0, 0, 0, 1, 0xffff, 0x0db8 };
	uint64_t x = 88172645463325252ULL;

	for (int n = 0; n < 200000; n++) {
		struct row_ip ip = { .family = 6 };
		char out[64], want[64], t[INET6_ADDRSTRLEN];
		for (int g = 0; g < 8; g++) {
			unsigned v;
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			v = (x & 7) < 6 ? pick[x & 7] : (unsigned)(x >> 40) & 0xffff;
			ip.addr[2 * g] = (uint8_t)(v >> 8);
			ip.addr[2 * g + 1] = (uint8_t)v;
		}
		ck_assert_ptr_nonnull(inet_ntop(AF_INET6, ip.addr, t, sizeof(t)));
		snprintf(want, sizeof(want), "\"%s\"", t);
		*rowfmt_ip(out, &ip) = '\0';
		ck_assert_str_eq(out, want);
	}
}
END_TEST

struct str_case {
	const char *in;
	const char *json;
};

static const struct str_case str_cases[] = {
	{ "plain", "\"plain\"" },
	{ "tab\there", "\"tab\\u0009here\"" },
	{ "caf\xc3\xa9", "\"caf\xc3\xa9\"" },		 /* valid UTF-8 kept */
	{ "bad\xff", "\"bad\\ufffd\"" },		 /* invalid byte replaced */
	{ "cut\xe2\x82", "\"cut\\ufffd\\ufffd\"" },	 /* truncated sequence */
	{ "\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"" }, /* UTF-16 surrogate is not UTF-8 */
	{ "emoji \xf0\x9f\x98\x80", "\"emoji \xf0\x9f\x98\x80\"" },
	{ NULL, NULL },
};

START_TEST(test_str_format)
{
	for (const struct str_case *c = str_cases; c->in != NULL; c++) {
		char out[256];
		*rowfmt_str(out, c->in) = '\0';
		ck_assert_str_eq(out, c->json);
	}
}
END_TEST

START_TEST(test_int_format)
{
	static const struct {
		int64_t v;
		const char *text;
	} ints[] = {
		{ 0, "0" },
		{ 9, "9" },
		{ 10, "10" },
		{ 99, "99" },
		{ 100, "100" },
		{ -1, "-1" },
		{ INT64_MAX, "9223372036854775807" },
		{ INT64_MIN, "-9223372036854775808" },
		{ 0, NULL },
	};
	for (int i = 0; ints[i].text != NULL; i++) {
		char out[32];
		*rowfmt_i64(out, ints[i].v) = '\0';
		ck_assert_str_eq(out, ints[i].text);
	}
}
END_TEST

/* Walk a dotted path in a JSON object. */
static json_t *json_path(json_t *obj, const char *path)
{
	char buf[128];
	char *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *tok = strtok_r(buf, ".", &save); tok != NULL && obj != NULL; tok = strtok_r(NULL, ".", &save))
		obj = json_object_get(obj, tok);
	return obj;
}

static int count_leaves(json_t *obj)
{
	const char *k;
	json_t *v;
	int n = 0;

	json_object_foreach(obj, k, v) n += json_is_object(v) ? count_leaves(v) : 1;
	return n;
}

/* The schema file, the generated field table, the NDJSON and the BSON serializers agree: every
 * field of schema/fields.tsv is written by both serializers, and nothing else is. */
START_TEST(test_schema_consistency)
{
	FILE *f = fopen(SRCDIR "/schema/fields.tsv", "r");
	char line[1024];
	int header = 1, n = 0;
	char *out = malloc(ROW_JSON_MAX + 1);
	struct row r;
	json_error_t jerr;
	json_t *doc, *es;
	bson_t *b = bson_new();

	ck_assert_ptr_nonnull(f);
	full_row(&r);
	out[row_to_json(&r, out, 1)] = '\0';
	doc = json_loads(out, 0, &jerr);
	ck_assert_msg(doc != NULL, "row JSON does not parse: %s", jerr.text);
	ck_assert_int_eq(row_to_bson(&r, b), 0);
	es = json_loads(row_es_properties, 0, &jerr);
	ck_assert_ptr_nonnull(es);

	while (fgets(line, sizeof(line), f) != NULL) {
		char path[128], kind[32], es_type[32];
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (header) {
			header = 0;
			continue;
		}
		ck_assert_int_eq(sscanf(line, "%127[^\t]\t%31[^\t]\t%31[^\t]", path, kind, es_type), 3);
		ck_assert_msg(n < ROW_NFIELDS, "schema has more fields than the generated table");
		ck_assert_str_eq(row_field_infos[n].path, path);
		ck_assert_str_eq(row_field_infos[n].es_type, es_type);
		ck_assert_msg(json_path(doc, path) != NULL, "NDJSON lacks %s", path);
		bson_iter_t it, child;
		ck_assert_msg(bson_iter_init(&it, b) && bson_iter_find_descendant(&it, path, &child), "BSON lacks %s",
			      path);
		if (strcmp(es_type, "-") != 0) {
			char espath[256] = "";
			char buf[128], *save = NULL;
			snprintf(buf, sizeof(buf), "%s", path);
			for (char *tok = strtok_r(buf, ".", &save); tok != NULL; tok = strtok_r(NULL, ".", &save)) {
				if (espath[0] != '\0')
					strcat(espath, ".properties.");
				strcat(espath, tok);
			}
			json_t *m = json_path(es, espath);
			ck_assert_msg(m != NULL, "ES mapping lacks %s", path);
			ck_assert_str_eq(json_string_value(json_object_get(m, "type")), es_type);
		}
		n++;
	}
	ck_assert_int_eq(n, ROW_NFIELDS);
	ck_assert_int_eq(count_leaves(doc), ROW_NFIELDS);
	json_decref(es);
	json_decref(doc);
	bson_destroy(b);
	free(out);
	fclose(f);
}
END_TEST

/* BSON: _id first, @timestamp a Date in ms plus exact ns, integers typed by their ES type. */
START_TEST(test_bson_types)
{
	bson_t *b = bson_new();
	bson_iter_t it, sub;
	struct row r;

	full_row(&r);
	ck_assert_int_eq(row_to_bson(&r, b), 0);
	ck_assert(bson_iter_init(&it, b));
	ck_assert(bson_iter_next(&it));
	ck_assert_str_eq(bson_iter_key(&it), "_id");
	ck_assert_str_eq(bson_iter_utf8(&it, NULL), "0123456789abcdef-7");
	ck_assert(bson_iter_init_find(&it, b, "@timestamp"));
	ck_assert_int_eq(bson_iter_type(&it), BSON_TYPE_DATE_TIME);
	ck_assert_int_eq(bson_iter_date_time(&it), 1573106901807LL);
	ck_assert(bson_iter_init_find(&it, b, "@timestamp_ns"));
	ck_assert_int_eq(bson_iter_int64(&it), 1573106901807555123LL);
	ck_assert(bson_iter_init(&it, b) && bson_iter_find_descendant(&it, "tcp.flags", &sub));
	ck_assert_int_eq(bson_iter_type(&sub), BSON_TYPE_INT32);
	ck_assert(bson_iter_init(&it, b) && bson_iter_find_descendant(&it, "network.bytes", &sub));
	ck_assert_int_eq(bson_iter_type(&sub), BSON_TYPE_INT64);
	ck_assert(bson_iter_init(&it, b) && bson_iter_find_descendant(&it, "destination.ip", &sub));
	ck_assert_str_eq(bson_iter_utf8(&sub, NULL), "2001:db8::1");
	ck_assert(bson_iter_init(&it, b) && bson_iter_find_descendant(&it, "network.vlan.id", &sub));
	ck_assert_str_eq(bson_iter_utf8(&sub, NULL), "42");
	ck_assert(bson_iter_init(&it, b) && bson_iter_find_descendant(&it, "network.type", &sub));
	ck_assert_str_eq(bson_iter_utf8(&sub, NULL), "ipv6");
	ck_assert(bson_iter_init(&it, b) && bson_iter_find_descendant(&it, "pcap.file", &sub));
	ck_assert_str_eq(bson_iter_utf8(&sub, NULL), "dump-\"a\"\\b\n.pcap");
	bson_destroy(b);
}
END_TEST

/* Dates before 1970 round down to the millisecond below, not towards zero. */
START_TEST(test_bson_negative_time)
{
	bson_t *b = bson_new();
	bson_iter_t it;
	struct row r;

	memset(&r, 0, sizeof(r));
	r.id_prefix = "x";
	ROW_SET(&r, timestamp, -1);
	ck_assert_int_eq(row_to_bson(&r, b), 0);
	ck_assert(bson_iter_init_find(&it, b, "@timestamp"));
	ck_assert_int_eq(bson_iter_date_time(&it), -1);
	bson_destroy(b);
}
END_TEST

Suite *row_suite(void)
{
	Suite *s = suite_create("row");

	testutil_add(s, test_json_full_row, 0);
	testutil_add(s, test_json_empty_row, 0);
	testutil_add(s, test_time_format, 0);
	testutil_add(s, test_ip_format, 0);
	testutil_add(s, test_ipv6_format_as_inet_ntop, 0);
	testutil_add(s, test_str_format, 0);
	testutil_add(s, test_int_format, 0);
	testutil_add(s, test_schema_consistency, 0);
	testutil_add(s, test_bson_types, 0);
	testutil_add(s, test_bson_negative_time, 0);
	return s;
}
