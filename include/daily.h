/* The dashboard queries' shared contract, shared by their MongoDB (mongoq.c) and Elasticsearch
 * (esq.c) backends and the dashboard's GET /api/daily and GET /api/conversations: the accepted
 * dates and range, the query strings' parameters, how a flow record counts for a host, and the
 * shape of the answers. */
#ifndef PCAPSTREAM_DAILY_H
#define PCAPSTREAM_DAILY_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* The longest range the daily query accepts, in days. */
#define DAILY_MAX_DAYS 3660

/* The longest range GET /api/daily accepts, in days. */
#define DAILY_QUERY_MAX_DAYS 366

/* The longest query string GET /api/daily reads, and the longest value of one parameter. */
#define DAILY_QUERY_MAX_LEN 1023
#define DAILY_VALUE_MAX_LEN 255

/* Days since 1970-01-01 of from and to (YYYY-MM-DD, both included) into *d0 and *d1. Returns 0,
 * or -1 with err when a date is malformed, the range runs backwards or spans more than
 * DAILY_MAX_DAYS days. */
int daily_range(const char *from, const char *to, int64_t *d0, int64_t *d1, char *err, size_t errlen);

/* A checked GET /api/daily query. */
struct daily_query {
	char host[46];	 /* the address as stored: IPv4 dotted, IPv6 in RFC 5952 form */
	char from[11];	 /* YYYY-MM-DD */
	char to[11];	 /* YYYY-MM-DD */
	char dataset[8]; /* flows (capture and pmacct flow records, the default) or packets */
	int64_t d0, d1;	 /* from and to as days since 1970-01-01 */
};

/* Parse the query string qs (NULL reads as empty) of GET /api/daily into *q: host, from and to
 * exactly once each, dataset (flows, the default, or packets) at most once, nothing else. Values are percent-decoded
 * ('+' is a space); a value with a bad escape or a control character (%00 included), or longer than
 * DAILY_VALUE_MAX_LEN, is refused, as is a query longer than DAILY_QUERY_MAX_LEN. from..to runs
 * forward and spans at most DAILY_QUERY_MAX_DAYS days. Returns 0, or -1 with *param naming the
 * parameter at fault ("host", "from", "to", "dataset", or "query" for the query as a whole) and
 * why (a sentence for the client) in why. */
int daily_parse_query(const char *qs, struct daily_query *q, const char **param, char *why, size_t whylen);

/* One day's totals of a host: inbound (sent to the host) and outbound (sent by it). */
struct daily_sums {
	int64_t in_bytes, out_bytes, in_packets, out_packets;
};

/* How one row counts for a host, the same rule in both backends. A row with source.bytes (a flow
 * record of a capture: both directions, source = the initiator; a pmacct record: one direction)
 * sends source.bytes/packets from source.ip to destination.ip and destination.bytes/packets back.
 * A row without it (a packet; a pmacct record stored before schema v2) sends network.bytes/packets
 * from source.ip to destination.ip. A row from the host to itself counts both ways. */
struct daily_counts {
	int has_dir;			/* source.bytes is present */
	int64_t bytes, packets;		/* network.bytes, network.packets */
	int64_t src_bytes, src_packets; /* source.bytes, source.packets */
	int64_t dst_bytes, dst_packets; /* destination.bytes, destination.packets (0 when absent) */
	int src_is_host, dst_is_host;	/* source.ip, destination.ip is the host */
};

/* Add what row c sends to and from the host to *in_* and *out_* (see struct daily_counts). */
void daily_count(const struct daily_counts *c, int64_t *in_bytes, int64_t *out_bytes, int64_t *in_packets,
		 int64_t *out_packets);

/* The answer for days d0..d1 from sums[0..d1-d0]: a new JSON array (caller decrefs) of
 * {day, inBytes, outBytes, inPackets, outPackets}, one per day, or NULL when out of memory. */
json_t *daily_rows(int64_t d0, int64_t d1, const struct daily_sums *sums);

