/* The flow table: conversations from packet rows, their ends, ids, and the saved table. */
#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "communityid.h"
#include "fileflows.h"
#include "flow.h"
#include "flowstate.h"
#include "suites.h"

#define MS     1000000LL
#define NOTIME INT64_MIN /* a frame without a capture time (pcapng simple packet block) */
#define S      1000000000LL

/* A packet as the decoder would give it: time (ms), addresses, ports (-1: none), protocol,
 * TCP flags (-1: not TCP), ICMP type/code (-1: none), VLAN (-1: none), frame length. */
struct tpkt {
	int64_t ms;
	const char *src;
	int sport;
	const char *dst;
	int dport;
	int proto;
	int flags;
	int icmp_type, icmp_code;
	int vlan;
	int len;
	const char *sni; /* a TLS server name the frame carries, or NULL */
};

#define END_PKTS                                                                                                       \
	{                                                                                                              \
		.src = NULL                                                                                            \
	}

/* A record as the test expects it. */
struct trec {
	const char *action;
	const char *src;
	int sport;
	const char *dst;
	int dport;
	int64_t start_ms, end_ms;
	int spkts, sbytes, dpkts, dbytes;
	int flags; /* union, -1: absent */
	const char *sni;
};

#define END_RECS                                                                                                       \
	{                                                                                                              \
		.action = NULL                                                                                         \
	}

/* Every record the table reports, copied (ids kept in their own buffers). */
struct sink {
	struct row rows[64];
	char ids[64][40];
	int n;
};

static int collect(void *arg, const struct row *r, char *err, size_t errlen)
{
	struct sink *s = arg;

	(void)err;
	(void)errlen;
	ck_assert_int_lt(s->n, 64);
	s->rows[s->n] = *r;
	snprintf(s->ids[s->n], sizeof(s->ids[0]), "%s-%llu", r->id_prefix, (unsigned long long)r->id_seq);
	s->n++;
	return 0;
}

static void set_addr(struct row_ip *ip, const char *s)
{
	memset(ip, 0, sizeof(*ip));
	if (inet_pton(AF_INET, s, ip->addr) == 1)
		ip->family = 4;
	else if (inet_pton(AF_INET6, s, ip->addr) == 1)
		ip->family = 6;
	else
		ck_abort_msg("bad address %s", s);
}

static void make_row(struct row *r, const struct tpkt *p)
{
	memset(r, 0, sizeof(*r));
	if (p->ms != NOTIME)
		ROW_SET(r, timestamp, p->ms * MS);
	ROW_SET(r, event_dataset, row_dataset_pcap);
	set_addr(&r->source_ip, p->src);
	set_addr(&r->destination_ip, p->dst);
	r->has |= ROW_HAS_source_ip | ROW_HAS_destination_ip;
	ROW_SET(r, network_iana_number, p->proto);
	ROW_SET(r, network_bytes, p->len);
	ROW_SET(r, network_packets, 1);
	if (p->sport >= 0) {
		ROW_SET(r, source_port, p->sport);
		ROW_SET(r, destination_port, p->dport);
	}
	if (p->flags >= 0)
		ROW_SET(r, tcp_flags, p->flags);
	if (p->icmp_type >= 0) {
		ROW_SET(r, icmp_type, p->icmp_type);
		ROW_SET(r, icmp_code, p->icmp_code);
	}
	if (p->vlan >= 0)
		ROW_SET(r, network_vlan_id, p->vlan);
	if (p->sni != NULL) {
		snprintf(r->tls_client_server_name, sizeof(r->tls_client_server_name), "%s", p->sni);
		r->has |= ROW_HAS_tls_client_server_name;
	}
	r->id_prefix = "0000000000000000";
}

static void feed(struct flow_table *t, const struct tpkt *p, struct sink *s)
{
	char err[256];
	struct row r;

	for (; p->src != NULL; p++) {
		make_row(&r, p);
		ck_assert_msg(flow_table_add(t, &r, collect, s, err, sizeof(err)) == 0, "add: %s", err);
	}
}

