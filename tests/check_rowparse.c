/* rowparse.c: pcapstream's own rows read back; written again, they must be the same bytes. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "capture.h"
#include "fsutil.h"
#include "pcaprow.h"
#include "rowparse.h"
#include "suites.h"

/* Rows as row_to_json writes them (decode's, the republished pmacct row, and hand-made ones for
 * what the samples do not hold): each must come back byte for byte. */
static const char *const exact_rows[] = {
	/* decode samples/loopback-v4.pcap, frame 1 */
	"{\"@timestamp\":\"2026-11-27T01:01:47.082969000Z\",\"event\":{\"dataset\":\"pcap\"},\"source\":{\"ip\":\"127."
	"0."
	"0.1\",\"port\":51448,\"mac\":\"00-00-00-00-00-00\"},\"destination\":{\"ip\":\"127.0.0.1\",\"port\":35239,"
	"\"mac\":\"00-00-00-00-00-00\"},\"network\":{\"type\":\"ipv4\",\"transport\":\"tcp\",\"iana_number\":\"6\","
	"\"bytes\":74,\"packets\":1},\"tcp\":{\"flags\":2},\"ip\":{\"tos\":0,\"ttl\":64},\"pcap\":{\"file\":"
	"\"loopback-v4.pcap\",\"frame\":1,\"caplen\":74},\"_id\":\"4fb46bac0c8b0f92-1\"}",
	/* decode samples/vlan100.pcap, frame 2: IPv6 "::", a VLAN id, ICMPv6 */
	"{\"@timestamp\":\"2026-11-27T01:02:02.470022000Z\",\"event\":{\"dataset\":\"pcap\"},\"source\":{\"ip\":\"::\","
	"\"mac\":\"4A-5F-D9-A3-51-4A\"},\"destination\":{\"ip\":\"ff02::16\",\"mac\":\"33-33-00-00-00-16\"},"
	"\"network\":{\"type\":\"ipv6\",\"transport\":\"ipv6-icmp\",\"iana_number\":\"58\",\"bytes\":114,\"packets\":1,"
	"\"vlan\":{\"id\":\"100\"}},\"ip\":{\"tos\":0,\"ttl\":1},\"icmp\":{\"type\":143,\"code\":0},\"pcap\":{\"file\":"
	"\"vlan100.pcap\",\"frame\":2,\"caplen\":114},\"_id\":\"6b381524f20db34a-2\"}",
	/* decode samples/loopback-v4.pcapng, frame 1: the interface, four levels deep */
	"{\"@timestamp\":\"2026-11-27T01:01:58.116266338Z\",\"event\":{\"dataset\":\"pcap\"},\"source\":{\"ip\":\"127."
	"0."
	"0.1\",\"port\":46736,\"mac\":\"00-00-00-00-00-00\"},\"destination\":{\"ip\":\"127.0.0.1\",\"port\":46019,"
	"\"mac\":\"00-00-00-00-00-00\"},\"network\":{\"type\":\"ipv4\",\"transport\":\"tcp\",\"iana_number\":\"6\","
	"\"bytes\":74,\"packets\":1},\"tcp\":{\"flags\":2},\"ip\":{\"tos\":0,\"ttl\":64},\"pcap\":{\"file\":"
	"\"loopback-v4.pcapng\",\"frame\":1,\"caplen\":74},\"observer\":{\"ingress\":{\"interface\":{\"id\":\"0\","
	"\"name\":\"lo\"}}},\"_id\":\"a6c10d1145cea6d6-1\"}",
	/* a pmacct row as realtime republishes it to the hot topic */
	"{\"@timestamp\":\"2019-11-07T06:08:21.807555000Z\",\"event\":{\"dataset\":\"pmacct\",\"action\":\"purge\"},"
	"\"source\":{\"ip\":\"10.0.0.1\",\"port\":443,\"mac\":\"00-1B-21-AB-CD-EF\"},\"destination\":{\"ip\":\"2001:"
	"db8::1\",\"port\":51000,\"mac\":\"FF-FF-FF-FF-FF-FF\"},\"network\":{\"type\":\"ipv6\",\"transport\":\"tcp\","
	"\"iana_number\":\"6\",\"bytes\":1514,\"packets\":3,\"vlan\":{\"id\":\"42\"}},\"tcp\":{\"flags\":24},\"ip\":{"
	"\"tos\":184},\"kafka\":{\"topic\":\"netflow\",\"partition\":3,\"offset\":42},\"_id\":\"0123456789abcdef-42\"}",
	/* no capture time: no @timestamp, an error message */
	"{\"event\":{\"dataset\":\"pcap\"},\"network\":{\"type\":\"arp\",\"bytes\":60,\"packets\":1},\"pcap\":{"
	"\"file\":"
	"\"a.pcap\",\"frame\":7,\"caplen\":60},\"error\":{\"message\":\"no capture time\"},\"_id\":\"00000000000000ff-"
	"7\"}",
	/* escapes in a string: quote, backslash, a control character, a byte that is not UTF-8
	 * (written as \ufffd), then e-acute and an emoji as raw UTF-8 */
	"{\"event\":{\"dataset\":\"pcap\"},\"pcap\":{\"file\":\"a\\\"b\\\\c\\u001f\\ufffd\xc3\xa9\xf0\x9f\x98\x80."
	"pcap\",\"frame\":1},\"_id\":\"1111111111111111-1\"}",
	/* EtherType names and numbers; times at the ends of the range; the largest sequence number */
	"{\"@timestamp\":\"1969-12-31T23:59:59.999999999Z\",\"network\":{\"type\":\"llc\"},\"_id\":\"p-0\"}",
	"{\"@timestamp\":\"2262-04-11T23:47:16.854775807Z\",\"network\":{\"type\":\"ppp\"},\"_id\":\"p-"
	"18446744073709551615\"}",
	"{\"network\":{\"type\":\"mpls\"},\"_id\":\"a-b-1\"}",
	"{\"network\":{\"type\":\"vlan\"},\"_id\":\"p-2\"}",
	"{\"network\":{\"type\":\"pppoe\"},\"_id\":\"p-3\"}",
	"{\"network\":{\"type\":\"rarp\"},\"_id\":\"p-4\"}",
	"{\"network\":{\"type\":\"lldp\"},\"_id\":\"p-5\"}",
	"{\"network\":{\"type\":\"0x88f7\"},\"_id\":\"p-6\"}",
	"{\"network\":{\"type\":\"0x0004\"},\"_id\":\"p-7\"}",
	"{\"source\":{\"ip\":\"::ffff:192.0.2.1\",\"port\":0},\"destination\":{\"ip\":\"2001:db8::8:800:200c:417a\"},"
	"\"tcp\":{\"flags\":4095},\"kafka\":{\"offset\":-1},\"_id\":\"p-8\"}",
	/* schema v2, decode ../shared/corpus/tcpdump/LINKTYPE_IPV4.pcap frame 1: Community ID
	 * (safetext32), a DNS question (text512, text16) */
	"{\"@timestamp\":\"2025-07-08T17:59:32.592885000Z\",\"event\":{\"dataset\":\"pcap\"},\"source\":{\"ip\":"
	"\"192.168.1.100\",\"port\":12345},\"destination\":{\"ip\":\"9.9.9.9\",\"port\":53},\"network\":{\"type\":"
	"\"ipv4\",\"transport\":\"udp\",\"iana_number\":\"17\",\"bytes\":57,\"packets\":1,\"community_id\":\"1:"
	"OKbYiGWWAB3wLXxo7KapbynR8Ow=\"},\"ip\":{\"tos\":0,\"ttl\":64},\"dns\":{\"id\":\"4660\",\"question\":{"
	"\"name\":\"example.com\",\"type\":\"A\"}},\"pcap\":{\"file\":\"LINKTYPE_IPV4.pcap\",\"frame\":1,\"caplen\":"
	"57},\"_id\":\"13357a92f9c6d9e7-1\"}",
	/* an HTTP request line (url.path text512 with escapes) and a TLS server name (text256) */
	"{\"http\":{\"request\":{\"method\":\"GET\"}},\"url\":{\"domain\":\"example.org\",\"path\":\"/a\\\"b\\\\c"
	"\\u0001\\ufffd\"},\"tls\":{\"client\":{\"server_name\":\"www.example.org\"}},\"_id\":\"p-9\"}",
	NULL,
};

