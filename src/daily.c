/* The daily traffic query's shared contract (see daily.h). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
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

/* Split qs (NULL reads as empty) into the values of the nknown (at most 4) parameters known[]:
 * each at most once, decoded by url_decode into vals[i], seen[i] set. Returns 0, or -1 with *param
 * and why as daily_parse_query says. */
static int parse_params(const char *qs, const char *const *known, int nknown, char vals[][DAILY_VALUE_MAX_LEN + 1],
			int *seen, const char **param, char *why, size_t whylen)
{
	char buf[DAILY_QUERY_MAX_LEN + 1], decode_why[96], names[64] = "";

	for (int i = 0; i < nknown; i++) {
		seen[i] = 0;
		snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s", i > 0 ? ", " : "", known[i]);
	}
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
		for (int i = 0; i < nknown && k < 0; i++)
			k = strcmp(kv, known[i]) == 0 ? i : -1;
		if (k < 0) {
			*param = "query";
			snprintf(why, whylen, "unknown parameter '%.40s' (known: %s)", kv, names);
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
	return 0;
}

int daily_parse_query(const char *qs, struct daily_query *q, const char **param, char *why, size_t whylen)
{
	static const char *const known[] = { "host", "from", "to", "dataset" };
	char vals[4][DAILY_VALUE_MAX_LEN + 1];
	int seen[4];

	memset(q, 0, sizeof(*q));
	if (parse_params(qs, known, 4, vals, seen, param, why, whylen) < 0)
		return -1;
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
		snprintf(q->dataset, sizeof(q->dataset), "flows");
	} else if (strcmp(vals[3], "packets") == 0 || strcmp(vals[3], "flows") == 0) {
		snprintf(q->dataset, sizeof(q->dataset), "%.7s", vals[3]);
	} else {
		snprintf(why, whylen,
			 "'%.40s' is neither flows (flow records of captures and pmacct, the default) nor packets",
			 vals[3]);
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

void daily_count(const struct daily_counts *c, int64_t *in_bytes, int64_t *out_bytes, int64_t *in_packets,
		 int64_t *out_packets)
{
	int64_t fwd_b = c->has_dir ? c->src_bytes : c->bytes, fwd_p = c->has_dir ? c->src_packets : c->packets;
	int64_t back_b = c->has_dir ? c->dst_bytes : 0, back_p = c->has_dir ? c->dst_packets : 0;

	if (c->src_is_host) {
		*out_bytes += fwd_b;
		*out_packets += fwd_p;
		*in_bytes += back_b;
		*in_packets += back_p;
	}
	if (c->dst_is_host) {
		*in_bytes += fwd_b;
		*in_packets += fwd_p;
		*out_bytes += back_b;
		*out_packets += back_p;
	}
}

int daily_parse_conversations(const char *qs, struct daily_conv_query *q, const char **param, char *why, size_t whylen)
{
	static const char *const known[] = { "host", "day", "limit" };
	char vals[3][DAILY_VALUE_MAX_LEN + 1];
	int seen[3];

	memset(q, 0, sizeof(*q));
	if (parse_params(qs, known, 3, vals, seen, param, why, whylen) < 0)
		return -1;
	for (int i = 0; i < 2; i++) {
		if (!seen[i]) {
			*param = known[i];
			snprintf(why, whylen, "missing (e.g. ?host=10.0.0.1&day=2024-01-07&limit=20)");
			return -1;
		}
	}
	*param = "host";
	if (normalize_host(vals[0], q->host, sizeof(q->host)) < 0) {
		snprintf(why, whylen, "'%.60s' is not an IPv4 or IPv6 address", vals[0]);
		return -1;
	}
	*param = "day";
	if (parse_day(vals[1], &q->d, why, whylen) < 0)
		return -1;
	memcpy(q->day, vals[1], sizeof(q->day));
	*param = "limit";
	q->limit = DAILY_CONV_DEFAULT_LIMIT;
	if (seen[2]) {
		size_t n = strlen(vals[2]);
		int v = n >= 1 && n <= 4 ? rowfmt_digits(vals[2], (int)n) : -1;
		if (v < 1 || v > DAILY_CONV_MAX_LIMIT) {
			snprintf(why, whylen, "'%.40s' is not a whole number from 1 to %d (default %d)", vals[2],
				 DAILY_CONV_MAX_LIMIT, DAILY_CONV_DEFAULT_LIMIT);
			return -1;
		}
		q->limit = v;
	}
	*param = NULL;
	return 0;
}

const char *const daily_conv_name_fields[3] = { "dns.question.name", "url.domain", "tls.client.server_name" };

int daily_conv_before(const struct daily_conv *a, const struct daily_conv *b)
{
	int c;

	if (a->bytes != b->bytes)
		return a->bytes > b->bytes;
	c = strcmp(a->community_id, b->community_id);
	if (c != 0)
		return c < 0;
	return strcmp(a->vlan, b->vlan) < 0;
}

void daily_conv_add_name(struct daily_conv *c, int k, const char *name, int64_t n)
{
	if (name == NULL || name[0] == '\0' || k < 0 || k > 2)
		return;
	for (int i = 0; i < c->nnames[k]; i++) {
		if (strcmp(c->names[k][i].v, name) == 0) {
			c->names[k][i].n += n;
			return;
		}
	}
	if (c->nnames[k] >= DAILY_CONV_NAMES)
		return;
	snprintf(c->names[k][c->nnames[k]].v, DAILY_CONV_NAME_LEN, "%s", name);
	c->names[k][c->nnames[k]++].n = n;
}

/* A JSON integer, or null when v is negative (absent). */
static json_t *int_or_null(int64_t v)
{
	return v >= 0 ? json_integer((json_int_t)v) : json_null();
}

/* The names of c as {field: [name, ...]} (most records first, then byte order), kinds without
 * names left out. */
static json_t *conv_names(const struct daily_conv *c)
{
	json_t *o = json_object();

	for (int k = 0; k < 3 && o != NULL; k++) {
		int order[DAILY_CONV_NAMES], n = c->nnames[k];
		json_t *a;
		if (n == 0)
			continue;
		for (int i = 0; i < n; i++)
			order[i] = i;
		for (int i = 1; i < n; i++) { /* insertion sort of at most DAILY_CONV_NAMES */
			for (int j = i; j > 0; j--) {
				const int x = order[j - 1], y = order[j];
				int swap = c->names[k][y].n > c->names[k][x].n ||
					   (c->names[k][y].n == c->names[k][x].n &&
					    strcmp(c->names[k][y].v, c->names[k][x].v) < 0);
				if (!swap)
					break;
				order[j - 1] = y;
				order[j] = x;
			}
		}
		a = json_array();
		for (int i = 0; i < n && a != NULL; i++)
			json_array_append_new(a, json_string(c->names[k][order[i]].v));
		json_object_set_new(o, daily_conv_name_fields[k], a);
	}
	return o;
}

/* One conversation as the answer lists it, relative to host. */
static json_t *conv_json(const struct daily_conv *c, const char *host)
{
	int host_started = strcmp(c->src_ip, host) == 0;
	char start[40], end[40];

	rowfmt_time_text(start, c->start_ns);
	rowfmt_time_text(end, c->end_ns);
	return json_pack(
	    "{s:s,s:o,s:s,s:s,s:o,s:s,s:o,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:s,s:s,s:I,s:I,s:o}", "communityId",
	    c->community_id, "vlan", c->vlan[0] ? json_string(c->vlan) : json_null(), "transport", c->transport, "host",
	    host, "hostPort", int_or_null(host_started ? c->src_port : c->dst_port), "peer",
	    host_started ? c->dst_ip : c->src_ip, "peerPort", int_or_null(host_started ? c->dst_port : c->src_port),
	    "initiator", host_started ? "host" : "peer", "outBytes", (json_int_t)c->out_bytes, "inBytes",
	    (json_int_t)c->in_bytes, "outPackets", (json_int_t)c->out_packets, "inPackets", (json_int_t)c->in_packets,
	    "bytes", (json_int_t)c->bytes, "packets", (json_int_t)c->packets, "start", start, "end", end, "durationNs",
	    (json_int_t)(c->end_ns - c->start_ns), "records", (json_int_t)c->records, "names", conv_names(c));
}

json_t *daily_conv_answer(const struct daily_conv_query *q, const struct daily_conv *convs, size_t n,
			  int64_t without_records, int64_t without_bytes)
{
	json_t *list = json_array();

	for (size_t i = 0; i < n && list != NULL; i++) {
		if (json_array_append_new(list, conv_json(&convs[i], q->host)) < 0) {
			json_decref(list);
			list = NULL;
		}
	}
	if (list == NULL)
		return NULL;
	return json_pack("{s:s,s:s,s:i,s:o,s:{s:I,s:I}}", "host", q->host, "day", q->day, "limit", q->limit,
			 "conversations", list, "withoutCommunityId", "records", (json_int_t)without_records, "bytes",
			 (json_int_t)without_bytes);
}

int daily_top_init(struct daily_top *t, size_t cap)
{
	t->n = 0;
	t->cap = cap;
	t->v = calloc(cap > 0 ? cap : 1, sizeof(*t->v));
	return t->v != NULL ? 0 : -1;
}

/* Whether v[i] ranks after v[j] (the heap's order: the root ranks last). */
static int top_after(const struct daily_top *t, size_t i, size_t j)
{
	return daily_conv_before(&t->v[j], &t->v[i]);
}

/* Exchange v[i] and v[j]. */
static void top_swap(struct daily_top *t, size_t i, size_t j)
{
	struct daily_conv tmp = t->v[i];

	t->v[i] = t->v[j];
	t->v[j] = tmp;
}

void daily_top_offer(struct daily_top *t, const struct daily_conv *c)
{
	size_t i;

	if (t->n < t->cap) {
		t->v[t->n] = *c;
		for (i = t->n++; i > 0 && top_after(t, i, (i - 1) / 2); i = (i - 1) / 2)
			top_swap(t, i, (i - 1) / 2);
		return;
	}
	if (t->n == 0 || !daily_conv_before(c, &t->v[0]))
		return;
	t->v[0] = *c;
	for (i = 0;;) {
		size_t l = 2 * i + 1, r = l + 1, w = i;
		if (l < t->n && top_after(t, l, w))
			w = l;
		if (r < t->n && top_after(t, r, w))
			w = r;
		if (w == i)
			break;
		top_swap(t, i, w);
		i = w;
	}
}

/* qsort order of daily_conv_before. */
static int conv_cmp(const void *a, const void *b)
{
	if (daily_conv_before(a, b))
		return -1;
	return daily_conv_before(b, a) ? 1 : 0;
}

void daily_top_sort(struct daily_top *t)
{
	qsort(t->v, t->n, sizeof(*t->v), conv_cmp);
}

void daily_top_free(struct daily_top *t)
{
	if (t == NULL)
		return;
	free(t->v);
	t->v = NULL;
	t->n = t->cap = 0;
}
