/* TLS ClientHello (RFC 8446 4.1.2, RFC 5246 7.4.1.2) up to the server_name extension (RFC 6066). */
#include <string.h>
#include "tls.h"

static unsigned rd16(const uint8_t *p)
{
	return (unsigned)((p[0] << 8) | p[1]);
}

/* The server_name extension's body (len bytes at p): the first host_name entry into r. */
static void server_name(const uint8_t *p, size_t len, struct row *r)
{
	size_t list, off = 2;

	if (len < 2)
		return;
	list = rd16(p);
	if (list + 2 < len)
		len = list + 2;
	while (off + 3 <= len) {
		unsigned type = p[off];
		size_t nl = rd16(p + off + 1);
		if (off + 3 + nl > len)
			return;
		if (type == 0) {
			if (nl == 0 || nl >= sizeof(r->tls_client_server_name))
				return;
			memcpy(r->tls_client_server_name, p + off + 3, nl);
			r->tls_client_server_name[nl] = '\0';
			if (memchr(r->tls_client_server_name, '\0', nl) != NULL)
				return; /* a NUL inside: not a host name */
			r->has |= ROW_HAS_tls_client_server_name;
			return;
		}
		off += 3 + nl;
	}
}

int tls_parse(const uint8_t *p, size_t n, struct row *r)
{
	size_t end, off, rec;

	/* record header: type 22 (handshake), version 3.0-3.4, length; handshake type 1 */
	if (n < 6 || p[0] != 22 || p[1] != 3 || p[2] > 4 || p[5] != 1)
		return 0;
	rec = rd16(p + 3);
	end = 5 + rec < n ? 5 + rec : n;
	/* handshake header (4), client_version (2), random (32) */
	off = 5 + 4 + 2 + 32;
	if (off + 1 > end)
		return 1;
	off += 1 + p[off]; /* session id */
	if (off + 2 > end)
		return 1;
	off += 2 + rd16(p + off); /* cipher suites */
	if (off + 1 > end)
		return 1;
	off += 1 + p[off]; /* compression methods */
	if (off + 2 > end)
		return 1;
	if (off + 2 + rd16(p + off) < end)
		end = off + 2 + rd16(p + off); /* the extensions' own length */
	off += 2;
	while (off + 4 <= end) {
		unsigned type = rd16(p + off);
		size_t len = rd16(p + off + 2);
		if (off + 4 + len > end)
			return 1; /* cut */
		if (type == 0) {
			server_name(p + off + 4, len, r);
			return 1;
		}
		off += 4 + len;
	}
	return 1;
}
