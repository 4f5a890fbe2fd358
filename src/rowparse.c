/* pcapstream rows (JSON) back into struct row, by a single pass over the text: no DOM, no
 * allocation per record. The fields, their kinds and where they live in struct row come from the
 * generated table row_field_infos, arranged once into a tree of names (one node per dotted part). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "growbuf.h"
#include "rowfmt.h"
#include "fsutil.h"
#include "rowparse.h"

/* --- the string store -------------------------------------------------------------------- */

#define STRINGS_CHUNK (1024 * 1024)

struct rowparse_strings {
	char **chunks;
	size_t nchunks, cap;
	size_t cur;	  /* chunk being filled */
	size_t used;	  /* bytes used in it */
	size_t chunk_len; /* every chunk's size */
	size_t max_chunks;
};

struct rowparse_strings *rowparse_strings_new(size_t max_bytes)
{
	struct rowparse_strings *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->chunk_len = STRINGS_CHUNK > ROWPARSE_MAX_RECORD + 1 ? STRINGS_CHUNK : ROWPARSE_MAX_RECORD + 1;
	s->max_chunks = max_bytes / s->chunk_len > 0 ? max_bytes / s->chunk_len : 1;
	return s;
}

void rowparse_strings_reset(struct rowparse_strings *s)
{
	s->cur = 0;
	s->used = 0;
}

void rowparse_strings_free(struct rowparse_strings *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->nchunks; i++)
		free(s->chunks[i]);
	free(s->chunks);
	free(s);
}

/* Room for n contiguous bytes (n <= chunk_len), not yet taken: the caller adds what it used to
 * s->used. NULL when the store is full or memory runs out. */
static char *strings_room(struct rowparse_strings *s, size_t n)
{
	if (s->nchunks > 0 && s->chunk_len - s->used >= n)
		return s->chunks[s->cur] + s->used;
	if (s->nchunks > 0 && s->cur + 1 < s->nchunks) {
		s->cur++;
		s->used = 0;
		return s->chunks[s->cur];
	}
	if (s->nchunks == s->max_chunks ||
	    growbuf_array((void **)&s->chunks, &s->cap, s->nchunks + 1, sizeof(*s->chunks), s->max_chunks) < 0)
		return NULL;
	s->chunks[s->nchunks] = malloc(s->chunk_len);
	if (s->chunks[s->nchunks] == NULL)
		return NULL;
	s->cur = s->nchunks++;
	s->used = 0;
	return s->chunks[s->cur];
}

/* --- the schema as a tree of names --------------------------------------------------------- */

/* K_TEXT, K_SAFETEXT: textN / safetextN, a char[N] in the row; K_UNKNOWN: a kind this file does not
 * know (a newer schema): a row that has that field is refused, naming it. */
enum kind { K_TIME, K_STR, K_IP, K_MAC, K_INT, K_KWINT, K_ID, K_ETHERTYPE, K_TEXT, K_SAFETEXT, K_UNKNOWN };

#define MAX_NODES      (ROW_NFIELDS * 8 + 1)
#define MAX_ETHERNAMES 32

struct node {
	const char *name; /* this part of the path (not NUL-terminated) */
	size_t namelen;
	const char *path; /* the dotted path up to and including this part */
	size_t pathlen;
	int field;	 /* index in row_field_infos, or -1 for an object */
	enum kind kind;	 /* of the field */
	size_t cap;	 /* K_TEXT, K_SAFETEXT: N, the member's size (at most N - 1 bytes and a NUL) */
	int child, next; /* first child, next sibling: indexes in nodes, -1 for none */
};

struct ethername {
	char name[16];
	size_t len;
	uint16_t type;
};

static struct {
	struct node nodes[MAX_NODES];
	int nnodes;
	struct ethername names[MAX_ETHERNAMES];
	int nnames;
	int broken; /* the table did not fit (more nesting than MAX_NODES allows) */
} schema;

static pthread_once_t schema_once = PTHREAD_ONCE_INIT;

/* The kind named k (schema/fields.tsv's column), with *cap set for textN and safetextN. 0, or -1
 * for a kind this file does not know. */
