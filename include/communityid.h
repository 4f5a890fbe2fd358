/* Community ID v1 flow hash (https://github.com/corelight/community-id-spec): SHA-1 of the seed and
 * the ordered flow tuple, base64, prefixed with "1:". Process-wide seed, default 0. */
#ifndef PCAPSTREAM_COMMUNITYID_H
#define PCAPSTREAM_COMMUNITYID_H
#include <stddef.h>
#include <stdint.h>
#include "row.h"

/* Length of an ID: "1:" + 28 base64 characters (a buffer needs one more byte, for the NUL). */
#define COMMUNITYID_LEN 30

/* A flow tuple as the spec hashes it. For ICMP (1) and ICMPv6 (58) sport/dport are the message
 * type and code (the spec's type/code mapping is applied by communityid_compute). */
struct communityid_tuple {
	int family; /* 4 or 6 */
	uint8_t saddr[16];
	uint8_t daddr[16];
	uint8_t proto;
	int has_ports; /* 0: hashed without ports */
	uint16_t sport;
	uint16_t dport;
};

/* Set the seed every later computation uses (process-wide; 0 until set). */
void communityid_set_seed(uint16_t seed);

/* The seed in use. */
uint16_t communityid_seed(void);

/* Parse a seed given on a command line: a decimal integer 0..65535. Returns 0 and sets *seed, or
 * -1 with the reason in err. */
int communityid_parse_seed(const char *s, uint16_t *seed, char *err, size_t errlen);

/* Write the Community ID of t with seed into out (COMMUNITYID_LEN + 1 bytes, NUL-terminated).
 * Returns 0, or -1 (out set to "") when t cannot be hashed (family not 4/6). */
int communityid_compute(const struct communityid_tuple *t, uint16_t seed, char *out);

/* Set r->network_community_id from r's own fields (source/destination ip, network.iana_number,
 * ports, icmp type/code) with the process-wide seed, for any row (pcap or pmacct). Leaves the
 * field absent when the spec's inputs are not all there: no address pair of one family, no
 * protocol number, or a TCP/UDP/SCTP row without both ports, an ICMP/ICMPv6 row without type and
 * code. Other protocols hash without ports. Returns 1 if the field was set, 0 otherwise. */
int communityid_fill_row(struct row *r);

/* The spec's order of a tuple: addresses of alen bytes, ports (has_ports; for ICMP (1) and ICMPv6
 * (58) the message type in sport and code in *dport). Applies the ICMP type/code mapping (*dport
 * becomes the counterpart type of a request/response pair) and returns 1 when the two sides are to
 * be swapped (source last), 0 when not (a one-way ICMP type never is). The ID hashes the tuple in
 * this order; the flow table keys conversations by it. */
int communityid_order(unsigned proto, size_t alen, const uint8_t *sa, const uint8_t *da, int has_ports, uint16_t sport,
		      uint16_t *dport);

/* SHA-1 of len bytes at data into out (20 bytes); exported for its test vectors. force_portable
 * non-zero skips the SHA-NI path (so the tests cover both). */
void communityid_sha1(const void *data, size_t len, uint8_t out[20], int force_portable);

#endif
