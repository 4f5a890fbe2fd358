/* Community ID v1: tuple ordering, the ICMP type/code mapping (as Zeek and the reference
 * pycommunityid do it), SHA-1 (SHA-NI when the CPU has it, portable code otherwise) and base64. */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "communityid.h"
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>
#define COMMUNITYID_X86 1
#endif

static _Atomic uint16_t seed_value;

void communityid_set_seed(uint16_t seed)
{
	atomic_store_explicit(&seed_value, seed, memory_order_relaxed);
}

uint16_t communityid_seed(void)
{
	return atomic_load_explicit(&seed_value, memory_order_relaxed);
}

int communityid_parse_seed(const char *s, uint16_t *seed, char *err, size_t errlen)
{
	char *end;
	unsigned long v;

	if (s == NULL || *s < '0' || *s > '9') {
		snprintf(err, errlen, "community ID seed %s%s%s: expected a number 0..65535", s ? "\"" : "",
			 s ? s : "missing", s ? "\"" : "");
		return -1;
	}
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > 65535) {
		snprintf(err, errlen, "community ID seed \"%s\": expected a number 0..65535", s);
		return -1;
	}
	*seed = (uint16_t)v;
	return 0;
}

/* --- SHA-1 --------------------------------------------------------------------------------- */

static uint32_t rol(uint32_t x, int n)
{
	return (x << n) | (x >> (32 - n));
}

static uint32_t be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* FIPS 180-4 compression of nblocks 64-byte blocks into h. */
static void sha1_blocks_portable(uint32_t h[5], const uint8_t *p, size_t nblocks)
{
	for (; nblocks > 0; nblocks--, p += 64) {
		uint32_t w[80], a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];

		for (int i = 0; i < 16; i++)
			w[i] = be32(p + 4 * i);
		for (int i = 16; i < 80; i++)
			w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
		for (int i = 0; i < 80; i++) {
			uint32_t f, k, t;
			if (i < 20) {
				f = (b & c) | (~b & d);
				k = 0x5a827999;
			} else if (i < 40) {
				f = b ^ c ^ d;
				k = 0x6ed9eba1;
			} else if (i < 60) {
				f = (b & c) | (b & d) | (c & d);
				k = 0x8f1bbcdc;
			} else {
				f = b ^ c ^ d;
				k = 0xca62c1d6;
			}
			t = rol(a, 5) + f + e + k + w[i];
			e = d;
			d = c;
			c = rol(b, 30);
			b = a;
			a = t;
		}
		h[0] += a;
		h[1] += b;
		h[2] += c;
		h[3] += d;
		h[4] += e;
	}
}

#ifdef COMMUNITYID_X86
/* Four rounds with the SHA extensions: E-next of e with msg, then rnds4 with function f. */
#define SHA1_R4(eo, en, msg, f)                                                                                        \
	do {                                                                                                           \
		en = _mm_sha1nexte_epu32(en, msg);                                                                     \
		eo = abcd;                                                                                             \
		abcd = _mm_sha1rnds4_epu32(abcd, en, f);                                                               \
	} while (0)

