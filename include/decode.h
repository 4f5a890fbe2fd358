/* Frame decoder: link layer, IP and transport headers of one captured frame into a row.
 * Knows nothing about files, checkpoints or sinks. */
#ifndef PCAPSTREAM_DECODE_H
#define PCAPSTREAM_DECODE_H
#include <stdint.h>
#include "row.h"

/* Data link types handled beyond the frame level (libpcap DLT_ values). */
enum decode_dlt {
	DECODE_DLT_NULL = 0,
	DECODE_DLT_EN10MB = 1,
	DECODE_DLT_PPP = 9,
	DECODE_DLT_RAW = 12,
	DECODE_DLT_RAW_OPENBSD = 14,
	DECODE_DLT_PPP_SERIAL = 50,
	DECODE_DLT_PPP_ETHER = 51,
	DECODE_DLT_LINKTYPE_RAW = 101,
	DECODE_DLT_C_HDLC = 104,
	DECODE_DLT_IEEE802_11 = 105,
	DECODE_DLT_LOOP = 108,
	DECODE_DLT_LINUX_SLL = 113,
	DECODE_DLT_SUNATM = 123,
	DECODE_DLT_IEEE802_11_RADIO = 127,
	DECODE_DLT_IPV4 = 228,
	DECODE_DLT_IPV6 = 229,
	DECODE_DLT_LINUX_SLL2 = 276,
};

/* Decode the caplen bytes at pkt, captured with link type dlt, into r: addresses, ports,
 * protocol, VLAN, TCP flags, TTL/TOS, ICMP type/code, and the application names of the first
 * transport payload (DNS on UDP/TCP 53, 5353, 5355; HTTP/1.x and TLS ClientHello SNI on TCP; no
 * reassembly: what this frame holds). Only fields it decodes are set (their
 * presence bits or'ed into r->has); it never reads past pkt + caplen. Frame-level fields
 * (time, lengths, file, frame number, id) are the caller's, set before the call: for link
 * types with a capture pseudo-header (SunATM) network.bytes is reduced by its size. Returns 1 if the link type is
 * one it understands, 0 otherwise (r untouched). */
int decode_frame(int dlt, const uint8_t *pkt, uint32_t caplen, struct row *r);

/* Lowercase IANA keyword of IP protocol number proto ("tcp", "ipv6-icmp", ...), or NULL. */
const char *decode_transport_name(unsigned proto);

#endif
