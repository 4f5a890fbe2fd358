/* The flow table (see flow.h): a hash of open conversations, a list of them from least to most
 * recently seen (idle expiry, eviction when full) and a list of closing TCP conversations in the
 * order they closed (their grace ends in that order). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "communityid.h"
#include "decode.h"
#include "flow.h"
#include "flow_impl.h"
#include "hash.h"

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
	uint16_t sp = 0, dp = 0;
	int has_ports = 0, swap;

	if ((r->has & need) != need || r->source_ip.family != r->destination_ip.family ||
	    (r->source_ip.family != 4 && r->source_ip.family != 6))
		return -1;
	if ((proto == 6 || proto == 17 || proto == 132) &&
	    (r->has & (ROW_HAS_source_port | ROW_HAS_destination_port)) ==
		(ROW_HAS_source_port | ROW_HAS_destination_port)) {
		sp = (uint16_t)r->source_port;
		dp = (uint16_t)r->destination_port;
		has_ports = 1;
	} else if ((proto == 1 || proto == 58) &&
		   (r->has & (ROW_HAS_icmp_type | ROW_HAS_icmp_code)) == (ROW_HAS_icmp_type | ROW_HAS_icmp_code)) {
		sp = (uint16_t)r->icmp_type; /* paired as the Community ID pairs them */
		dp = (uint16_t)r->icmp_code;
		has_ports = 1;
	}
	swap = communityid_order(proto, alen, r->source_ip.addr, r->destination_ip.addr, has_ports, sp, &dp);
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

uint64_t flow_key_hash(const uint8_t key[FLOW_KEY_LEN])
{
	uint64_t w[5], h = 0x9E3779B97F4A7C15ULL;
	uint32_t last;

	memcpy(w, key, sizeof(w));
	memcpy(&last, key + 40, 4);
	for (int i = 0; i < 5; i++)
		h = (h ^ w[i]) * 0xff51afd7ed558ccdULL;
	h = (h ^ last) * 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 29);
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

void flow_closing_append(struct flow_table *t, struct flow *f)
{
	f->cprev = t->ctail;
	f->cnext = NULL;
	if (t->ctail != NULL)
		t->ctail->cnext = f;
	else
		t->chead = f;
	t->ctail = f;
}

void flow_names_free(struct flow_names *n)
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
	flow_names_free(f->names);
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