START_TEST(test_rowparse_exact)
{
	const char *in = exact_rows[_i];
	struct rowparse_strings *strs = rowparse_strings_new(1 << 20);
	char err[256] = "", *out = malloc(ROW_JSON_MAX + 1);
	struct row r;

	ck_assert_int_eq(rowparse_is_row(in, strlen(in)), 1);
	ck_assert_msg(rowparse_parse(in, strlen(in), &r, strs, err, sizeof(err)) == 0, "%s: %s", in, err);
	out[row_to_json(&r, out, 1)] = '\0';
	ck_assert_str_eq(out, in);
	free(out);
	rowparse_strings_free(strs);
}
END_TEST

/* The values themselves, not only the text: the id's two parts, addresses, times, the byte that
 * "\ufffd" stands for. */
START_TEST(test_rowparse_values)
{
	struct rowparse_strings *strs = rowparse_strings_new(1 << 20);
	char err[256] = "";
	struct row r;
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };

	ck_assert_int_eq(rowparse_parse(exact_rows[0], strlen(exact_rows[0]), &r, strs, err, sizeof(err)), 0);
	ck_assert_str_eq(r.id_prefix, "4fb46bac0c8b0f92");
	ck_assert_uint_eq(r.id_seq, 1);
	ck_assert_int_eq(r.timestamp, 1795741307082969000LL);
	ck_assert_int_eq(r.source_ip.family, 4);
	ck_assert_mem_eq(r.source_ip.addr, "\x7f\x00\x00\x01", 4);
	ck_assert_int_eq(r.source_port, 51448);
	ck_assert_int_eq(r.network_type, 0x0800);
	ck_assert_int_eq(r.network_iana_number, 6);
	ck_assert_str_eq(r.event_dataset, "pcap");
	ck_assert_str_eq(r.pcap_file, "loopback-v4.pcap");
	ck_assert(!(r.has & ROW_HAS_network_vlan_id));
	ck_assert(r.has & ROW_HAS_ip_ttl);

	ck_assert_int_eq(rowparse_parse(exact_rows[3], strlen(exact_rows[3]), &r, strs, err, sizeof(err)), 0);
	ck_assert_int_eq(r.destination_ip.family, 6);
	ck_assert_mem_eq(r.destination_ip.addr, v6, 16);
	ck_assert_mem_eq(r.source_mac, "\x00\x1b\x21\xab\xcd\xef", 6);
	ck_assert_int_eq(r.network_vlan_id, 42);
	ck_assert_str_eq(r.kafka_topic, "netflow");
	ck_assert_int_eq(r.kafka_offset, 42);
	ck_assert_str_eq(r.id_prefix, "0123456789abcdef");
	ck_assert_uint_eq(r.id_seq, 42);

	ck_assert_int_eq(rowparse_parse(exact_rows[5], strlen(exact_rows[5]), &r, strs, err, sizeof(err)), 0);
	ck_assert_str_eq(r.pcap_file, "a\"b\\c\x1f\xff\xc3\xa9\xf0\x9f\x98\x80.pcap");
	ck_assert(!(r.has & ROW_HAS_timestamp));

	ck_assert_int_eq(rowparse_parse(exact_rows[6], strlen(exact_rows[6]), &r, strs, err, sizeof(err)), 0);
	ck_assert_int_eq(r.timestamp, -1);
	ck_assert_int_eq(rowparse_parse(exact_rows[7], strlen(exact_rows[7]), &r, strs, err, sizeof(err)), 0);
	ck_assert_int_eq(r.timestamp, INT64_MAX);
	ck_assert_uint_eq(r.id_seq, UINT64_MAX);
	ck_assert_int_eq(rowparse_parse(exact_rows[8], strlen(exact_rows[8]), &r, strs, err, sizeof(err)), 0);
	ck_assert_str_eq(r.id_prefix, "a-b"); /* the sequence is after the last dash */
	ck_assert_uint_eq(r.id_seq, 1);

	ck_assert_int_eq(rowparse_parse(exact_rows[16], strlen(exact_rows[16]), &r, strs, err, sizeof(err)), 0);
	ck_assert_str_eq(r.network_community_id, "1:OKbYiGWWAB3wLXxo7KapbynR8Ow=");
	ck_assert_str_eq(r.dns_question_name, "example.com");
	ck_assert_str_eq(r.dns_question_type, "A");
	ck_assert_int_eq(rowparse_parse(exact_rows[17], strlen(exact_rows[17]), &r, strs, err, sizeof(err)), 0);
	ck_assert_str_eq(r.url_path, "/a\"b\\c\x01\xff");
	ck_assert_str_eq(r.tls_client_server_name, "www.example.org");
	/* the largest text a member holds: 15 bytes in dns.question.type (text16) */
	const char *full = "{\"_id\":\"p-1\",\"dns\":{\"question\":{\"type\":\"ABCDEFGHIJKLMNO\"}}}";
	ck_assert_int_eq(rowparse_parse(full, strlen(full), &r, strs, err, sizeof(err)), 0);
	ck_assert_str_eq(r.dns_question_type, "ABCDEFGHIJKLMNO");

	/* members in another order, white space, escapes the serializer does not write: same row */
	const char *loose = " { \"_id\" : \"p-9\" , \"pcap\" : { \"frame\" : 3 , \"file\" : \"a\\/b\\n\\u00e9\" } ,"
			    " \"@timestamp\" : \"2026-11-27T01:01:47.5Z\" , \"source\":{\"mac\":\"aa:bb:cc:dd:ee:ff\"},"
			    " \"network\":{\"iana_number\":17}}\n";
	ck_assert_msg(rowparse_parse(loose, strlen(loose), &r, strs, err, sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(r.pcap_file, "a/b\n\xc3\xa9");
	ck_assert_int_eq(r.pcap_frame, 3);
	ck_assert_int_eq(r.timestamp, 1795741307500000000LL);
	ck_assert_mem_eq(r.source_mac, "\xaa\xbb\xcc\xdd\xee\xff", 6);
	ck_assert_int_eq(r.network_iana_number, 17);
	rowparse_strings_free(strs);
}
END_TEST

struct bad_case {
	const char *json;
	const char *errpart;
};

static const struct bad_case bad_cases[] = {
	{ "", "not a JSON object" },
	{ "[1]", "not a JSON object" },
	{ "{\"_id\":\"p-1\"", "expected ',' or '}'" },
	{ "{\"_id\":\"p-1\"} x", "text after the row" },
	{ "{\"source\":{\"ip\":\"10.0.0.1\"}}", "_id: missing" },
	{ "{\"_id\":\"p-1\",\"event_type\":\"purge\"}", "unknown field event_type" },
	{ "{\"_id\":\"p-1\",\"source\":{\"ipaddr\":\"10.0.0.1\"}}", "unknown field source.ipaddr" },
	{ "{\"_id\":\"p-1\",\"source\":5}", "source: expected an object" },
	{ "{\"_id\":\"p-1\",\"source\":{\"port\":1,\"port\":2}}", "source.port: given twice" },
	{ "{\"_id\":\"p-1\",\"_id\":\"p-1\"}", "_id: given twice" },
	{ "{\"_id\":\"p-1\",\"source\":{\"port\":1.5}}", "source.port: not an integer" },
	{ "{\"_id\":\"p-1\",\"source\":{\"port\":null}}", "source.port: not an integer" },
	{ "{\"_id\":\"p-1\",\"pcap\":{\"frame\":99999999999999999999}}", "pcap.frame: not an integer" },
	{ "{\"_id\":\"p-1\",\"pcap\":{\"frame\":007}}", "pcap.frame: not an integer" },
	{ "{\"_id\":\"p-1\",\"pcap\":{\"file\":7}}", "pcap.file: expected a string" },
	{ "{\"_id\":\"p-1\",\"pcap\":{\"file\":\"a\\u0000b\"}}", "NUL character" },
	{ "{\"_id\":\"p-1\",\"pcap\":{\"file\":\"a\\ud800b\"}}", "lone surrogate" },
	{ "{\"_id\":\"p-1\",\"pcap\":{\"file\":\"a\\qb\"}}", "bad escape" },
	{ "{\"_id\":\"p-1\",\"pcap\":{\"file\":\"a\tb\"}}", "control character" },
	{ "{\"_id\":\"p-1\",\"pcap\":{\"file\":\"a\xc3(\"}}", "not UTF-8" },
	{ "{\"_id\":\"p-1\",\"pcap\":{\"file\":\"abc", "closing quote" },
	{ "{\"_id\":\"p-1\",\"@timestamp\":\"2026-11-27 01:01:47\"}", "@timestamp: not a time" },
	{ "{\"_id\":\"p-1\",\"@timestamp\":\"2026-02-29T00:00:00Z\"}", "@timestamp: not a time" },
	{ "{\"_id\":\"p-1\",\"@timestamp\":\"2262-04-12T00:00:00Z\"}", "@timestamp: not a time" },
	{ "{\"_id\":\"p-1\",\"@timestamp\":\"2026-11-27T01:01:47.Z\"}", "@timestamp: not a time" },
	{ "{\"_id\":\"p-1\",\"source\":{\"ip\":\"10.0.0.256\"}}", "source.ip: not an IP address" },
	{ "{\"_id\":\"p-1\",\"source\":{\"ip\":\"10.0.0.01\"}}", "source.ip: not an IP address" },
	{ "{\"_id\":\"p-1\",\"source\":{\"ip\":\"fe80::1%eth0\"}}", "source.ip: not an IP address" },
	{ "{\"_id\":\"p-1\",\"source\":{\"mac\":\"00-11-22-33-44\"}}", "source.mac: not a MAC address" },
	{ "{\"_id\":\"p-1\",\"network\":{\"type\":\"ipv5\"}}", "network.type: not an EtherType" },
	{ "{\"_id\":\"p-1\",\"network\":{\"iana_number\":\"six\"}}", "network.iana_number: not an integer" },
	{ "{\"_id\":\"p1\"}", "_id: not a document id" },
	{ "{\"_id\":\"-1\"}", "_id: not a document id" },
	{ "{\"_id\":\"p-01\"}", "_id: not a document id" },
	{ "{\"_id\":\"p-18446744073709551616\"}", "_id: not a document id" },
	{ "{\"_id\":\"p-\"}", "_id: not a document id" },
	{ "{\"_id\":\"p\\u002d1\"}", "_id: not a plain string" },
	/* schema v2: safetextN is written back without escaping, textN/safetextN have a size */
	{ "{\"_id\":\"p-1\",\"network\":{\"community_id\":\"1:a\\u0041\"}}",
	  "network.community_id: not a plain string" },
	{ "{\"_id\":\"p-1\",\"network\":{\"community_id\":\"1:\xc3\xa9\"}}",
	  "network.community_id: not printable ASCII" },
	{ "{\"_id\":\"p-1\",\"network\":{\"community_id\":\"1:0123456789012345678901234567890\"}}",
	  "network.community_id: longer than 31 bytes" },
	{ "{\"_id\":\"p-1\",\"dns\":{\"question\":{\"type\":\"ABCDEFGHIJKLMNOP\"}}}",
	  "dns.question.type: longer than 15 bytes" },
	{ "{\"_id\":\"p-1\",\"dns\":{\"question\":{\"type\":\"\\u0000\"}}}", "NUL character" },
	{ NULL, NULL },
};

START_TEST(test_rowparse_refused)
{
	const struct bad_case *c = &bad_cases[_i];
	struct rowparse_strings *strs = rowparse_strings_new(1 << 20);
	char err[256] = "";
	struct row r;

	ck_assert_msg(rowparse_parse(c->json, strlen(c->json), &r, strs, err, sizeof(err)) == -1, "accepted: %s",
		      c->json);
	ck_assert_msg(strstr(err, c->errpart) != NULL, "%s: '%s' lacks '%s'", c->json, err, c->errpart);
	ck_assert_uint_eq(r.has, 0); /* a refused record leaves no half-filled row */
	rowparse_strings_free(strs);
}
END_TEST

START_TEST(test_rowparse_oversized)
{
	size_t n = ROWPARSE_MAX_RECORD + 1;
	char *big = malloc(n), err[256] = "";
	struct rowparse_strings *strs = rowparse_strings_new(1 << 20);
	struct row r;

	memset(big, ' ', n);
	memcpy(big, "{\"_id\":\"p-1\"}", 13);
	ck_assert_int_eq(rowparse_parse(big, n, &r, strs, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "oversized"));
	ck_assert_int_eq(rowparse_parse(big, n - 1, &r, strs, err, sizeof(err)), 0); /* the limit itself is fine */
	free(big);
	rowparse_strings_free(strs);
}
END_TEST

struct is_row_case {
	const char *json;
	int expect;
};

static const struct is_row_case is_row_cases[] = {
	{ "{\"@timestamp\":\"2026-11-27T01:01:47.082969000Z\",\"event\":{\"dataset\":\"pcap\"},\"_id\":\"p-1\"}", 1 },
	{ "{\"event\":{\"dataset\":\"pcap\"},\"_id\":\"p-1\"}", 1 },
	{ " \n{ \"_id\" : \"p-1\" }", 1 },
	/* pmacct's own records, as in tests/check_pmacct.c */
	{ "{\"event_type\": \"purge\", \"ip_src\": \"10.0.0.1\", \"timestamp_start\": \"2019-11-07 06:08:21.807555\"}",
	  0 },
	{ "{\"timestamp_start\": \"1573107000.5\", \"bytes\": 60, \"ip_proto\": 17, \"vlan\": 0}", 0 },
	{ "{\"event_type\": \"purge\", \"_id\": \"x\"}", 0 }, /* a pmacct-shaped first key */
	{ "{\"event\":{\"dataset\":\"pcap\"}}", 0 },	      /* a row without an id */
	{ "{\"@timestamp\":\"2026-11-27T01:01:47Z\"", 0 },    /* cut short, no id */
	{ "[{\"_id\":\"p-1\"}]", 0 },
	{ "", 0 },
	{ "{", 0 },
	{ NULL, 0 },
};

START_TEST(test_rowparse_is_row)
{
	const struct is_row_case *c = &is_row_cases[_i];

	ck_assert_msg(rowparse_is_row(c->json, strlen(c->json)) == c->expect, "%s: expected %d", c->json, c->expect);
}
END_TEST

/* Rows parsed into one store keep their strings while more are parsed; a full store says so with
 * ROWPARSE_FULL (not a bad record), and takes rows again once reset. */
START_TEST(test_rowparse_store)
{
	const char *in = exact_rows[0];
	struct rowparse_strings *strs = rowparse_strings_new(1); /* one chunk */
	char err[256] = "", *out = malloc(ROW_JSON_MAX + 1);
	struct row first, r;
	int rc = 0, parsed = 0;

	ck_assert_int_eq(rowparse_parse(in, strlen(in), &first, strs, err, sizeof(err)), 0);
	while (rc == 0 && parsed < 10000000) {
		rc = rowparse_parse(in, strlen(in), &r, strs, err, sizeof(err));
		parsed++;
	}
	ck_assert_int_eq(rc, ROWPARSE_FULL);
	ck_assert_int_gt(parsed, 1000);
	out[row_to_json(&first, out, 1)] = '\0';
	ck_assert_str_eq(out, in);
	rowparse_strings_reset(strs);
	ck_assert_int_eq(rowparse_parse(in, strlen(in), &r, strs, err, sizeof(err)), 0);
	free(out);
	rowparse_strings_free(strs);
	rowparse_strings_free(NULL);
}
END_TEST

/* Every row decode makes of the captures in dir (as cmd_decode makes them: capture, pcaprow,
 * row_to_json) parsed and written again: the same bytes. Adds the rows seen to *rows; files
 * that are not captures are passed over. */
static void roundtrip_dir(const char *dir, long *rows)
{
	struct rowparse_strings *strs = rowparse_strings_new(1 << 24);
	char *a = malloc(ROW_JSON_MAX + 1), *b = malloc(ROW_JSON_MAX + 1), err[512];
	struct dirent **names = NULL;
	int n = scandir(dir, &names, NULL, alphasort);

	ck_assert_msg(n >= 0, "%s: cannot list", dir);
	for (int i = 0; i < n; i++) {
		char path[4096], name[1024];
		struct capture *c = NULL;
		struct capture_pkt pkt;
		struct fingerprint fp;
		struct stat st;
		uint64_t frame = 0;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode) || capture_open(path, &c, &fp, err, sizeof(err)) < 0) {
			free(names[i]);
			continue;
		}
		int dlt = capture_datalink(c);
		fsutil_display_name(fsutil_basename(path), name, sizeof(name));
		while (capture_next(c, &pkt, err, sizeof(err)) == CAPTURE_PACKET) {
			struct row r, back;
			pcaprow_make(&r, &pkt, dlt, name, fp.hex, ++frame);
			size_t la = row_to_json(&r, a, 1);
			a[la] = '\0';
			rowparse_strings_reset(strs);
			ck_assert_msg(rowparse_is_row(a, la) == 1, "%s frame %llu: not recognised", path,
				      (unsigned long long)frame);
			ck_assert_msg(rowparse_parse(a, la, &back, strs, err, sizeof(err)) == 0,
				      "%s frame %llu: %s\n%s", path, (unsigned long long)frame, err, a);
			b[row_to_json(&back, b, 1)] = '\0';
			ck_assert_str_eq(b, a);
			(*rows)++;
		}
		capture_close(c);
		free(names[i]);
	}
	free(names);
	free(a);
	free(b);
	rowparse_strings_free(strs);
}

