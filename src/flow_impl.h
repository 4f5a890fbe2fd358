/* The flow table's insides, shared by flow.c (the table) and flowstate.c (saving and loading it).
 * Nothing else includes this: the rest of the program sees struct flow_table as opaque. */
#ifndef PCAPSTREAM_FLOW_IMPL_H
#define PCAPSTREAM_FLOW_IMPL_H
#include <stddef.h>
#include <stdint.h>
#include "flow.h"

#define FLOW_KEY_LEN 44 /* the key as bytes: vlan 4, family, proto, has_ports, 0, ports 2+2, addrs 16+16 */

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_ACK 0x10

enum flow_end { END_NONE, END_FIN, END_RST, END_IDLE, END_ACTIVE, END_EVICTED, END_END };
static const char *const end_names[] = { "", "fin", "rst", "idle", "active", "evicted", "end" };

/* The names a flow has seen (first value of each), allocated when the first one comes. */
struct flow_names {
	char *dns_name;
	char *domain;
	char *sni;
	char dns_type[16];
};

struct flow {
	struct flow *hnext;	    /* hash chain */
	struct flow *prev, *next;   /* seen list: head = least recently seen */
	struct flow *cprev, *cnext; /* closing list, when closing */
	uint8_t key[FLOW_KEY_LEN];  /* the ordered tuple: side a, then side b */
	uint64_t hash;
	int64_t start, last, close_at;
	uint64_t bytes[2], packets[2]; /* [0]: sent by the initiator */
	uint8_t init_is_b;	       /* the initiator is the key's side b */
	uint8_t fin;		       /* bit 0: FIN sent by side a, bit 1: by side b */
	uint8_t closing;	       /* END_NONE, END_FIN or END_RST */
	uint8_t has_tcp, has_icmp, has_mac;
	uint16_t tcp_flags;
	uint8_t icmp_type, icmp_code;	/* of the first packet */
	uint8_t mac_src[6], mac_dst[6]; /* of the first packet, as the initiator sends it */
	uint16_t network_type;
	struct flow_names *names;
	uint64_t idx; /* its place in the seen list, while saving */
};

/* What a packet row says, taken from it before anything is emitted (emitting may reuse it). */
struct flow_pkt {
	uint8_t key[FLOW_KEY_LEN];
	uint64_t hash;
	int dir; /* 0: sent by side a, 1: by side b */
	int64_t ts;
	uint64_t len;
	int has_tcp, has_icmp, has_mac;
	uint16_t tcp_flags;
	uint8_t icmp_type, icmp_code;
	uint8_t mac_src[6], mac_dst[6];
	uint16_t network_type;
	const char *dns_name, *dns_type, *domain, *sni; /* into names_buf, or NULL */
	char names_buf[512 + 16 + 256 + 256];
};

struct flow_table {
	struct flow_config cfg;
	struct flow **buckets;
	size_t mask;
	size_t max_buckets;	    /* the array grows with the flows up to this (a power of 2 >= max_flows) */
	struct flow *head, *tail;   /* seen list */
	struct flow *chead, *ctail; /* closing list */
	uint64_t count;
	int64_t clock; /* latest capture time seen */
	int has_clock;
	uint64_t records, evicted;
	struct flow_pkt pkt;
	struct row out;
	char id[17];
};

/* The hash of a key, for the table's buckets only (never stored or shown): a few multiplications. */
uint64_t flow_key_hash(const uint8_t key[FLOW_KEY_LEN]);

/* Put f into the hash (growing it when due) and at the end of the seen list; count it. */
void flow_link(struct flow_table *t, struct flow *f);

/* Append f (whose closing is set) to the closing list. */
void flow_closing_append(struct flow_table *t, struct flow *f);

/* Free a flow's names (NULL accepted). */
void flow_names_free(struct flow_names *n);

/* Copy src into dst (cap bytes), cut to fit, NUL-terminated. */
void flow_copy_text(char *dst, size_t cap, const char *src);

#endif
