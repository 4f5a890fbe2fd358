/* HTTP/1.x request and status lines, the Host header. No reassembly: what the segment holds. */
#include <string.h>
#include "http.h"

/* Request methods recognised at the start of a payload (RFC 9110, WebDAV, SSDP/UPnP, PATCH). */
static const char *const methods[] = {
	"GET",	    "POST",	 "HEAD",      "PUT",	     "DELETE",	   "OPTIONS",  "CONNECT", "TRACE",  "PATCH",
	"PROPFIND", "PROPPATCH", "MKCOL",     "COPY",	     "MOVE",	   "LOCK",     "UNLOCK",  "SEARCH", "REPORT",
	"NOTIFY",   "M-SEARCH",	 "SUBSCRIBE", "UNSUBSCRIBE", "MKACTIVITY", "CHECKOUT", "MERGE",	  NULL,
};

/* Length of the line at p (up to, not including, CR LF or LF), or -1 if no line end within n. */
static long line_len(const uint8_t *p, size_t n)
{
	const uint8_t *nl = memchr(p, '\n', n);

	if (nl == NULL)
		return -1;
	return (long)(nl - p) - (nl > p && nl[-1] == '\r');
}

/* Copy the target at t (len bytes) into r's url.path: the path, without query or fragment; an
 * absolute-form target loses its scheme and authority. An authority-form target (CONNECT) or
 * "*" gives no path. */
static void set_path(const uint8_t *t, size_t len, struct row *r)
{
	const uint8_t *q;
	size_t i;

	if (len >= 7 && t[0] != '/' && memchr(t, ':', len) != NULL) {
		q = memchr(t, ':', len);
		if ((size_t)(q - t) + 3 <= len && q[1] == '/' && q[2] == '/') {
			/* absolute-form: skip scheme://authority */
			const uint8_t *a = q + 3, *end = t + len, *slash = memchr(a, '/', (size_t)(end - a));
			if (slash == NULL)
				return;
			len = (size_t)(end - slash);
			t = slash;
		}
	}
	if (len == 0 || t[0] != '/')
		return;
	for (i = 0; i < len && t[i] != '?' && t[i] != '#'; i++)
		;
	if (i >= sizeof(r->url_path))
		return; /* longer than a row holds */
	memcpy(r->url_path, t, i);
	r->url_path[i] = '\0';
	r->has |= ROW_HAS_url_path;
}

/* Find the Host header among the header lines at p (n bytes) and set url.domain: the value
 * without surrounding blanks, without a port, an IPv6 literal without its brackets. */
static void set_host(const uint8_t *p, size_t n, struct row *r)
{
	while (n > 0) {
		long l = line_len(p, n);
		size_t adv;
		if (l <= 0)
			return; /* end of the headers, or a line cut by the end of the segment */
		adv = (size_t)l;
		if (adv >= 5 && (p[0] | 0x20) == 'h' && (p[1] | 0x20) == 'o' && (p[2] | 0x20) == 's' &&
		    (p[3] | 0x20) == 't' && p[4] == ':') {
			const uint8_t *v = p + 5, *e = p + adv;
			while (v < e && (*v == ' ' || *v == '\t'))
				v++;
			while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
				e--;
			if (v < e && *v == '[') {
				const uint8_t *rb = memchr(v, ']', (size_t)(e - v));
				if (rb == NULL)
					return;
				v++;
				e = rb;
			} else if (e > v) {
				const uint8_t *c = memchr(v, ':', (size_t)(e - v));
				if (c != NULL)
					e = c;
			}
			if (e > v && (size_t)(e - v) < sizeof(r->url_domain)) {
				memcpy(r->url_domain, v, (size_t)(e - v));
				r->url_domain[e - v] = '\0';
				r->has |= ROW_HAS_url_domain;
			}
			return;
		}
		adv = (size_t)(memchr(p, '\n', n) - (const void *)p) + 1;
		p += adv;
		n -= adv;
	}
}

/* 1 if p (n bytes) starts with "HTTP/1." and a digit. */
static int http1_version(const uint8_t *p, size_t n)
{
	return n >= 8 && memcmp(p, "HTTP/1.", 7) == 0 && p[7] >= '0' && p[7] <= '9';
}

static int parse_status(const uint8_t *p, size_t n, struct row *r)
{
	if (n < 12 || p[8] != ' ')
		return 1;
	if (p[9] < '1' || p[9] > '9' || p[10] < '0' || p[10] > '9' || p[11] < '0' || p[11] > '9')
		return 1;
	if (n > 12 && p[12] != ' ' && p[12] != '\r' && p[12] != '\n')
		return 1;
	ROW_SET(r, http_response_status_code, (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0'));
	return 1;
}

int http_parse(const uint8_t *p, size_t n, struct row *r)
{
	const char *method = NULL;
	size_t ml = 0, t0, t1;

	if (n < 4 || p[0] < 'A' || p[0] > 'Z')
		return 0;
	if (p[0] == 'H' && http1_version(p, n))
		return parse_status(p, n, r);
	for (const char *const *m = methods; *m != NULL; m++) {
		size_t l;
		if ((*m)[0] != (char)p[0])
			continue;
		l = strlen(*m);
		if (n > l && p[l] == ' ' && memcmp(p, *m, l) == 0) {
			method = *m;
			ml = l;
			break;
		}
	}
	if (method == NULL)
		return 0;
	ROW_SET(r, http_request_method, method);
	t0 = ml + 1;
	for (t1 = t0; t1 < n && p[t1] != ' ' && p[t1] != '\r' && p[t1] != '\n'; t1++)
		;
	if (t1 >= n || p[t1] != ' ')
		return 1; /* the target is cut by the end of the segment: the method only */
	{
		/* the version, or as much of "HTTP/1." as the segment holds */
		size_t rest = n - t1 - 1, k = rest < 7 ? rest : 7;
		if (memcmp(p + t1 + 1, "HTTP/1.", k) != 0 || (rest >= 8 && !http1_version(p + t1 + 1, rest)))
			return 1; /* not HTTP/1.x (HTTP/2's preface, or another protocol): the method only */
	}
	set_path(p + t0, t1 - t0, r);
	{
		long l = line_len(p, n);
		if (l < 0)
			return 1;
		size_t adv = (size_t)(memchr(p, '\n', n) - (const void *)p) + 1;
		set_host(p + adv, n - adv, r);
	}
	return 1;
}
