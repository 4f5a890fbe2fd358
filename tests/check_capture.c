/* capture.c: every capture format it must read, and every way a file can be bad. The files are
 * built byte by byte here, so each test states exactly what is on disk. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include "capture.h"
#include "suites.h"

struct bytes {
	uint8_t data[4096];
	size_t len;
};

static void put(struct bytes *b, const void *p, size_t n)
{
	ck_assert(b->len + n <= sizeof(b->data));
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

static void put32(struct bytes *b, uint32_t v, int be)
{
	uint8_t x[4];
	for (int i = 0; i < 4; i++)
		x[be ? i : 3 - i] = (uint8_t)(v >> (24 - 8 * i));
	put(b, x, 4);
}

static void put16(struct bytes *b, uint16_t v, int be)
{
	uint8_t x[2] = { be ? v >> 8 : v & 0xff, be ? v & 0xff : v >> 8 };
	put(b, x, 2);
}

/* An Ethernet/ARP frame of 42 bytes. */
static const uint8_t frame42[42] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x66, 0x77, 0x88, 0x99, 0xaa,
				     0xbb, 0x08, 0x06, 0,    1,	   8,	 0,    6,    4,	   0,	 1 };

/* A pcap file: header (magic per byte order and resolution, version 2.4, snaplen 65535,
 * Ethernet) and two records of frame42: at 1573106901.807555(000) and 2039-01-01 (seconds
 * above 2^31). The second record is cut to cut_second bytes of its data if >= 0. */
static void pcap_file(struct bytes *b, int be, int nano, long cut_second)
{
	b->len = 0;
	put32(b, nano ? 0xa1b23c4d : 0xa1b2c3d4, be);
	put16(b, 2, be);
	put16(b, 4, be);
	put32(b, 0, be);
	put32(b, 0, be);
	put32(b, 65535, be);
	put32(b, 1, be);
	put32(b, 1573106901, be);
	put32(b, nano ? 807555123 : 807555, be);
	put32(b, sizeof(frame42), be);
	put32(b, 60, be);
	put(b, frame42, sizeof(frame42));
	put32(b, 2177452800u, be);
	put32(b, 0, be);
	put32(b, sizeof(frame42), be);
	put32(b, 42, be);
	put(b, frame42, cut_second >= 0 ? (size_t)cut_second : sizeof(frame42));
}

/* pcapng: section header, interface (Ethernet, default microsecond resolution), two enhanced
 * packet blocks with frame42 at the same times as pcap_file. */
static void pcapng_file(struct bytes *b)
{
	uint64_t ts[2] = { 1573106901807555ULL, 2177452800000000ULL };

	b->len = 0;
	put32(b, 0x0a0d0d0a, 0);
	put32(b, 28, 0);
	put32(b, 0x1a2b3c4d, 0);
	put16(b, 1, 0);
	put16(b, 0, 0);
	put32(b, 0xffffffff, 0);
	put32(b, 0xffffffff, 0);
	put32(b, 28, 0);
	put32(b, 1, 0);
	put32(b, 20, 0);
	put16(b, 1, 0);
	put16(b, 0, 0);
	put32(b, 65535, 0);
	put32(b, 20, 0);
	for (int i = 0; i < 2; i++) {
		uint32_t total = 32 + 44; /* 42 bytes padded to 44 */
		put32(b, 6, 0);
		put32(b, total, 0);
		put32(b, 0, 0);
		put32(b, (uint32_t)(ts[i] >> 32), 0);
		put32(b, (uint32_t)ts[i], 0);
		put32(b, 42, 0);
		put32(b, i == 0 ? 60 : 42, 0);
		put(b, frame42, 42);
		put16(b, 0, 0);
		put32(b, total, 0);
	}
}

static void write_file(const char *path, const struct bytes *b, int gz)
{
	if (gz) {
		gzFile g = gzopen(path, "wb");
		ck_assert_ptr_nonnull(g);
		ck_assert_int_eq(gzwrite(g, b->data, (unsigned)b->len), (int)b->len);
		ck_assert_int_eq(gzclose(g), Z_OK);
	} else {
		FILE *f = fopen(path, "wb");
		ck_assert_ptr_nonnull(f);
		ck_assert_uint_eq(fwrite(b->data, 1, b->len, f), b->len);
		fclose(f);
	}
}