/* The same compression with the x86 SHA extensions (Intel's published instruction sequence). */
__attribute__((target("sha,sse4.1,ssse3"))) static void sha1_blocks_shani(uint32_t h[5], const uint8_t *p,
									  size_t nblocks)
{
	const __m128i mask = _mm_set_epi64x(0x0001020304050607LL, 0x08090a0b0c0d0e0fLL);
	__m128i abcd, e0, e1, m0, m1, m2, m3, abcd_save, e0_save;

	abcd = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)(const void *)h), 0x1b);
	e0 = _mm_set_epi32((int)h[4], 0, 0, 0);
	for (; nblocks > 0; nblocks--, p += 64) {
		abcd_save = abcd;
		e0_save = e0;
		m0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)p), mask);
		m1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 16)), mask);
		m2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 32)), mask);
		m3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 48)), mask);
		/* rounds 0-3 */
		e0 = _mm_add_epi32(e0, m0);
		e1 = abcd;
		abcd = _mm_sha1rnds4_epu32(abcd, e0, 0);
		/* 4-7 */
		SHA1_R4(e0, e1, m1, 0);
		m0 = _mm_sha1msg1_epu32(m0, m1);
		/* 8-11 */
		SHA1_R4(e1, e0, m2, 0);
		m1 = _mm_sha1msg1_epu32(m1, m2);
		m0 = _mm_xor_si128(m0, m2);
		/* 12-15 */
		m0 = _mm_sha1msg2_epu32(m0, m3);
		SHA1_R4(e0, e1, m3, 0);
		m2 = _mm_sha1msg1_epu32(m2, m3);
		m1 = _mm_xor_si128(m1, m3);
		/* 16-19 */
		m1 = _mm_sha1msg2_epu32(m1, m0);
		SHA1_R4(e1, e0, m0, 0);
		m3 = _mm_sha1msg1_epu32(m3, m0);
		m2 = _mm_xor_si128(m2, m0);
		/* 20-23 */
		m2 = _mm_sha1msg2_epu32(m2, m1);
		SHA1_R4(e0, e1, m1, 1);
		m0 = _mm_sha1msg1_epu32(m0, m1);
		m3 = _mm_xor_si128(m3, m1);
		/* 24-27 */
		m3 = _mm_sha1msg2_epu32(m3, m2);
		SHA1_R4(e1, e0, m2, 1);
		m1 = _mm_sha1msg1_epu32(m1, m2);
		m0 = _mm_xor_si128(m0, m2);
		/* 28-31 */
		m0 = _mm_sha1msg2_epu32(m0, m3);
		SHA1_R4(e0, e1, m3, 1);
		m2 = _mm_sha1msg1_epu32(m2, m3);
		m1 = _mm_xor_si128(m1, m3);
		/* 32-35 */
		m1 = _mm_sha1msg2_epu32(m1, m0);
		SHA1_R4(e1, e0, m0, 1);
		m3 = _mm_sha1msg1_epu32(m3, m0);
		m2 = _mm_xor_si128(m2, m0);
		/* 36-39 */
		m2 = _mm_sha1msg2_epu32(m2, m1);
		SHA1_R4(e0, e1, m1, 1);
		m0 = _mm_sha1msg1_epu32(m0, m1);
		m3 = _mm_xor_si128(m3, m1);
		/* 40-43 */
		m3 = _mm_sha1msg2_epu32(m3, m2);
		SHA1_R4(e1, e0, m2, 2);
		m1 = _mm_sha1msg1_epu32(m1, m2);
		m0 = _mm_xor_si128(m0, m2);
		/* 44-47 */
		m0 = _mm_sha1msg2_epu32(m0, m3);
		SHA1_R4(e0, e1, m3, 2);
		m2 = _mm_sha1msg1_epu32(m2, m3);
		m1 = _mm_xor_si128(m1, m3);
		/* 48-51 */
		m1 = _mm_sha1msg2_epu32(m1, m0);
		SHA1_R4(e1, e0, m0, 2);
		m3 = _mm_sha1msg1_epu32(m3, m0);
		m2 = _mm_xor_si128(m2, m0);
		/* 52-55 */
		m2 = _mm_sha1msg2_epu32(m2, m1);
		SHA1_R4(e0, e1, m1, 2);
		m0 = _mm_sha1msg1_epu32(m0, m1);
		m3 = _mm_xor_si128(m3, m1);
		/* 56-59 */
		m3 = _mm_sha1msg2_epu32(m3, m2);
		SHA1_R4(e1, e0, m2, 2);
		m1 = _mm_sha1msg1_epu32(m1, m2);
		m0 = _mm_xor_si128(m0, m2);
		/* 60-63 */
		m0 = _mm_sha1msg2_epu32(m0, m3);
		SHA1_R4(e0, e1, m3, 3);
		m2 = _mm_sha1msg1_epu32(m2, m3);
		m1 = _mm_xor_si128(m1, m3);
		/* 64-67 */
		m1 = _mm_sha1msg2_epu32(m1, m0);
		SHA1_R4(e1, e0, m0, 3);
		m3 = _mm_sha1msg1_epu32(m3, m0);
		m2 = _mm_xor_si128(m2, m0);
		/* 68-71 */
		m2 = _mm_sha1msg2_epu32(m2, m1);
		SHA1_R4(e0, e1, m1, 3);
		m3 = _mm_xor_si128(m3, m1);
		/* 72-75 */
		m3 = _mm_sha1msg2_epu32(m3, m2);
		SHA1_R4(e1, e0, m2, 3);
		/* 76-79 */
		SHA1_R4(e0, e1, m3, 3);
		e0 = _mm_sha1nexte_epu32(e0, e0_save);
		abcd = _mm_add_epi32(abcd, abcd_save);
	}
	abcd = _mm_shuffle_epi32(abcd, 0x1b);
	_mm_storeu_si128((__m128i *)(void *)h, abcd);
	h[4] = (uint32_t)_mm_extract_epi32(e0, 3);
}