static int kind_of(const char *k, enum kind *out, size_t *cap)
{
	static const struct {
		const char *name;
		enum kind kind;
	} kinds[] = {
		{ "time", K_TIME }, { "str", K_STR },	  { "ip", K_IP }, { "mac", K_MAC },
		{ "int", K_INT },   { "kwint", K_KWINT }, { "id", K_ID }, { "ethertype", K_ETHERTYPE },
		{ NULL, K_TIME },
	};

	const char *digits = strncmp(k, "safetext", 8) == 0 ? k + 8 : strncmp(k, "text", 4) == 0 ? k + 4 : NULL;
	char *end;

	for (int i = 0; kinds[i].name != NULL; i++) {
		if (strcmp(kinds[i].name, k) == 0) {
			*out = kinds[i].kind;
			return 0;
		}
	}
	if (digits != NULL && *digits >= '1' && *digits <= '9') {
		unsigned long n = strtoul(digits, &end, 10);
		if (*end == '\0' && n >= 2 && n <= 65536) {
			*out = digits == k + 8 ? K_SAFETEXT : K_TEXT;
			*cap = n;
			return 0;
		}
	}
	return -1;
}

/* The child of node parent named (s, n), or -1. */
static int child_named(int parent, const char *s, size_t n)
{
	for (int c = schema.nodes[parent].child; c >= 0; c = schema.nodes[c].next) {
		if (schema.nodes[c].namelen == n && memcmp(schema.nodes[c].name, s, n) == 0)
			return c;
	}
	return -1;
}

/* Append a child to parent (kept in schema order, as the serializer writes them). */
static int add_child(int parent, const char *name, size_t namelen, const char *path, size_t pathlen)
{
	int id = schema.nnodes, *link = &schema.nodes[parent].child;

	if (id == MAX_NODES)
		return -1;
	schema.nnodes++;
	schema.nodes[id] = (struct node){
		.name = name, .namelen = namelen, .path = path, .pathlen = pathlen, .field = -1, .child = -1, .next = -1
	};
	while (*link >= 0)
		link = &schema.nodes[*link].next;
	*link = id;
	return id;
}

/* Build the tree from row_field_infos, and the names of network.type (every EtherType that
 * rowfmt_ethertype writes as a name, the lowest value for each name). */
static void schema_init(void)
{
	schema.nodes[0] = (struct node){ .name = "", .path = "", .field = -1, .child = -1, .next = -1 };
	schema.nnodes = 1;
	for (int f = 0; f < ROW_NFIELDS; f++) {
		const char *path = row_field_infos[f].path, *part = path;
		int at = 0;
		for (;;) {
			const char *dot = strchr(part, '.');
			size_t n = dot != NULL ? (size_t)(dot - part) : strlen(part);
			int c = child_named(at, part, n);
			if (c < 0)
				c = add_child(at, part, n, path, (size_t)(part - path) + n);
			if (c < 0) {
				schema.broken = 1;
				return;
			}
			at = c;
			if (dot == NULL)
				break;
			part = dot + 1;
		}
		schema.nodes[at].field = f;
		if (kind_of(row_field_infos[f].kind, &schema.nodes[at].kind, &schema.nodes[at].cap) < 0)
			schema.nodes[at].kind = K_UNKNOWN;
	}
	for (unsigned t = 0; t <= 0xffff; t++) {
		char text[32];
		char *e = rowfmt_ethertype(text, (uint16_t)t);
		size_t n = (size_t)(e - text) - 2;
		int seen = 0;
		if (n >= 2 && memcmp(text + 1, "0x", 2) == 0)
			continue;
		for (int i = 0; i < schema.nnames && !seen; i++)
			seen = schema.names[i].len == n && memcmp(schema.names[i].name, text + 1, n) == 0;
		if (seen || schema.nnames == MAX_ETHERNAMES || n >= sizeof(schema.names[0].name))
			continue;
		memcpy(schema.names[schema.nnames].name, text + 1, n);
		schema.names[schema.nnames].len = n;
		schema.names[schema.nnames].type = (uint16_t)t;
		schema.nnames++;
	}
}

/* --- scanning ------------------------------------------------------------------------------ */

struct scan {
	const char *p, *end;
	struct row *r;
	char *out; /* strings are written here (room for the whole record was reserved) */
	size_t out_used;
	int have_id;
	char *err;
	size_t errlen;
};

#define FAIL(sc, ...)                                                                                                  \
	do {                                                                                                           \
		snprintf((sc)->err, (sc)->errlen, __VA_ARGS__);                                                        \
		return -1;                                                                                             \
	} while (0)

static void skip_ws(struct scan *sc)
{
	while (sc->p < sc->end && (*sc->p == ' ' || *sc->p == '\t' || *sc->p == '\n' || *sc->p == '\r'))
		sc->p++;
}