static void ip_text(const struct row_ip *ip, char *out)
{
	inet_ntop(ip->family == 4 ? AF_INET : AF_INET6, ip->addr, out, 64);
}

static void expect(const struct sink *s, const struct trec *want)
{
	int n = 0;

	for (; want[n].action != NULL; n++) {
		const struct row *r = &s->rows[n];
		const struct trec *w = &want[n];
		char a[64], b[64];
		ck_assert_int_lt(n, s->n);
		ck_assert_str_eq(r->event_dataset, "pcap.flow");
		ck_assert_str_eq(r->event_action, w->action);
		ip_text(&r->source_ip, a);
		ip_text(&r->destination_ip, b);
		ck_assert_str_eq(a, w->src);
		ck_assert_str_eq(b, w->dst);
		if (w->sport >= 0) {
			ck_assert_int_eq(r->source_port, w->sport);
			ck_assert_int_eq(r->destination_port, w->dport);
		} else {
			ck_assert(!(r->has & ROW_HAS_source_port));
		}
		ck_assert_int_eq(r->event_start, w->start_ms * MS);
		ck_assert_int_eq(r->timestamp, w->start_ms * MS);
		ck_assert_int_eq(r->event_end, w->end_ms * MS);
		ck_assert_int_eq(r->event_duration, (w->end_ms - w->start_ms) * MS);
		ck_assert_int_eq(r->source_packets, w->spkts);
		ck_assert_int_eq(r->source_bytes, w->sbytes);
		ck_assert_int_eq(r->destination_packets, w->dpkts);
		ck_assert_int_eq(r->destination_bytes, w->dbytes);
		ck_assert_int_eq(r->network_packets, w->spkts + w->dpkts);
		ck_assert_int_eq(r->network_bytes, w->sbytes + w->dbytes);
		if (w->flags >= 0)
			ck_assert_int_eq(r->tcp_flags, w->flags);
		else
			ck_assert(!(r->has & ROW_HAS_tcp_flags));
		if (w->sni != NULL)
			ck_assert_str_eq(r->tls_client_server_name, w->sni);
		else
			ck_assert(!(r->has & ROW_HAS_tls_client_server_name));
	}
	ck_assert_int_eq(s->n, n);
}

#define TCP(ms, a, ap, b, bp, fl, len)                                                                                 \
	{                                                                                                              \
		ms, a, ap, b, bp, 6, fl, -1, -1, -1, len, NULL                                                         \
	}
#define UDP(ms, a, ap, b, bp, len)                                                                                     \
	{                                                                                                              \
		ms, a, ap, b, bp, 17, -1, -1, -1, -1, len, NULL                                                        \
	}

#define CFG_DEFAULT                                                                                                    \
	{                                                                                                              \
		.idle_ns = 60 * S, .active_ns = 600 * S, .max_flows = 1000                                             \
	}
static const struct flow_config cfg_default = CFG_DEFAULT;

/* One table case: packets in, records out (with the table flushed at the end when flush). */
struct flow_case {
	const char *name;
	struct flow_config cfg;
	struct tpkt pkts[16];
	int flush;
	struct trec recs[6];
};

