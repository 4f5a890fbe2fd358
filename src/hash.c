/* MurmurHash64A by Austin Appleby (public domain), reading bytes little-endian so the result does
 * not depend on the host's byte order or alignment. */
#include "hash.h"

static uint64_t load64le(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

uint64_t hash64(const void *data, size_t len, uint64_t seed)
{
	const uint64_t m = 0xc6a4a7935bd1e995ULL;
	const int r = 47;
	const unsigned char *p = data;
	uint64_t h = seed ^ (len * m);
	size_t blocks = len / 8;

	for (size_t i = 0; i < blocks; i++) {
		uint64_t k = load64le(p + i * 8);
		k *= m;
		k ^= k >> r;
		k *= m;
		h ^= k;
		h *= m;
	}
	p += blocks * 8;
	switch (len & 7) {
	case 7:
		h ^= (uint64_t)p[6] << 48;
		/* fall through */
	case 6:
		h ^= (uint64_t)p[5] << 40;
		/* fall through */
	case 5:
		h ^= (uint64_t)p[4] << 32;
		/* fall through */
	case 4:
		h ^= (uint64_t)p[3] << 24;
		/* fall through */
	case 3:
		h ^= (uint64_t)p[2] << 16;
		/* fall through */
	case 2:
		h ^= (uint64_t)p[1] << 8;
		/* fall through */
	case 1:
		h ^= (uint64_t)p[0];
		h *= m;
	}
	h ^= h >> r;
	h *= m;
	h ^= h >> r;
	return h;
}

void hash_hex(uint64_t h, char out[17])
{
	static const char hexdig[] = "0123456789abcdef";

	for (int i = 15; i >= 0; i--) {
		out[i] = hexdig[h & 15];
		h >>= 4;
	}
	out[16] = '\0';
}