void flow_copy_text(char *dst, size_t cap, const char *src)
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
	if (!t->has_clock) {
		/* no frame so far had a capture time: the record has none either (as such packet rows) */
		r->has &=
		    ~(uint64_t)(ROW_HAS_timestamp | ROW_HAS_event_start | ROW_HAS_event_end | ROW_HAS_event_duration);
		ROW_SET(r, error_message, "no capture time in the frames of this flow");
	}
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
			flow_copy_text(r->dns_question_name, sizeof(r->dns_question_name), f->names->dns_name);
			r->has |= ROW_HAS_dns_question_name;
		}
		if (f->names->dns_type[0] != '\0') {
			flow_copy_text(r->dns_question_type, sizeof(r->dns_question_type), f->names->dns_type);
			r->has |= ROW_HAS_dns_question_type;
		}
		if (f->names->domain != NULL) {
			flow_copy_text(r->url_domain, sizeof(r->url_domain), f->names->domain);
			r->has |= ROW_HAS_url_domain;
		}
		if (f->names->sni != NULL) {
			flow_copy_text(r->tls_client_server_name, sizeof(r->tls_client_server_name), f->names->sni);
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

/* Report f's record (why) and take it out of the table; with keep, its names go to *keep (the
 * caller's) instead of being freed. 0, or -1 with err (emit failed). */
static int end_flow(struct flow_table *t, struct flow *f, enum flow_end why, struct flow_names **keep,
		    flow_emit_fn emit, void *arg, char *err, size_t errlen)
{
	make_record(t, f, why);
	if (keep != NULL) {
		*keep = f->names;
		f->names = NULL;
	}
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
		if (end_flow(t, t->chead, (enum flow_end)t->chead->closing, NULL, emit, arg, err, errlen) < 0)
			return -1;
	}
	while (t->head != NULL && t->clock - t->head->last > t->cfg.idle_ns) {
		if (end_flow(t, t->head, END_IDLE, NULL, emit, arg, err, errlen) < 0)
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

/* A packet's key, made ahead of its turn (flow_table_add_rows). */
struct flow_ahead {
	uint8_t key[FLOW_KEY_LEN];
	uint64_t hash;
	int dir;
	int ok; /* 0: the row makes no flow */
};

static void make_ahead(const struct row *r, struct flow_ahead *a)
{
	a->ok = make_key(r, a->key, &a->dir) == 0;
	if (a->ok)
		a->hash = flow_key_hash(a->key);
}

/* What the flow table needs of r (whose key is a's) into t->pkt. Returns 0, or -1 when r makes
 * no flow. */
static int take_packet(struct flow_table *t, const struct row *r, const struct flow_ahead *a)
{
	struct flow_pkt *p = &t->pkt;
	size_t used = 0;

	if (!a->ok)
		return -1;
	memcpy(p->key, a->key, FLOW_KEY_LEN);
	p->hash = a->hash;
	p->dir = a->dir;
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

/* Put f into the hash and at the end of the seen list. The hash doubles once it holds as many
 * flows as buckets (until max_buckets; if memory is short it keeps its size: longer chains). */
void flow_link(struct flow_table *t, struct flow *f)
{
	struct flow **b;

	if (t->count + 1 > t->mask + 1 && t->mask + 1 < t->max_buckets) {
		size_t n = (t->mask + 1) * 2;
		struct flow **nb = calloc(n, sizeof(*nb));
		if (nb != NULL) {
			for (struct flow *x = t->head; x != NULL; x = x->next) {
				x->hnext = nb[x->hash & (n - 1)];
				nb[x->hash & (n - 1)] = x;
			}
			free(t->buckets);
			t->buckets = nb;
			t->mask = n - 1;
		}
	}
	b = &t->buckets[f->hash & t->mask];
	f->hnext = *b;
	*b = f;
	seen_append(t, f);
	t->count++;
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
	flow_link(t, f);
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
			flow_closing_append(t, f);
		}
	}
	if (p->dns_name != NULL || p->dns_type != NULL || p->domain != NULL || p->sni != NULL) {
		if (f->names == NULL) {
			f->names = calloc(1, sizeof(*f->names));
			if (f->names == NULL)
				return -1;
		}
		if (p->dns_type != NULL && f->names->dns_name == NULL && p->dns_name != NULL)
			flow_copy_text(f->names->dns_type, sizeof(f->names->dns_type), p->dns_type);
		if (keep_name(&f->names->dns_name, p->dns_name) < 0 || keep_name(&f->names->domain, p->domain) < 0 ||
		    keep_name(&f->names->sni, p->sni) < 0)
			return -1;
	}
	if (f != t->tail) { /* now the most recently seen */
		seen_unlink(t, f);
		seen_append(t, f);
	}
	return 0;
}

/* flow_table_add with r's key made already (a). */
static int add_one(struct flow_table *t, const struct row *r, const struct flow_ahead *a, flow_emit_fn emit, void *arg,
		   char *err, size_t errlen)
{
	struct flow_pkt *p = &t->pkt;
	struct flow *f;

	if ((r->has & ROW_HAS_timestamp) && t->has_clock && r->timestamp < t->clock - t->cfg.idle_ns) {
		/* capture time went back by more than the idle timeout (another sensor's file, an old
		 * capture, a damaged time that ran ahead): a new timeline. What is open is reported, and
		 * the clock starts again from this frame, so its flows are not idle from the start. */
		if (flow_table_flush(t, emit, arg, err, errlen) < 0)
			return -1;
		t->clock = r->timestamp;
	}
	if ((r->has & ROW_HAS_timestamp) && (!t->has_clock || r->timestamp > t->clock)) {
		if (!t->has_clock) {
			/* the first frame with a time: flows of frames without one (pcapng simple packet
			 * blocks) take it as theirs, rather than 1970 */
			for (struct flow *x = t->head; x != NULL; x = x->next)
				x->start = x->last = r->timestamp;
		}
		t->clock = r->timestamp;
		t->has_clock = 1;
	}
	if (take_packet(t, r, a) < 0)
		return expire(t, emit, arg, err, errlen);
	/* r may be reused by emit from here on: only p is read */
	if (expire(t, emit, arg, err, errlen) < 0)
		return -1;
	f = lookup(t, p);
	if (f != NULL && p->ts - f->start >= t->cfg.active_ns) {
		/* the conversation so far is reported; a new record goes on with its initiator, the FINs
		 * seen and the names (a conversation's, not a record's) */
		uint8_t init_is_b = f->init_is_b, fin = f->fin;
		struct flow_names *names = NULL;
		if (end_flow(t, f, END_ACTIVE, &names, emit, arg, err, errlen) < 0) {
			flow_names_free(names);
			return -1;
		}
		f = create(t, p, init_is_b);
		if (f == NULL) {
			flow_names_free(names);
			goto oom;
		}
		f->fin = fin;
		f->names = names;
	}
	if (f == NULL) {
		if (t->count >= t->cfg.max_flows && end_flow(t, t->head, END_EVICTED, NULL, emit, arg, err, errlen) < 0)
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

int flow_table_add(struct flow_table *t, const struct row *r, flow_emit_fn emit, void *arg, char *err, size_t errlen)
{
	struct flow_ahead a;

	make_ahead(r, &a);
	return add_one(t, r, &a, emit, arg, err, errlen);
}

#define FLOW_AHEAD 8 /* rows whose keys are made, and buckets fetched, before their turn */

int flow_table_add_rows(struct flow_table *t, const struct row *rows, size_t n, flow_emit_fn emit, void *arg, char *err,
			size_t errlen)
{
	struct flow_ahead ring[FLOW_AHEAD];

	for (size_t i = 0; i < n + FLOW_AHEAD; i++) {
		/* row i - FLOW_AHEAD's turn (its slot is then free for row i) */
		if (i >= FLOW_AHEAD) {
			size_t k = i - FLOW_AHEAD;
			if (add_one(t, &rows[k], &ring[k % FLOW_AHEAD], emit, arg, err, errlen) < 0)
				return -1;
		}
		/* the memory a later row's lookup will touch is asked for now: its bucket, then (half
		 * way) the flow at the head of that bucket. Only hints: the table may change before. */
		if (i < n) {
			make_ahead(&rows[i], &ring[i % FLOW_AHEAD]);
			if (ring[i % FLOW_AHEAD].ok)
				__builtin_prefetch(&t->buckets[ring[i % FLOW_AHEAD].hash & t->mask]);
		}
		if (i >= FLOW_AHEAD / 2 && i - FLOW_AHEAD / 2 < n && ring[(i - FLOW_AHEAD / 2) % FLOW_AHEAD].ok)
			__builtin_prefetch(t->buckets[ring[(i - FLOW_AHEAD / 2) % FLOW_AHEAD].hash & t->mask]);
	}
	return 0;
}

int flow_table_flush(struct flow_table *t, flow_emit_fn emit, void *arg, char *err, size_t errlen)
{
	while (t->head != NULL) {
		if (end_flow(t, t->head, END_END, NULL, emit, arg, err, errlen) < 0)
			return -1;
	}
	return 0;
}

uint64_t flow_table_max(const struct flow_table *t)
{
	return t->cfg.max_flows;
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
	size_t n = 1024, cap = 1024;

	*out = NULL;
	if (t == NULL)
		goto oom;
	t->cfg = *cfg;
	if (t->cfg.max_flows < 1)
		t->cfg.max_flows = 1;
	while (cap < t->cfg.max_flows && cap < ((size_t)1 << 26))
		cap <<= 1;
	t->buckets = calloc(n, sizeof(*t->buckets));
	if (t->buckets == NULL)
		goto oom;
	t->mask = n - 1;
	t->max_buckets = cap;
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