/* A string without escapes at sc->p (which is '"'): its bytes as [*s, *s + *n), sc->p moved past
 * the closing quote. 0, or -1 if it is not one (escapes, control characters, no end). */
static int raw_string(struct scan *sc, const char **s, size_t *n)
{
	const char *q = sc->p + 1;

	*s = q;
	while (q < sc->end && *q != '"') {
		if (*q == '\\' || (unsigned char)*q < 0x20)
			return -1;
		q++;
	}
	if (q == sc->end)
		return -1;
	*n = (size_t)(q - *s);
	sc->p = q + 1;
	return 0;
}

/* Four hex digits at p (end checked by the caller). -1 if they are not. */
static int hex4(const char *p)
{
	int v = 0;

	for (int i = 0; i < 4; i++) {
		int h = fsutil_hexval((char)p[i]);
		if (h < 0)
			return -1;
		v = v << 4 | h;
	}
	return v;
}

static char *put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		*o++ = (char)cp;
	} else if (cp < 0x800) {
		*o++ = (char)(0xc0 | cp >> 6);
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*o++ = (char)(0xe0 | cp >> 12);
		*o++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*o++ = (char)(0xf0 | cp >> 18);
		*o++ = (char)(0x80 | (cp >> 12 & 0x3f));
		*o++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	}
	return o;
}

/* A JSON string at sc->p (which is '"'), unescaped and NUL-terminated into the string store; *out
 * points to it. "\ufffd" becomes the byte 0xff (not UTF-8: the serializers write it as U+FFFD). 0
 * or -1 (reason in err, naming path). */
static int json_string(struct scan *sc, const char *path, const char **out)
{
	const unsigned char *q = (const unsigned char *)sc->p + 1, *end = (const unsigned char *)sc->end;
	char *o = sc->out + sc->out_used, *start = o;

	for (;;) {
		const unsigned char *run = q;
		while (q < end && *q >= 0x20 && *q < 0x80 && *q != '"' && *q != '\\')
			q++;
		memcpy(o, run, (size_t)(q - run));
		o += q - run;
		if (q == end)
			FAIL(sc, "%s: string without its closing quote", path);
		if (*q == '"')
			break;
		if (*q < 0x20)
			FAIL(sc, "%s: control character in a string", path);
		if (*q >= 0x80) {
			size_t l = rowfmt_utf8_len(q, (size_t)(end - q));
			if (l == 0)
				FAIL(sc, "%s: not UTF-8", path);
			memcpy(o, q, l);
			o += l;
			q += l;
			continue;
		}
		/* a backslash */
		if (end - q < 2)
			FAIL(sc, "%s: string without its closing quote", path);
		int c = q[1];
		const char *simple = strchr("\"\\/bfnrt", c);
		if (c != 'u') {
			if (simple == NULL || c == '\0')
				FAIL(sc, "%s: bad escape \\%c", path, c >= 0x20 && c < 0x7f ? c : '?');
			*o++ = "\"\\/\b\f\n\r\t"[simple - "\"\\/bfnrt"];
			q += 2;
			continue;
		}
		int cp = end - q >= 6 ? hex4((const char *)q + 2) : -1;
		q += 6;
		if (cp < 0)
			FAIL(sc, "%s: bad \\u escape", path);
		if (cp == 0)
			FAIL(sc, "%s: NUL character in a string", path);
		if (cp == 0xfffd) {
			*o++ = (char)0xff;
			continue;
		}
		if (cp >= 0xdc00 && cp <= 0xdfff)
			FAIL(sc, "%s: lone surrogate in a string", path);
		if (cp >= 0xd800 && cp <= 0xdbff) {
			int lo = end - q >= 6 && q[0] == '\\' && q[1] == 'u' ? hex4((const char *)q + 2) : -1;
			if (lo < 0xdc00 || lo > 0xdfff)
				FAIL(sc, "%s: lone surrogate in a string", path);
			q += 6;
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		}
		o = put_utf8(o, (uint32_t)cp);
	}
	*o++ = '\0';
	sc->out_used += (size_t)(o - start);
	sc->p = (const char *)q + 1;
	*out = start;
	return 0;
}

