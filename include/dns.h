/* DNS messages (RFC 1035; mDNS and LLMNR share the format): the names a row carries. */
#ifndef PCAPSTREAM_DNS_H
#define PCAPSTREAM_DNS_H
#include <stddef.h>
#include <stdint.h>
#include "row.h"

/* 1 if a UDP or TCP port is one DNS is carried on: 53 (DNS), 5353 (mDNS), 5355 (LLMNR). */
int dns_port(unsigned port);

/* Read the DNS message of n bytes at p (n may be less than the message: the frame was cut or the
 * message continues in a later segment) into r: dns.id, dns.response_code (responses only), and
 * the first question's name and type. Sets only the fields it could read whole; never reads past
 * p + n (as tshark, a message cut short still gives its id, and its response code from 4 bytes on).
 * Returns 1 if p holds at least the id, 0 otherwise (r untouched). */
int dns_parse(const uint8_t *p, size_t n, struct row *r);

/* The same for DNS over TCP: a 2-byte length, then the message. Messages whose length cannot be a
 * DNS message (under 12 bytes) are not read. */
int dns_parse_tcp(const uint8_t *p, size_t n, struct row *r);

/* The mnemonic of query type t ("A", "AAAA", ...), or NULL for one without a mnemonic. */
const char *dns_type_name(unsigned t);

#endif
