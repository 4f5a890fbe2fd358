/* The flow table (see flow.h): a hash of open conversations, a list of them from least to most
 * recently seen (idle expiry, eviction when full) and a list of closing TCP conversations in the
 * order they closed (their grace ends in that order). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "communityid.h"
#include "decode.h"
#include "flow.h"
#include "hash.h"

#define FLOW_KEY_LEN 44 /* the key as bytes: vlan 4, family, proto, has_ports, 0, ports 2+2, addrs 16+16 */
#define FLOW_MAGIC   "pcapstream flow table 1\n"

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

/* --- the key ----------------------------------------------------------------------------------- */

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static unsigned get16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/* The packet's ordered key (the Community ID's ordering) into k, and which side sent it. Returns
 * 0, or -1 when the row has no IPv4/IPv6 address pair. */
static int make_key(const struct row *r, uint8_t k[FLOW_KEY_LEN], int *dir)
{
	const uint64_t need = ROW_HAS_source_ip | ROW_HAS_destination_ip;
	unsigned proto = (r->has & ROW_HAS_network_iana_number) ? (unsigned)r->network_iana_number : 0;
	size_t alen = r->source_ip.family == 4 ? 4 : 16;
	unsigned sp = 0, dp = 0;
	int has_ports = 0, one_way = 0, cmp, swap;

	if ((r->has & need) != need || r->source_ip.family != r->destination_ip.family ||
	    (r->source_ip.family != 4 && r->source_ip.family != 6))
		return -1;
	if ((proto == 6 || proto == 17 || proto == 132) &&
	    (r->has & (ROW_HAS_source_port | ROW_HAS_destination_port)) ==
		(ROW_HAS_source_port | ROW_HAS_destination_port)) {
		sp = (unsigned)r->source_port;
		dp = (unsigned)r->destination_port;
		has_ports = 1;
	} else if ((proto == 1 || proto == 58) &&
		   (r->has & (ROW_HAS_icmp_type | ROW_HAS_icmp_code)) == (ROW_HAS_icmp_type | ROW_HAS_icmp_code)) {
		int cp = communityid_icmp_counterpart(proto, (unsigned)r->icmp_type);
		sp = (unsigned)r->icmp_type;
		dp = cp < 0 ? (unsigned)r->icmp_code : (unsigned)cp;
		one_way = cp < 0;
		has_ports = 1;
	}
	cmp = memcmp(r->source_ip.addr, r->destination_ip.addr, alen);
	swap = !one_way && !(cmp < 0 || (cmp == 0 && has_ports && sp < dp));
	memset(k, 0, FLOW_KEY_LEN);
	if (r->has & ROW_HAS_network_vlan_id) {
		uint32_t v = (uint32_t)r->network_vlan_id + 1; /* 0: no VLAN */
		put16(k, v >> 16);
		put16(k + 2, v & 0xffff);
	}
	k[4] = (uint8_t)r->source_ip.family;
	k[5] = (uint8_t)proto;
	k[6] = (uint8_t)has_ports;
	put16(k + 8, swap ? dp : sp);
	put16(k + 10, swap ? sp : dp);
	memcpy(k + 12, swap ? r->destination_ip.addr : r->source_ip.addr, alen);
	memcpy(k + 28, swap ? r->source_ip.addr : r->destination_ip.addr, alen);
	*dir = swap;
	return 0;
}

/* --- lists ------------------------------------------------------------------------------------- */

static void seen_unlink(struct flow_table *t, struct flow *f)
{
	if (f->prev != NULL)
		f->prev->next = f->next;
	else
		t->head = f->next;
	if (f->next != NULL)
		f->next->prev = f->prev;
	else
		t->tail = f->prev;
	f->prev = f->next = NULL;
}

static void seen_append(struct flow_table *t, struct flow *f)
{
	f->prev = t->tail;
	f->next = NULL;
	if (t->tail != NULL)
		t->tail->next = f;
	else
		t->head = f;
	t->tail = f;
}

