/* Text formatting of row values for NDJSON and BSON: times, strings, addresses, integers.
 * Hand-written instead of printf: this is the hot path of every sink. */
#include <bson/bson.h>
#include <netinet/in.h>
#include <stdio.h>
#include "rowfmt.h"

static const char hexdig[] = "0123456789abcdef";
static const char hexup[] = "0123456789ABCDEF";

/* Two-digit lookup for integer formatting. */
static const char digits2[201] = "00010203040506070809"
				 "10111213141516171819"
				 "20212223242526272829"
				 "30313233343536373839"
				 "40414243444546474849"
				 "50515253545556575859"
				 "60616263646566676869"
				 "70717273747576777879"
				 "80818283848586878889"
				 "90919293949596979899";

static char *put_u64(char *p, uint64_t v)
{
	char tmp[24];
	char *t = tmp + sizeof(tmp);
	size_t n;

	while (v >= 100) {
		unsigned i = (unsigned)(v % 100) * 2;
		v /= 100;
		*--t = digits2[i + 1];
		*--t = digits2[i];
	}
	if (v >= 10) {
		unsigned i = (unsigned)v * 2;
		*--t = digits2[i + 1];
		*--t = digits2[i];
	} else {
		*--t = (char)('0' + v);
	}
	n = (size_t)(tmp + sizeof(tmp) - t);
	memcpy(p, t, n);
	return p + n;
}

char *rowfmt_i64(char *p, int64_t v)
{
	if (v < 0) {
		*p++ = '-';
		return put_u64(p, (uint64_t)0 - (uint64_t)v);
	}
	return put_u64(p, (uint64_t)v);
}

char *rowfmt_i64_str(char *p, int64_t v)
{
	*p++ = '"';
	p = rowfmt_i64(p, v);
	*p++ = '"';
	return p;
}

static char *put2(char *p, unsigned v)
{
	*p++ = digits2[v * 2];
	*p++ = digits2[v * 2 + 1];
	return p;
}

/* Days since 1970-01-01 to a civil date (H. Hinnant's algorithm, proleptic Gregorian). */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static char *put_time(char *p, int64_t ns)
{
	int64_t secs = rowfmt_floor_div(ns, 1000000000);
	uint32_t frac = (uint32_t)(ns - secs * 1000000000);
	int64_t days = rowfmt_floor_div(secs, 86400);
	unsigned sod = (unsigned)(secs - days * 86400);
	int64_t y;
	unsigned m, d;

	civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999) {
		/* Outside ISO-8601's four-digit years: clamp to keep the text parseable. */
		y = y < 0 ? 0 : 9999;
	}
	p = put2(p, (unsigned)(y / 100));
	p = put2(p, (unsigned)(y % 100));
	*p++ = '-';
	p = put2(p, m);
	*p++ = '-';
	p = put2(p, d);
	*p++ = 'T';
	p = put2(p, sod / 3600);
	*p++ = ':';
	p = put2(p, sod / 60 % 60);
	*p++ = ':';
	p = put2(p, sod % 60);
	*p++ = '.';
	p = put2(p, frac / 10000000);
	p = put2(p, frac / 100000 % 100);
	p = put2(p, frac / 1000 % 100);
	p = put2(p, frac / 10 % 100);
	*p++ = (char)('0' + frac % 10);
	*p++ = 'Z';
	return p;
}

char *rowfmt_time(char *p, int64_t ns)
{
	*p++ = '"';
	p = put_time(p, ns);
	*p++ = '"';
	return p;
}

size_t rowfmt_time_text(char *out, int64_t ns)
{
	char *e = put_time(out, ns);

	*e = '\0';
	return (size_t)(e - out);
}

int rowfmt_parse_time(const char *s, size_t n, int64_t *ns)
{
	static const unsigned mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d, h, mi, sec;
	int64_t frac = 0, secs;
	size_t i = 19;
	int fd = 0;

	if (n < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[n - 1] != 'Z')
		return -1;
	y = rowfmt_digits(s, 4);
	mo = rowfmt_digits(s + 5, 2);
	d = rowfmt_digits(s + 8, 2);
	h = rowfmt_digits(s + 11, 2);
	mi = rowfmt_digits(s + 14, 2);
	sec = rowfmt_digits(s + 17, 2);
	if (y < 0 || mo < 1 || mo > 12 || d < 1 || (unsigned)d > mdays[mo - 1] || h < 0 || h > 23 || mi < 0 ||
	    mi > 59 || sec < 0 || sec > 59)
		return -1;
	if (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return -1;
	if (s[i] == '.') {
		for (i++; i < n - 1 && fd < 9; i++, fd++) {
			if (s[i] < '0' || s[i] > '9')
				return -1;
			frac = frac * 10 + (s[i] - '0');
		}
		if (fd == 0)
			return -1;
		for (int k = fd; k < 9; k++)
			frac *= 10;
	}
	if (i != n - 1)
		return -1;
	secs = rowfmt_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + sec;
	if (__builtin_mul_overflow(secs, (int64_t)1000000000, ns) || __builtin_add_overflow(*ns, frac, ns))
		return -1;
	return 0;
}

size_t rowfmt_utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

char *rowfmt_str(char *p, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strnlen(s, ROW_STR_MAX);
	size_t i = 0;

	*p++ = '"';
	while (i < n) {
		unsigned c = u[i];
		if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
			*p++ = (char)c;
			i++;
			continue;
		}
		if (c == '"' || c == '\\') {
			*p++ = '\\';
			*p++ = (char)c;
			i++;
			continue;
		}
		if (c < 0x20) {
			p = rowfmt_lit(p, "\\u00", 4);
			*p++ = hexdig[c >> 4];
			*p++ = hexdig[c & 15];
			i++;
			continue;
		}
		size_t l = rowfmt_utf8_len(u + i, n - i);
		if (l == 0) {
			p = rowfmt_lit(p, "\\ufffd", 6);
			i++;
			continue;
		}
		memcpy(p, u + i, l);
		p += l;
		i += l;
	}
	*p++ = '"';
	return p;
}

