/* communityid.c: SHA-1 test vectors (both code paths), every tuple of the spec's baselines
 * (seed 0 and seed 1, exact strings) through communityid_fill_row, and the rows that get no ID. */
#include <arpa/inet.h>
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "communityid.h"
#include "decode.h"
#include "pmacct.h"
#include "suites.h"

struct sha_case {
	const char *in;	 /* NULL: one million 'a' */
	const char *hex; /* FIPS 180 / RFC 3174 digest */
};

static const struct sha_case sha_cases[] = {
	{ "", "da39a3ee5e6b4b0d3255bfef95601890afd80709" },
	{ "abc", "a9993e364706816aba3e25717850c26c9cd0d89d" },
	{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1" },
	{ "The quick brown fox jumps over the lazy dog", "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12" },
	{ NULL, "34aa973cd4c4daa4f61eeb2bdbad27316534016f" },
	{ "", NULL },
};

/* Both implementations (SHA-NI when the CPU has it, and the portable one) give the vector. */
START_TEST(test_sha1_vectors)
{
	for (const struct sha_case *c = sha_cases; c->hex != NULL; c++) {
		size_t len = c->in ? strlen(c->in) : 1000000;
		char *buf = malloc(len + 1);
		memset(buf, 'a', len);
		if (c->in)
			memcpy(buf, c->in, len);
		for (int portable = 0; portable < 2; portable++) {
			uint8_t d[20];
			char hex[41];
			communityid_sha1(buf, len, d, portable);
			for (int i = 0; i < 20; i++)
				sprintf(hex + 2 * i, "%02x", d[i]);
			ck_assert_msg(strcmp(hex, c->hex) == 0, "sha1(%zu bytes) portable=%d: %s, want %s", len,
				      portable, hex, c->hex);
		}
		free(buf);
	}
}
END_TEST

/* Every length 0..200 agrees between the two implementations (padding across block ends). */
START_TEST(test_sha1_lengths)
{
	uint8_t buf[200], a[20], b[20];

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	for (size_t n = 0; n <= sizeof(buf); n++) {
		communityid_sha1(buf, n, a, 0);
		communityid_sha1(buf, n, b, 1);
		ck_assert_msg(memcmp(a, b, 20) == 0, "length %zu", n);
	}
}
END_TEST

struct cid_case {
	unsigned seed;
	unsigned proto;
	const char *saddr, *daddr;
	int sport, dport; /* -1: no ports (port-less protocol) */
	const char *expect;
};

/* Every tuple of ../shared/corpus/community-id/baseline_deflt.json and baseline_seed1.json (the
 * spec's baseline, made by its reference implementation), then the spec README's one-way ICMP
 * examples. */
static const struct cid_case cid_cases[] = {
	/* baseline_deflt.json */
	{ 0, 58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 135, 136, "1:dGHyGvjMfljg6Bppwm3bg0LO8TY=" },
	{ 0, 58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 136, 135, "1:dGHyGvjMfljg6Bppwm3bg0LO8TY=" },
	{ 0, 58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 135, 136, "1:zavyT/cezQr1fmImYCwYnMXbgck=" },
	{ 0, 58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 136, 135, "1:zavyT/cezQr1fmImYCwYnMXbgck=" },
	{ 0, 58, "3ffe:501:1800:2345::2", "3ffe:507:0:1:200:86ff:fe05:80da", 3, 0, "1:2ObVBgIn28oZvibYZhZMBgh7WdQ=" },
	{ 0, 58, "3ffe:501:410:0:2c0:dfff:fe47:33e", "3ffe:507:0:1:200:86ff:fe05:80da", 1, 4,
	  "1:hLZd0XGWojozrvxqE0dWB1iM6R0=" },
	{ 0, 58, "3ffe:507:0:1:200:86ff:fe05:80da", "3ffe:501:0:1001::2", 128, 129, "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=" },
	{ 0, 58, "3ffe:501:0:1001::2", "3ffe:507:0:1:200:86ff:fe05:80da", 129, 128, "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=" },
	{ 0, 58, "fe80::200:86ff:fe05:80da", "ff02::2", 133, 134, "1:hO+sN4H+MG5MY/8hIrXPqc4ZQz0=" },
	{ 0, 58, "fe80::260:97ff:fe07:69ea", "ff02::1", 134, 133, "1:pkvHqCL88/tg1k4cPigmZXUtL00=" },
	{ 0, 1, "192.168.0.89", "192.168.0.1", 8, 0, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=" },
	{ 0, 1, "192.168.0.1", "192.168.0.89", 0, 8, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=" },
	{ 0, 1, "10.0.0.1", "10.0.0.2", 11, 0, "1:YHxtAirCG//0OzkcVAukqKQN9xM=" },
	{ 0, 6, "2001:470:e5bf:dead:4957:2174:e82c:4887", "2607:f8b0:400c:c03::1a", 63943, 25,
	  "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=" },
	{ 0, 6, "2607:f8b0:400c:c03::1a", "2001:470:e5bf:dead:4957:2174:e82c:4887", 25, 63943,
	  "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=" },
	{ 0, 132, "192.168.170.8", "192.168.170.56", 7, 7, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=" },
	{ 0, 132, "192.168.170.56", "192.168.170.8", 7, 7, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=" },
	{ 0, 6, "128.232.110.120", "66.35.250.204", 34855, 80, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=" },
	{ 0, 6, "66.35.250.204", "128.232.110.120", 80, 34855, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=" },
	{ 0, 17, "192.168.1.52", "8.8.8.8", 54585, 53, "1:d/FP5EW3wiY1vCndhwleRRKHowQ=" },
	{ 0, 17, "8.8.8.8", "192.168.1.52", 53, 54585, "1:d/FP5EW3wiY1vCndhwleRRKHowQ=" },
	{ 0, 46, "10.1.12.1", "10.1.12.2", -1, -1, "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=" },
	{ 0, 46, "10.1.12.2", "10.1.12.1", -1, -1, "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=" },
	/* baseline_seed1.json */
	{ 1, 58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 135, 136, "1:kHa1FhMYIT6Ym2Vm2AOtoOARDzY=" },
	{ 1, 58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 136, 135, "1:kHa1FhMYIT6Ym2Vm2AOtoOARDzY=" },
	{ 1, 58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 135, 136, "1:2hSqmsDZ2kdcY9kbiUzOEBic0iM=" },
	{ 1, 58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 136, 135, "1:2hSqmsDZ2kdcY9kbiUzOEBic0iM=" },
	{ 1, 58, "3ffe:501:1800:2345::2", "3ffe:507:0:1:200:86ff:fe05:80da", 3, 0, "1:lVEtCZpYu84Xqaa++3lXFyuu2n4=" },
	{ 1, 58, "3ffe:501:410:0:2c0:dfff:fe47:33e", "3ffe:507:0:1:200:86ff:fe05:80da", 1, 4,
	  "1:W8MHwXpWzpoSTD+cGcaJr4u0ys8=" },
	{ 1, 58, "3ffe:507:0:1:200:86ff:fe05:80da", "3ffe:501:0:1001::2", 128, 129, "1:GfZxjAkDk2MkegpBYHV6tadtFXQ=" },
	{ 1, 58, "3ffe:501:0:1001::2", "3ffe:507:0:1:200:86ff:fe05:80da", 129, 128, "1:GfZxjAkDk2MkegpBYHV6tadtFXQ=" },
	{ 1, 58, "fe80::200:86ff:fe05:80da", "ff02::2", 133, 134, "1:L7Ka0ZMYu+J3bL4ulW2PrqyXNo8=" },
	{ 1, 58, "fe80::260:97ff:fe07:69ea", "ff02::1", 134, 133, "1:K/ee5UCqAMAQXDorP5nSa2CGLjc=" },
	{ 1, 1, "192.168.0.89", "192.168.0.1", 8, 0, "1:03g6IloqVBdcZlPyX8r0hgoE7kA=" },
	{ 1, 1, "192.168.0.1", "192.168.0.89", 0, 8, "1:03g6IloqVBdcZlPyX8r0hgoE7kA=" },
	{ 1, 1, "10.0.0.1", "10.0.0.2", 11, 0, "1:XjUibYHaafLQ3pxQeiMI8g25q20=" },
	{ 1, 6, "2001:470:e5bf:dead:4957:2174:e82c:4887", "2607:f8b0:400c:c03::1a", 63943, 25,
	  "1:eJYTW6AOzFLlSUoESovMjnu7rMw=" },
	{ 1, 6, "2607:f8b0:400c:c03::1a", "2001:470:e5bf:dead:4957:2174:e82c:4887", 25, 63943,
	  "1:eJYTW6AOzFLlSUoESovMjnu7rMw=" },
	{ 1, 132, "192.168.170.8", "192.168.170.56", 7, 7, "1:5w3ZRjeKBzqT3zsaEECDGjUbYeg=" },
	{ 1, 132, "192.168.170.56", "192.168.170.8", 7, 7, "1:5w3ZRjeKBzqT3zsaEECDGjUbYeg=" },
	{ 1, 6, "128.232.110.120", "66.35.250.204", 34855, 80, "1:3V71V58M3Ksw/yuFALMcW0LAHvc=" },
	{ 1, 6, "66.35.250.204", "128.232.110.120", 80, 34855, "1:3V71V58M3Ksw/yuFALMcW0LAHvc=" },
	{ 1, 17, "192.168.1.52", "8.8.8.8", 54585, 53, "1:Q9We8WO3piVF8yEQBNJF4uiSVrI=" },
	{ 1, 17, "8.8.8.8", "192.168.1.52", 53, 54585, "1:Q9We8WO3piVF8yEQBNJF4uiSVrI=" },
	{ 1, 46, "10.1.12.1", "10.1.12.2", -1, -1, "1:rYir8gphR31noO9iDRQmF/BteEI=" },
	{ 1, 46, "10.1.12.2", "10.1.12.1", -1, -1, "1:rYir8gphR31noO9iDRQmF/BteEI=" },
	/* README of the spec: unidirectional ICMP (type 11) and ICMPv6 (type 146) */
	{ 0, 1, "1.2.3.4", "5.6.7.8", 11, 0, "1:f/YiSyWqczrTgfUCZlBUnvHRcPk=" },
	{ 0, 58, "fe80:0001:0203:0405:0607:0809:0A0B:0C0D", "fe80:1011:1213:1415:1617:1819:1A1B:1C1D", 146, 0,
	  "1:fYC8+pz24E+EhANP1EZhpX0Dw10=" },
	{ 0, 1, "1.2.3.4", "5.6.7.8", 8, 0, "1:crodRHL2FEsHjbv3UkRrfbs4bZ0=" },
	{ 0, 1, "5.6.7.8", "1.2.3.4", 0, 0, "1:crodRHL2FEsHjbv3UkRrfbs4bZ0=" },
	{ 0, 0, NULL, NULL, 0, 0, NULL },
};

/* A row holding tuple c as a decoder or pmacct would fill it. */
static void tuple_row(struct row *r, const struct cid_case *c)
{
	int fam = strchr(c->saddr, ':') ? 6 : 4;

	memset(r, 0, sizeof(*r));
	r->source_ip.family = r->destination_ip.family = (uint8_t)fam;
	ck_assert_int_eq(inet_pton(fam == 4 ? AF_INET : AF_INET6, c->saddr, r->source_ip.addr), 1);
	ck_assert_int_eq(inet_pton(fam == 4 ? AF_INET : AF_INET6, c->daddr, r->destination_ip.addr), 1);
	r->has |= ROW_HAS_source_ip | ROW_HAS_destination_ip;
	ROW_SET(r, network_iana_number, c->proto);
	if (c->sport >= 0 && (c->proto == 1 || c->proto == 58)) {
		ROW_SET(r, icmp_type, c->sport);
		ROW_SET(r, icmp_code, c->dport);
	} else if (c->sport >= 0) {
		ROW_SET(r, source_port, c->sport);
		ROW_SET(r, destination_port, c->dport);
	}
}

/* Each tuple through the row API, with the process-wide seed set through the API. */
START_TEST(test_baseline)
{
	const struct cid_case *c = &cid_cases[_i];
	struct row r;

	tuple_row(&r, c);
	communityid_set_seed((uint16_t)c->seed);
	ck_assert_int_eq(communityid_fill_row(&r), 1);
	communityid_set_seed(0);
	ck_assert(r.has & ROW_HAS_network_community_id);
	ck_assert_msg(strcmp(r.network_community_id, c->expect) == 0, "%u %s -> %s seed %u: %s, want %s", c->proto,
		      c->saddr, c->daddr, c->seed, r.network_community_id, c->expect);
}
END_TEST

/* Every tuple three times in one process, forwards, backwards and forwards: the second and third
 * computations come from the per-thread cache of IDs (the same tuple with the other seed is another
 * input), and must be the spec's IDs still. */
START_TEST(test_baseline_cached)
{
	size_t n = sizeof(cid_cases) / sizeof(cid_cases[0]) - 1;

	for (int pass = 0; pass < 3; pass++) {
		for (size_t k = 0; k < n; k++) {
			const struct cid_case *c = &cid_cases[pass == 1 ? n - 1 - k : k];
			struct row r;
			tuple_row(&r, c);
			communityid_set_seed((uint16_t)c->seed);
			ck_assert_int_eq(communityid_fill_row(&r), 1);
			communityid_set_seed(0);
			ck_assert_msg(strcmp(r.network_community_id, c->expect) == 0,
				      "pass %d, %s -> %s seed %u: %s, want %s", pass, c->saddr, c->daddr, c->seed,
				      r.network_community_id, c->expect);
		}
	}
}
END_TEST

/* The table holds every tuple of the baseline files, with the same ID (skipped, and says so,
 * when ../shared is absent). */
START_TEST(test_baseline_files_covered)
{
	static const char *const files[2] = { SRCDIR "/../shared/corpus/community-id/baseline_deflt.json",
					      SRCDIR "/../shared/corpus/community-id/baseline_seed1.json" };
	for (unsigned seed = 0; seed < 2; seed++) {
		json_error_t jerr;
		json_t *a = json_load_file(files[seed], 0, &jerr), *v;
		size_t i;
		if (a == NULL) {
			fprintf(stderr, "communityid: %s absent, table coverage not checked\n", files[seed]);
			continue;
		}
		ck_assert_int_eq(json_array_size(a), 23);
		json_array_foreach(a, i, v)
		{
			const char *cid = json_string_value(json_object_get(v, "communityid"));
			json_t *sp = json_object_get(v, "sport");
			int found = 0;
			for (const struct cid_case *c = cid_cases; c->saddr != NULL; c++)
				found |= c->seed == seed && strcmp(c->expect, cid) == 0 &&
					 c->proto == json_integer_value(json_object_get(v, "proto")) &&
					 strcmp(c->saddr, json_string_value(json_object_get(v, "saddr"))) == 0 &&
					 strcmp(c->daddr, json_string_value(json_object_get(v, "daddr"))) == 0 &&
					 c->sport == (json_is_integer(sp) ? (int)json_integer_value(sp) : -1);
			ck_assert_msg(found, "%s entry %zu (%s) is not in the table", files[seed], i, cid);
		}
		json_decref(a);
	}
}
END_TEST

/* What the spec cannot hash gets no field: ports or type/code missing, mixed families, no
 * protocol number. */
START_TEST(test_no_id)
{
	static const struct cid_case tcp = { 0, 6, "10.0.0.1", "10.0.0.2", 1234, 80, NULL };
	static const struct cid_case icmp = { 0, 1, "10.0.0.1", "10.0.0.2", 8, 0, NULL };
	struct row r;

	tuple_row(&r, &tcp);
	r.has &= ~(uint64_t)ROW_HAS_destination_port;
	ck_assert_int_eq(communityid_fill_row(&r), 0);
	ck_assert(!(r.has & ROW_HAS_network_community_id));
	tuple_row(&r, &icmp);
	r.has &= ~(uint64_t)ROW_HAS_icmp_code;
	ck_assert_int_eq(communityid_fill_row(&r), 0);
	tuple_row(&r, &tcp);
	r.destination_ip.family = 6;
	ck_assert_int_eq(communityid_fill_row(&r), 0);
	tuple_row(&r, &tcp);
	r.has &= ~(uint64_t)ROW_HAS_network_iana_number;
	ck_assert_int_eq(communityid_fill_row(&r), 0);
	ck_assert(!(r.has & ROW_HAS_network_community_id));
	/* UDP-Lite (136) is not a port protocol of the spec: hashed without its ports */
	tuple_row(&r, &tcp);
	r.network_iana_number = 136;
	ck_assert_int_eq(communityid_fill_row(&r), 1);
	char withports[COMMUNITYID_LEN + 1];
	strcpy(withports, r.network_community_id);
	r.has &= ~(uint64_t)(ROW_HAS_source_port | ROW_HAS_destination_port | ROW_HAS_network_community_id);
	ck_assert_int_eq(communityid_fill_row(&r), 1);
	ck_assert_str_eq(r.network_community_id, withports);
}
END_TEST

struct pm_cid_case {
	const char *json;   /* a pmacct record */
	const char *expect; /* the PyPI communityid 1.5.0 reference's ID of its tuple; NULL: none */
};

/* pmacct records (as pmacct's Kafka plugin writes them) and the reference's ID of their tuple. */
static const struct pm_cid_case pm_cid_cases[] = {
	{ "{\"timestamp_start\": \"1573107000\", \"bytes\": 60, \"ip_proto\": \"tcp\", \"ip_src\": \"192.0.2.10\", "
	  "\"ip_dst\": \"198.51.100.7\", \"port_src\": 51000, \"port_dst\": 443}",
	  "1:vyABONkhio+mfKU7wX48yNNyCMY=" },
	{ "{\"timestamp_start\": \"1573107000\", \"bytes\": 60, \"ip_proto\": 17, \"ip_src\": \"2001:db8::5\", "
	  "\"ip_dst\": \"2001:db8::53\", \"port_src\": 40000, \"port_dst\": 53}",
	  "1:w1PKXK0IM5hdcRed0SPorssw8ZY=" },
	{ "{\"timestamp_start\": \"1573107000\", \"bytes\": 60, \"ip_proto\": \"gre\", \"ip_src\": \"10.0.0.1\", "
	  "\"ip_dst\": \"10.0.0.2\"}",
	  "1:+KlEHDT0vJgzs/eNmzHq0aSpRYw=" },
	/* TCP without ports (an aggregate without them): the reference hashes none */
	{ "{\"timestamp_start\": \"1573107000\", \"bytes\": 60, \"ip_proto\": \"tcp\", \"ip_src\": \"10.0.0.1\", "
	  "\"ip_dst\": \"10.0.0.2\"}",
	  NULL },
	{ NULL, NULL },
};

/* communityid_fill_row on pmacct rows (the call the lead wires at the end of pmacct_parse): the
 * row's strings are pmacct's, the ID is held in the row. */
START_TEST(test_pmacct_rows)
{
	for (const struct pm_cid_case *c = pm_cid_cases; c->json != NULL; c++) {
		struct row r;
		struct pmacct_strings st;
		char err[256] = "";
		ck_assert_int_eq(pmacct_set_timezone("UTC"), 0);
		ck_assert_msg(pmacct_parse(c->json, strlen(c->json), "t", 0, 1, &r, &st, err, sizeof(err)) == 0, "%s",
			      err);
		ck_assert_int_eq(communityid_fill_row(&r), c->expect != NULL);
		if (c->expect != NULL)
			ck_assert_str_eq(r.network_community_id, c->expect);
		else
			ck_assert(!(r.has & ROW_HAS_network_community_id));
	}
}
END_TEST

struct seed_case {
	const char *text;
	int ok;
	unsigned value;
};

static const struct seed_case seed_cases[] = {
	{ "0", 1, 0 },	{ "1", 1, 1 },	 { "65535", 1, 65535 }, { "65536", 0, 0 }, { "-1", 0, 0 },
	{ "", 0, 0 },	{ "12a", 0, 0 }, { " 1", 0, 0 },	{ "0x10", 0, 0 },  { "99999999999999999999", 0, 0 },
	{ NULL, 0, 0 },
};

/* The seed parser accepts 0..65535 in decimal and nothing else, with a reason. */
START_TEST(test_parse_seed)
{
	for (const struct seed_case *c = seed_cases; c->text != NULL; c++) {
		uint16_t v = 7;
		char err[128] = "";
		int rc = communityid_parse_seed(c->text, &v, err, sizeof(err));
		ck_assert_msg(rc == (c->ok ? 0 : -1), "\"%s\": rc %d", c->text, rc);
		if (c->ok)
			ck_assert_uint_eq(v, c->value);
		else
			ck_assert_msg(strstr(err, "0..65535") != NULL, "\"%s\": %s", c->text, err);
	}
}
END_TEST

Suite *communityid_suite(void)
{
	Suite *s = suite_create("communityid");
	int n = 0;

	while (cid_cases[n].saddr != NULL)
		n++;
	testutil_add(s, test_sha1_vectors, 0);
	testutil_add(s, test_sha1_lengths, 0);
	testutil_add_loop(s, test_baseline, 0, n, 0);
	testutil_add(s, test_baseline_cached, 0);
	testutil_add(s, test_baseline_files_covered, 0);
	testutil_add(s, test_no_id, 0);
	testutil_add(s, test_parse_seed, 0);
	testutil_add(s, test_pmacct_rows, 0);
	return s;
}
