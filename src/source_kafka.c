/* The Kafka source: records of one topic, read by a consumer group (see source_kafka.h).
 *
 * poll() gathers records (up to the per-batch caps) from the partitions the group assigned. A
 * plan is the offset ranges of what was gathered, per partition ([from, until)), the way Spark's
 * Kafka source plans; rows are made in (partition, offset) order, so the same plan gives the same
 * rows in the same order. A plan left uncommitted by a crash is read again, range by range, by a
 * consumer of its own outside the group, before this one takes part in it.
 *
 * After commits/N the next offsets are committed to Kafka (for the group and for other tools)
 * and kept in the commit as "positions": when the group assigns a partition, reading resumes
 * from the later of the two, so a batch committed to the checkpoint is never read again by this
 * state folder even if the Kafka commit was lost. On a rebalance the records gathered so far are
 * run as a batch and committed before the partitions are given up. */
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "checkpoint.h"
#include "fsutil.h"
#include "growbuf.h"
#include "kafkaconf.h"
#include "log.h"
#include "pmacct.h"
#include "rowparse.h"
#include "rowfmt.h"
#include "source_kafka.h"
#include "statekeys.h"

#define KSRC_CHUNK	       1024	      /* rows handed to the sinks at a time */
#define KSRC_MAX_PARTITIONS    100000	      /* partitions of the topic we keep a position for */
#define KSRC_CONSUME_CALL      1000	      /* records taken from librdkafka per call at most */
#define KSRC_SORT_BUCKETS      64	      /* partitions per batch sort_buffer buckets, else qsort */
#define KSRC_REPLAY_TIMEOUT_NS 120000000000LL /* reading a plan's ranges again */
#define KSRC_COMMITTED_MS      10000	      /* asking the group's committed offsets */
#define KSRC_STRINGS	       (4u << 20)     /* strings of a chunk of pcapstream rows read back */

struct position {
	int32_t partition;
	int64_t next; /* the next offset to read */
};

struct ksrc {
	const struct source_kafka_config *cfg;
	const struct source_env *env;
	rd_kafka_t *rk;
	rd_kafka_t *replay_rk;	  /* the consumer that read a plan again (its records are in buf) */
	rd_kafka_queue_t *queue;  /* rk's consumer queue, read up to KSRC_CONSUME_CALL records a call */
	rd_kafka_message_t **buf; /* gathered records, not yet committed */
	size_t nbuf, capbuf;
	rd_kafka_message_t **sorted; /* sort_buffer's scratch */
	size_t capsorted;
	uint64_t bytes;
	int64_t planned;      /* the batch buf is planned as, or -1 */
	struct position *pos; /* from the checkpoint's commits */
	size_t npos, cappos;
	struct row *rows;		   /* a chunk */
	struct pmacct_strings *strs;	   /* of pmacct rows, index for index */
	struct rowparse_strings *row_strs; /* of pcapstream rows read back */
};

static struct position *position_of(struct ksrc *k, int32_t partition)
{
	for (size_t i = 0; i < k->npos; i++)
		if (k->pos[i].partition == partition)
			return &k->pos[i];
	return NULL;
}

/* Set the position of partition (added if new). 0, or -1 when out of memory. */
static int position_set(struct ksrc *k, int32_t partition, int64_t next)
{
	struct position *p = position_of(k, partition);

	if (p == NULL) {
		if (growbuf_array((void **)&k->pos, &k->cappos, k->npos + 1, sizeof(*k->pos), KSRC_MAX_PARTITIONS) < 0)
			return -1;
		p = &k->pos[k->npos++];
		p->partition = partition;
	}
	p->next = next;
	return 0;
}

static void drop_buffer(struct ksrc *k)
{
	for (size_t i = 0; i < k->nbuf; i++)
		rd_kafka_message_destroy(k->buf[i]);
	k->nbuf = 0;
	k->bytes = 0;
	k->planned = -1;
	if (k->replay_rk != NULL) {
		/* only now: a client is destroyed once every record it gave out is */
		rd_kafka_consumer_close(k->replay_rk);
		rd_kafka_destroy(k->replay_rk);
		k->replay_rk = NULL;
	}
}

static int by_partition_offset(const void *a, const void *b)
{
	const rd_kafka_message_t *x = *(const rd_kafka_message_t *const *)a, *y = *(const rd_kafka_message_t *const *)b;

	if (x->partition != y->partition)
		return x->partition < y->partition ? -1 : 1;
	return (x->offset > y->offset) - (x->offset < y->offset);
}