static void closing_unlink(struct flow_table *t, struct flow *f)
{
	if (f->cprev != NULL)
		f->cprev->cnext = f->cnext;
	else
		t->chead = f->cnext;
	if (f->cnext != NULL)
		f->cnext->cprev = f->cprev;
	else
		t->ctail = f->cprev;
	f->cprev = f->cnext = NULL;
}

static void closing_append(struct flow_table *t, struct flow *f)
{
	f->cprev = t->ctail;
	f->cnext = NULL;
	if (t->ctail != NULL)
		t->ctail->cnext = f;
	else
		t->chead = f;
	t->ctail = f;
}

static void names_free(struct flow_names *n)
{
	if (n == NULL)
		return;
	free(n->dns_name);
	free(n->domain);
	free(n->sni);
	free(n);
}

/* Take f out of every structure and free it. */
static void flow_remove(struct flow_table *t, struct flow *f)
{
	struct flow **pp = &t->buckets[f->hash & t->mask];

	while (*pp != f)
		pp = &(*pp)->hnext;
	*pp = f->hnext;
	seen_unlink(t, f);
	if (f->closing != END_NONE)
		closing_unlink(t, f);
	names_free(f->names);
	free(f);
	t->count--;
}

/* --- records ----------------------------------------------------------------------------------- */

static void set_ip(struct row_ip *ip, int family, const uint8_t *addr)
{
	memset(ip, 0, sizeof(*ip));
	ip->family = (uint8_t)family;
	memcpy(ip->addr, addr, family == 4 ? 4 : 16);
}

static void copy_text(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);

	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* f's record so far into t->out. */
static void make_record(struct flow_table *t, const struct flow *f, enum flow_end why)
{
	struct row *r = &t->out;
	const uint8_t *k = f->key;
	int family = k[4], has_ports = k[6], icmp = k[5] == 1 || k[5] == 58;
	const uint8_t *ia = f->init_is_b ? k + 28 : k + 12, *ra = f->init_is_b ? k + 12 : k + 28;
	unsigned ip = get16(f->init_is_b ? k + 10 : k + 8), rp = get16(f->init_is_b ? k + 8 : k + 10);
	uint32_t vlan = (uint32_t)get16(k) << 16 | get16(k + 2);
	const char *transport = decode_transport_name(k[5]);
	uint8_t idkey[FLOW_KEY_LEN];

	r->has = ROW_HAS_timestamp | ROW_HAS_event_dataset | ROW_HAS_event_action | ROW_HAS_event_start |
		 ROW_HAS_event_end | ROW_HAS_event_duration | ROW_HAS_source_ip | ROW_HAS_destination_ip |
		 ROW_HAS_source_bytes | ROW_HAS_source_packets | ROW_HAS_destination_bytes |
		 ROW_HAS_destination_packets | ROW_HAS_network_type | ROW_HAS_network_iana_number |
		 ROW_HAS_network_bytes | ROW_HAS_network_packets;
	r->timestamp = r->event_start = f->start;
	r->event_end = f->last;
	r->event_duration = f->last - f->start;
	r->event_dataset = row_dataset_pcap_flow;
	r->event_action = end_names[why];
	set_ip(&r->source_ip, family, ia);
	set_ip(&r->destination_ip, family, ra);
	r->source_bytes = (int64_t)f->bytes[0];
	r->source_packets = (int64_t)f->packets[0];
	r->destination_bytes = (int64_t)f->bytes[1];
	r->destination_packets = (int64_t)f->packets[1];
	r->network_bytes = (int64_t)(f->bytes[0] + f->bytes[1]);
	r->network_packets = (int64_t)(f->packets[0] + f->packets[1]);
	r->network_type = f->network_type;
	r->network_iana_number = k[5];
	if (transport != NULL)
		ROW_SET(r, network_transport, transport);
	if (vlan != 0)
		ROW_SET(r, network_vlan_id, (int64_t)(vlan - 1));
	if (has_ports && !icmp) {
		ROW_SET(r, source_port, (int64_t)ip);
		ROW_SET(r, destination_port, (int64_t)rp);
	}
	if (f->has_icmp) {
		ROW_SET(r, icmp_type, f->icmp_type);
		ROW_SET(r, icmp_code, f->icmp_code);
	}
	if (f->has_tcp)
		ROW_SET(r, tcp_flags, f->tcp_flags);
	if (f->has_mac) {
		memcpy(r->source_mac, f->mac_src, 6);
		memcpy(r->destination_mac, f->mac_dst, 6);
		r->has |= ROW_HAS_source_mac | ROW_HAS_destination_mac;
	}
	if (f->names != NULL) {
		if (f->names->dns_name != NULL) {
			copy_text(r->dns_question_name, sizeof(r->dns_question_name), f->names->dns_name);
			r->has |= ROW_HAS_dns_question_name;
		}
		if (f->names->dns_type[0] != '\0') {
			copy_text(r->dns_question_type, sizeof(r->dns_question_type), f->names->dns_type);
			r->has |= ROW_HAS_dns_question_type;
		}
		if (f->names->domain != NULL) {
			copy_text(r->url_domain, sizeof(r->url_domain), f->names->domain);
			r->has |= ROW_HAS_url_domain;
		}
		if (f->names->sni != NULL) {
			copy_text(r->tls_client_server_name, sizeof(r->tls_client_server_name), f->names->sni);
			r->has |= ROW_HAS_tls_client_server_name;
		}
	}
	communityid_fill_row(r);
	/* _id: the conversation (its key, initiator first) and the record's start: the same packets
	 * give the same id whatever files they came in */
	memcpy(idkey, k, FLOW_KEY_LEN);
	if (f->init_is_b) {
		memcpy(idkey + 8, k + 10, 2);
		memcpy(idkey + 10, k + 8, 2);
		memcpy(idkey + 12, k + 28, 16);
		memcpy(idkey + 28, k + 12, 16);
	}
	hash_hex(hash64(idkey, FLOW_KEY_LEN, 0x666c6f77), t->id);
	r->id_prefix = t->id;
	r->id_seq = (uint64_t)f->start;
}

