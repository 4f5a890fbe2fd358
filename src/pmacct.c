/* pmacct JSON records into rows. Field by field, with the type each must have. */
#include <arpa/inet.h>
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include "decode.h"
#include "communityid.h"
#include "hash.h"
#include "pmacct.h"
#include "rowfmt.h"

static int utc = 1;

int pmacct_set_timezone(const char *tz)
{
	char path[512];
	struct stat st;

	if (strcmp(tz, "UTC") == 0 || strcmp(tz, "Etc/UTC") == 0) {
		utc = 1;
		return 0;
	}
	snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", tz);
	if (strstr(tz, "..") != NULL || stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return -1;
	setenv("TZ", tz, 1);
	tzset();
	utc = 0;
	return 0;
}

/* pmacct's usual time, "YYYY-MM-DD HH:MM:SS[.f{1,9}]" of a valid UTC date from 1970 on, into ns
 * without strptime and timegm (the same value, a fifth of the cost). 0, or -1 for anything else,
 * which parse_time's general path then reads. */
static int parse_time_utc_fast(const char *s, int64_t *ns)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y = rowfmt_digits(s, 4), mo, d, h, mi, sec, fd = 0;
	int64_t frac = 0, days;
	size_t i = 19;

	if (y < 1970 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':')
		return -1;
	mo = rowfmt_digits(s + 5, 2);
	d = rowfmt_digits(s + 8, 2);
	h = rowfmt_digits(s + 11, 2);
	mi = rowfmt_digits(s + 14, 2);
	sec = rowfmt_digits(s + 17, 2);
	int leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] + (mo == 2 && leap) || h < 0 || h > 23 || mi < 0 ||
	    mi > 59 || sec < 0 || sec > 59)
		return -1;
	if (s[i] == '.') {
		for (i++; s[i] >= '0' && s[i] <= '9'; i++) {
			if (fd < 9) {
				frac = frac * 10 + (s[i] - '0');
				fd++;
			}
		}
		while (fd++ < 9)
			frac *= 10;
	}
	if (s[i] != '\0')
		return -1;
	days = rowfmt_days_from_civil(y, (unsigned)mo, (unsigned)d);
	*ns = ((days * 86400 + h * 3600 + mi * 60 + sec) * 1000000000) + frac;
	return 0;
}

/* "YYYY-MM-DD HH:MM:SS[.ffffff]" in the configured zone, or seconds since the epoch
 * ("1700000000.123456", pmacct's timestamps_since_epoch), into ns. 0 or -1. */
static int parse_time(const char *s, int64_t *ns)
{
	struct tm tm;
	const char *rest;
	int64_t frac = 0, secs;
	int digits = 0;

	if (utc && parse_time_utc_fast(s, ns) == 0)
		return 0;
	memset(&tm, 0, sizeof(tm));
	rest = strptime(s, "%Y-%m-%d %H:%M:%S", &tm);
	if (rest == NULL) {
		char *end;
		double v = strtod(s, &end);
		if (end == s || *end != '\0' || v < 0 || v > 9.2e9)
			return -1;
		secs = (int64_t)v;
		rest = strchr(s, '.');
		if (rest == NULL)
			rest = "";
	} else {
		if (tm.tm_year < 70) /* "0000-00-00 00:00:00": not set */
			return -1;
		tm.tm_isdst = -1;
		secs = utc ? (int64_t)timegm(&tm) : (int64_t)mktime(&tm);
	}
	if (*rest == '.') {
		for (rest++; *rest >= '0' && *rest <= '9'; rest++) {
			if (digits < 9) {
				frac = frac * 10 + (*rest - '0');
				digits++;
			}
		}
		if (*rest != '\0')
			return -1;
		while (digits++ < 9)
			frac *= 10;
	} else if (*rest != '\0') {
		return -1;
	}
	*ns = secs * 1000000000 + frac;
	return 0;
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	char extra;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &extra) != 6)
		return -1;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	return 0;
}