enum fmt {
	F_PCAP_US_LE,
	F_PCAP_US_BE,
	F_PCAP_NS_LE,
	F_PCAP_NS_BE,
	F_PCAPNG,
	F_PCAP_GZ,
	F_PCAPNG_GZ,
	F_TRUNC_DATA,
	F_TRUNC_HDR
};

struct capture_case {
	const char *name;
	enum fmt fmt;
	int frames;	     /* packets read */
	int status;	     /* what capture_next returns after them */
	int64_t first_ns;    /* time of the first packet */
	const char *errpart; /* a word the error message must hold, or NULL */
};

static const struct capture_case capture_cases[] = {
	{ "pcap us little-endian", F_PCAP_US_LE, 2, CAPTURE_END, 1573106901807555000LL, NULL },
	{ "pcap us big-endian", F_PCAP_US_BE, 2, CAPTURE_END, 1573106901807555000LL, NULL },
	{ "pcap ns little-endian", F_PCAP_NS_LE, 2, CAPTURE_END, 1573106901807555123LL, NULL },
	{ "pcap ns big-endian", F_PCAP_NS_BE, 2, CAPTURE_END, 1573106901807555123LL, NULL },
	{ "pcapng", F_PCAPNG, 2, CAPTURE_END, 1573106901807555000LL, NULL },
	{ "pcap.gz", F_PCAP_GZ, 2, CAPTURE_END, 1573106901807555000LL, NULL },
	{ "pcapng.gz", F_PCAPNG_GZ, 2, CAPTURE_END, 1573106901807555000LL, NULL },
	{ "last record data cut", F_TRUNC_DATA, 1, CAPTURE_TRUNCATED, 1573106901807555000LL, "truncated" },
	{ "last record header cut", F_TRUNC_HDR, 1, CAPTURE_TRUNCATED, 1573106901807555000LL, "truncated" },
	{ NULL, 0, 0, 0, 0, NULL },
};

START_TEST(test_capture_formats)
{
	const struct capture_case *c = &capture_cases[_i];
	struct bytes b;
	char path[128], err[256] = "";
	struct capture *cap = NULL;
	struct capture_pkt pkt;
	struct fingerprint fp;
	int n = 0, st, gz = 0;

	switch (c->fmt) {
	case F_PCAP_US_LE:
	case F_PCAP_GZ:
		pcap_file(&b, 0, 0, -1);
		gz = c->fmt == F_PCAP_GZ;
		break;
	case F_PCAP_US_BE:
		pcap_file(&b, 1, 0, -1);
		break;
	case F_PCAP_NS_LE:
		pcap_file(&b, 0, 1, -1);
		break;
	case F_PCAP_NS_BE:
		pcap_file(&b, 1, 1, -1);
		break;
	case F_PCAPNG:
	case F_PCAPNG_GZ:
		pcapng_file(&b);
		gz = c->fmt == F_PCAPNG_GZ;
		break;
	case F_TRUNC_DATA:
		pcap_file(&b, 0, 0, 20);
		break;
	case F_TRUNC_HDR:
		pcap_file(&b, 0, 0, 0);
		b.len -= 9; /* 7 of the second record's 16 header bytes remain */
		break;
	}
	snprintf(path, sizeof(path), "%s/case%d%s", testutil_tmp, _i, gz ? ".gz" : "");
	write_file(path, &b, gz);
	ck_assert_msg(capture_open(path, &cap, &fp, err, sizeof(err)) == 0, "%s: %s", c->name, err);
	ck_assert_int_eq(capture_datalink(cap), 1);
	ck_assert_uint_eq(fp.size, gz ? fp.size : b.len);
	for (;;) {
		st = capture_next(cap, &pkt, err, sizeof(err));
		if (st != CAPTURE_PACKET)
			break;
		if (n == 0) {
			ck_assert_int_eq(pkt.ts_ns, c->first_ns);
			ck_assert_uint_eq(pkt.len, 60);
		} else {
			ck_assert_int_eq(pkt.ts_ns, 2177452800000000000LL); /* 2039: unsigned seconds */
			ck_assert_uint_eq(pkt.len, 42);
		}
		ck_assert_uint_eq(pkt.caplen, 42);
		ck_assert(memcmp(pkt.data, frame42, 42) == 0);
		n++;
	}
	ck_assert_msg(n == c->frames, "%s: %d frames, expected %d", c->name, n, c->frames);
	ck_assert_msg(st == c->status, "%s: status %d, expected %d (%s)", c->name, st, c->status, err);
	if (c->errpart != NULL)
		ck_assert_msg(strstr(err, c->errpart) != NULL, "%s: error '%s' lacks '%s'", c->name, err, c->errpart);
	ck_assert_int_eq(capture_next(cap, &pkt, err, sizeof(err)), CAPTURE_END);
	capture_close(cap);
}
END_TEST