/* Order k->buf by partition, then offset. The consumer hands each partition's records over in
 * offset order, so a stable bucketing by partition (one pass to count, one to place) does it
 * without comparing 50,000 records log(n) times; qsort when that does not hold (a record out of
 * order, more than KSRC_SORT_BUCKETS partitions in the batch, no memory for the scratch). */
static void sort_buffer(struct ksrc *k)
{
	int32_t part[KSRC_SORT_BUCKETS];
	int64_t last[KSRC_SORT_BUCKETS];
	size_t count[KSRC_SORT_BUCKETS], at[KSRC_SORT_BUCKETS];
	int np = 0, b;

	for (size_t i = 0; i < k->nbuf; i++) {
		for (b = 0; b < np && part[b] != k->buf[i]->partition; b++)
			;
		if (b == np) {
			if (np == KSRC_SORT_BUCKETS)
				goto fallback;
			part[np] = k->buf[i]->partition;
			last[np] = INT64_MIN;
			count[np++] = 0;
		}
		if (k->buf[i]->offset < last[b])
			goto fallback;
		last[b] = k->buf[i]->offset;
		count[b]++;
	}
	if (growbuf_array((void **)&k->sorted, &k->capsorted, k->nbuf, sizeof(*k->sorted), SIZE_MAX) < 0)
		goto fallback;
	for (int x = 0; x < np; x++) {
		at[x] = 0;
		for (int y = 0; y < np; y++)
			at[x] += part[y] < part[x] ? count[y] : 0;
	}
	for (size_t i = 0; i < k->nbuf; i++) {
		for (b = 0; part[b] != k->buf[i]->partition; b++)
			;
		k->sorted[at[b]++] = k->buf[i];
	}
	memcpy(k->buf, k->sorted, k->nbuf * sizeof(*k->buf));
	return;
fallback:
	qsort(k->buf, k->nbuf, sizeof(*k->buf), by_partition_offset);
}

/* --- the group ------------------------------------------------------------------------------- */

/* Assigned partitions resume at the later of the group's committed offset and the checkpoint's
 * position; revoked ones first get a batch of what was gathered from them. */
static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t e, rd_kafka_topic_partition_list_t *parts, void *opaque)
{
	struct ksrc *k = opaque;

	if (e == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
		rd_kafka_resp_err_t ce = rd_kafka_committed(rk, parts, KSRC_COMMITTED_MS);
		for (int i = 0; i < parts->cnt; i++) {
			struct position *p = position_of(k, parts->elems[i].partition);
			if (ce != RD_KAFKA_RESP_ERR_NO_ERROR || parts->elems[i].err)
				parts->elems[i].offset = RD_KAFKA_OFFSET_INVALID;
			if (p != NULL && (parts->elems[i].offset < 0 || p->next > parts->elems[i].offset))
				parts->elems[i].offset = p->next;
		}
		log_line(LOG_INFO, "partitions assigned", (struct log_field[]){ LOG_I("count", parts->cnt) }, 1);
		rd_kafka_assign(rk, parts);
		return;
	}
	/* Revoked: finish what was read from them before letting them go. */
	if (k->nbuf > 0 && k->planned < 0)
		k->env->batch_now(k->env->drv);
	if (k->nbuf > 0)
		drop_buffer(k); /* not committed: the partitions' next owner reads them */
	log_line(LOG_INFO, "partitions revoked", (struct log_field[]){ LOG_I("count", parts->cnt) }, 1);
	rd_kafka_assign(rk, NULL);
}

/* A consumer with settings (NULL-ended pairs), taking part in k's group when rebalance_of is k.
 * NULL with err on failure. */
static rd_kafka_t *make_client(const char *const (*settings)[2], const char *const (*more)[2],
			       struct ksrc *rebalance_of, char *err, size_t errlen)
{
	const struct kafkaconf_callbacks cb = { .rebalance = on_rebalance, .opaque = rebalance_of };

	return kafkaconf_client(RD_KAFKA_CONSUMER, settings, more, rebalance_of != NULL ? &cb : NULL, err, errlen);
}

/* --- reading a plan again -------------------------------------------------------------------- */

/* Fetch the records of ranges (a plan's) into k->buf (empty) with a consumer outside the group,
 * kept in k->replay_rk until the records are dropped. 0, -1 (Kafka unreachable: retried) or -2
 * (records of the plan are gone) with err; on failure k->buf is dropped. */