static int parse_ip(const char *s, struct row_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	if (inet_pton(AF_INET, s, ip->addr) == 1) {
		ip->family = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, s, ip->addr) == 1) {
		ip->family = 6;
		return 0;
	}
	return -1;
}

/* A member's value as the fields below need it: a string, an integer, or anything else. */
enum val_type { VAL_OTHER, VAL_STR, VAL_INT };

struct val {
	enum val_type type;
	const char *s;
	int64_t i;
};

/* The members of one record: those the flat scanner found, or jansson's object (root). */
#define FLAT_MAX_MEMBERS 48

struct record {
	json_t *root;
	int n;
	const char *keys[FLAT_MAX_MEMBERS];
	size_t keylens[FLAT_MAX_MEMBERS];
	struct val vals[FLAT_MAX_MEMBERS];
	uint64_t keybits; /* key_bit() of every key: most absent keys are known absent without a scan */
	char *buf;	  /* a copy of the record (len + 1 bytes), its strings ended in place */
};

static int flat_enabled = 1;

void pmacct_use_flat_scanner(int on)
{
	flat_enabled = on;
}

static char *skip_ws(char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* The bytes a flat string holds: printable ASCII but the quote and the backslash. */
static const unsigned char plain[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x00 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x10 */
	1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x20 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x30 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x40 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, /* 0x50 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x60 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, /* 0x70 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x80 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x90 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0xa0 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0xb0 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0xc0 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0xd0 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0xe0 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0xf0 */
};

/* A string of printable ASCII without escapes at *p (which must be '"'): ended in place with a
 * NUL, *p moved past it. NULL for anything else. */
static const char *flat_str(char **p, const char *end)
{
	char *q = *p, *start;

	if (q == end || *q != '"')
		return NULL;
	start = ++q;
	while (q < end && plain[(unsigned char)*q])
		q++;
	if (q == end || *q != '"')
		return NULL;
	*q = '\0';
	*p = q + 1;
	return start;
}

/* A value at *p: such a string, an integer of at most 18 digits, true, false or null. 0 with *p
 * moved past it, or -1 for anything else (reals, escapes, nesting, longer numbers). */
static int flat_value(char **p, const char *end, struct val *v)
{
	static const char *const literals[] = { "true", "false", "null", NULL };
	char *q = *p;
	int neg = 0, digits = 0;
	int64_t x = 0;

	if (q == end)
		return -1;
	if (*q == '"') {
		v->type = VAL_STR;
		v->s = flat_str(p, end);
		return v->s != NULL ? 0 : -1;
	}
	for (int i = 0; literals[i] != NULL && (*q == 't' || *q == 'f' || *q == 'n'); i++) {
		size_t n = strlen(literals[i]);
		if ((size_t)(end - q) >= n && memcmp(q, literals[i], n) == 0) {
			v->type = VAL_OTHER;
			*p = q + n;
			return 0;
		}
	}
	if (*q == '-') {
		neg = 1;
		q++;
	}
	if (q < end && *q == '0') {
		q++;
		digits = 1;
	} else {
		while (q < end && *q >= '0' && *q <= '9' && digits < 18) {
			x = x * 10 + (*q - '0');
			q++;
			digits++;
		}
	}
	if (digits == 0 || (q < end && ((*q >= '0' && *q <= '9') || *q == '.' || *q == 'e' || *q == 'E')))
		return -1;
	v->type = VAL_INT;
	v->i = neg ? -x : x;
	*p = q;
	return 0;
}

/* Whether two keys (NUL-terminated, so a[0] can always be read) are the same: the length, the
 * first and the last byte decide most pairs without a call. */
static inline int same_key(const char *a, size_t alen, const char *b, size_t blen)
{
	return alen == blen && a[0] == b[0] && (alen == 0 || a[alen - 1] == b[alen - 1]) && memcmp(a, b, alen) == 0;
}

/* A bit of 64 for a key, from its length and its first and last bytes. */
static inline uint64_t key_bit(const char *k, size_t len)
{
	return 1ULL << ((len * 7 + (unsigned char)k[0] * 3 + (unsigned char)k[len ? len - 1 : 0]) & 63);
}

/* What pmacct writes: one flat object whose keys and string values are printable ASCII without
 * escapes, and whose other values are short integers, true, false or null; no key twice. Fills
 * rec and returns 1, or returns 0 for anything else: jansson then reads the record and decides
 * whether it is JSON at all. Everything this accepts, jansson accepts with the same values.
 * rec->buf must hold len + 1 bytes. */
static int flat_scan(const char *json, size_t len, struct record *rec)
{
	char *p = rec->buf, *end = rec->buf + len;

	memcpy(rec->buf, json, len);
	*end = '\0';
	rec->n = 0;
	rec->keybits = 0;
	p = skip_ws(p, end);
	if (p == end || *p != '{')
		return 0;
	p = skip_ws(p + 1, end);
	if (p < end && *p == '}') {
		p++;
	} else {
		for (;;) {
			if (rec->n == FLAT_MAX_MEMBERS)
				return 0;
			rec->keys[rec->n] = flat_str(&p, end);
			if (rec->keys[rec->n] == NULL)
				return 0;
			rec->keylens[rec->n] = (size_t)(p - 1 - rec->keys[rec->n]);
			rec->keybits |= key_bit(rec->keys[rec->n], rec->keylens[rec->n]);
			p = skip_ws(p, end);
			if (p == end || *p != ':')
				return 0;
			p = skip_ws(p + 1, end);
			if (flat_value(&p, end, &rec->vals[rec->n]) < 0)
				return 0;
			rec->n++;
			p = skip_ws(p, end);
			if (p < end && *p == '}') {
				p++;
				break;
			}
			if (p == end || *p != ',')
				return 0;
			p = skip_ws(p + 1, end);
		}
	}
	if (skip_ws(p, end) != end)
		return 0;
	for (int i = 0; i < rec->n; i++) {
		for (int j = i + 1; j < rec->n; j++) {
			if (same_key(rec->keys[i], rec->keylens[i], rec->keys[j], rec->keylens[j]))
				return 0;
		}
	}
	return 1;
}

/* The member key of rec into *v. 1 if present, 0 if not. */
static int get(const struct record *rec, const char *key, struct val *v)
{
	if (rec->root != NULL) {
		json_t *j = json_object_get(rec->root, key);
		if (j == NULL)
			return 0;
		v->type = json_is_string(j) ? VAL_STR : json_is_integer(j) ? VAL_INT : VAL_OTHER;
		v->s = json_is_string(j) ? json_string_value(j) : NULL;
		v->i = json_is_integer(j) ? json_integer_value(j) : 0;
		return 1;
	}
	size_t len = strlen(key);
	if (!(rec->keybits & key_bit(key, len)))
		return 0;
	for (int i = 0; i < rec->n; i++) {
		if (same_key(rec->keys[i], rec->keylens[i], key, len)) {
			*v = rec->vals[i];
			return 1;
		}
	}
	return 0;
}

/* An integer, or a string holding one (pmacct sends tcp_flags as "24"). */
static int int_of(const struct val *v, int64_t lo, int64_t hi, int64_t *out)
{
	char *end;

	if (v->type == VAL_INT) {
		*out = v->i;
	} else if (v->type == VAL_STR) {
		long long x = strtoll(v->s, &end, 10);
		if (end == v->s || *end != '\0')
			return -1;
		*out = x;
	} else {
		return -1;
	}
	return *out >= lo && *out <= hi ? 0 : -1;
}

/* IANA number of a protocol given by number or by keyword ("tcp"). */
static int proto_of(const struct val *v, int64_t *out)
{
	if (int_of(v, 0, 255, out) == 0)
		return 0;
	if (v->type != VAL_STR)
		return -1;
	for (unsigned p = 0; p < 256; p++) {
		const char *name = decode_transport_name(p);
		if (name != NULL && (name[0] | 0x20) == (v->s[0] | 0x20) && strcasecmp(name, v->s) == 0) {
			*out = p;
			return 0;
		}
	}
	return -1;
}

/* pmacct's integer fields that map straight onto an int64_t member of the row. zero_absent: pmacct
 * writes 0 for "not known" (no AS, no ifIndex, no sampling information), which leaves the field out. */
struct int_field {
	const char *key;
	int64_t lo, hi;
	size_t offset;
	uint64_t bit;
	int zero_absent;
	const char *what;
};

static const struct int_field int_fields[] = {
	{ "port_src", 0, 65535, offsetof(struct row, source_port), ROW_HAS_source_port, 0, "a port number" },
	{ "port_dst", 0, 65535, offsetof(struct row, destination_port), ROW_HAS_destination_port, 0, "a port number" },
	{ "tcp_flags", 0, 4095, offsetof(struct row, tcp_flags), ROW_HAS_tcp_flags, 0, "a decimal number" },
	{ "tos", 0, 255, offsetof(struct row, ip_tos), ROW_HAS_ip_tos, 0, "a number from 0 to 255" },
	{ "packets", 0, INT64_MAX, offsetof(struct row, network_packets), ROW_HAS_network_packets, 0,
	  "a non-negative integer" },
	{ "bytes", 0, INT64_MAX, offsetof(struct row, network_bytes), ROW_HAS_network_bytes, 0,
	  "a non-negative integer" },
	{ "as_src", 0, UINT32_MAX, offsetof(struct row, source_as_number), ROW_HAS_source_as_number, 1,
	  "an AS number (0 to 4294967295)" },
	{ "as_dst", 0, UINT32_MAX, offsetof(struct row, destination_as_number), ROW_HAS_destination_as_number, 1,
	  "an AS number (0 to 4294967295)" },
	{ "iface_in", 0, UINT32_MAX, offsetof(struct row, observer_ingress_interface_id),
	  ROW_HAS_observer_ingress_interface_id, 1, "an ifIndex (0 to 4294967295)" },
	{ "iface_out", 0, UINT32_MAX, offsetof(struct row, observer_egress_interface_id),
	  ROW_HAS_observer_egress_interface_id, 1, "an ifIndex (0 to 4294967295)" },
	{ "sampling_rate", 0, UINT32_MAX, offsetof(struct row, netflow_sampling_interval),
	  ROW_HAS_netflow_sampling_interval, 1, "a sampling rate (0 to 4294967295)" },
	{ NULL, 0, 0, 0, 0, 0, NULL },
};

/* Whether a pmacct time string is its "not set": "0000-00-00 00:00:00[.000000]" (also with a
 * 'T'), or 0 seconds since the epoch ("0", "0.000000") with timestamps_since_epoch. */
static int time_unset(const char *s)
{
	size_t n;

	if (strncmp(s, "0000-", 5) == 0)
		return 1;
	n = strspn(s, "0");
	if (n == 0)
		return 0;
	if (s[n] == '.')
		n += 1 + strspn(s + n + 1, "0");
	return s[n] == '\0';
}

/* The time member key of rec into *ns: 1 if set, 0 if absent or unset (time_unset), -1 if it
 * is not a time. */
static int opt_time(const struct record *rec, const char *key, int64_t *ns)
{
	struct val v;

	if (!get(rec, key, &v))
		return 0;
	if (v.type == VAL_STR && time_unset(v.s))
		return 0;
	if (v.type != VAL_STR || parse_time(v.s, ns) < 0)
		return -1;
	return 1;
}

/* Whether an address is all zeros (0.0.0.0 or ::). */
static int ip_unspecified(const struct row_ip *ip)
{
	static const uint8_t zero[16];

	return memcmp(ip->addr, zero, ip->family == 4 ? 4 : 16) == 0;
}

/* The address member key of rec into *ip: 1 if set, 0 if absent or "" (pmacct's unset address;
 * also 0.0.0.0 and :: when zero_absent), -1 if it is not an address. */
static int opt_ip(const struct record *rec, const char *key, int zero_absent, struct row_ip *ip)
{
	struct val v;

	if (!get(rec, key, &v))
		return 0;
	if (v.type == VAL_STR && v.s[0] == '\0')
		return 0;
	if (v.type != VAL_STR || parse_ip(v.s, ip) < 0)
		return -1;
	if (zero_absent && ip_unspecified(ip)) {
		memset(ip, 0, sizeof(*ip));
		return 0;
	}
	return 1;
}

_Static_assert(sizeof(((struct row *)0)->netflow_source_prefix) >= INET6_ADDRSTRLEN + 4 &&
		   sizeof(((struct row *)0)->netflow_destination_prefix) >= INET6_ADDRSTRLEN + 4,
	       "a prefix's text fits the row");

/* A network from net_key and mask_key ("192.0.2.0" and 25) as CIDR text into out (at least
 * INET6_ADDRSTRLEN + 5 bytes): "192.0.2.0/25", or the address alone without mask_key. 1 if
 * written; 0 if the network is absent, "" or a /0 (pmacct's "no network"), or the unspecified
 * address without a mask; -1 if net_key is not an address, -2 if mask_key is not a prefix length
 * of its family. */
static int opt_prefix(const struct record *rec, const char *net_key, const char *mask_key, char *out, size_t outlen)
{
	struct row_ip net;
	struct val v;
	int64_t mask = -1;
	int rc = opt_ip(rec, net_key, 0, &net);
	char addr[INET6_ADDRSTRLEN];

	if (rc < 0)
		return -1;
	if (get(rec, mask_key, &v) && int_of(&v, 0, rc == 1 && net.family == 4 ? 32 : 128, &mask) < 0)
		return -2;
	if (rc == 0 || mask == 0 || (mask < 0 && ip_unspecified(&net)))
		return 0;
	inet_ntop(net.family == 4 ? AF_INET : AF_INET6, net.addr, addr, sizeof(addr));
	if (mask < 0)
		snprintf(out, outlen, "%s", addr);
	else
		snprintf(out, outlen, "%s/%d", addr, (int)mask);
	return 1;
}

/* pmacct's etype: the EtherType in hexadecimal without 0x ("800", "86dd"). 0 with *out set, or -1. */
static int etype_of(const struct val *v, int64_t *out)
{
	size_t n;

	if (v->type != VAL_STR)
		return -1;
	n = strlen(v->s);
	if (n < 1 || n > 4 || strspn(v->s, "0123456789abcdefABCDEF") != n)
		return -1;
	*out = strtol(v->s, NULL, 16);
	return 0;
}

/* The id prefix of a partition's rows: hash("TOPIC\nPARTITION") in hex. The last one is kept per
 * thread (a record's partition is most often the previous record's). */
static void id_prefix(const char *topic, int32_t partition, char out[ROW_ID_PREFIX_LEN + 1])
{
	static _Thread_local struct {
		char topic[256];
		int32_t partition;
		char prefix[ROW_ID_PREFIX_LEN + 1];
	} last;
	char key[512];
	size_t n = strlen(topic);

	if (last.prefix[0] != '\0' && last.partition == partition && n < sizeof(last.topic) &&
	    memcmp(last.topic, topic, n + 1) == 0) {
		memcpy(out, last.prefix, sizeof(last.prefix));
		return;
	}
	snprintf(key, sizeof(key), "%s\n%d", topic, (int)partition);
	hash_hex(hash64(key, strlen(key), 0x706d61636374ULL), out);
	if (n < sizeof(last.topic)) {
		memcpy(last.topic, topic, n + 1);
		last.partition = partition;
		memcpy(last.prefix, out, sizeof(last.prefix));
	}
}

#define BAD(...)                                                                                                       \
	do {                                                                                                           \
		snprintf(err, errlen, __VA_ARGS__);                                                                    \
		goto out;                                                                                              \
	} while (0)

int pmacct_parse(const char *json, size_t len, const char *topic, int32_t partition, int64_t offset, struct row *r,
		 struct pmacct_strings *out, char *err, size_t errlen)
{
	json_error_t jerr;
	struct record record, *rec = &record;
	struct val v;
	int64_t x, start = 0;
	int found, arrival, end;
	char local[2048]; /* the flat scanner's copy of a record of usual size */
	int rc = -1;

	memset(r, 0, sizeof(*r));
	memset(out, 0, sizeof(*out));
	rec->root = NULL;
	rec->buf = NULL;
	if (len > PMACCT_MAX_RECORD)
		BAD("oversized record: %zu bytes (limit %d)", len, PMACCT_MAX_RECORD);
	if (flat_enabled) {
		rec->buf = len < sizeof(local) ? local : malloc(len + 1);
		if (rec->buf == NULL)
			BAD("out of memory");
	}
	if (!flat_enabled || !flat_scan(json, len, rec)) {
		rec->root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
		if (rec->root == NULL)
			BAD("not JSON: %s (column %d)", jerr.text, jerr.column);
		if (!json_is_object(rec->root))
			BAD("not a JSON object");
	}
	found = opt_time(rec, "timestamp_start", &start);
	if (found < 0)
		BAD("timestamp_start: not a time (\"YYYY-MM-DD HH:MM:SS.ffffff\" or epoch seconds)");
	arrival = opt_time(rec, "timestamp_arrival", &x);
	if (arrival < 0)
		BAD("timestamp_arrival: not a time (\"YYYY-MM-DD HH:MM:SS.ffffff\" or epoch seconds)");
	if (arrival > 0)
		ROW_SET(r, event_created, x);
	if (found > 0) {
		ROW_SET(r, timestamp, start);
		ROW_SET(r, event_start, start);
	} else if (arrival > 0) {
		ROW_SET(r, timestamp, x);
	} else {
		BAD("missing timestamp_start (add timestamp_start or timestamp_arrival to pmacct's aggregate)");
	}
	end = opt_time(rec, "timestamp_end", &x);
	if (end < 0)
		BAD("timestamp_end: not a time (\"YYYY-MM-DD HH:MM:SS.ffffff\" or epoch seconds)");
	if (end > 0) {
		ROW_SET(r, event_end, x);
		if (found > 0 && x >= start)
			ROW_SET(r, event_duration, x - start);
	}
	ROW_SET(r, event_dataset, row_dataset_pmacct);
	if (get(rec, "event_type", &v)) {
		if (v.type != VAL_STR || strlen(v.s) >= sizeof(out->action))
			BAD("event_type: not a short string");
		snprintf(out->action, sizeof(out->action), "%s", v.s);
		ROW_SET(r, event_action, out->action);
	}
	found = opt_ip(rec, "ip_src", 0, &r->source_ip);
	if (found < 0)
		BAD("ip_src: not an IP address");
	if (found > 0) {
		r->has |= ROW_HAS_source_ip;
		ROW_SET(r, network_type, r->source_ip.family == 4 ? 0x0800 : 0x86dd);
	}
	found = opt_ip(rec, "ip_dst", 0, &r->destination_ip);
	if (found < 0)
		BAD("ip_dst: not an IP address");
	if (found > 0) {
		r->has |= ROW_HAS_destination_ip;
		ROW_SET(r, network_type, r->destination_ip.family == 4 ? 0x0800 : 0x86dd);
	}
	if (get(rec, "etype", &v)) {
		if (etype_of(&v, &x) < 0)
			BAD("etype: not an EtherType (hexadecimal, as \"800\")");
		if (x != 0)
			ROW_SET(r, network_type, (uint16_t)x);
	}
	for (const struct int_field *f = int_fields; f->key != NULL; f++) {
		if (!get(rec, f->key, &v))
			continue;
		if (int_of(&v, f->lo, f->hi, &x) < 0)
			BAD("%s: not %s", f->key, f->what);
		if (x == 0 && f->zero_absent)
			continue;
		*(int64_t *)((char *)r + f->offset) = x;
		r->has |= f->bit;
	}
	/* a record counts one direction, source to destination */
	if (r->has & ROW_HAS_network_bytes)
		ROW_SET(r, source_bytes, r->network_bytes);
	if (r->has & ROW_HAS_network_packets)
		ROW_SET(r, source_packets, r->network_packets);
	if (get(rec, "ip_proto", &v)) {
		if (proto_of(&v, &x) < 0)
			BAD("ip_proto: not a protocol name or number");
		ROW_SET(r, network_iana_number, x);
		if (decode_transport_name((unsigned)x) != NULL)
			ROW_SET(r, network_transport, decode_transport_name((unsigned)x));
	}
	if (get(rec, "vlan", &v)) {
		if (int_of(&v, 0, 4095, &x) < 0)
			BAD("vlan: not a VLAN id");
		if (x != 0) /* pmacct writes 0 for untagged traffic */
			ROW_SET(r, network_vlan_id, x);
	}
	if (get(rec, "cos", &v)) {
		if (int_of(&v, 0, 7, &x) < 0)
			BAD("cos: not an 802.1p priority (0 to 7)");
		if (x != 0 || (r->has & ROW_HAS_network_vlan_id)) /* untagged: pmacct writes 0 */
			ROW_SET(r, netflow_dot1q_priority, x);
	}
	if (get(rec, "mac_src", &v)) {
		if (v.type != VAL_STR || parse_mac(v.s, r->source_mac) < 0)
			BAD("mac_src: not a MAC address");
		r->has |= ROW_HAS_source_mac;
	}
	if (get(rec, "mac_dst", &v)) {
		if (v.type != VAL_STR || parse_mac(v.s, r->destination_mac) < 0)
			BAD("mac_dst: not a MAC address");
		r->has |= ROW_HAS_destination_mac;
	}
	found = opt_ip(rec, "peer_ip_src", 1, &r->observer_ip);
	if (found < 0)
		BAD("peer_ip_src: not an IP address");
	if (found > 0)
		r->has |= ROW_HAS_observer_ip;
	found = opt_ip(rec, "peer_ip_dst", 1, &r->netflow_bgp_next_hop_address);
	if (found < 0)
		BAD("peer_ip_dst: not an IP address");
	if (found > 0)
		r->has |= ROW_HAS_netflow_bgp_next_hop_address;
	for (int i = 0; i < 2; i++) {
		static const char *const keys[2][2] = { { "net_src", "mask_src" }, { "net_dst", "mask_dst" } };
		char *text = i == 0 ? r->netflow_source_prefix : r->netflow_destination_prefix;
		found = opt_prefix(rec, keys[i][0], keys[i][1], text, sizeof(r->netflow_source_prefix));
		if (found == -1)
			BAD("%s: not an IP address", keys[i][0]);
		if (found == -2)
			BAD("%s: not a prefix length (0 to 32 for IPv4, 0 to 128 for IPv6)", keys[i][1]);
		if (found > 0)
			r->has |= i == 0 ? ROW_HAS_netflow_source_prefix : ROW_HAS_netflow_destination_prefix;
	}
	ROW_SET(r, kafka_topic, topic);
	ROW_SET(r, kafka_partition, partition);
	ROW_SET(r, kafka_offset, offset);
	id_prefix(topic, partition, out->id_prefix);
	r->id_prefix = out->id_prefix;
	r->id_seq = (uint64_t)offset;
	communityid_fill_row(r); /* from the addresses, ports and protocol, as for a packet */
	rc = 0;
out:
	json_decref(rec->root);
	if (rec->buf != local)
		free(rec->buf);
	return rc;
}