START_TEST(test_rowparse_decoded_samples)
{
	long rows = 0;

	roundtrip_dir(SRCDIR "/samples", &rows);
	ck_assert_int_gt(rows, 100); /* the five samples hold a few hundred frames */
}
END_TEST

START_TEST(test_rowparse_decoded_corpus)
{
	const char *dir = SRCDIR "/../shared/corpus/tcpdump";
	struct stat st;
	long rows = 0;

	if (stat(dir, &st) < 0) {
		fprintf(stderr, "rowparse: %s absent: the corpus round trip is skipped\n", dir);
		return;
	}
	roundtrip_dir(dir, &rows);
	ck_assert_int_gt(rows, 1000);
}
END_TEST

Suite *rowparse_suite(void)
{
	Suite *s = suite_create("rowparse");
	int n_exact = 0, n_bad = 0, n_is = 0;

	while (exact_rows[n_exact] != NULL)
		n_exact++;
	while (bad_cases[n_bad].json != NULL)
		n_bad++;
	while (is_row_cases[n_is].json != NULL)
		n_is++;
	testutil_add_loop(s, test_rowparse_exact, 0, n_exact, 0);
	testutil_add(s, test_rowparse_values, 0);
	testutil_add_loop(s, test_rowparse_refused, 0, n_bad, 0);
	testutil_add(s, test_rowparse_oversized, 0);
	testutil_add_loop(s, test_rowparse_is_row, 0, n_is, 0);
	testutil_add(s, test_rowparse_store, 0);
	testutil_add(s, test_rowparse_decoded_samples, 0);
	testutil_add(s, test_rowparse_decoded_corpus, 0);
	return s;
}