static const struct flow_case cases[] = {
	{ "tcp: SYN sender is the initiator; FIN both ways ends it after the grace, counted both ways",
	  CFG_DEFAULT,
	  { TCP(1000, "10.0.0.2", 40000, "10.0.0.1", 443, 0x02, 74),  /* SYN */
	    TCP(1001, "10.0.0.1", 443, "10.0.0.2", 40000, 0x12, 74),  /* SYN-ACK */
	    TCP(1002, "10.0.0.2", 40000, "10.0.0.1", 443, 0x10, 66),  /* ACK */
	    TCP(1003, "10.0.0.2", 40000, "10.0.0.1", 443, 0x18, 566), /* data */
	    TCP(1004, "10.0.0.1", 443, "10.0.0.2", 40000, 0x11, 66),  /* FIN-ACK */
	    TCP(1005, "10.0.0.2", 40000, "10.0.0.1", 443, 0x11, 66),  /* FIN-ACK */
	    TCP(1006, "10.0.0.1", 443, "10.0.0.2", 40000, 0x10, 66),  /* last ACK, in the grace */
	    UDP(3007, "10.0.0.9", 5000, "10.0.0.8", 53, 80),	      /* 2 s later: the grace is over */
	    END_PKTS },
	  0,
	  { { "fin", "10.0.0.2", 40000, "10.0.0.1", 443, 1000, 1006, 4, 772, 3, 206, 0x1b, NULL }, END_RECS } },
	{ "tcp: a SYN-ACK seen first was answering its receiver's SYN; RST ends it",
	  CFG_DEFAULT,
	  { TCP(1000, "10.0.0.1", 443, "10.0.0.2", 40000, 0x12, 74), /* SYN-ACK */
	    TCP(1001, "10.0.0.2", 40000, "10.0.0.1", 443, 0x04, 60), /* RST */
	    UDP(4000, "10.0.0.9", 5000, "10.0.0.8", 53, 80), END_PKTS },
	  0,
	  { { "rst", "10.0.0.2", 40000, "10.0.0.1", 443, 1000, 1001, 1, 60, 1, 74, 0x16, NULL }, END_RECS } },
	{ "udp: the first packet's sender is the initiator; idle ends it; names kept",
	  CFG_DEFAULT,
	  { { 1000, "192.168.1.1", 53, "192.168.1.7", 5353, 17, -1, -1, -1, -1, 90, NULL }, /* answer first */
	    { 1500, "192.168.1.7", 5353, "192.168.1.1", 53, 17, -1, -1, -1, -1, 70, "a.example" },
	    UDP(62000, "10.0.0.9", 5000, "10.0.0.8", 53, 80), /* 60.5 s after the last: idle */
	    END_PKTS },
	  0,
	  { { "idle", "192.168.1.1", 53, "192.168.1.7", 5353, 1000, 1500, 1, 90, 1, 70, -1, "a.example" }, END_RECS } },
	{ "active timeout: reported at 10 s, a new record (same initiator) continues it",
	  { .idle_ns = 60 * S, .active_ns = 10 * S, .max_flows = 1000 },
	  { UDP(0, "10.0.0.1", 1000, "10.0.0.2", 2000, 100), UDP(6000, "10.0.0.2", 2000, "10.0.0.1", 1000, 200),
	    UDP(10000, "10.0.0.2", 2000, "10.0.0.1", 1000, 300), /* 10 s after the start */
	    UDP(12000, "10.0.0.1", 1000, "10.0.0.2", 2000, 400), END_PKTS },
	  1,
	  { { "active", "10.0.0.1", 1000, "10.0.0.2", 2000, 0, 6000, 1, 100, 1, 200, -1, NULL },
	    { "end", "10.0.0.1", 1000, "10.0.0.2", 2000, 10000, 12000, 1, 400, 1, 300, -1, NULL },
	    END_RECS } },
	{ "icmp: echo request and reply are one flow; an unreachable is one-way, without ports",
	  CFG_DEFAULT,
	  { { 1000, "10.0.0.1", -1, "10.0.0.2", -1, 1, -1, 8, 0, -1, 98, NULL }, /* echo request */
	    { 1001, "10.0.0.2", -1, "10.0.0.1", -1, 1, -1, 0, 0, -1, 98, NULL }, /* echo reply */
	    { 1002, "10.0.0.9", -1, "10.0.0.1", -1, 1, -1, 3, 1, -1, 70, NULL }, /* host unreachable */
	    { 1003, "10.0.0.1", -1, "10.0.0.9", -1, 1, -1, 3, 1, -1, 70, NULL }, /* the other way: its own */
	    END_PKTS },
	  1,
	  { { "end", "10.0.0.1", -1, "10.0.0.2", -1, 1000, 1001, 1, 98, 1, 98, -1, NULL },
	    { "end", "10.0.0.9", -1, "10.0.0.1", -1, 1002, 1002, 1, 70, 0, 0, -1, NULL },
	    { "end", "10.0.0.1", -1, "10.0.0.9", -1, 1003, 1003, 1, 70, 0, 0, -1, NULL },
	    END_RECS } },
	{ "vlan and ports: the same addresses on two VLANs, a fragment without ports: three flows",
	  CFG_DEFAULT,
	  { { 1000, "10.0.0.1", 1, "10.0.0.2", 2, 17, -1, -1, -1, 10, 100, NULL },
	    { 1001, "10.0.0.2", 2, "10.0.0.1", 1, 17, -1, -1, -1, 20, 100, NULL },
	    { 1002, "10.0.0.1", -1, "10.0.0.2", -1, 17, -1, -1, -1, 10, 60, NULL }, /* non-first fragment */
	    END_PKTS },
	  1,
	  { { "end", "10.0.0.1", 1, "10.0.0.2", 2, 1000, 1000, 1, 100, 0, 0, -1, NULL },
	    { "end", "10.0.0.2", 2, "10.0.0.1", 1, 1001, 1001, 1, 100, 0, 0, -1, NULL },
	    { "end", "10.0.0.1", -1, "10.0.0.2", -1, 1002, 1002, 1, 60, 0, 0, -1, NULL },
	    END_RECS } },
	{ "a first frame without a capture time: its flow starts at the first frame that has one",
	  CFG_DEFAULT,
	  { TCP(NOTIME, "10.0.0.2", 40000, "10.0.0.1", 443, 0x02, 74),
	    TCP(1000, "10.0.0.1", 443, "10.0.0.2", 40000, 0x12, 74),
	    TCP(1001, "10.0.0.2", 40000, "10.0.0.1", 443, 0x10, 66), END_PKTS },
	  1,
	  { { "end", "10.0.0.2", 40000, "10.0.0.1", 443, 1000, 1001, 2, 140, 1, 74, 0x12, NULL }, END_RECS } },
	{ "active timeout: the continuation keeps the FIN seen before and the names",
	  { .idle_ns = 60 * S, .active_ns = 10 * S, .max_flows = 1000 },
	  { TCP(0, "10.0.0.2", 40000, "10.0.0.1", 443, 0x02, 74),
	    { 1, "10.0.0.2", 40000, "10.0.0.1", 443, 6, 0x18, -1, -1, -1, 300, "tls.example" },
	    TCP(5000, "10.0.0.2", 40000, "10.0.0.1", 443, 0x11, 66),  /* the initiator's FIN */
	    TCP(10000, "10.0.0.1", 443, "10.0.0.2", 40000, 0x10, 66), /* 10 s: a new record */
	    TCP(11000, "10.0.0.1", 443, "10.0.0.2", 40000, 0x11, 66), /* the other FIN: closing */
	    UDP(14000, "10.0.0.9", 5000, "10.0.0.8", 53, 80),	      /* the grace is over */
	    END_PKTS },
	  0,
	  { { "active", "10.0.0.2", 40000, "10.0.0.1", 443, 0, 5000, 3, 440, 0, 0, 0x1b, "tls.example" },
	    { "fin", "10.0.0.2", 40000, "10.0.0.1", 443, 10000, 11000, 0, 0, 2, 132, 0x11, "tls.example" },
	    END_RECS } },
	{ "max-flows 2: the least recently seen flow is reported early",
	  { .idle_ns = 60 * S, .active_ns = 600 * S, .max_flows = 2 },
	  { UDP(1000, "10.0.0.1", 1, "10.0.0.2", 2, 100), UDP(1001, "10.0.0.3", 1, "10.0.0.4", 2, 100),
	    UDP(1002, "10.0.0.1", 1, "10.0.0.2", 2, 100), /* the first is now the more recent */
	    UDP(1003, "10.0.0.5", 1, "10.0.0.6", 2, 100), END_PKTS },
	  1,
	  { { "evicted", "10.0.0.3", 1, "10.0.0.4", 2, 1001, 1001, 1, 100, 0, 0, -1, NULL },
	    { "end", "10.0.0.1", 1, "10.0.0.2", 2, 1000, 1002, 2, 200, 0, 0, -1, NULL },
	    { "end", "10.0.0.5", 1, "10.0.0.6", 2, 1003, 1003, 1, 100, 0, 0, -1, NULL },
	    END_RECS } },
	{ .name = NULL },
};

