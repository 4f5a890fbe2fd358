/* The flow table: packet rows in, conversation records (event.dataset "pcap.flow") out.
 *
 * A conversation is keyed by (VLAN id, IP protocol, the two addresses and the two ports) put in
 * the order the Community ID spec puts them, so both directions meet in one entry; ICMP and
 * ICMPv6 pair a request with its reply by the spec's type/code mapping (other ICMP types are
 * one-way), protocols without ports (and non-first fragments) are keyed without ports. Frames
 * without an IPv4/IPv6 address pair make no flow.
 *
 * A record ends when (all in capture time, the clock being the latest capture time seen):
 *   - TCP: a RST, or a FIN seen in both directions, then FLOW_CLOSE_GRACE_NS more for the last ACKs;
 *   - no packet came for it for the idle timeout;
 *   - it has lasted the active timeout: the conversation so far is reported and a new record
 *     (same initiator) continues it, as NetFlow does;
 *   - the table is full (max_flows): the least recently seen flow is reported early ("evicted");
 *   - the caller ends the input (flow_table_flush: "end").
 * Everything depends on the packets and their order only, never on the wall clock, so the same
 * packets give the same records with the same ids on every run and machine. */
#ifndef PCAPSTREAM_FLOW_H
#define PCAPSTREAM_FLOW_H
#include <stddef.h>
#include <stdint.h>
#include "row.h"

#define FLOW_CLOSE_GRACE_NS 2000000000LL /* after FIN both ways or RST */
#define FLOW_IDLE_DEFAULT   "60s"
#define FLOW_ACTIVE_DEFAULT "10m"
#define FLOW_MAX_DEFAULT    "1000000"
#define FLOW_MAX_LIMIT	    100000000 /* --max-flows at most */

struct flow_config {
	int64_t idle_ns;
	int64_t active_ns;
	uint64_t max_flows;
};

struct flow_stats {
	uint64_t open;	  /* flows in the table now */
	uint64_t records; /* records reported since the table was made or cleared (not saved with it) */
	uint64_t evicted; /* of which reported early because the table was full */
};

/* Where records go: called once per record with a row whose strings live until the next call
 * into the table (copy what must live longer). 0, or -1 with err (the caller's failure: the
 * table stops and returns -1; it is then in an unspecified state, to be reloaded or freed). */
typedef int (*flow_emit_fn)(void *arg, const struct row *r, char *err, size_t errlen);

struct flow_table;

/* A new empty table for cfg (cfg->max_flows >= 1). Returns 0 and *out (flow_table_free frees),
 * or -1 with err (out of memory). */
int flow_table_new(const struct flow_config *cfg, struct flow_table **out, char *err, size_t errlen);

/* Account the packet row r (a "pcap" row) and report every record that ends by then. Returns 0,
 * or -1 with err when emit failed or memory ran out. */
int flow_table_add(struct flow_table *t, const struct row *r, flow_emit_fn emit, void *arg, char *err, size_t errlen);

/* flow_table_add for each of the n rows, in order, faster (the memory each lookup needs is fetched
 * a few rows ahead). emit must leave rows alone (write the records elsewhere). */
int flow_table_add_rows(struct flow_table *t, const struct row *rows, size_t n, flow_emit_fn emit, void *arg, char *err,
			size_t errlen);

/* Report every open flow (event.action "end") and empty the table. 0, or -1 with err. */
int flow_table_flush(struct flow_table *t, flow_emit_fn emit, void *arg, char *err, size_t errlen);

/* Empty the table (its open flows are dropped, not reported) and reset its clock and counters. */
void flow_table_clear(struct flow_table *t);

void flow_table_stats(const struct flow_table *t, struct flow_stats *st);

/* The most flows it holds (--max-flows). */
uint64_t flow_table_max(const struct flow_table *t);

void flow_table_free(struct flow_table *t);

#endif