static int fetch_ranges(struct ksrc *k, json_t *ranges, char *err, size_t errlen)
{
	const char *const cs[][2] = {
		{ "bootstrap.servers", k->cfg->brokers },
		{ "group.id", k->cfg->group },
		{ "enable.auto.commit", "false" },
		{ "enable.partition.eof", "true" },
		{ NULL, NULL },
	};
	rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new((int)json_array_size(ranges));
	int64_t *until = calloc(json_array_size(ranges) + 1, sizeof(*until));
	int64_t deadline = fsutil_mono_ns() + KSRC_REPLAY_TIMEOUT_NS;
	rd_kafka_t *rk = NULL;
	size_t i, left = 0;
	json_t *r;
	int rc = -1;

	if (parts == NULL || until == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	json_array_foreach(ranges, i, r)
	{
		int64_t from = json_integer_value(json_object_get(r, "from"));
		until[i] = json_integer_value(json_object_get(r, "until"));
		if (!json_is_integer(json_object_get(r, "partition")) || from < 0 || until[i] <= from) {
			snprintf(err, errlen, "a range without partition or offsets");
			rc = -2;
			goto out;
		}
		rd_kafka_topic_partition_list_add(parts, k->cfg->topic,
						  (int32_t)json_integer_value(json_object_get(r, "partition")))
		    ->offset = from;
		left++;
	}
	rk = make_client(cs, NULL, NULL, err, errlen);
	k->replay_rk = rk;
	if (rk == NULL || rd_kafka_assign(rk, parts) != RD_KAFKA_RESP_ERR_NO_ERROR) {
		if (rk != NULL)
			snprintf(err, errlen, "cannot assign the plan's partitions");
		goto out;
	}
	while (left > 0) {
		if (*k->env->stop || fsutil_mono_ns() > deadline) {
			snprintf(err, errlen, "%s reading the plan's offsets again (%zu partitions not done)",
				 *k->env->stop ? "stopped" : "timed out", left);
			goto out;
		}
		rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 200);
		if (m == NULL)
			continue;
		size_t at = 0;
		while (at < (size_t)parts->cnt && parts->elems[at].partition != m->partition)
			at++;
		int done = at < (size_t)parts->cnt && until[at] < 0;
		if (at == (size_t)parts->cnt || done) {
			rd_kafka_message_destroy(m);
			continue;
		}
		if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
			/* the end of the partition: the range's records left are gone if it ends before it */
			if (m->offset < until[at]) {
				snprintf(err, errlen,
					 "partition %d ends at offset %lld, before the planned %lld (topic deleted or "
					 "truncated?)",
					 (int)m->partition, (long long)m->offset, (long long)until[at]);
				rd_kafka_message_destroy(m);
				rc = -2;
				goto out;
			}
			until[at] = -1;
			left--;
			rd_kafka_message_destroy(m);
			continue;
		}
		if (m->err) {
			log_line(LOG_WARN, "consumer",
				 (struct log_field[]){ LOG_S("error", rd_kafka_message_errstr(m)) }, 1);
			rd_kafka_message_destroy(m);
			continue;
		}
		if (m->offset >= until[at]) {
			until[at] = -1;
			left--;
			rd_kafka_message_destroy(m);
			continue;
		}
		if (growbuf_array((void **)&k->buf, &k->capbuf, k->nbuf + 1, sizeof(*k->buf), SIZE_MAX) < 0) {
			rd_kafka_message_destroy(m);
			snprintf(err, errlen, "out of memory");
			goto out;
		}
		k->buf[k->nbuf++] = m;
		if (m->offset == until[at] - 1) {
			until[at] = -1;
			left--;
		}
	}
	rc = 0;
out:
	if (rc < 0)
		drop_buffer(k);
	if (parts != NULL)
		rd_kafka_topic_partition_list_destroy(parts);
	free(until);
	return rc;
}

/* --- the source ops -------------------------------------------------------------------------- */

static int ks_check(void *st, const struct checkpoint *ck, char *err, size_t errlen)
{
	(void)st;
	(void)ck;
	(void)err;
	(void)errlen;
	return 0; /* its state is the commits' positions, which the driver checks */
}