START_TEST(test_flow_cases)
{
	for (const struct flow_case *c = cases; c->name != NULL; c++) {
		struct flow_table *t = NULL;
		struct sink *s = calloc(1, sizeof(*s));
		char err[256];
		ck_assert_int_eq(flow_table_new(&c->cfg, &t, err, sizeof(err)), 0);
		feed(t, c->pkts, s);
		if (c->flush)
			ck_assert_int_eq(flow_table_flush(t, collect, s, err, sizeof(err)), 0);
		printf("flow case: %s: %d records\n", c->name, s->n);
		expect(s, c->recs);
		flow_table_free(t);
		free(s);
	}
}
END_TEST

/* The Community ID of a record is the spec's for its tuple (initiator first or not: the same). */
START_TEST(test_flow_community_id_and_ids)
{
	static const struct tpkt pkts[] = {
		TCP(1000, "128.232.110.120", 34855, "66.35.250.204", 80, 0x02, 74), /* the spec's own example */
		TCP(1001, "66.35.250.204", 80, "128.232.110.120", 34855, 0x12, 74),
		END_PKTS,
	};
	struct flow_table *t = NULL, *u = NULL;
	struct sink *s = calloc(1, sizeof(*s)), *s2 = calloc(1, sizeof(*s2));
	char err[256];

	ck_assert_int_eq(flow_table_new(&cfg_default, &t, err, sizeof(err)), 0);
	ck_assert_int_eq(flow_table_new(&cfg_default, &u, err, sizeof(err)), 0);
	feed(t, pkts, s);
	feed(u, pkts, s2);
	ck_assert_int_eq(flow_table_flush(t, collect, s, err, sizeof(err)), 0);
	ck_assert_int_eq(flow_table_flush(u, collect, s2, err, sizeof(err)), 0);
	ck_assert_int_eq(s->n, 1);
	ck_assert_str_eq(s->rows[0].network_community_id, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
	/* the same packets give the same id: the conversation's hash, then its start in ns */
	ck_assert_str_eq(s->ids[0], s2->ids[0]);
	ck_assert_int_eq(strlen(s->ids[0]), 16 + 1 + 10);
	ck_assert(strcmp(s->ids[0] + 17, "1000000000") == 0);
	flow_table_free(t);
	flow_table_free(u);
	free(s);
	free(s2);
}
END_TEST

/* A table saved half-way and loaded into a new one goes on exactly as the uninterrupted one; a
 * damaged save is refused and leaves the table empty. */
START_TEST(test_flow_save_load)
{
	static const struct tpkt first[] = {
		TCP(1000, "10.0.0.2", 40000, "10.0.0.1", 443, 0x02, 74),
		TCP(1001, "10.0.0.1", 443, "10.0.0.2", 40000, 0x12, 74),
		{ 1002, "10.0.0.2", 40000, "10.0.0.1", 443, 6, 0x18, -1, -1, -1, 300, "tls.example" },
		TCP(1003, "10.0.0.2", 40000, "10.0.0.1", 443, 0x11, 66),
		TCP(1004, "10.0.0.1", 443, "10.0.0.2", 40000, 0x11, 66), /* closing: in its grace */
		UDP(1005, "10.0.0.5", 53, "10.0.0.6", 999, 80),
		END_PKTS,
	};
	static const struct tpkt second[] = {
		TCP(1006, "10.0.0.2", 40000, "10.0.0.1", 443, 0x10, 66),
		UDP(5000, "10.0.0.6", 999, "10.0.0.5", 53, 90),
		UDP(70000, "10.0.0.7", 1, "10.0.0.8", 2, 10),
		END_PKTS,
	};
	struct flow_config cfg = cfg_default;
	struct flow_table *a = NULL, *b = NULL;
	struct sink *sa = calloc(1, sizeof(*sa)), *sb = calloc(1, sizeof(*sb));
	char err[256], path[128];
	struct flow_stats st;
	FILE *f;

	snprintf(path, sizeof(path), "%s/flows", testutil_tmp);
	ck_assert_int_eq(flow_table_new(&cfg, &a, err, sizeof(err)), 0);
	ck_assert_int_eq(flow_table_new(&cfg, &b, err, sizeof(err)), 0);
	feed(a, first, sa);
	f = fopen(path, "wb");
	ck_assert_int_eq(flowstate_write(a, f, err, sizeof(err)), 0);
	fclose(f);
	f = fopen(path, "rb");
	ck_assert_msg(flowstate_read(b, f, err, sizeof(err)) == 0, "load: %s", err);
	fclose(f);
	flow_table_stats(b, &st);
	ck_assert_int_eq(st.open, 2);
	memcpy(sb, sa, sizeof(*sb));
	feed(a, second, sa);
	feed(b, second, sb);
	ck_assert_int_eq(flow_table_flush(a, collect, sa, err, sizeof(err)), 0);
	ck_assert_int_eq(flow_table_flush(b, collect, sb, err, sizeof(err)), 0);
	ck_assert_int_eq(sa->n, 3);
	ck_assert_int_eq(sb->n, sa->n);
	for (int i = 0; i < sa->n; i++) {
		ck_assert_str_eq(sa->ids[i], sb->ids[i]);
		ck_assert_str_eq(sa->rows[i].event_action, sb->rows[i].event_action);
		ck_assert_int_eq(sa->rows[i].network_bytes, sb->rows[i].network_bytes);
		ck_assert_int_eq(sa->rows[i].destination_packets, sb->rows[i].destination_packets);
		ck_assert_int_eq(sa->rows[i].has, sb->rows[i].has);
	}
	ck_assert_str_eq(sb->rows[0].event_action, "fin");
	ck_assert_str_eq(sb->rows[0].tls_client_server_name, "tls.example");
	ck_assert_str_eq(sb->rows[1].event_action, "idle");

	/* damaged: one byte changed in the middle; cut: the last byte missing */
	for (int mode = 0; mode < 2; mode++) {
		struct flow_table *c = NULL;
		char *buf = NULL;
		size_t len = 0;
		feed(a, first, sa->n < 40 ? sa : sb);
		f = open_memstream(&buf, &len);
		ck_assert_int_eq(flowstate_write(a, f, err, sizeof(err)), 0);
		fclose(f);
		if (mode == 0)
			buf[len / 2] ^= 0x40;
		else
			len--;
		f = fmemopen(buf, len, "rb");
		ck_assert_int_eq(flow_table_new(&cfg, &c, err, sizeof(err)), 0);
		ck_assert_int_eq(flowstate_read(c, f, err, sizeof(err)), -1);
		flow_table_stats(c, &st);
		ck_assert_int_eq(st.open, 0);
		fclose(f);
		free(buf);
		flow_table_free(c);
		flow_table_clear(a);
	}
	flow_table_free(a);
	flow_table_free(b);
	free(sa);
	free(sb);
}
END_TEST

/* The file source's flows: a batch read again (its sinks failed) starts from the last commit's
 * table and gives the same records; a new process recovering from that commit has the same open
 * flows. The records are collected by a stand-in for the driver. */
static int collect_rows(void *drv, const struct row *rows, size_t n, char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++)
		if (collect(drv, &rows[i], err, errlen) < 0)
			return -1;
	return 0;
}

