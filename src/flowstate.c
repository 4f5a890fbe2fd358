/* The open-flow table as bytes (flowstate_write / flowstate_read) and as the checkpoint's flows/N
 * files (see flowstate.h). The format: a magic line, the count and the clock; each flow as a
 * record (its key, times, counters, flags, MACs, names); the closing list's order as indices; a
 * checksum chained over the records. Integers are little-endian, so a checkpoint moves between
 * machines. */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "flow_impl.h"
#include "flowstate.h"
#include "fsutil.h"
#include "growbuf.h"
#include "hash.h"

#define FLOW_MAGIC "pcapstream flow table 2\n"

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
	if (n == 0)
		return; /* p may be NULL (an absent name) */
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

int flowstate_write(struct flow_table *t, FILE *f, char *err, size_t errlen)
{
	struct enc e = { .n = 0 };
	uint64_t sum = 0, idx = 0, nclosing = 0;

	enc_bytes(&e, FLOW_MAGIC, strlen(FLOW_MAGIC));
	enc_u64(&e, t->count);
	enc_u64(&e, (uint64_t)t->clock);
	enc_u64(&e, (uint64_t)t->has_clock);
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
		flow_copy_text(fixed, cap, buf);
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
	x->hash = flow_key_hash(x->key);
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
		flow_names_free(x->names);
	free(x);
	return rc;
}

int flowstate_read(struct flow_table *t, FILE *f, char *err, size_t errlen)
{
	uint8_t head[sizeof(FLOW_MAGIC) - 1 + 3 * 8], tail[8];
	uint64_t sum = 0, n, nclosing, i;
	struct flow **byidx = NULL;
	size_t cap = 0;
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
	for (i = 0; i < n; i++) {
		struct flow *x;
		/* grown as flows are read: a damaged count runs into the end of the file, not into memory */
		if (growbuf_array((void **)&byidx, &cap, i + 1, sizeof(*byidx), (size_t)n) < 0) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
		if (dec_flow(f, &sum, &x) < 0) {
			snprintf(err, errlen, "damaged or cut short at flow %llu of %llu", (unsigned long long)i + 1,
				 (unsigned long long)n);
			goto out;
		}
		flow_link(t, x);
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
		flow_closing_append(t, byidx[k]);
	}
	if (fread(tail, 1, 8, f) != 8 || le64(tail) != sum)
		goto damaged;
	for (i = 0; i < n; i++)
		if (byidx[i]->closing != END_NONE && byidx[i]->cprev == NULL && byidx[i] != t->chead)
			goto damaged;
	t->clock = (int64_t)le64(head + strlen(FLOW_MAGIC) + 8);
	t->has_clock = le64(head + strlen(FLOW_MAGIC) + 16) != 0;
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

/* fsutil_write_atomic_with's fill: the table. */
static int fill_table(FILE *f, void *arg, char *err, size_t errlen)
{
	return flowstate_write(arg, f, err, errlen);
}

int flowstate_save(const char *dir, uint64_t batch, struct flow_table *t, char *err, size_t errlen)
{
	char sub[4096], path[4160];

	snprintf(sub, sizeof(sub), "%s/flows", dir);
	snprintf(path, sizeof(path), "%s/%" PRIu64, sub, batch);
	if (fsutil_mkdirs(sub, err, errlen) < 0)
		return -1;
	return fsutil_write_atomic_with(path, fill_table, t, err, errlen);
}

int flowstate_load(const char *dir, uint64_t batch, int must_exist, struct flow_table *t, char *err, size_t errlen)
{
	char path[4160], why[256];
	FILE *f;
	int rc;

	flow_table_clear(t);
	snprintf(path, sizeof(path), "%s/flows/%" PRIu64, dir, batch);
	f = fopen(path, "rbe");
	if (f == NULL && errno == ENOENT && !must_exist)
		return 0;
	if (f == NULL) {
		snprintf(err, errlen,
			 "the checkpoint is damaged: %s, the open flows of the last commit, cannot be read (%s). "
			 "Restore the folder from a backup, or start a new --checkpoint",
			 path, strerror(errno));
		return -1;
	}
	rc = flowstate_read(t, f, why, sizeof(why));
	fclose(f);
	if (rc < 0)
		snprintf(err, errlen,
			 "the checkpoint is damaged: %s, the open flows of the last commit: %s. Restore the folder "
			 "from a backup, or start a new --checkpoint",
			 path, why);
	return rc;
}

void flowstate_prune(const char *dir, uint64_t keep)
{
	char sub[4096], path[8200];
	DIR *d;

	snprintf(sub, sizeof(sub), "%s/flows", dir);
	d = opendir(sub);
	if (d == NULL)
		return;
	for (struct dirent *de = readdir(d); de != NULL; de = readdir(d)) {
		char *end;
		unsigned long long n;
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		n = strtoull(de->d_name, &end, 10);
		if (*end != '\0' && strcmp(end, ".tmp") != 0)
			continue;
		if (n < keep || *end != '\0') {
			snprintf(path, sizeof(path), "%s/%s", sub, de->d_name);
			unlink(path);
		}
	}
	closedir(d);
}