/* 1 if the CPU has SSSE3, SSE4.1 and the SHA extensions. */
static int cpu_has_sha(void)
{
	unsigned a, b, c, d;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 9)) || !(c & (1u << 19)))
		return 0;
	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
		return 0;
	return (b & (1u << 29)) != 0;
}
#endif

/* -1 not probed yet, 0 portable, 1 SHA-NI. */
static atomic_int sha_impl = -1;

static void sha1_blocks(uint32_t h[5], const uint8_t *p, size_t nblocks, int force_portable)
{
#ifdef COMMUNITYID_X86
	int impl = atomic_load_explicit(&sha_impl, memory_order_relaxed);

	if (impl < 0) {
		impl = cpu_has_sha();
		atomic_store_explicit(&sha_impl, impl, memory_order_relaxed);
	}
	if (impl == 1 && !force_portable) {
		sha1_blocks_shani(h, p, nblocks);
		return;
	}
#else
	(void)force_portable;
	(void)sha_impl;
#endif
	sha1_blocks_portable(h, p, nblocks);
}

void communityid_sha1(const void *data, size_t len, uint8_t out[20], int force_portable)
{
	uint32_t h[5] = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0 };
	const uint8_t *p = data;
	uint8_t last[128];
	size_t full = len / 64, rest = len % 64, tail;
	uint64_t bits = (uint64_t)len * 8;

	sha1_blocks(h, p, full, force_portable);
	memset(last, 0, sizeof(last));
	if (rest > 0)
		memcpy(last, p + full * 64, rest);
	last[rest] = 0x80;
	tail = rest + 1 + 8 <= 64 ? 64 : 128;
	for (int i = 0; i < 8; i++)
		last[tail - 1 - i] = (uint8_t)(bits >> (8 * i));
	sha1_blocks(h, last, tail / 64, force_portable);
	for (int i = 0; i < 5; i++) {
		out[4 * i] = (uint8_t)(h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(h[i] >> 8);
		out[4 * i + 3] = (uint8_t)h[i];
	}
}

/* --- the ID -------------------------------------------------------------------------------- */

/* Zeek's ICMP "counterpart" types (pycommunityid icmp.py / icmp6.py): a request/response pair
 * maps to (type, counterpart type) and stays two-way; every other type is one-way (type, code).
 * Returns the counterpart, or -1 for a one-way type. */
static int icmp_counterpart(unsigned proto, unsigned type)
{
	static const int16_t v4[19] = {
		[0] = 8,  [8] = 0,   [13] = 14, [14] = 13, [15] = 16, [16] = 15, [10] = 9,
		[9] = 10, [17] = 18, [18] = 17, [1] = -1,  [2] = -1,  [3] = -1,	 [4] = -1,
		[5] = -1, [6] = -1,  [7] = -1,	[11] = -1, [12] = -1,
	};

	if (proto == 1)
		return type < 19 ? v4[type] : -1;
	switch (type) {
	case 128: /* echo request / reply */
		return 129;
	case 129:
		return 128;
	case 130: /* MLD query / report */
		return 131;
	case 131:
		return 130;
	case 133: /* router solicitation / advertisement */
		return 134;
	case 134:
		return 133;
	case 135: /* neighbor solicitation / advertisement */
		return 136;
	case 136:
		return 135;
	case 139: /* node information (WRU) query / reply */
		return 140;
	case 140:
		return 139;
	case 144: /* home agent address discovery request / reply */
		return 145;
	case 145:
		return 144;
	default:
		return -1;
	}
}