/* Report f's record (why) and take it out of the table. 0, or -1 with err (emit failed). */
static int end_flow(struct flow_table *t, struct flow *f, enum flow_end why, flow_emit_fn emit, void *arg, char *err,
		    size_t errlen)
{
	make_record(t, f, why);
	flow_remove(t, f);
	t->records++;
	if (why == END_EVICTED)
		t->evicted++;
	return emit(arg, &t->out, err, errlen);
}

/* Report what has ended by the clock: closed conversations past their grace, idle ones. */
static int expire(struct flow_table *t, flow_emit_fn emit, void *arg, char *err, size_t errlen)
{
	while (t->chead != NULL && t->chead->close_at <= t->clock) {
		if (end_flow(t, t->chead, (enum flow_end)t->chead->closing, emit, arg, err, errlen) < 0)
			return -1;
	}
	while (t->head != NULL && t->clock - t->head->last > t->cfg.idle_ns) {
		if (end_flow(t, t->head, END_IDLE, emit, arg, err, errlen) < 0)
			return -1;
	}
	return 0;
}

/* --- packets ----------------------------------------------------------------------------------- */

/* Copy a name of the row into the packet's buffer at *used; NULL when absent. */
static const char *take_name(struct flow_pkt *p, size_t *used, const char *s, int present)
{
	size_t n;
	char *d;

	if (!present || s[0] == '\0')
		return NULL;
	n = strlen(s);
	if (*used + n + 1 > sizeof(p->names_buf))
		return NULL; /* cannot happen: the row's fields are smaller than the buffer */
	d = p->names_buf + *used;
	memcpy(d, s, n + 1);
	*used += n + 1;
	return d;
}