/* Digits [s, s + n) as a JSON integer ("-"?, no leading zero, fits int64). 0 or -1. */
static int int_text(const char *s, size_t n, int64_t *v)
{
	size_t i = 0;
	uint64_t x = 0, limit = (uint64_t)INT64_MAX;

	if (n > 0 && s[0] == '-') {
		i = 1;
		limit++;
	}
	if (i == n || (s[i] == '0' && n - i > 1))
		return -1;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9' || x > (limit - (uint64_t)(s[i] - '0')) / 10)
			return -1;
		x = x * 10 + (uint64_t)(s[i] - '0');
	}
	*v = s[0] == '-' ? (int64_t)(0 - x) : (int64_t)x;
	return 0;
}

/* A bare JSON number at sc->p: [*s, *s + *n) up to the next delimiter. */
static void number_span(struct scan *sc, const char **s, size_t *n)
{
	const char *q = sc->p;

	while (q < sc->end &&
	       ((*q >= '0' && *q <= '9') || *q == '-' || *q == '+' || *q == '.' || *q == 'e' || *q == 'E'))
		q++;
	*s = sc->p;
	*n = (size_t)(q - sc->p);
	sc->p = q;
}

/* Dotted-quad IPv4 (no leading zeros) or IPv6 text into ip. 0 or -1. */
static int ip_text(const char *s, size_t n, struct row_ip *ip)
{
	char buf[INET6_ADDRSTRLEN];

	memset(ip, 0, sizeof(*ip));
	if (memchr(s, ':', n) == NULL) {
		int part = 0, val = -1;
		for (size_t i = 0; i <= n; i++) {
			if (i == n || s[i] == '.') {
				if (val < 0 || part == 4)
					return -1;
				ip->addr[part++] = (uint8_t)val;
				val = -1;
			} else if (s[i] >= '0' && s[i] <= '9') {
				if (val == 0)
					return -1; /* a leading zero */
				val = (val < 0 ? 0 : val * 10) + (s[i] - '0');
				if (val > 255)
					return -1;
			} else {
				return -1;
			}
		}
		if (part != 4)
			return -1;
		ip->family = 4;
		return 0;
	}
	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET6, buf, ip->addr) != 1)
		return -1;
	ip->family = 6;
	return 0;
}

