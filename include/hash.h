/* 64-bit non-cryptographic hash (MurmurHash64A), used for document ids and file fingerprints. */
#ifndef PCAPSTREAM_HASH_H
#define PCAPSTREAM_HASH_H
#include <stddef.h>
#include <stdint.h>

/* Hash len bytes at data with seed. Same input, same output, on every platform. */
uint64_t hash64(const void *data, size_t len, uint64_t seed);

/* Write h as 16 lowercase hex digits plus a NUL into out (17 bytes). */
void hash_hex(uint64_t h, char out[17]);

#endif