/* What the flow table needs of r into t->pkt. Returns 0, or -1 when r makes no flow. */
static int take_packet(struct flow_table *t, const struct row *r)
{
	struct flow_pkt *p = &t->pkt;
	size_t used = 0;

	if (make_key(r, p->key, &p->dir) < 0)
		return -1;
	p->hash = hash64(p->key, FLOW_KEY_LEN, 0);
	p->ts = (r->has & ROW_HAS_timestamp) ? r->timestamp : t->clock;
	p->len = r->network_bytes > 0 ? (uint64_t)r->network_bytes : 0;
	p->has_tcp = (r->has & ROW_HAS_tcp_flags) != 0;
	p->tcp_flags = p->has_tcp ? (uint16_t)r->tcp_flags : 0;
	p->has_icmp = (r->has & (ROW_HAS_icmp_type | ROW_HAS_icmp_code)) == (ROW_HAS_icmp_type | ROW_HAS_icmp_code);
	p->icmp_type = p->has_icmp ? (uint8_t)r->icmp_type : 0;
	p->icmp_code = p->has_icmp ? (uint8_t)r->icmp_code : 0;
	p->has_mac =
	    (r->has & (ROW_HAS_source_mac | ROW_HAS_destination_mac)) == (ROW_HAS_source_mac | ROW_HAS_destination_mac);
	if (p->has_mac) {
		memcpy(p->mac_src, r->source_mac, 6);
		memcpy(p->mac_dst, r->destination_mac, 6);
	}
	p->network_type = r->source_ip.family == 4 ? 0x0800 : 0x86dd;
	p->dns_name = take_name(p, &used, r->dns_question_name, (r->has & ROW_HAS_dns_question_name) != 0);
	p->dns_type = take_name(p, &used, r->dns_question_type, (r->has & ROW_HAS_dns_question_type) != 0);
	p->domain = take_name(p, &used, r->url_domain, (r->has & ROW_HAS_url_domain) != 0);
	p->sni = take_name(p, &used, r->tls_client_server_name, (r->has & ROW_HAS_tls_client_server_name) != 0);
	return 0;
}

static struct flow *lookup(struct flow_table *t, const struct flow_pkt *p)
{
	for (struct flow *f = t->buckets[p->hash & t->mask]; f != NULL; f = f->hnext)
		if (f->hash == p->hash && memcmp(f->key, p->key, FLOW_KEY_LEN) == 0)
			return f;
	return NULL;
}

/* A new flow for p: its initiator is init_is_b when that is 0 or 1 (a continued conversation);
 * when -1, p's sender, except that a SYN-ACK seen first was answering the other side's SYN.
 * NULL when out of memory. */
static struct flow *create(struct flow_table *t, const struct flow_pkt *p, int init_is_b)
{
	struct flow *f = calloc(1, sizeof(*f));
	int synack = p->has_tcp && (p->tcp_flags & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK);
	struct flow **b;

	if (f == NULL)
		return NULL;
	memcpy(f->key, p->key, FLOW_KEY_LEN);
	f->hash = p->hash;
	f->start = f->last = p->ts;
	f->init_is_b = (uint8_t)(init_is_b >= 0 ? init_is_b : synack ? !p->dir : p->dir);
	f->network_type = p->network_type;
	if (p->has_icmp) {
		f->has_icmp = 1;
		f->icmp_type = p->icmp_type;
		f->icmp_code = p->icmp_code;
	}
	if (p->has_mac) {
		int from_init = p->dir == f->init_is_b;
		f->has_mac = 1;
		memcpy(f->mac_src, from_init ? p->mac_src : p->mac_dst, 6);
		memcpy(f->mac_dst, from_init ? p->mac_dst : p->mac_src, 6);
	}
	b = &t->buckets[p->hash & t->mask];
	f->hnext = *b;
	*b = f;
	seen_append(t, f);
	t->count++;
	return f;
}

static int keep_name(char **slot, const char *s)
{
	if (*slot != NULL || s == NULL)
		return 0;
	*slot = strdup(s);
	return *slot == NULL ? -1 : 0;
}