/* "AA-BB-CC-DD-EE-FF" (or with ':', either case) into mac. 0 or -1. */
static int mac_text(const char *s, size_t n, uint8_t mac[6])
{
	if (n != 17)
		return -1;
	for (int i = 0; i < 6; i++) {
		int hi = fsutil_hexval((char)s[i * 3]), lo = fsutil_hexval((char)s[i * 3 + 1]);
		if (hi < 0 || lo < 0 || (i < 5 && s[i * 3 + 2] != '-' && s[i * 3 + 2] != ':'))
			return -1;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* A network.type name ("ipv4", "llc", ...) or "0xHHHH" into type. 0 or -1. */
static int ethertype_text(const char *s, size_t n, uint16_t *type)
{
	if (n == 6 && s[0] == '0' && s[1] == 'x') {
		int v = hex4(s + 2);
		if (v < 0)
			return -1;
		*type = (uint16_t)v;
		return 0;
	}
	for (int i = 0; i < schema.nnames; i++) {
		if (schema.names[i].len == n && memcmp(schema.names[i].name, s, n) == 0) {
			*type = schema.names[i].type;
			return 0;
		}
	}
	return -1;
}

/* "PREFIX-SEQ" into the row's id: the prefix (1 to 64 printable characters) copied into the
 * store, SEQ a decimal without leading zeros. 0 or -1. */
static int id_text(struct scan *sc, const char *s, size_t n)
{
	const char *dash = NULL;
	int64_t seq_hi;
	uint64_t seq = 0;

	for (size_t i = n; i > 0; i--) {
		if (s[i - 1] == '-') {
			dash = s + i - 1;
			break;
		}
	}
	if (dash == NULL || dash == s || dash - s > 64 || dash + 1 == s + n)
		return -1;
	for (const char *c = s; c < dash; c++) {
		if (*c < 0x20 || *c > 0x7e)
			return -1;
	}
	const char *d = dash + 1;
	size_t dn = (size_t)(s + n - d);
	if (dn > 1 && d[0] == '0')
		return -1;
	if (dn < 20) {
		if (int_text(d, dn, &seq_hi) < 0 || seq_hi < 0)
			return -1;
		seq = (uint64_t)seq_hi;
	} else {
		for (size_t i = 0; i < dn; i++) {
			if (d[i] < '0' || d[i] > '9' || seq > (UINT64_MAX - (uint64_t)(d[i] - '0')) / 10)
				return -1;
			seq = seq * 10 + (uint64_t)(d[i] - '0');
		}
	}
	char *prefix = sc->out + sc->out_used;
	memcpy(prefix, s, (size_t)(dash - s));
	prefix[dash - s] = '\0';
	sc->out_used += (size_t)(dash - s) + 1;
	sc->r->id_prefix = prefix;
	sc->r->id_seq = seq;
	return 0;
}

/* The value of field node nd at sc->p into the row. 0 or -1. */
static int field_value(struct scan *sc, const struct node *nd)
{
	const struct row_field_info *fi = &row_field_infos[nd->field];
	char *m = (char *)sc->r + fi->offset;
	const char *s;
	size_t n;
	int64_t v;

	if (nd->kind == K_ID ? sc->have_id : (sc->r->has & fi->bit) != 0)
		FAIL(sc, "%s: given twice", fi->path);
	if (sc->p == sc->end)
		FAIL(sc, "%s: no value", fi->path);
	if ((nd->kind == K_INT || nd->kind == K_KWINT) && *sc->p != '"') {
		number_span(sc, &s, &n);
		if (int_text(s, n, &v) < 0)
			FAIL(sc, "%s: not an integer", fi->path);
		memcpy(m, &v, sizeof(v));
		sc->r->has |= fi->bit;
		return 0;
	}
	if (nd->kind == K_UNKNOWN)
		FAIL(sc, "%s: its kind (%s) is not one rowparse reads", fi->path, fi->kind);
	if (*sc->p != '"')
		FAIL(sc, "%s: expected a string", fi->path);
	if (nd->kind == K_TEXT) {
		/* unescaped where the strings go, then copied into the row: the store keeps nothing */
		const char *str;
		size_t mark = sc->out_used;
		if (json_string(sc, fi->path, &str) < 0)
			return -1;
		size_t len = sc->out_used - mark - 1;
		sc->out_used = mark;
		if (len >= nd->cap)
			FAIL(sc, "%s: longer than %zu bytes", fi->path, nd->cap - 1);
		memcpy(m, str, len + 1);
		sc->r->has |= fi->bit;
		return 0;
	}
	if (nd->kind == K_STR) {
		const char *str;
		if (json_string(sc, fi->path, &str) < 0)
			return -1;
		memcpy(m, &str, sizeof(str));
		sc->r->has |= fi->bit;
		return 0;
	}
	if (raw_string(sc, &s, &n) < 0)
		FAIL(sc, "%s: not a plain string", fi->path);
	switch (nd->kind) {
	case K_TIME:
		if (rowfmt_parse_time(s, n, &v) < 0)
			FAIL(sc, "%s: not a time (YYYY-MM-DDTHH:MM:SS.fffffffffZ)", fi->path);
		memcpy(m, &v, sizeof(v));
		break;
	case K_IP: {
		struct row_ip ip;
		if (ip_text(s, n, &ip) < 0)
			FAIL(sc, "%s: not an IP address", fi->path);
		memcpy(m, &ip, sizeof(ip));
		break;
	}
	case K_MAC:
		if (mac_text(s, n, (uint8_t *)m) < 0)
			FAIL(sc, "%s: not a MAC address (AA-BB-CC-DD-EE-FF)", fi->path);
		break;
	case K_KWINT:
	case K_INT:
		if (int_text(s, n, &v) < 0)
			FAIL(sc, "%s: not an integer", fi->path);
		memcpy(m, &v, sizeof(v));
		break;
	case K_ETHERTYPE: {
		uint16_t t;
		if (ethertype_text(s, n, &t) < 0)
			FAIL(sc, "%s: not an EtherType name or 0xHHHH", fi->path);
		memcpy(m, &t, sizeof(t));
		break;
	}
	case K_ID:
		if (id_text(sc, s, n) < 0)
			FAIL(sc, "%s: not a document id (PREFIX-SEQ)", fi->path);
		sc->have_id = 1;
		return 0;
	case K_SAFETEXT:
		/* written back without escaping: printable ASCII only (raw_string took no escape) */
		if (n >= nd->cap)
			FAIL(sc, "%s: longer than %zu bytes", fi->path, nd->cap - 1);
		for (size_t i = 0; i < n; i++) {
			if ((unsigned char)s[i] > 0x7e)
				FAIL(sc, "%s: not printable ASCII", fi->path);
		}
		memcpy(m, s, n);
		m[n] = '\0';
		break;
	case K_STR:
	case K_TEXT:
	case K_UNKNOWN:
		break;
	}
	sc->r->has |= fi->bit;
	return 0;
}

/* The object at sc->p whose members are the children of node at. 0 or -1. */
static int object(struct scan *sc, int at)
{
	const struct node *obj = &schema.nodes[at];

	if ((sc->p == sc->end || *sc->p != '{') && at == 0)
		FAIL(sc, "not a JSON object");
	if (sc->p == sc->end || *sc->p != '{')
		FAIL(sc, "%.*s: expected an object", (int)obj->pathlen, obj->path);
	sc->p++;
	skip_ws(sc);
	if (sc->p < sc->end && *sc->p == '}') {
		sc->p++;
		return 0;
	}
	for (;;) {
		const char *key;
		size_t keylen;
		if (sc->p == sc->end || *sc->p != '"' || raw_string(sc, &key, &keylen) < 0)
			FAIL(sc, "%s%.*s: expected a member name", obj->pathlen ? "in " : "at the top",
			     (int)obj->pathlen, obj->path);
		int c = child_named(at, key, keylen);
		if (c < 0)
			FAIL(sc, "unknown field %.*s%s%.*s", (int)obj->pathlen, obj->path, obj->pathlen ? "." : "",
			     (int)(keylen > 64 ? 64 : keylen), key);
		skip_ws(sc);
		if (sc->p == sc->end || *sc->p != ':')
			FAIL(sc, "%.*s: expected ':'", (int)schema.nodes[c].pathlen, schema.nodes[c].path);
		sc->p++;
		skip_ws(sc);
		if ((schema.nodes[c].field >= 0 ? field_value(sc, &schema.nodes[c]) : object(sc, c)) < 0)
			return -1;
		skip_ws(sc);
		if (sc->p < sc->end && *sc->p == '}') {
			sc->p++;
			return 0;
		}
		if (sc->p == sc->end || *sc->p != ',')
			FAIL(sc, "%.*s: expected ',' or '}' after it", (int)schema.nodes[c].pathlen,
			     schema.nodes[c].path);
		sc->p++;
		skip_ws(sc);
	}
}

int rowparse_is_row(const char *json, size_t len)
{
	const char *p = json, *end = json + len, *key;

	pthread_once(&schema_once, schema_init);
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	if (end - p < 2 || p[0] != '{')
		return 0;
	p++;
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	if (p == end || *p != '"')
		return 0;
	key = ++p;
	while (p < end && *p != '"' && *p != '\\')
		p++;
	if (p == end || *p != '"' || child_named(0, key, (size_t)(p - key)) < 0)
		return 0;
	return memmem(json, len, "\"_id\"", 5) != NULL;
}

int rowparse_parse(const char *json, size_t len, struct row *r, struct rowparse_strings *strs, char *err, size_t errlen)
{
	struct scan sc = { .p = json, .end = json + len, .r = r, .err = err, .errlen = errlen };
	int rc = -1;

	pthread_once(&schema_once, schema_init);
	memset(r, 0, sizeof(*r));
	if (schema.broken) {
		snprintf(err, errlen, "the schema table does not fit rowparse (MAX_NODES)");
		goto out;
	}
	if (len > ROWPARSE_MAX_RECORD) {
		snprintf(err, errlen, "oversized record: %zu bytes (limit %d)", len, ROWPARSE_MAX_RECORD);
		goto out;
	}
	sc.out = strings_room(strs, len + 1);
	if (sc.out == NULL) {
		snprintf(err, errlen, "the batch's string store is full");
		rc = ROWPARSE_FULL;
		goto out;
	}
	skip_ws(&sc);
	if (object(&sc, 0) < 0)
		goto out;
	skip_ws(&sc);
	if (sc.p != sc.end) {
		snprintf(err, errlen, "text after the row's object");
		goto out;
	}
	if (!sc.have_id) {
		snprintf(err, errlen, "_id: missing");
		goto out;
	}
	strs->used += sc.out_used;
	/* where the row goes is decided here, where it is made (row.h) */
	if (r->has & ROW_HAS_event_dataset)
		r->event_dataset = row_dataset_canonical(r->event_dataset);
	rc = 0;
out:
	if (rc != 0)
		memset(r, 0, sizeof(*r));
	return rc;
}