/* --- GET /api/conversations ---------------------------------------------------------------------- */

#define DAILY_CONV_DEFAULT_LIMIT 20
#define DAILY_CONV_MAX_LIMIT	 1000
#define DAILY_CONV_NAMES	 5 /* distinct names of each kind listed per conversation */
#define DAILY_CONV_NAME_LEN	 256

/* A checked GET /api/conversations query. */
struct daily_conv_query {
	char host[46]; /* as in struct daily_query */
	char day[11];  /* YYYY-MM-DD */
	int64_t d;     /* day as days since 1970-01-01 */
	int limit;     /* 1..DAILY_CONV_MAX_LIMIT */
};

/* Parse the query string qs of GET /api/conversations into *q: host and day exactly once, limit
 * (1..DAILY_CONV_MAX_LIMIT, default DAILY_CONV_DEFAULT_LIMIT) at most once, nothing else; values
 * as daily_parse_query reads them. Returns 0, or -1 with *param ("host", "day", "limit" or
 * "query") and why. */
int daily_parse_conversations(const char *qs, struct daily_conv_query *q, const char **param, char *why, size_t whylen);

/* The kinds of application names a conversation lists, in the order of struct daily_conv.names. */
extern const char *const daily_conv_name_fields[3]; /* dns.question.name, url.domain, tls.client.server_name */

/* One conversation of a host on a day: the flow records with one Community ID and VLAN id (the
 * records an active timeout cut, and pmacct's two directions) summed. */
struct daily_conv {
	char community_id[64];
	char vlan[16]; /* "" when the records have no VLAN id */
	/* the first record (earliest @timestamp): who started, the ports, the transport */
	char transport[32], src_ip[46], dst_ip[46];
	int64_t src_port, dst_port;			      /* -1 when absent */
	int64_t in_bytes, out_bytes, in_packets, out_packets; /* relative to the host (daily_count) */
	int64_t bytes, packets;				      /* network.bytes, network.packets summed */
	int64_t start_ns, end_ns;			      /* the first record's start, latest end */
	int64_t first_ts;				      /* the first record's @timestamp (ns) */
	int64_t records;
	struct {
		char v[DAILY_CONV_NAME_LEN];
		int64_t n; /* records carrying it */
	} names[3][DAILY_CONV_NAMES];
	int nnames[3];
};

/* Whether a ranks before b: more bytes first, then by Community ID and VLAN id (byte order). */
int daily_conv_before(const struct daily_conv *a, const struct daily_conv *b);

/* Note one more record carrying name (NULL or "": nothing) of kind k (0..2) in c; past
 * DAILY_CONV_NAMES distinct names the new ones are dropped. */
void daily_conv_add_name(struct daily_conv *c, int k, const char *name, int64_t n);

/* The best conversations seen, at most cap of them (a heap; the struct is open like growbuf's,
 * changed only by these functions). */
struct daily_top {
	struct daily_conv *v;
	size_t n, cap;
};

/* An empty list of at most cap conversations. Returns 0, or -1 when out of memory. */
int daily_top_init(struct daily_top *t, size_t cap);

/* Keep a copy of c if it is among the cap best seen (daily_conv_before). */
void daily_top_offer(struct daily_top *t, const struct daily_conv *c);

/* Order v[0..n) best first. After it, offer no more. */
void daily_top_sort(struct daily_top *t);

/* Release the list; accepts NULL. */
void daily_top_free(struct daily_top *t);

/* The answer {"host","day","limit","conversations":[...],"withoutCommunityId":{"records","bytes"}}
 * for convs[0..n) (in the order given) of q: a new object (caller decrefs), or NULL when out of
 * memory. without_records/without_bytes count the host's flow records of the day that have no
 * Community ID (so belong to no conversation). */
json_t *daily_conv_answer(const struct daily_conv_query *q, const struct daily_conv *convs, size_t n,
			  int64_t without_records, int64_t without_bytes);

#endif