START_TEST(test_fileflows_retry_and_recover)
{
	static const struct tpkt batch0[] = {
		TCP(1000, "10.0.0.2", 40000, "10.0.0.1", 443, 0x02, 74),
		UDP(1001, "10.0.0.5", 53, "10.0.0.6", 999, 80),
		TCP(1002, "10.0.0.1", 443, "10.0.0.2", 40000, 0x12, 74),
		END_PKTS,
	};
	static const struct tpkt batch1[] = {
		TCP(1003, "10.0.0.2", 40000, "10.0.0.1", 443, 0x04, 60), /* RST: ends after the grace */
		UDP(2000, "10.0.0.6", 999, "10.0.0.5", 53, 90),
		UDP(5000, "10.0.0.7", 1, "10.0.0.8", 2, 10), /* the grace is over: the TCP record */
		END_PKTS,
	};
	struct flow_config cfg = CFG_DEFAULT;
	struct fileflows *ff = NULL, *ff2 = NULL;
	struct sink *first = calloc(1, sizeof(*first)), *again = calloc(1, sizeof(*again)),
		    *s0 = calloc(1, sizeof(*s0));
	struct source_emit emit = { .rows = collect_rows };
	struct row rows[8];
	struct fileflows_batch fb;
	json_t *totals = json_object();
	char err[256];
	size_t n;

	ck_assert_int_eq(fileflows_open(&cfg, testutil_tmp, &ff, err, sizeof(err)), 0);
	ck_assert_int_eq(fileflows_recover(ff, -1, NULL, err, sizeof(err)), 0);
	/* batch 0, committed */
	emit.drv = s0;
	ck_assert_int_eq(fileflows_begin(ff, &emit, err, sizeof(err)), 0);
	for (n = 0; batch0[n].src != NULL; n++)
		make_row(&rows[n], &batch0[n]);
	ck_assert_int_eq(fileflows_add(ff, rows, n, err, sizeof(err)), 0);
	ck_assert_int_eq(fileflows_end(ff, 0, 0, err, sizeof(err)), 0);
	fileflows_ack(ff, 0);
	ck_assert_int_eq(s0->n, 0);
	/* batch 1: read, its sinks fail after the rows (no end, no ack); read again */
	for (n = 0; batch1[n].src != NULL; n++)
		make_row(&rows[n], &batch1[n]);
	emit.drv = first;
	ck_assert_int_eq(fileflows_begin(ff, &emit, err, sizeof(err)), 0);
	ck_assert_int_eq(fileflows_add(ff, rows, n, err, sizeof(err)), 0);
	ck_assert_int_eq(fileflows_end(ff, 1, 0, err, sizeof(err)), 0);
	emit.drv = again;
	ck_assert_msg(fileflows_begin(ff, &emit, err, sizeof(err)) == 0, "begin again: %s", err);
	ck_assert_int_eq(fileflows_add(ff, rows, n, err, sizeof(err)), 0);
	ck_assert_int_eq(fileflows_end(ff, 1, 0, err, sizeof(err)), 0);
	ck_assert_int_eq(first->n, 1);
	ck_assert_int_eq(again->n, first->n);
	ck_assert_str_eq(again->ids[0], first->ids[0]);
	ck_assert_str_eq(again->rows[0].event_action, "rst");
	ck_assert_int_eq(again->rows[0].network_packets, 3);
	fileflows_batch(ff, &fb);
	ck_assert_int_eq(fb.records, 1);
	ck_assert_int_eq(fb.open, 2); /* the DNS pair and the last UDP packet */
	fileflows_totals(ff, totals);
	fileflows_ack(ff, 1);
	/* a new process from commit 1: the same two open flows, reported alike */
	ck_assert_int_eq(fileflows_open(&cfg, testutil_tmp, &ff2, err, sizeof(err)), 0);
	ck_assert_msg(fileflows_recover(ff2, 1, totals, err, sizeof(err)) == 0, "recover: %s", err);
	ck_assert(fileflows_any_open(ff2));
	memset(first, 0, sizeof(*first));
	memset(again, 0, sizeof(*again));
	emit.drv = first;
	ck_assert_int_eq(fileflows_begin(ff, &emit, err, sizeof(err)), 0);
	ck_assert_int_eq(fileflows_end(ff, 2, 1, err, sizeof(err)), 0);
	emit.drv = again;
	ck_assert_int_eq(fileflows_begin(ff2, &emit, err, sizeof(err)), 0);
	ck_assert_int_eq(fileflows_end(ff2, 2, 1, err, sizeof(err)), 0);
	ck_assert_int_eq(first->n, 2);
	ck_assert_int_eq(again->n, 2);
	for (int i = 0; i < 2; i++) {
		ck_assert_str_eq(again->ids[i], first->ids[i]);
		ck_assert_int_eq(again->rows[i].network_bytes, first->rows[i].network_bytes);
	}
	/* flows/1 damaged: recovering from it is refused, nothing is guessed */
	{
		char path[128];
		FILE *f;
		snprintf(path, sizeof(path), "%s/flows/1", testutil_tmp);
		f = fopen(path, "r+b");
		ck_assert_ptr_nonnull(f);
		fseek(f, 40, SEEK_SET);
		fputc(0x5a, f);
		fclose(f);
		fileflows_free(ff2);
		ff2 = NULL;
		ck_assert_int_eq(fileflows_open(&cfg, testutil_tmp, &ff2, err, sizeof(err)), 0);
		ck_assert_int_eq(fileflows_recover(ff2, 1, totals, err, sizeof(err)), -1);
		ck_assert_msg(strstr(err, "flows/1") != NULL && strstr(err, "damaged") != NULL, "%s", err);
	}
	json_decref(totals);
	fileflows_free(ff);
	fileflows_free(ff2);
	free(first);
	free(again);
	free(s0);
}
END_TEST