static int ks_recover(void *st, struct checkpoint *ck, char *err, size_t errlen)
{
	struct ksrc *k = st;
	int64_t last = checkpoint_last_commit(ck);
	json_t *c, *positions, *v;
	const char *key;

	if (last < 0)
		return 0;
	c = checkpoint_read_commit(ck, (uint64_t)last, err, errlen);
	if (c == NULL)
		return -1;
	positions = json_object_get(json_object_get(c, SK_KAFKA), "positions");
	json_object_foreach(positions, key, v)
	{
		if (position_set(k, (int32_t)atoi(key), json_integer_value(v)) < 0) {
			snprintf(err, errlen, "out of memory");
			json_decref(c);
			return -1;
		}
	}
	json_decref(c);
	return 0;
}

static enum source_state ks_poll(void *st, int64_t wait_ns, int draining)
{
	struct ksrc *k = st;
	int64_t deadline = fsutil_mono_ns() + wait_ns;

	(void)draining;
	while (k->planned < 0 && k->nbuf < k->cfg->max_rows && k->bytes < k->cfg->max_bytes && !*k->env->stop) {
		int64_t left = deadline - fsutil_mono_ns();
		size_t want = k->cfg->max_rows - k->nbuf, kept = 0;
		if (want > KSRC_CONSUME_CALL)
			want = KSRC_CONSUME_CALL;
		if (growbuf_array((void **)&k->buf, &k->capbuf, k->nbuf + want, sizeof(*k->buf), SIZE_MAX) < 0)
			break;
		/* a thousand at a time (one call, one clock read), at most 100 ms, so a stop is seen; the
		 * byte cap is checked per call, so a batch may pass --max-bytes by one call's records */
		ssize_t got = rd_kafka_consume_batch_queue(
		    k->queue, left > 0 ? (int)(left > 100000000 ? 100 : left / 1000000 + 1) : 0, k->buf + k->nbuf,
		    want);
		if (got <= 0) {
			if (left <= 0)
				break;
			continue;
		}
		for (ssize_t i = 0; i < got; i++) {
			rd_kafka_message_t *m = k->buf[k->nbuf + (size_t)i];
			if (m->err) {
				if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
					log_line(LOG_WARN, "consumer",
						 (struct log_field[]){ LOG_S("error", rd_kafka_message_errstr(m)) }, 1);
				rd_kafka_message_destroy(m);
				continue;
			}
			k->bytes += m->len;
			k->buf[k->nbuf + kept++] = m;
		}
		k->nbuf += kept;
	}
	if (k->nbuf >= k->cfg->max_rows || k->bytes >= k->cfg->max_bytes)
		return SOURCE_FULL;
	return k->nbuf > 0 ? SOURCE_READY : SOURCE_IDLE;
}

/* The ranges of the (sorted) buffer, as a new array. */
static json_t *ranges_of(struct ksrc *k)
{
	json_t *ranges = json_array();

	for (size_t i = 0; i < k->nbuf;) {
		size_t j = i;
		while (j + 1 < k->nbuf && k->buf[j + 1]->partition == k->buf[i]->partition)
			j++;
		json_array_append_new(ranges, json_pack("{s:i,s:I,s:I}", "partition", (int)k->buf[i]->partition, "from",
							(json_int_t)k->buf[i]->offset, "until",
							(json_int_t)k->buf[j]->offset + 1));
		i = j + 1;
	}
	return ranges;
}