int communityid_order(unsigned proto, size_t alen, const uint8_t *sa, const uint8_t *da, int has_ports, uint16_t sport,
		      uint16_t *dport)
{
	int cmp;

	if (has_ports && (proto == 1 || proto == 58)) {
		int cp = icmp_counterpart(proto, sport);
		if (cp < 0)
			return 0; /* one-way: (type, code), never flipped */
		*dport = (uint16_t)cp;
	}
	if (alen == 4) {
		uint32_t x = be32(sa), y = be32(da);
		cmp = x < y ? -1 : x > y;
	} else {
		cmp = memcmp(sa, da, alen);
	}
	return !(cmp < 0 || (cmp == 0 && has_ports && sport < *dport));
}

/* Write "1:" + base64 of the 20-byte digest h (five big-endian words) + NUL into out: six groups
 * of 3 bytes, then the last 2 bytes as 3 characters and '='. */
static void render(const uint32_t h[5], char *out)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint8_t d[20];
	char *o = out + 2;

	for (int i = 0; i < 5; i++) {
		d[4 * i] = (uint8_t)(h[i] >> 24);
		d[4 * i + 1] = (uint8_t)(h[i] >> 16);
		d[4 * i + 2] = (uint8_t)(h[i] >> 8);
		d[4 * i + 3] = (uint8_t)h[i];
	}
	out[0] = '1';
	out[1] = ':';
	for (int i = 0; i < 18; i += 3) {
		uint32_t v = ((uint32_t)d[i] << 16) | ((uint32_t)d[i + 1] << 8) | d[i + 2];
		o[0] = tab[v >> 18];
		o[1] = tab[(v >> 12) & 63];
		o[2] = tab[(v >> 6) & 63];
		o[3] = tab[v & 63];
		o += 4;
	}
	uint32_t v = ((uint32_t)d[18] << 16) | ((uint32_t)d[19] << 8);
	o[0] = tab[v >> 18];
	o[1] = tab[(v >> 12) & 63];
	o[2] = tab[(v >> 6) & 63];
	o[3] = '=';
	o[4] = '\0';
}

/* IDs already computed, by the hashed input (seed, ordered tuple): a conversation's packets share
 * one, so most rows of real traffic copy it instead of running SHA-1 again. Direct-mapped, one
 * per thread (made on first use, about 300 KB; it lives as long as the thread), bounded. */
#define CID_CACHE_SLOTS 4096

struct cid_slot {
	uint8_t key[40]; /* the SHA-1 input's first 40 bytes (its length in n) */
	uint8_t n;	 /* 0: empty */
	char id[COMMUNITYID_LEN + 1];
};

static _Thread_local struct cid_slot *cid_cache;

/* The slot of an input: its five 64-bit words mixed by multiplication (a few cycles; the slot is
 * checked against the whole key). */
static size_t slot_of(const uint8_t *blk, size_t n)
{
	uint64_t w[5], h = n;

	memcpy(w, blk, sizeof(w));
	for (int i = 0; i < 5; i++)
		h = (h ^ w[i]) * 0x9E3779B97F4A7C15ULL;
	return (size_t)(h >> 52) & (CID_CACHE_SLOTS - 1);
}
static _Thread_local int cid_cache_failed;

/* The ID of the tuple (alen-byte addresses sa, da; ports/type-code when has_ports) with seed into
 * out: the spec's ordering and ICMP mapping, then one SHA-1 block (the input is at most 40 bytes)
 * built in place, padding included. */