/* Count p into f. 0, or -1 when out of memory (a name could not be kept). */
static int account(struct flow_table *t, struct flow *f, const struct flow_pkt *p)
{
	int d = p->dir != f->init_is_b; /* 0: from the initiator */

	f->bytes[d] += p->len;
	f->packets[d]++;
	if (p->ts > f->last)
		f->last = p->ts;
	if (p->has_tcp) {
		f->has_tcp = 1;
		f->tcp_flags |= p->tcp_flags;
		if (p->tcp_flags & TCP_FIN)
			f->fin |= (uint8_t)(1u << p->dir);
		if (f->closing == END_NONE && ((p->tcp_flags & TCP_RST) || f->fin == 3)) {
			f->closing = (p->tcp_flags & TCP_RST) ? END_RST : END_FIN;
			f->close_at = t->clock + FLOW_CLOSE_GRACE_NS;
			closing_append(t, f);
		}
	}
	if (p->dns_name != NULL || p->dns_type != NULL || p->domain != NULL || p->sni != NULL) {
		if (f->names == NULL) {
			f->names = calloc(1, sizeof(*f->names));
			if (f->names == NULL)
				return -1;
		}
		if (p->dns_type != NULL && f->names->dns_name == NULL && p->dns_name != NULL)
			copy_text(f->names->dns_type, sizeof(f->names->dns_type), p->dns_type);
		if (keep_name(&f->names->dns_name, p->dns_name) < 0 || keep_name(&f->names->domain, p->domain) < 0 ||
		    keep_name(&f->names->sni, p->sni) < 0)
			return -1;
	}
	seen_unlink(t, f);
	seen_append(t, f);
	return 0;
}

int flow_table_add(struct flow_table *t, const struct row *r, flow_emit_fn emit, void *arg, char *err, size_t errlen)
{
	struct flow_pkt *p = &t->pkt;
	struct flow *f;

	if ((r->has & ROW_HAS_timestamp) && (!t->has_clock || r->timestamp > t->clock)) {
		t->clock = r->timestamp;
		t->has_clock = 1;
	}
	if (take_packet(t, r) < 0)
		return expire(t, emit, arg, err, errlen);
	/* r may be reused by emit from here on: only p is read */
	if (expire(t, emit, arg, err, errlen) < 0)
		return -1;
	f = lookup(t, p);
	if (f != NULL && p->ts - f->start >= t->cfg.active_ns) {
		/* the conversation so far is reported; a new record, same initiator, goes on */
		uint8_t init_is_b = f->init_is_b;
		if (end_flow(t, f, END_ACTIVE, emit, arg, err, errlen) < 0)
			return -1;
		f = create(t, p, init_is_b);
		if (f == NULL)
			goto oom;
	}
	if (f == NULL) {
		if (t->count >= t->cfg.max_flows && end_flow(t, t->head, END_EVICTED, emit, arg, err, errlen) < 0)
			return -1;
		f = create(t, p, -1);
		if (f == NULL)
			goto oom;
	}
	if (account(t, f, p) < 0)
		goto oom;
	return 0;
oom:
	snprintf(err, errlen, "out of memory in the flow table (%llu open flows)", (unsigned long long)t->count);
	return -1;
}

int flow_table_flush(struct flow_table *t, flow_emit_fn emit, void *arg, char *err, size_t errlen)
{
	while (t->head != NULL) {
		if (end_flow(t, t->head, END_END, emit, arg, err, errlen) < 0)
			return -1;
	}
	return 0;
}

void flow_table_stats(const struct flow_table *t, struct flow_stats *st)
{
	st->open = t->count;
	st->records = t->records;
	st->evicted = t->evicted;
}

/* --- the table --------------------------------------------------------------------------------- */

