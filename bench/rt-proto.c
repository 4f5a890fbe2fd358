/* A prototype of realtime's consume loop (issue 13, Kafka throughput), standalone: the same
 * consumer-group consumer, pmacct_parse, the same sinks (null, kafka:...), offsets stored and
 * committed after each batch, but with the consume API, the batch pipelining and the librdkafka
 * settings chosen on the command line, to measure which of them reaches kcat's rate.
 * Built and run by bench/kafka-bench (not a test, not part of the program).
 *
 * usage: rt-proto -b BROKERS -t TOPIC -n RECORDS [-g GROUP] [-s SINK] [-m poll|batch] [-k BATCH]
 *                 [-r MAX_ROWS] [-p | -T] [-X key=value]...
 *   -m poll    rd_kafka_consumer_poll per record (what realtime does today)
 *   -m batch   rd_kafka_consume_batch_queue of up to BATCH (-k, default 1000) records a call
 *   -T         threaded: a second thread writes, flushes and commits each batch while the first
 *              reads and parses the next (two batch buffers)
 *   -p         pipelined: batch N's sink flush and offset commit are done after batch N+1 has been
 *              read (the sink write of N, e.g. producing to the hot topic, overlaps reading N+1)
 *   -X         extra consumer setting (repeatable), e.g. -X queued.min.messages=1000000
 * Prints one line: records/s from start, records/s from the first record, seconds of each. */
#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "pmacct.h"
#include "sink.h"

#define MAX_X 32

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Next offsets per partition, a small array (the topic is one, partitions few). */
struct offsets {
	int32_t part[256];
	int64_t next[256];
	int n;
};

static void note(struct offsets *o, int32_t p, int64_t off)
{
	for (int i = 0; i < o->n; i++) {
		if (o->part[i] == p) {
			o->next[i] = off + 1;
			return;
		}
	}
	if (o->n < 256) {
		o->part[o->n] = p;
		o->next[o->n++] = off + 1;
	}
}

static int commit(rd_kafka_t *rk, const char *topic, struct offsets *o)
{
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(o->n);
	rd_kafka_resp_err_t e;

	for (int i = 0; i < o->n; i++)
		rd_kafka_topic_partition_list_add(l, topic, o->part[i])->offset = o->next[i];
	e = rd_kafka_offsets_store(rk, l);
	if (e == RD_KAFKA_RESP_ERR_NO_ERROR)
		e = rd_kafka_commit(rk, l, 0);
	rd_kafka_topic_partition_list_destroy(l);
	o->n = 0;
	if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
		fprintf(stderr, "rt-proto: commit: %s\n", rd_kafka_err2str(e));
		return -1;
	}
	return 0;
}

static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t e, rd_kafka_topic_partition_list_t *parts, void *opaque)
{
	(void)opaque;
	rd_kafka_assign(rk, e == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS ? parts : NULL);
}

struct batch {
	struct row *rows;
	struct pmacct_strings *strs;
	size_t n;
	struct offsets off;
};

