/* The daily traffic query's contract, shared by its MongoDB (mongoq.c) and Elasticsearch (esq.c)
 * backends: the accepted date range and the shape of one day's answer. */
#ifndef PCAPSTREAM_DAILY_H
#define PCAPSTREAM_DAILY_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* The longest range the daily query accepts, in days. */
#define DAILY_MAX_DAYS 3660

/* Days since 1970-01-01 of from and to (YYYY-MM-DD, both included) into *d0 and *d1. Returns 0,
 * or -1 with err when a date is malformed, the range runs backwards or spans more than
 * DAILY_MAX_DAYS days. */
int daily_range(const char *from, const char *to, int64_t *d0, int64_t *d1, char *err, size_t errlen);

/* {day, inBytes, outBytes, inPackets, outPackets} of day d (days since the epoch): a new object
 * the caller decrefs (or appends with json_array_append_new). */
json_t *daily_row(int64_t d, int64_t in_bytes, int64_t out_bytes, int64_t in_packets, int64_t out_packets);

#endif