int flow_table_new(const struct flow_config *cfg, struct flow_table **out, char *err, size_t errlen)
{
	struct flow_table *t = calloc(1, sizeof(*t));
	size_t n = 1024;

	*out = NULL;
	if (t == NULL)
		goto oom;
	t->cfg = *cfg;
	if (t->cfg.max_flows < 1)
		t->cfg.max_flows = 1;
	while (n < t->cfg.max_flows && n < ((size_t)1 << 26))
		n <<= 1;
	t->buckets = calloc(n, sizeof(*t->buckets)); /* untouched pages cost nothing */
	if (t->buckets == NULL)
		goto oom;
	t->mask = n - 1;
	*out = t;
	return 0;
oom:
	free(t);
	snprintf(err, errlen, "out of memory for a flow table of %llu flows (lower --max-flows)",
		 (unsigned long long)cfg->max_flows);
	return -1;
}

void flow_table_clear(struct flow_table *t)
{
	while (t->head != NULL)
		flow_remove(t, t->head);
	t->has_clock = 0;
	t->clock = 0;
	t->records = t->evicted = 0;
}

void flow_table_free(struct flow_table *t)
{
	if (t == NULL)
		return;
	flow_table_clear(t);
	free(t->buckets);
	free(t);
}

/* --- saving and loading ------------------------------------------------------------------------ */

/* A record of the saved table: little-endian integers, strings as a 16-bit length and bytes. */
struct enc {
	uint8_t b[1600];
	size_t n;
};

static void enc_u64(struct enc *e, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		e->b[e->n++] = (uint8_t)(v >> (8 * i));
}

static void enc_bytes(struct enc *e, const void *p, size_t n)
{
	memcpy(e->b + e->n, p, n);
	e->n += n;
}

static void enc_str(struct enc *e, const char *s)
{
	size_t n = s == NULL ? 0 : strlen(s);

	if (n > 511)
		n = 511;
	e->b[e->n++] = (uint8_t)n;
	e->b[e->n++] = (uint8_t)(n >> 8);
	enc_bytes(e, s, n);
}

/* Write e's bytes, then fold them into the running checksum *sum. */
static int enc_write(FILE *f, struct enc *e, uint64_t *sum)
{
	*sum = hash64(e->b, e->n, *sum);
	return fwrite(e->b, 1, e->n, f) == e->n ? 0 : -1;
}

int flow_table_save(struct flow_table *t, FILE *f, char *err, size_t errlen)
{
	struct enc e = { .n = 0 };
	uint64_t sum = 0, idx = 0, nclosing = 0;

	enc_bytes(&e, FLOW_MAGIC, strlen(FLOW_MAGIC));
	enc_u64(&e, t->count);
	enc_u64(&e, (uint64_t)t->clock);
	enc_u64(&e, (uint64_t)t->has_clock);
	enc_u64(&e, t->records);
	enc_u64(&e, t->evicted);
	if (enc_write(f, &e, &sum) < 0)
		goto fail;
	for (struct flow *x = t->head; x != NULL; x = x->next) {
		const struct flow_names *nm = x->names;
		uint8_t small[] = { x->init_is_b,
				    x->fin,
				    x->closing,
				    x->has_tcp,
				    x->has_icmp,
				    x->has_mac,
				    x->icmp_type,
				    x->icmp_code,
				    (uint8_t)x->tcp_flags,
				    (uint8_t)(x->tcp_flags >> 8),
				    (uint8_t)x->network_type,
				    (uint8_t)(x->network_type >> 8) };
		x->idx = idx++;
		e.n = 0;
		enc_bytes(&e, x->key, FLOW_KEY_LEN);
		enc_u64(&e, (uint64_t)x->start);
		enc_u64(&e, (uint64_t)x->last);
		enc_u64(&e, (uint64_t)x->close_at);
		enc_u64(&e, x->bytes[0]);
		enc_u64(&e, x->bytes[1]);
		enc_u64(&e, x->packets[0]);
		enc_u64(&e, x->packets[1]);
		enc_bytes(&e, small, sizeof(small));
		enc_bytes(&e, x->mac_src, 6);
		enc_bytes(&e, x->mac_dst, 6);
		enc_str(&e, nm != NULL ? nm->dns_name : NULL);
		enc_str(&e, nm != NULL ? nm->dns_type : NULL);
		enc_str(&e, nm != NULL ? nm->domain : NULL);
		enc_str(&e, nm != NULL ? nm->sni : NULL);
		if (enc_write(f, &e, &sum) < 0)
			goto fail;
	}
	/* the closing list's order, as indices into the flows above */
	for (struct flow *c = t->chead; c != NULL; c = c->cnext)
		nclosing++;
	e.n = 0;
	enc_u64(&e, nclosing);
	if (enc_write(f, &e, &sum) < 0)
		goto fail;
	for (struct flow *c = t->chead; c != NULL; c = c->cnext) {
		e.n = 0;
		enc_u64(&e, c->idx);
		if (enc_write(f, &e, &sum) < 0)
			goto fail;
	}
	e.n = 0;
	enc_u64(&e, sum);
	if (fwrite(e.b, 1, e.n, f) != e.n)
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "cannot write the flow table: %s", strerror(errno));
	return -1;
}

