/* hash.c and fingerprint.c. Document ids are built from these hashes: if a value here changes,
 * a replay after an upgrade would write every row a second time. These vectors pin them. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fingerprint.h"
#include "hash.h"
#include "suites.h"

struct hash_case {
	const char *in;
	size_t len;
	uint64_t seed;
	const char *hex;
};

static const struct hash_case hash_cases[] = {
	{ "", 0, 0, "0000000000000000" },
	{ "a", 1, 0, "071717d2d36b6b11" },
	{ "pcapstream", 10, 0, "f20b48b4ce80c366" },
	{ "pcapstream", 10, 1, "3ff433d2dc5e1ef9" },
	{ "0123456789abcdef0123456789abcdef!", 33, 42, "08f47ed12408c8b5" },
	{ NULL, 0, 0, NULL },
};

START_TEST(test_hash_vectors)
{
	for (const struct hash_case *c = hash_cases; c->in != NULL; c++) {
		char hex[17];
		hash_hex(hash64(c->in, c->len, c->seed), hex);
		ck_assert_msg(strcmp(hex, c->hex) == 0, "hash64(\"%s\", %llu): %s, pinned %s", c->in,
			      (unsigned long long)c->seed, hex, c->hex);
	}
}
END_TEST

static void fp_of(const char *path, struct fingerprint *fp)
{
	char err[128];
	int fd = open(path, O_RDONLY);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fingerprint_fd(fd, fp, err, sizeof(err)), 0);
	ck_assert_int_eq(lseek(fd, 0, SEEK_CUR), 0); /* offset not moved */
	close(fd);
}

/* Same bytes under another name: same fingerprint. Same size, other bytes: different. */
START_TEST(test_fingerprint_identity)
{
	char dir[] = "/tmp/pcapstream-fp-XXXXXX", a[64], b[64], c[64], d[64], cmd[96];
	struct fingerprint fa, fb, fc, fd;
	size_t n = FINGERPRINT_BYTES + 1000;
	unsigned char *buf = malloc(n);

	ck_assert_ptr_nonnull(mkdtemp(dir));
	for (size_t i = 0; i < n; i++)
		buf[i] = (unsigned char)(i * 7);
	snprintf(a, sizeof(a), "%s/a.pcap", dir);
	snprintf(b, sizeof(b), "%s/copy-b.pcap", dir);
	snprintf(c, sizeof(c), "%s/c.pcap", dir);
	snprintf(d, sizeof(d), "%s/d.pcap", dir);
	testutil_write(a, buf, n);
	testutil_write(b, buf, n);
	buf[100] ^= 1;
	testutil_write(c, buf, n);
	buf[100] ^= 1;
	testutil_write(d, buf, n - 1);
	fp_of(a, &fa);
	fp_of(b, &fb);
	fp_of(c, &fc);
	fp_of(d, &fd);
	ck_assert_uint_eq(fa.size, n);
	ck_assert_str_eq(fa.hex, fb.hex);
	ck_assert_str_ne(fa.hex, fc.hex);
	ck_assert_str_ne(fa.hex, fd.hex);
	/* the same bytes gzip-compressed: the capture inside is what counts */
	char gzcmd[512], ga[96], gc[96];
	struct fingerprint fga, fgc;
	snprintf(gzcmd, sizeof(gzcmd), "gzip -c '%s' > '%s.gz' && gzip -1 -c '%s' > '%s.gz'", a, a, c, c);
	ck_assert_int_eq(system(gzcmd), 0);
	snprintf(ga, sizeof(ga), "%s.gz", a);
	snprintf(gc, sizeof(gc), "%s.gz", c);
	fp_of(ga, &fga);
	fp_of(gc, &fgc);
	ck_assert_str_eq(fga.hex, fa.hex);
	ck_assert_uint_eq(fga.content_size, fa.size);
	ck_assert_uint_lt(fga.size, fa.size);
	ck_assert_str_eq(fgc.hex, fc.hex);
	ck_assert_str_ne(fga.hex, fgc.hex);
	char ka[40], kga[40];
	fingerprint_key(&fa, ka);
	fingerprint_key(&fga, kga);
	ck_assert_str_eq(ka, kga);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	free(buf);
}
END_TEST

Suite *hash_suite(void)
{
	Suite *s = suite_create("hash");

	testutil_add(s, test_hash_vectors, 0);
	testutil_add(s, test_fingerprint_identity, 0);
	return s;
}
