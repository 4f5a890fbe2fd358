/* TLS: the server name (SNI) of a ClientHello. */
#ifndef PCAPSTREAM_TLS_H
#define PCAPSTREAM_TLS_H
#include <stddef.h>
#include <stdint.h>
#include "row.h"

/* Read the n bytes of TCP payload at p into r when they start with a TLS handshake record
 * (content type 22, version 3.x) holding a ClientHello (TLS 1.0 to 1.3; 1.3 hides behind 3.1/3.3
 * in the record): sets tls.client.server_name from its server_name extension (host_name) when the
 * extension lies whole within the n bytes. Never reads past p + n. Returns 1 if the payload starts
 * with a ClientHello, 0 otherwise (r untouched). */
int tls_parse(const uint8_t *p, size_t n, struct row *r);

#endif
