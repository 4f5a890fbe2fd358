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

/* One day's totals of a host: inbound (destination = host) and outbound (source = host). */
struct daily_sums {
	int64_t in_bytes, out_bytes, in_packets, out_packets;
};

/* The answer for days d0..d1 from sums[0..d1-d0]: a new JSON array (caller decrefs) of
 * {day, inBytes, outBytes, inPackets, outPackets}, one per day, or NULL when out of memory. */
json_t *daily_rows(int64_t d0, int64_t d1, const struct daily_sums *sums);

#endif
