/* The daily traffic query's shared contract (see daily.h). */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include "daily.h"
#include "rowfmt.h"
#include "fsutil.h"

static const char *const month_names[12] = { "January", "February", "March",	 "April",   "May",	"June",
					     "July",	"August",   "September", "October", "November", "December" };

/* Days in month m (1..12) of year y (proleptic Gregorian). */
static int days_in_month(int y, int m)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : mdays[m - 1];
}

/* Days since 1970-01-01 of s into *day. s must be a calendar date written YYYY-MM-DD (exactly ten
 * characters, digits where digits go), from 1970-01-01 to 9999-12-31. Returns 0, or -1 with err
 * saying which of these it is not. */
static int parse_day(const char *s, int64_t *day, char *err, size_t errlen)
{
	int y, m, d;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' || rowfmt_digits(s, 4) < 0 || rowfmt_digits(s + 5, 2) < 0 ||
	    rowfmt_digits(s + 8, 2) < 0) {
		snprintf(err, errlen, "'%.40s' is not a date of the form YYYY-MM-DD", s);
		return -1;
	}
	y = rowfmt_digits(s, 4);
	m = rowfmt_digits(s + 5, 2);
	d = rowfmt_digits(s + 8, 2);
	if (m < 1 || m > 12) {
		snprintf(err, errlen, "'%s' is not a date YYYY-MM-DD: months run from 01 to 12", s);
		return -1;
	}
	if (d < 1 || d > days_in_month(y, m)) {
		snprintf(err, errlen, "'%s' is not a date YYYY-MM-DD: %s %04d has %d days", s, month_names[m - 1], y,
			 days_in_month(y, m));
		return -1;
	}
	if (y < 1970) {
		snprintf(err, errlen, "'%s' is before 1970-01-01, the first day the daily query covers", s);
		return -1;
	}
	*day = rowfmt_days_from_civil(y, m, d);
	return 0;
}

int daily_range(const char *from, const char *to, int64_t *d0, int64_t *d1, char *err, size_t errlen)
{
	char why[160];

	if (parse_day(from, d0, why, sizeof(why)) < 0 || parse_day(to, d1, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "dates must be YYYY-MM-DD from 1970 on: %s", why);
		return -1;
	}
	if (*d1 < *d0 || *d1 - *d0 >= DAILY_MAX_DAYS) {
		snprintf(err, errlen, "the range %s..%s must run forward and span at most %d days", from, to,
			 DAILY_MAX_DAYS);
		return -1;
	}
	return 0;
}

/* Percent-decode the n bytes at s into out (outlen bytes, NUL-terminated); '+' is a space.
 * Returns 0, or -1 with why when an escape is not %XX, a byte decodes to a control character
 * (NUL included: it would cut the value short) or the value does not fit. */
static int url_decode(const char *s, size_t n, char *out, size_t outlen, char *why, size_t whylen)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];
		if (c == '%') {
			int hi = i + 2 < n ? fsutil_hexval(s[i + 1]) : -1;
			int lo = i + 2 < n ? fsutil_hexval(s[i + 2]) : -1;
			if (hi < 0 || lo < 0) {
				snprintf(why, whylen, "a %% not followed by two hex digits");
				return -1;
			}
			c = hi * 16 + lo;
			i += 2;
		} else if (c == '+') {
			c = ' ';
		}
		if (c < 0x20 || c == 0x7f) {
			snprintf(why, whylen, "a control character (byte %d) in the value", c);
			return -1;
		}
		if (o + 1 >= outlen) {
			snprintf(why, whylen, "value longer than %zu bytes", outlen - 1);
			return -1;
		}
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return 0;
}

/* The address at raw as stored (IPv4 dotted, IPv6 in RFC 5952 form) into out (46 bytes). 0 or -1. */
static int normalize_host(const char *raw, char *out, size_t outlen)
{
	unsigned char addr[16];

	if (inet_pton(AF_INET, raw, addr) == 1)
		return inet_ntop(AF_INET, addr, out, (socklen_t)outlen) != NULL ? 0 : -1;
	if (inet_pton(AF_INET6, raw, addr) == 1)
		return inet_ntop(AF_INET6, addr, out, (socklen_t)outlen) != NULL ? 0 : -1;
	return -1;
}