/* Reading back: n bytes into p, folded into the checksum as one piece (as enc_write wrote it).
 * 0, or -1 (cut short). */
static int dec_read(FILE *f, void *p, size_t n, uint64_t *sum)
{
	if (fread(p, 1, n, f) != n)
		return -1;
	*sum = hash64(p, n, *sum);
	return 0;
}

/* Reading back a part of a record: n bytes into p, kept in acc too (the record is folded into the
 * checksum whole). 0, or -1 (cut short, or longer than a record can be). */
static int dec_part(FILE *f, void *p, size_t n, struct enc *acc)
{
	if (n > sizeof(acc->b) - acc->n || fread(p, 1, n, f) != n)
		return -1;
	memcpy(acc->b + acc->n, p, n);
	acc->n += n;
	return 0;
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* A saved string at *p (length, bytes; at most 511) into a new string (*out, NULL when empty) or
 * into fixed (cap bytes) when fixed is not NULL. 0, or -1 (damaged or out of memory). */
static int dec_str(FILE *f, struct enc *acc, char **out, char *fixed, size_t cap)
{
	uint8_t l[2];
	char buf[512];
	size_t n;

	if (dec_part(f, l, 2, acc) < 0)
		return -1;
	n = (size_t)l[0] | (size_t)l[1] << 8;
	if (n > 511 || dec_part(f, buf, n, acc) < 0)
		return -1;
	buf[n] = '\0';
	if (fixed != NULL) {
		copy_text(fixed, cap, buf);
		return 0;
	}
	if (n == 0)
		return 0;
	*out = strdup(buf);
	return *out == NULL ? -1 : 0;
}

/* One saved flow into a new flow (*out). 0, or -1 (damaged or out of memory: *out freed). */
static int dec_flow(FILE *f, uint64_t *sum, struct flow **out)
{
	uint8_t fixed[FLOW_KEY_LEN + 7 * 8 + 12 + 12];
	const uint8_t *q = fixed + FLOW_KEY_LEN;
	struct flow *x = calloc(1, sizeof(*x));
	struct enc acc = { .n = 0 };
	int rc = -1;

	*out = NULL;
	if (x == NULL || dec_part(f, fixed, sizeof(fixed), &acc) < 0)
		goto out;
	memcpy(x->key, fixed, FLOW_KEY_LEN);
	x->hash = hash64(x->key, FLOW_KEY_LEN, 0);
	x->start = (int64_t)le64(q);
	x->last = (int64_t)le64(q + 8);
	x->close_at = (int64_t)le64(q + 16);
	x->bytes[0] = le64(q + 24);
	x->bytes[1] = le64(q + 32);
	x->packets[0] = le64(q + 40);
	x->packets[1] = le64(q + 48);
	q += 56;
	x->init_is_b = q[0] != 0;
	x->fin = q[1] & 3;
	x->closing = q[2];
	x->has_tcp = q[3] != 0;
	x->has_icmp = q[4] != 0;
	x->has_mac = q[5] != 0;
	x->icmp_type = q[6];
	x->icmp_code = q[7];
	x->tcp_flags = (uint16_t)(q[8] | q[9] << 8);
	x->network_type = (uint16_t)(q[10] | q[11] << 8);
	memcpy(x->mac_src, q + 12, 6);
	memcpy(x->mac_dst, q + 18, 6);
	if (x->closing != END_NONE && x->closing != END_FIN && x->closing != END_RST)
		goto out;
	x->names = calloc(1, sizeof(*x->names));
	if (x->names == NULL || dec_str(f, &acc, &x->names->dns_name, NULL, 0) < 0 ||
	    dec_str(f, &acc, NULL, x->names->dns_type, sizeof(x->names->dns_type)) < 0 ||
	    dec_str(f, &acc, &x->names->domain, NULL, 0) < 0 || dec_str(f, &acc, &x->names->sni, NULL, 0) < 0)
		goto out;
	*sum = hash64(acc.b, acc.n, *sum);
	if (x->names->dns_name == NULL && x->names->dns_type[0] == '\0' && x->names->domain == NULL &&
	    x->names->sni == NULL) {
		free(x->names);
		x->names = NULL;
	}
	*out = x;
	x = NULL;
	rc = 0;
out:
	if (x != NULL)
		names_free(x->names);
	free(x);
	return rc;
}

int flow_table_load(struct flow_table *t, FILE *f, char *err, size_t errlen)
{
	uint8_t head[sizeof(FLOW_MAGIC) - 1 + 5 * 8], tail[8];
	uint64_t sum = 0, n, nclosing, i;
	struct flow **byidx = NULL;
	int rc = -1;

	flow_table_clear(t);
	if (dec_read(f, head, sizeof(head), &sum) < 0 || memcmp(head, FLOW_MAGIC, strlen(FLOW_MAGIC)) != 0) {
		snprintf(err, errlen, "not a flow table, or cut short");
		goto out;
	}
	n = le64(head + strlen(FLOW_MAGIC));
	if (n > t->cfg.max_flows) {
		snprintf(err, errlen, "it holds %llu open flows, more than --max-flows %llu: raise --max-flows",
			 (unsigned long long)n, (unsigned long long)t->cfg.max_flows);
		goto out;
	}
	byidx = calloc(n > 0 ? n : 1, sizeof(*byidx));
	if (byidx == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct flow *x, **b;
		if (dec_flow(f, &sum, &x) < 0) {
			snprintf(err, errlen, "damaged or cut short at flow %llu of %llu", (unsigned long long)i + 1,
				 (unsigned long long)n);
			goto out;
		}
		b = &t->buckets[x->hash & t->mask];
		x->hnext = *b;
		*b = x;
		seen_append(t, x);
		t->count++;
		byidx[i] = x;
	}
	if (dec_read(f, tail, 8, &sum) < 0)
		goto damaged;
	nclosing = le64(tail);
	for (i = 0; i < nclosing; i++) {
		uint64_t k;
		if (dec_read(f, tail, 8, &sum) < 0)
			goto damaged;
		k = le64(tail);
		if (k >= n || byidx[k]->closing == END_NONE || byidx[k]->cprev != NULL || byidx[k] == t->chead)
			goto damaged;
		closing_append(t, byidx[k]);
	}
	if (fread(tail, 1, 8, f) != 8 || le64(tail) != sum)
		goto damaged;
	for (i = 0; i < n; i++)
		if (byidx[i]->closing != END_NONE && byidx[i]->cprev == NULL && byidx[i] != t->chead)
			goto damaged;
	t->clock = (int64_t)le64(head + strlen(FLOW_MAGIC) + 8);
	t->has_clock = le64(head + strlen(FLOW_MAGIC) + 16) != 0;
	t->records = le64(head + strlen(FLOW_MAGIC) + 24);
	t->evicted = le64(head + strlen(FLOW_MAGIC) + 32);
	rc = 0;
	goto out;
damaged:
	snprintf(err, errlen, "damaged or cut short (checksum or closing list)");
out:
	if (rc < 0)
		flow_table_clear(t);
	free(byidx);
	return rc;
}