int rowfmt_bson_str(bson_t *doc, const char *key, const char *s)
{
	char out[ROW_STR_MAX * 3 + 1];
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strnlen(s, ROW_STR_MAX);
	size_t i = 0, o = 0;

	while (i < n) {
		size_t l = u[i] == 0 ? 0 : rowfmt_utf8_len(u + i, n - i);
		if (l == 0) {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
			continue;
		}
		memcpy(out + o, u + i, l);
		o += l;
		i += l;
	}
	return bson_append_utf8(doc, key, -1, out, (int)o) ? 0 : -1;
}

static char *put_ipv4(char *p, const uint8_t a[4])
{
	for (int i = 0; i < 4; i++) {
		unsigned v = a[i];
		if (i)
			*p++ = '.';
		if (v >= 100) {
			*p++ = (char)('0' + v / 100);
			p = put2(p, v % 100);
		} else if (v >= 10) {
			p = put2(p, v);
		} else {
			*p++ = (char)('0' + v);
		}
	}
	return p;
}

/* An IPv6 address as glibc's inet_ntop writes it (RFC 5952): lowercase hex groups without leading
 * zeros, the first longest run of two or more zero groups as "::", and ::a.b.c.d / ::ffff:a.b.c.d
 * with the IPv4 part dotted. Written by hand: inet_ntop formats each group with sprintf. */
static char *put_ipv6(char *p, const uint8_t a[16])
{
	unsigned w[8];
	int best = -1, best_len = 0, cur = -1, cur_len = 0;

	for (int i = 0; i < 8; i++) {
		w[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
		if (w[i] == 0) {
			if (cur < 0) {
				cur = i;
				cur_len = 0;
			}
			cur_len++;
		} else if (cur >= 0) {
			if (best < 0 || cur_len > best_len) {
				best = cur;
				best_len = cur_len;
			}
			cur = -1;
		}
	}
	if (cur >= 0 && (best < 0 || cur_len > best_len)) {
		best = cur;
		best_len = cur_len;
	}
	if (best_len < 2)
		best = -1;
	for (int i = 0; i < 8; i++) {
		if (best >= 0 && i >= best && i < best + best_len) {
			if (i == best)
				*p++ = ':';
			continue;
		}
		if (i != 0)
			*p++ = ':';
		if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && w[5] == 0xffff)))
			return put_ipv4(p, a + 12);
		int started = 0;
		for (int sh = 12; sh >= 0; sh -= 4) {
			unsigned d = (w[i] >> sh) & 15;
			if (d != 0 || started || sh == 0) {
				*p++ = hexdig[d];
				started = 1;
			}
		}
	}
	if (best >= 0 && best + best_len == 8)
		*p++ = ':';
	return p;
}

char *rowfmt_ip(char *p, const struct row_ip *ip)
{
	*p++ = '"';
	p = ip->family == 4 ? put_ipv4(p, ip->addr) : put_ipv6(p, ip->addr);
	*p++ = '"';
	return p;
}

char *rowfmt_mac(char *p, const uint8_t mac[6])
{
	*p++ = '"';
	for (int i = 0; i < 6; i++) {
		if (i)
			*p++ = '-';
		*p++ = hexup[mac[i] >> 4];
		*p++ = hexup[mac[i] & 15];
	}
	*p++ = '"';
	return p;
}

char *rowfmt_id(char *p, const char *prefix, uint64_t seq)
{
	size_t n = prefix ? strnlen(prefix, 64) : 0;

	*p++ = '"';
	if (n > 0) {
		memcpy(p, prefix, n);
		p += n;
	}
	*p++ = '-';
	p = put_u64(p, seq);
	*p++ = '"';
	return p;
}

char *rowfmt_ethertype(char *p, uint16_t type)
{
	const char *name = NULL;

	switch (type) {
	case 0x0800:
		name = "ipv4";
		break;
	case 0x86dd:
		name = "ipv6";
		break;
	case 0x0806:
		name = "arp";
		break;
	case 0x8035:
		name = "rarp";
		break;
	case 0x88cc:
		name = "lldp";
		break;
	case 0x8847:
	case 0x8848:
	case ROWFMT_NET_MPLS:
		name = "mpls";
		break;
	case 0x8863:
	case 0x8864:
		name = "pppoe";
		break;
	case 0x8100:
	case 0x88a8:
		name = "vlan";
		break;
	case ROWFMT_NET_LLC:
		name = "llc";
		break;
	case ROWFMT_NET_PPP:
		name = "ppp";
		break;
	default:
		break;
	}
	*p++ = '"';
	if (name != NULL) {
		size_t n = strlen(name);
		memcpy(p, name, n);
		p += n;
	} else {
		p = rowfmt_lit(p, "0x", 2);
		*p++ = hexdig[(type >> 12) & 15];
		*p++ = hexdig[(type >> 8) & 15];
		*p++ = hexdig[(type >> 4) & 15];
		*p++ = hexdig[type & 15];
	}
	*p++ = '"';
	return p;
}

int64_t rowfmt_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + (int64_t)doe - 719468;
}

int rowfmt_digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}