/* The second thread of -T: takes one batch at a time, writes it to the sink, flushes, commits. */
struct worker {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct batch *todo; /* handed over, not yet taken */
	int busy, quit, failed;
	struct sink *sink;
	rd_kafka_t *rk;
	const char *topic;
	uint64_t id;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	char err[1024];

	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (w->todo == NULL && !w->quit)
			pthread_cond_wait(&w->cv, &w->mu);
		if (w->todo == NULL)
			break;
		struct batch *bt = w->todo;
		w->todo = NULL;
		w->busy = 1;
		pthread_mutex_unlock(&w->mu);
		int bad = sink_begin(w->sink, w->id++, err, sizeof(err)) < 0 ||
			  sink_write(w->sink, bt->rows, bt->n, err, sizeof(err)) < 0 ||
			  sink_flush(w->sink, err, sizeof(err)) < 0 || commit(w->rk, w->topic, &bt->off) < 0;
		pthread_mutex_lock(&w->mu);
		if (bad)
			w->failed = 1;
		bt->n = 0;
		w->busy = 0;
		pthread_cond_broadcast(&w->cv);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* Wait until the worker holds nothing; then hand bt over (NULL: only wait). 0, or -1 if a batch
 * failed. */
static int handoff(struct worker *w, struct batch *bt)
{
	int failed;

	pthread_mutex_lock(&w->mu);
	while (w->todo != NULL || w->busy)
		pthread_cond_wait(&w->cv, &w->mu);
	w->todo = bt;
	failed = w->failed;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	return failed ? -1 : 0;
}

int main(int argc, char **argv)
{
	const char *brokers = NULL, *topic = NULL, *group = "rt-proto", *spec = "null", *mode = "poll";
	const char *xs[MAX_X];
	int nx = 0, pipelined = 0, threaded = 0, k = 1000, opt;
	long n = 0, max_rows = 50000;
	char err[1024];

	while ((opt = getopt(argc, argv, "b:t:n:g:s:m:k:r:pTX:")) != -1) {
		switch (opt) {
		case 'b':
			brokers = optarg;
			break;
		case 't':
			topic = optarg;
			break;
		case 'n':
			n = atol(optarg);
			break;
		case 'g':
			group = optarg;
			break;
		case 's':
			spec = optarg;
			break;
		case 'm':
			mode = optarg;
			break;
		case 'k':
			k = atoi(optarg);
			break;
		case 'r':
			max_rows = atol(optarg);
			break;
		case 'p':
			pipelined = 1;
			break;
		case 'T':
			threaded = 1;
			break;
		case 'X':
			if (nx < MAX_X)
				xs[nx++] = optarg;
			break;
		default:
			return 2;
		}
	}
	if (brokers == NULL || topic == NULL || n <= 0 || k <= 0 || max_rows <= 0) {
		fprintf(stderr, "usage: rt-proto -b BROKERS -t TOPIC -n RECORDS [options] (see the source)\n");
		return 2;
	}
	double t0 = now(), t_first = 0;
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	const char *base[][2] = {
		{ "bootstrap.servers", brokers },    { "group.id", group },
		{ "enable.auto.commit", "false" },   { "enable.auto.offset.store", "false" },
		{ "auto.offset.reset", "earliest" }, { "session.timeout.ms", "10000" },
	};
	for (size_t i = 0; i < sizeof(base) / sizeof(base[0]); i++)
		rd_kafka_conf_set(conf, base[i][0], base[i][1], err, sizeof(err));
	for (int i = 0; i < nx; i++) {
		char key[256];
		const char *eq = strchr(xs[i], '=');
		if (eq == NULL || (size_t)(eq - xs[i]) >= sizeof(key)) {
			fprintf(stderr, "rt-proto: -X %s: expected key=value\n", xs[i]);
			return 2;
		}
		memcpy(key, xs[i], (size_t)(eq - xs[i]));
		key[eq - xs[i]] = '\0';
		if (rd_kafka_conf_set(conf, key, eq + 1, err, sizeof(err)) != RD_KAFKA_CONF_OK) {
			fprintf(stderr, "rt-proto: %s\n", err);
			return 2;
		}
	}
	rd_kafka_conf_set_rebalance_cb(conf, on_rebalance);
	rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
	if (rk == NULL) {
		fprintf(stderr, "rt-proto: %s\n", err);
		return 2;
	}
	rd_kafka_poll_set_consumer(rk);
	rd_kafka_topic_partition_list_t *subs = rd_kafka_topic_partition_list_new(1);
	rd_kafka_topic_partition_list_add(subs, topic, RD_KAFKA_PARTITION_UA);
	rd_kafka_subscribe(rk, subs);
	rd_kafka_topic_partition_list_destroy(subs);
	rd_kafka_queue_t *q = rd_kafka_queue_get_consumer(rk);

	struct sink *sink = NULL;
	struct sink_env env = { .state_dir = NULL };
	if (sink_open(spec, &env, &sink, err, sizeof(err)) < 0) {
		fprintf(stderr, "rt-proto: %s\n", err);
		return 2;
	}
	struct batch b[2];
	for (int i = 0; i < 2; i++) {
		b[i].rows = calloc((size_t)max_rows, sizeof(struct row));
		b[i].strs = calloc((size_t)max_rows, sizeof(struct pmacct_strings));
		b[i].n = 0;
		b[i].off.n = 0;
	}
	rd_kafka_message_t **msgs = calloc((size_t)k, sizeof(*msgs));
	struct batch *cur = &b[0], *pending = NULL;
	struct worker w = { .sink = sink, .rk = rk, .topic = topic, .id = 1 };
	pthread_mutex_init(&w.mu, NULL);
	pthread_cond_init(&w.cv, NULL);
	if (threaded && pthread_create(&w.th, NULL, worker_main, &w) != 0)
		return 1;
	long done = 0, dead = 0, batches = 0;
	uint64_t id = 1;
	while (done + dead < n) {
		double deadline = now() + 1.0;
		while (cur->n < (size_t)max_rows && done + dead + (long)cur->n < n && now() < deadline) {
			ssize_t got;
			if (strcmp(mode, "batch") == 0) {
				size_t want = (size_t)max_rows - cur->n;
				got = rd_kafka_consume_batch_queue(q, 100, msgs, want < (size_t)k ? want : (size_t)k);
			} else {
				msgs[0] = rd_kafka_consumer_poll(rk, 100);
				got = msgs[0] != NULL;
			}
			for (ssize_t i = 0; i < got; i++) {
				rd_kafka_message_t *m = msgs[i];
				if (m->err == 0) {
					if (t_first == 0)
						t_first = now();
					if (pmacct_parse(m->payload ? m->payload : "", m->len, topic, m->partition,
							 m->offset, &cur->rows[cur->n], &cur->strs[cur->n], err,
							 sizeof(err)) == 0)
						cur->n++;
					else
						dead++;
					note(&cur->off, m->partition, m->offset);
				}
				rd_kafka_message_destroy(m);
			}
		}
		/* flush: the previous batch first when pipelined (its deliveries had the time of this
		 * read), then this one's write; unpipelined, this one's write and flush */
		if (threaded) {
			if (cur->n > 0 || cur->off.n > 0) {
				done += (long)cur->n;
				batches++;
				if (handoff(&w, cur) < 0)
					return 1;
				cur = cur == &b[0] ? &b[1] : &b[0];
			}
			continue;
		}
		if (pipelined && pending != NULL) {
			if (sink_flush(sink, err, sizeof(err)) < 0 || commit(rk, topic, &pending->off) < 0)
				return 1;
			pending = NULL;
		}
		if (cur->n > 0 || cur->off.n > 0) {
			if (sink_begin(sink, id++, err, sizeof(err)) < 0 ||
			    sink_write(sink, cur->rows, cur->n, err, sizeof(err)) < 0) {
				fprintf(stderr, "rt-proto: %s\n", err);
				return 1;
			}
			done += (long)cur->n;
			batches++;
			if (pipelined) {
				pending = cur;
				cur = cur == &b[0] ? &b[1] : &b[0];
			} else if (sink_flush(sink, err, sizeof(err)) < 0 || commit(rk, topic, &cur->off) < 0) {
				return 1;
			}
			cur->n = 0;
		}
	}
	if (pending != NULL && (sink_flush(sink, err, sizeof(err)) < 0 || commit(rk, topic, &pending->off) < 0))
		return 1;
	if (threaded) {
		if (handoff(&w, NULL) < 0)
			return 1;
		pthread_mutex_lock(&w.mu);
		w.quit = 1;
		pthread_cond_broadcast(&w.cv);
		pthread_mutex_unlock(&w.mu);
		pthread_join(w.th, NULL);
	}
	double t1 = now();
	printf("rt-proto: %ld records (%ld dead) in %ld batches: %.2f s from start %.0f records/s, %.2f s from "
	       "the first record %.0f records/s\n",
	       done, dead, batches, t1 - t0, (double)n / (t1 - t0), t1 - t_first, (double)n / (t1 - t_first));
	rd_kafka_queue_destroy(q);
	rd_kafka_consumer_close(rk);
	rd_kafka_destroy(rk);
	sink_close(sink);
	free(msgs);
	for (int i = 0; i < 2; i++) {
		free(b[i].rows);
		free(b[i].strs);
	}
	return 0;
}