static void hash_tuple(size_t alen, const uint8_t *sa, const uint8_t *da, unsigned proto, int has_ports, uint16_t sport,
		       uint16_t dport, uint16_t seed, char *out)
{
	uint32_t h[5] = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0 };
	uint8_t blk[64];
	size_t n = 0;
	int swap = communityid_order(proto, alen, sa, da, has_ports, sport, &dport);

	memset(blk, 0, sizeof(blk)); /* a constant size: a few stores, no call */
	blk[n++] = (uint8_t)(seed >> 8);
	blk[n++] = (uint8_t)seed;
	if (alen == 4) {
		memcpy(blk + n, swap ? da : sa, 4);
		memcpy(blk + n + 4, swap ? sa : da, 4);
		n += 8;
	} else {
		memcpy(blk + n, swap ? da : sa, 16);
		memcpy(blk + n + 16, swap ? sa : da, 16);
		n += 32;
	}
	blk[n++] = (uint8_t)proto;
	blk[n++] = 0;
	if (has_ports) {
		uint16_t a = swap ? dport : sport, b = swap ? sport : dport;
		blk[n++] = (uint8_t)(a >> 8);
		blk[n++] = (uint8_t)a;
		blk[n++] = (uint8_t)(b >> 8);
		blk[n++] = (uint8_t)b;
	}
	/* the same input as a row before: its ID (the block's bytes past n are zeros until padded) */
	if (cid_cache == NULL && !cid_cache_failed) {
		cid_cache = calloc(CID_CACHE_SLOTS, sizeof(*cid_cache));
		cid_cache_failed = cid_cache == NULL; /* works uncached */
	}
	struct cid_slot *slot = NULL;
	if (cid_cache != NULL) {
		slot = &cid_cache[slot_of(blk, n)];
		if (slot->n == n && memcmp(slot->key, blk, 40) == 0) {
			memcpy(out, slot->id, COMMUNITYID_LEN + 1);
			return;
		}
		memcpy(slot->key, blk, 40);
	}
	/* padding: 0x80, the zeros already there, the length in bits (at most 320) in the last bytes */
	blk[n] = 0x80;
	blk[62] = (uint8_t)((n * 8) >> 8);
	blk[63] = (uint8_t)(n * 8);
	sha1_blocks(h, blk, 1, 0);
	render(h, out);
	if (slot != NULL) {
		slot->n = (uint8_t)n;
		memcpy(slot->id, out, COMMUNITYID_LEN + 1);
	}
}

int communityid_compute(const struct communityid_tuple *t, uint16_t seed, char *out)
{
	out[0] = '\0';
	if (t->family != 4 && t->family != 6)
		return -1;
	hash_tuple(t->family == 4 ? 4 : 16, t->saddr, t->daddr, t->proto, t->has_ports, t->sport, t->dport, seed, out);
	return 0;
}

int communityid_fill_row(struct row *r)
{
	const uint64_t need = ROW_HAS_source_ip | ROW_HAS_destination_ip | ROW_HAS_network_iana_number;
	const uint64_t ports = ROW_HAS_source_port | ROW_HAS_destination_port;
	const uint64_t icmp = ROW_HAS_icmp_type | ROW_HAS_icmp_code;
	int64_t proto = r->network_iana_number, a = 0, b = 0;
	int has_ports = 0;

	if ((r->has & need) != need || r->source_ip.family != r->destination_ip.family || proto < 0 || proto > 255 ||
	    (r->source_ip.family != 4 && r->source_ip.family != 6))
		return 0;
	switch (proto) {
	case 6:
	case 17:
	case 132:
		if ((r->has & ports) != ports)
			return 0;
		a = r->source_port;
		b = r->destination_port;
		has_ports = 1;
		break;
	case 1:
	case 58:
		if ((r->has & icmp) != icmp)
			return 0;
		a = r->icmp_type;
		b = r->icmp_code;
		has_ports = 1;
		break;
	default:
		break;
	}
	if (a < 0 || a > 65535 || b < 0 || b > 65535)
		return 0;
	hash_tuple(r->source_ip.family == 4 ? 4 : 16, r->source_ip.addr, r->destination_ip.addr, (unsigned)proto,
		   has_ports, (uint16_t)a, (uint16_t)b, communityid_seed(), r->network_community_id);
	r->has |= ROW_HAS_network_community_id;
	return 1;
}