static int ks_plan(void *st, uint64_t batch, int unlimited, json_t **plan, char *err, size_t errlen)
{
	struct ksrc *k = st;
	char when[40];

	(void)unlimited; /* the buffer never holds more than a batch */
	*plan = NULL;
	if (k->nbuf == 0)
		return 0;
	sort_buffer(k);
	rowfmt_time_text(when, fsutil_now_ns());
	*plan = json_pack("{s:I,s:s,s:{s:s,s:o}}", SK_BATCH, (json_int_t)batch, SK_PLANNED_AT, when, SK_KAFKA, SK_TOPIC,
			  k->cfg->topic, "ranges", ranges_of(k));
	if (*plan == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	k->planned = (int64_t)batch;
	return 0;
}

/* One record into the row at k->rows[i] (a pmacct record, or a pcapstream row as the kafka: sink
 * writes it: told apart record by record), or a dead letter. 0 (row made), 1 (dead letter
 * written), ROWPARSE_FULL (the chunk's string store is full: emit the chunk, then again), -1 (the
 * dead letter could not be written: err). */
static int record(struct ksrc *k, const rd_kafka_message_t *m, size_t i, const struct source_emit *emit, char *err,
		  size_t errlen)
{
	const char *payload = m->payload != NULL ? m->payload : "";
	char why[512];
	json_t *letter;
	int rc;

	if (rowparse_is_row(payload, m->len)) {
		rc = rowparse_parse(payload, m->len, &k->rows[i], k->row_strs, why, sizeof(why));
		if (rc == 0 || rc == ROWPARSE_FULL)
			return rc;
	} else if (pmacct_parse(payload, m->len, k->cfg->topic, m->partition, m->offset, &k->rows[i], &k->strs[i], why,
				sizeof(why)) == 0) {
		return 0;
	}
	letter = json_pack("{s:s,s:i,s:I,s:s,s:s%}", "topic", k->cfg->topic, "partition", (int)m->partition, "offset",
			   (json_int_t)m->offset, "reason", why, "message", payload, m->len);
	if (letter == NULL) /* not valid UTF-8 even as a JSON string: keep the position and reason */
		letter = json_pack("{s:s,s:i,s:I,s:s,s:s}", "topic", k->cfg->topic, "partition", (int)m->partition,
				   "offset", (json_int_t)m->offset, "reason", why, "message", "(binary, not kept)");
	log_line(LOG_WARN, "dead letter",
		 (struct log_field[]){ LOG_S("topic", k->cfg->topic), LOG_I("partition", m->partition),
				       LOG_I("offset", m->offset), LOG_S("reason", why) },
		 4);
	rc = letter != NULL ? emit->dead(emit->drv, letter, err, errlen) : -1;
	if (letter == NULL)
		snprintf(err, errlen, "dead letter: out of memory");
	json_decref(letter);
	return rc < 0 ? -1 : 1;
}

static int ks_read(void *st, uint64_t batch, json_t *plan, const struct source_emit *emit, json_t **outcome,
		   struct source_batch *b, char *err, size_t errlen)
{
	struct ksrc *k = st;
	json_t *kp = json_object_get(plan, SK_KAFKA), *ranges = json_object_get(kp, "ranges"), *positions, *r;
	size_t n = 0, i;
	int rc;

	if (!json_is_array(ranges) || json_array_size(ranges) == 0) {
		snprintf(err, errlen, "offsets/%llu: no offset ranges", (unsigned long long)batch);
		return -2;
	}
	if (k->planned != (int64_t)batch) {
		/* a plan of an earlier run: its records again, from Kafka */
		drop_buffer(k);
		rc = fetch_ranges(k, ranges, err, errlen);
		if (rc < 0)
			return rc;
		sort_buffer(k);
		k->planned = (int64_t)batch;
	}
	rowparse_strings_reset(k->row_strs);
	for (i = 0; i < k->nbuf; i++) {
		rc = record(k, k->buf[i], n, emit, err, errlen);
		if (rc == ROWPARSE_FULL && n > 0) {
			/* the chunk so far out, its strings forgotten, and this record again */
			if (emit->rows(emit->drv, k->rows, n, err, errlen) < 0)
				return -1;
			b->rows += n;
			n = 0;
			rowparse_strings_reset(k->row_strs);
			rc = record(k, k->buf[i], n, emit, err, errlen);
		}
		if (rc == ROWPARSE_FULL) {
			/* an empty store that cannot take one row (oversized ones are refused before) */
			snprintf(err, errlen, "partition %d offset %lld: out of memory for the row's strings",
				 (int)k->buf[i]->partition, (long long)k->buf[i]->offset);
			return -1;
		}
		if (rc < 0)
			return -1;
		b->units++;
		if (rc > 0) {
			b->bad++;
			continue;
		}
		if (++n == KSRC_CHUNK) {
			if (emit->rows(emit->drv, k->rows, n, err, errlen) < 0)
				return -1;
			b->rows += n;
			n = 0;
			rowparse_strings_reset(k->row_strs);
			if (*k->env->stop)
				return 1;
		}
	}
	if (n > 0) {
		if (emit->rows(emit->drv, k->rows, n, err, errlen) < 0)
			return -1;
		b->rows += n;
	}
	/* the positions after this batch: the checkpoint's, moved past its ranges */
	positions = json_object();
	for (i = 0; i < k->npos; i++) {
		char key[16];
		snprintf(key, sizeof(key), "%d", (int)k->pos[i].partition);
		json_object_set_new(positions, key, json_integer((json_int_t)k->pos[i].next));
	}
	json_array_foreach(ranges, i, r)
	{
		char key[16];
		snprintf(key, sizeof(key), "%d", (int)json_integer_value(json_object_get(r, "partition")));
		json_object_set(positions, key, json_object_get(r, "until"));
	}
	*outcome = json_pack("{s:s,s:O,s:o}", "topic", k->cfg->topic, "ranges", ranges, "positions", positions);
	if (*outcome == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	b->extra[0] = (struct log_field)LOG_I("records", b->units);
	b->extra[1] = (struct log_field)LOG_I("partitions", json_array_size(ranges));
	b->nextra = 2;
	return 0;
}

/* Whether partition p of the topic is assigned to this member now. */
static int assigned(rd_kafka_topic_partition_list_t *as, const char *topic, int32_t p)
{
	return as != NULL && rd_kafka_topic_partition_list_find(as, topic, p) != NULL;
}

static int ks_ack(void *st, uint64_t batch, json_t *outcome, char *err, size_t errlen)
{
	struct ksrc *k = st;
	json_t *ranges = json_object_get(outcome, "ranges"), *r;
	rd_kafka_topic_partition_list_t *offs = rd_kafka_topic_partition_list_new((int)json_array_size(ranges) + 1);
	rd_kafka_topic_partition_list_t *as = NULL;
	size_t i;
	int rc = -1;

	if (offs == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (rd_kafka_assignment(k->rk, &as) != RD_KAFKA_RESP_ERR_NO_ERROR)
		as = NULL;
	json_array_foreach(ranges, i, r)
	{
		int32_t p = (int32_t)json_integer_value(json_object_get(r, "partition"));
		int64_t until = json_integer_value(json_object_get(r, "until"));
		/* Only partitions this member holds: a plan replayed before joining the group must not
		 * move back the offset of a partition another member has read further since. */
		if (assigned(as, k->cfg->topic, p))
			rd_kafka_topic_partition_list_add(offs, k->cfg->topic, p)->offset = until;
		if (position_set(k, p, until) < 0) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
	}
	if (k->planned == (int64_t)batch)
		drop_buffer(k);
	/* The group's offsets, for the other members and for tools. This state folder trusts the
	 * checkpoint's positions, so a failure here does not make it read the batch again; but the
	 * partition's next owner in the group would start from the older offset and store the batch
	 * a second time (the stores drop it by _id; another member's file sink keeps it). */
	if (offs->cnt > 0) {
		rd_kafka_resp_err_t ke = rd_kafka_commit(k->rk, offs, 0);
		if (ke != RD_KAFKA_RESP_ERR_NO_ERROR && ke != RD_KAFKA_RESP_ERR__NO_OFFSET)
			log_line(LOG_WARN, "offsets not committed to the group (this state folder keeps them)",
				 (struct log_field[]){ LOG_I("batch", batch), LOG_S("error", rd_kafka_err2str(ke)) },
				 2);
	}
	rc = 0;
out:
	if (as != NULL)
		rd_kafka_topic_partition_list_destroy(as);
	if (offs != NULL)
		rd_kafka_topic_partition_list_destroy(offs);
	return rc;
}

static void ks_totals(void *st, json_t *totals)
{
	(void)st;
	(void)totals;
}

/* topic, group and the consumer lag per assigned partition. */
static void ks_stats(void *st, json_t *stats)
{
	struct ksrc *k = st;
	rd_kafka_topic_partition_list_t *as = NULL;
	json_t *lag = json_array();

	if (rd_kafka_assignment(k->rk, &as) == RD_KAFKA_RESP_ERR_NO_ERROR && as != NULL) {
		rd_kafka_position(k->rk, as);
		for (int i = 0; i < as->cnt; i++) {
			int64_t lo = -1, hi = -1, pos = as->elems[i].offset;
			if (rd_kafka_get_watermark_offsets(k->rk, as->elems[i].topic, as->elems[i].partition, &lo,
							   &hi) != RD_KAFKA_RESP_ERR_NO_ERROR ||
			    hi < 0 || pos < 0)
				continue;
			json_array_append_new(lag, json_pack("{s:s,s:i,s:I}", "topic", as->elems[i].topic, "partition",
							     (int)as->elems[i].partition, "lag",
							     (json_int_t)(hi > pos ? hi - pos : 0)));
		}
	}
	if (as != NULL)
		rd_kafka_topic_partition_list_destroy(as);
	json_object_set_new(stats, SK_TOPIC, json_string(k->cfg->topic));
	json_object_set_new(stats, SK_GROUP, json_string(k->cfg->group));
	json_object_set_new(stats, SK_LAG, lag);
}

static void ks_progress(void *st, struct source_progress *p)
{
	(void)st;
	memset(p, 0, sizeof(*p));
}

static void ks_finish(void *st, int drained)
{
	(void)st;
	(void)drained;
}

static void ks_close(void *st)
{
	struct ksrc *k = st;

	if (k == NULL)
		return;
	drop_buffer(k);
	if (k->queue != NULL)
		rd_kafka_queue_destroy(k->queue);
	if (k->rk != NULL) {
		rd_kafka_consumer_close(k->rk);
		rd_kafka_destroy(k->rk);
	}
	free(k->buf);
	free(k->sorted);
	free(k->pos);
	free(k->rows);
	free(k->strs);
	rowparse_strings_free(k->row_strs);
	free(k);
}

const struct source_ops source_kafka_ops = {
	.name = SK_KAFKA,
	.check = ks_check,
	.recover = ks_recover,
	.poll = ks_poll,
	.plan = ks_plan,
	.read = ks_read,
	.ack = ks_ack,
	.totals = ks_totals,
	.stats = ks_stats,
	.progress = ks_progress,
	.finish = ks_finish,
	.close = ks_close,
};

json_t *source_kafka_metadata(const struct source_kafka_config *cfg)
{
	char source[1200];

	snprintf(source, sizeof(source), "kafka:%s group %s", cfg->topic, cfg->group);
	return json_pack("{s:i,s:s}", "version", 1, "source", source);
}

int source_kafka_open(const struct source_kafka_config *cfg, const struct source_env *env, void **out, char *err,
		      size_t errlen)
{
	struct ksrc *k = calloc(1, sizeof(*k));
	const char *const cs[][2] = {
		{ "bootstrap.servers", cfg->brokers },
		{ "group.id", cfg->group },
		{ "enable.auto.commit", "false" },
		{ "enable.auto.offset.store", "false" },
		{ "auto.offset.reset", "earliest" },
		{ "max.poll.interval.ms", "86400000" },
		{ "session.timeout.ms", "10000" },
		{ "partition.assignment.strategy", "range,roundrobin" },
		/* librdkafka 2.0 stops fetching for a fixed second when its queue passes either limit
		 * (docs/realtime-throughput.md): only the byte cap (--prefetch) applies */
		{ "queued.min.messages", "10000000" },
		{ NULL, NULL },
	};
	char kbytes[32];
	snprintf(kbytes, sizeof(kbytes), "%llu", (unsigned long long)(cfg->prefetch / 1024));
	const char *const prefetch[][2] = { { "queued.max.messages.kbytes", kbytes }, { NULL, NULL } };
	rd_kafka_topic_partition_list_t *subs = NULL;
	int rc = -1;

	*out = NULL;
	if (k != NULL) {
		k->cfg = cfg;
		k->env = env;
		k->planned = -1;
		k->rows = calloc(KSRC_CHUNK, sizeof(*k->rows));
		k->strs = calloc(KSRC_CHUNK, sizeof(*k->strs));
		k->row_strs = rowparse_strings_new(KSRC_STRINGS);
	}
	if (k == NULL || k->rows == NULL || k->strs == NULL || k->row_strs == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	k->rk = make_client(cs, prefetch, k, err, errlen);
	if (k->rk == NULL)
		goto out;
	rd_kafka_poll_set_consumer(k->rk);
	k->queue = rd_kafka_queue_get_consumer(k->rk);
	if (k->queue == NULL) {
		snprintf(err, errlen, "no consumer queue");
		goto out;
	}
	subs = rd_kafka_topic_partition_list_new(1);
	rd_kafka_topic_partition_list_add(subs, cfg->topic, RD_KAFKA_PARTITION_UA);
	rd_kafka_resp_err_t se = rd_kafka_subscribe(k->rk, subs);
	if (se != RD_KAFKA_RESP_ERR_NO_ERROR) {
		snprintf(err, errlen, "cannot subscribe to %s: %s", cfg->topic, rd_kafka_err2str(se));
		goto out;
	}
	*out = k;
	k = NULL;
	rc = 0;
out:
	if (subs != NULL)
		rd_kafka_topic_partition_list_destroy(subs);
	ks_close(k);
	return rc;
}
