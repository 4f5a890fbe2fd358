/* The daily traffic query's shared contract, shared by its MongoDB (mongoq.c) and Elasticsearch (esq.c)
 * backends and the dashboard's GET /api/daily: the accepted dates and range, the query string's
 * parameters, and the shape of one day's answer. */
#ifndef PCAPSTREAM_DAILY_H
#define PCAPSTREAM_DAILY_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* The longest range the daily query accepts, in days. */
#define DAILY_MAX_DAYS 3660

/* The longest range GET /api/daily accepts, in days. */
#define DAILY_QUERY_MAX_DAYS 366

/* The longest query string GET /api/daily reads, and the longest value of one parameter. */
#define DAILY_QUERY_MAX_LEN 1023
#define DAILY_VALUE_MAX_LEN 255

/* Days since 1970-01-01 of from and to (YYYY-MM-DD, both included) into *d0 and *d1. Returns 0,
 * or -1 with err when a date is malformed, the range runs backwards or spans more than
 * DAILY_MAX_DAYS days. */
int daily_range(const char *from, const char *to, int64_t *d0, int64_t *d1, char *err, size_t errlen);

/* A checked GET /api/daily query. */
struct daily_query {
	char host[46];	 /* the address as stored: IPv4 dotted, IPv6 in RFC 5952 form */
	char from[11];	 /* YYYY-MM-DD */
	char to[11];	 /* YYYY-MM-DD */
	char dataset[8]; /* packets (captures, the default) or flows (pmacct) */
	int64_t d0, d1;	 /* from and to as days since 1970-01-01 */
};

/* Parse the query string qs (NULL reads as empty) of GET /api/daily into *q: host, from and to
 * exactly once each, dataset at most once, nothing else. Values are percent-decoded ('+' is a
 * space); a value with a bad escape or a control character (%00 included), or longer than
 * DAILY_VALUE_MAX_LEN, is refused, as is a query longer than DAILY_QUERY_MAX_LEN. from..to runs
 * forward and spans at most DAILY_QUERY_MAX_DAYS days. Returns 0, or -1 with *param naming the
 * parameter at fault ("host", "from", "to", "dataset", or "query" for the query as a whole) and
 * why (a sentence for the client) in why. */
int daily_parse_query(const char *qs, struct daily_query *q, const char **param, char *why, size_t whylen);

/* One day's totals of a host: inbound (destination = host) and outbound (source = host). */
struct daily_sums {
	int64_t in_bytes, out_bytes, in_packets, out_packets;
};

/* The answer for days d0..d1 from sums[0..d1-d0]: a new JSON array (caller decrefs) of
 * {day, inBytes, outBytes, inPackets, outPackets}, one per day, or NULL when out of memory. */
json_t *daily_rows(int64_t d0, int64_t d1, const struct daily_sums *sums);

#endif
