/* Fast text formatters behind the generated row serializers. Each writes at p and returns the
 * position after what it wrote; the caller guarantees room (ROW_JSON_MAX per row). Strings are
 * written as JSON strings with their quotes; numbers without. */
#ifndef PCAPSTREAM_ROWFMT_H
#define PCAPSTREAM_ROWFMT_H
#include <stdint.h>
#include <string.h>
#include "row.h"

struct _bson_t;

static inline char *rowfmt_lit(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

/* Floor division, correct for negative times (before 1970). */
static inline int64_t rowfmt_floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b) != 0 && ((a < 0) != (b < 0)))
		q--;
	return q;
}

char *rowfmt_time(char *p, int64_t ns);
char *rowfmt_str(char *p, const char *s);
char *rowfmt_ip(char *p, const struct row_ip *ip);
char *rowfmt_mac(char *p, const uint8_t mac[6]);
char *rowfmt_i64(char *p, int64_t v);
char *rowfmt_i64_str(char *p, int64_t v);
char *rowfmt_id(char *p, const char *prefix, uint64_t seq);

/* Values of network.type below 0x0600 (where EtherTypes start) name non-EtherType payloads. */
enum rowfmt_nettype {
	ROWFMT_NET_LLC = 1,  /* 802.2 LLC without SNAP EtherType ("llc") */
	ROWFMT_NET_PPP = 2,  /* PPP protocol other than IP/MPLS ("ppp") */
	ROWFMT_NET_MPLS = 3, /* MPLS with a payload that is not IP ("mpls") */
};
char *rowfmt_ethertype(char *p, uint16_t type);

/* Append s to doc under key as valid UTF-8 (invalid bytes become U+FFFD, cut at ROW_STR_MAX).
 * Returns 0, or -1 if bson refused the append. */
int rowfmt_bson_str(struct _bson_t *doc, const char *key, const char *s);

/* Write an ISO-8601 UTC time with 9 fractional digits, without quotes, NUL-terminated, into
 * out (at least 32 bytes). Returns the length. */
size_t rowfmt_time_text(char *out, int64_t ns);

/* The inverse: "YYYY-MM-DDTHH:MM:SS[.F{1,9}]Z" (n bytes at s, a real calendar date, seconds 0-59)
 * into ns since the epoch. Returns 0, or -1 when it is not such a time or does not fit. */
int rowfmt_parse_time(const char *s, size_t n, int64_t *ns);

/* Length of the valid UTF-8 sequence at s (at most n bytes, n >= 1): 1 to 4, or 0 if it is not
 * one (overlong forms, surrogates and code points past U+10FFFF are not). */
size_t rowfmt_utf8_len(const unsigned char *s, size_t n);

/* Days since 1970-01-01 of the proleptic Gregorian date y-m-d (H. Hinnant's days_from_civil; any
 * y, m in 1..12, d in 1..31 unchecked). */
int64_t rowfmt_days_from_civil(int64_t y, unsigned m, unsigned d);

/* The number written by the n decimal digits at s, or -1 when one of them is not a digit. */
int rowfmt_digits(const char *s, int n);

#endif