/* Capture time going back by more than the idle timeout (an older capture after a newer one, the
 * table empty by then): a new timeline, not one record per frame. */
START_TEST(test_flow_time_break)
{
	static const struct tpkt newer[] = {
		UDP(100000, "10.0.0.1", 1, "10.0.0.2", 2, 100),
		END_PKTS,
	};
	static const struct tpkt older[] = {
		UDP(1000, "10.0.0.3", 3, "10.0.0.4", 4, 50),
		UDP(1500, "10.0.0.4", 4, "10.0.0.3", 3, 60),
		UDP(2000, "10.0.0.3", 3, "10.0.0.4", 4, 70),
		END_PKTS,
	};
	static const struct trec want[] = {
		{ "end", "10.0.0.1", 1, "10.0.0.2", 2, 100000, 100000, 1, 100, 0, 0, -1, NULL },
		{ "end", "10.0.0.3", 3, "10.0.0.4", 4, 1000, 2000, 2, 120, 1, 60, -1, NULL },
		END_RECS,
	};
	struct flow_table *t = NULL;
	struct sink *s = calloc(1, sizeof(*s));
	char err[256];

	ck_assert_int_eq(flow_table_new(&cfg_default, &t, err, sizeof(err)), 0);
	feed(t, newer, s);
	ck_assert_int_eq(flow_table_flush(t, collect, s, err, sizeof(err)), 0);
	feed(t, older, s);
	ck_assert_int_eq(flow_table_flush(t, collect, s, err, sizeof(err)), 0);
	expect(s, want);
	flow_table_free(t);
	free(s);
}
END_TEST