struct bad_case {
	const char *name;
	const char *content; /* NULL: no such file; "" with len 0: empty file */
	size_t len;
	int dir;
	const char *errpart;
};

static const struct bad_case bad_cases[] = {
	{ "missing", NULL, 0, 0, "No such file" },
	{ "empty", "", 0, 0, "empty file" },
	{ "text named .pcap", "hello, this is not a capture\n", 29, 0, "not a pcap/pcapng capture" },
	{ "short garbage", "\xd4\xc3", 2, 0, "not a pcap/pcapng capture" },
	{ "gzip of text",
	  "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xcb\x48\xcd\xc9\xc9\xe7\x02\x00\x20\x30\x3a\x36"
	  "\x06\x00\x00\x00",
	  26, 0, "not a capture inside gzip" },
	{ "directory", NULL, 0, 1, "not a regular file" },
	{ NULL, NULL, 0, 0, NULL },
};

START_TEST(test_capture_bad)
{
	const struct bad_case *c = &bad_cases[_i];
	char path[128], err[256] = "";
	struct capture *cap = (struct capture *)&err; /* must be reset to NULL */
	struct bytes b = { .len = 0 };

	snprintf(path, sizeof(path), "%s/bad%d.pcap", testutil_tmp, _i);
	if (c->dir) {
		ck_assert_int_eq(mkdir(path, 0700), 0);
	} else if (c->content != NULL) {
		put(&b, c->content, c->len);
		write_file(path, &b, 0);
	}
	ck_assert_int_eq(capture_open(path, &cap, NULL, err, sizeof(err)), -1);
	ck_assert_ptr_null(cap);
	ck_assert_msg(strstr(err, c->errpart) != NULL, "%s: error '%s' lacks '%s'", c->name, err, c->errpart);
	capture_close(NULL);
}
END_TEST

/* Without read permission (when not running as root, which ignores permissions). */
START_TEST(test_capture_unreadable)
{
	char path[128], err[256] = "";
	struct capture *cap = NULL;
	struct bytes b;

	if (geteuid() == 0)
		return; /* root reads anything: tests/cli-test covers this case as an unprivileged user */
	pcap_file(&b, 0, 0, -1);
	snprintf(path, sizeof(path), "%s/noperm.pcap", testutil_tmp);
	write_file(path, &b, 0);
	ck_assert_int_eq(chmod(path, 0), 0);
	ck_assert_int_eq(capture_open(path, &cap, NULL, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "Permission denied"));
}
END_TEST

Suite *capture_suite(void)
{
	Suite *s = suite_create("capture");
	TCase *tc = tcase_create("files");
	int n = 0, m = 0;

	while (capture_cases[n].name != NULL)
		n++;
	while (bad_cases[m].name != NULL)
		m++;
	tcase_add_checked_fixture(tc, testutil_mktmp, testutil_rmtmp);
	tcase_add_loop_test(tc, test_capture_formats, 0, n);
	tcase_add_loop_test(tc, test_capture_bad, 0, m);
	tcase_add_test(tc, test_capture_unreadable);
	suite_add_tcase(s, tc);
	return s;
}