int daily_parse_query(const char *qs, struct daily_query *q, const char **param, char *why, size_t whylen)
{
	static const char *const known[] = { "host", "from", "to", "dataset" };
	char buf[DAILY_QUERY_MAX_LEN + 1], vals[4][DAILY_VALUE_MAX_LEN + 1], decode_why[96];
	int seen[4] = { 0, 0, 0, 0 };

	memset(q, 0, sizeof(*q));
	*param = "query";
	if (qs == NULL)
		qs = "";
	if (strlen(qs) > DAILY_QUERY_MAX_LEN) {
		snprintf(why, whylen, "the query string is longer than %d bytes", DAILY_QUERY_MAX_LEN);
		return -1;
	}
	memcpy(buf, qs, strlen(qs) + 1);
	for (char *save = NULL, *kv = strtok_r(buf, "&", &save); kv != NULL; kv = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(kv, '=');
		const char *val = eq != NULL ? eq + 1 : "";
		int k = -1;
		if (eq != NULL)
			*eq = '\0';
		for (int i = 0; i < 4 && k < 0; i++)
			k = strcmp(kv, known[i]) == 0 ? i : -1;
		if (k < 0) {
			*param = "query";
			snprintf(why, whylen, "unknown parameter '%.40s' (known: host, from, to, dataset)", kv);
			return -1;
		}
		*param = known[k];
		if (seen[k]) {
			snprintf(why, whylen, "%s is given more than once", known[k]);
			return -1;
		}
		seen[k] = 1;
		if (url_decode(val, strlen(val), vals[k], sizeof(vals[k]), decode_why, sizeof(decode_why)) < 0) {
			snprintf(why, whylen, "not a valid value: %s", decode_why);
			return -1;
		}
	}
	for (int i = 0; i < 3; i++) {
		if (!seen[i]) {
			*param = known[i];
			snprintf(why, whylen, "missing (e.g. ?host=10.0.0.1&from=2024-01-01&to=2024-01-07)");
			return -1;
		}
	}
	*param = "host";
	if (normalize_host(vals[0], q->host, sizeof(q->host)) < 0) {
		snprintf(why, whylen, "'%.60s' is not an IPv4 or IPv6 address", vals[0]);
		return -1;
	}
	*param = "from";
	if (parse_day(vals[1], &q->d0, why, whylen) < 0)
		return -1;
	*param = "to";
	if (parse_day(vals[2], &q->d1, why, whylen) < 0)
		return -1;
	memcpy(q->from, vals[1], sizeof(q->from));
	memcpy(q->to, vals[2], sizeof(q->to));
	if (q->d1 < q->d0) {
		snprintf(why, whylen, "%s is before from (%s)", q->to, q->from);
		return -1;
	}
	if (q->d1 - q->d0 >= DAILY_QUERY_MAX_DAYS) {
		snprintf(why, whylen, "the range spans %lld days; at most %d", (long long)(q->d1 - q->d0 + 1),
			 DAILY_QUERY_MAX_DAYS);
		return -1;
	}
	*param = "dataset";
	if (!seen[3]) {
		snprintf(q->dataset, sizeof(q->dataset), "packets");
	} else if (strcmp(vals[3], "packets") == 0 || strcmp(vals[3], "flows") == 0) {
		snprintf(q->dataset, sizeof(q->dataset), "%.7s", vals[3]);
	} else {
		snprintf(why, whylen, "'%.40s' is neither packets (captures) nor flows (pmacct)", vals[3]);
		return -1;
	}
	*param = NULL;
	return 0;
}

json_t *daily_rows(int64_t d0, int64_t d1, const struct daily_sums *sums)
{
	json_t *out = json_array();
	char day[16];

	for (int64_t d = d0; out != NULL && d <= d1; d++) {
		const struct daily_sums *s = &sums[d - d0];
		fsutil_format_day(d, day, sizeof(day));
		if (json_array_append_new(out, json_pack("{s:s,s:I,s:I,s:I,s:I}", "day", day, "inBytes",
							 (json_int_t)s->in_bytes, "outBytes", (json_int_t)s->out_bytes,
							 "inPackets", (json_int_t)s->in_packets, "outPackets",
							 (json_int_t)s->out_packets)) < 0) {
			json_decref(out);
			out = NULL;
		}
	}
	return out;
}