/* Frames without any capture time: the record has no time either, and says why. */
START_TEST(test_flow_untimed)
{
	static const struct tpkt pkts[] = {
		{ NOTIME, "10.0.0.1", 1, "10.0.0.2", 2, 17, -1, -1, -1, -1, 60, NULL },
		END_PKTS,
	};
	struct flow_table *t = NULL;
	struct sink *s = calloc(1, sizeof(*s));
	char err[256];

	ck_assert_int_eq(flow_table_new(&cfg_default, &t, err, sizeof(err)), 0);
	feed(t, pkts, s);
	ck_assert_int_eq(flow_table_flush(t, collect, s, err, sizeof(err)), 0);
	ck_assert_int_eq(s->n, 1);
	ck_assert(!(s->rows[0].has & (ROW_HAS_timestamp | ROW_HAS_event_start | ROW_HAS_event_end)));
	ck_assert(s->rows[0].has & ROW_HAS_error_message);
	ck_assert_int_eq(s->rows[0].network_packets, 1);
	flow_table_free(t);
	free(s);
}
END_TEST

Suite *flow_suite(void)
{
	Suite *s = suite_create("flow");

	testutil_add(s, test_flow_cases, 0);
	testutil_add(s, test_flow_community_id_and_ids, 0);
	testutil_add(s, test_flow_untimed, 0);
	testutil_add(s, test_flow_time_break, 0);
	testutil_add(s, test_flow_save_load, 1);
	testutil_add(s, test_fileflows_retry_and_recover, 1);
	return s;
}
