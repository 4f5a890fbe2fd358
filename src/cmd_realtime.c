/* `pcapstream realtime`: pmacct flow records from Kafka into the cold sinks and a hot topic.
 *
 * A consumer group reads the pmacct topic with enable.auto.offset.store=false and no
 * auto-commit. Records gather into a micro-batch (an interval, or row/byte caps); each becomes a
 * row (event.dataset pmacct, _id from topic/partition/offset) or, if malformed, a dead letter
 * with its reason. A batch goes to every cold sink and then to the hot topic; only when all have
 * flushed are the next offsets stored and committed. A crash re-reads from the last commit, and
 * the stores absorb the repeat by _id: effectively once. On a rebalance the current batch is
 * flushed and committed before the partitions are given up. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <librdkafka/rdkafka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cmd.h"
#include "fault.h"
#include "fsutil.h"
#include "kafkaconf.h"
#include "log.h"
#include "pmacct.h"
#include "sink.h"

#define RT_MAX_SINKS 8

struct rt_config {
	const char *brokers, *topic, *group, *hot_topic, *dead_letter, *dead_letter_topic, *tz, *state_dir;
	const char *sinks[RT_MAX_SINKS];
	int nsinks;
	int64_t interval_ns;
	size_t max_rows;
	uint64_t max_bytes;
};

struct rt {
	const struct rt_config *cfg;
	rd_kafka_t *rk;
	struct sink *sinks[RT_MAX_SINKS + 1]; /* cold sinks, then the hot topic */
	int nsinks;
	struct row *rows;
	struct pmacct_strings *strs;
	size_t nrows;
	uint64_t bytes;
	rd_kafka_topic_partition_list_t *next; /* offsets to commit once the batch is flushed */
	FILE *dlq;
	rd_kafka_t *dlq_producer;
	uint64_t dead_pending, dead_total, rows_total, batches;
	uint64_t batch_id;
	/* over the life of the state folder (stats.json), for `serve`'s /metrics */
	uint64_t life_rows, life_batches, life_dead, life_refused, life_retries;
	uint64_t sink_rows[RT_MAX_SINKS + 1];
	int stats_dirty;	  /* batches committed since stats.json was written */
	int64_t stats_written_ms; /* when it was, monotonic */
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: pcapstream realtime --brokers HOST:PORT [options]\n\n"
	    "Consume pmacct's JSON flow records (kafka plugin, kafka_output: json) from Kafka, map them to\n"
	    "the row schema (event.dataset pmacct), write them to the cold sinks and republish them to the\n"
	    "hot topic. Offsets are committed only after every sink flushed: a crash re-reads, the stores\n"
	    "absorb the repeat by _id. Several instances in one group share the partitions.\n\n"
	    "options:\n"
	    "  --brokers LIST            Kafka bootstrap servers (required)\n"
	    "  --topic NAME              pmacct's topic (default netflow)\n"
	    "  --group NAME              consumer group (default pcapstream)\n"
	    "  --hot-topic NAME          where rows are republished (default pcapstream.hot; \"off\" to disable)\n"
	    "  --sink SPEC               cold sink, repeatable (default file:out): es:URL, mongo:URI, file:DIR\n"
	    "  --interval DURATION       micro-batch length (default 2s)\n"
	    "  --max-rows N              rows per batch at most (default 20000)\n"
	    "  --max-bytes SIZE          record bytes per batch at most (default 32MB)\n"
	    "  --dead-letter FILE        malformed records with their reason (default STATE_DIR/dead-letter.ndjson)\n"
	    "  --dead-letter-topic NAME  send them to this topic instead\n"
	    "  --pmacct-timezone TZ      zone of pmacct's time strings, which carry none (default UTC)\n"
	    "  --state-dir DIR           sinks' own state, e.g. ES dead letters, and stats.json (counters and\n"
	    "                            consumer lag for `serve --realtime-state`, rewritten at most once a\n"
	    "                            second; default pcapstream-realtime)\n"
	    "  --log-format text|json    log lines (default text)\n\n"
	    "Options may come in any order; a JSON file given with --config holds any of them.\n"
	    "Exit status: 0 stopped on request (SIGINT, SIGTERM; the batch in flight is read again at\n"
	    "the next start); 2 usage or configuration error, or a sink or state folder that cannot be\n"
	    "opened.\n");
}

static int64_t mono_ms(void)
{
	return fsutil_mono_ns() / 1000000;
}

/* Record the next offset to commit for a partition. */
static void note_offset(struct rt *r, const char *topic, int32_t partition, int64_t offset)
{
	rd_kafka_topic_partition_t *tp = rd_kafka_topic_partition_list_find(r->next, topic, partition);

	if (tp == NULL)
		tp = rd_kafka_topic_partition_list_add(r->next, topic, partition);
	tp->offset = offset + 1;
}

static void dead_letter(struct rt *r, const rd_kafka_message_t *m, const char *reason)
{
	json_t *j = json_pack("{s:s,s:i,s:I,s:s,s:s%}", "topic", rd_kafka_topic_name(m->rkt), "partition",
			      (int)m->partition, "offset", (json_int_t)m->offset, "reason", reason, "message",
			      m->payload ? (const char *)m->payload : "", m->payload ? m->len : 0);
	char *line = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;

	if (line == NULL) {
		/* not valid UTF-8 even as a JSON string: keep the position and reason */
		json_decref(j);
		j = json_pack("{s:s,s:i,s:I,s:s,s:s}", "topic", rd_kafka_topic_name(m->rkt), "partition",
			      (int)m->partition, "offset", (json_int_t)m->offset, "reason", reason, "message",
			      "(binary, not kept)");
		line = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;
	}
	if (line != NULL) {
		if (r->dlq_producer != NULL) {
			while (rd_kafka_producev(r->dlq_producer, RD_KAFKA_V_TOPIC(r->cfg->dead_letter_topic),
						 RD_KAFKA_V_VALUE(line, strlen(line)),
						 RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
						 RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
				rd_kafka_poll(r->dlq_producer, 100);
		} else {
			fprintf(r->dlq, "%s\n", line);
		}
	}
	free(line);
	json_decref(j);
	r->dead_pending++;
	log_line(LOG_WARN, "dead letter",
		 (struct log_field[]){ LOG_S("topic", rd_kafka_topic_name(m->rkt)), LOG_I("partition", m->partition),
				       LOG_I("offset", m->offset), LOG_S("reason", reason) },
		 4);
}

/* Make the dead letters durable. 0 or -1. */
static int sync_dead_letters(struct rt *r, char *err, size_t errlen)
{
	if (r->dead_pending == 0)
		return 0;
	if (r->dlq_producer != NULL) {
		if (rd_kafka_flush(r->dlq_producer, 30000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
			snprintf(err, errlen, "dead-letter topic %s: messages not delivered",
				 r->cfg->dead_letter_topic);
			return -1;
		}
	} else if (fflush(r->dlq) != 0 || fsync(fileno(r->dlq)) != 0) {
		snprintf(err, errlen, "dead-letter file %s: %s", r->cfg->dead_letter, strerror(errno));
		return -1;
	}
	return 0;
}

/* STATE_DIR/stats.json: counters over the folder's life and the consumer lag per partition, written
 * atomically (a failure is logged, ingestion goes on). */
static void save_stats(struct rt *r)
{
	rd_kafka_topic_partition_list_t *as = NULL;
	json_t *sinks = json_object(), *lag = json_array();
	char path[4200], when[40], err[1024];
	time_t now = time(NULL);
	struct tm tm;

	for (int s = 0; s < r->nsinks; s++)
		json_object_set_new(sinks, sink_spec(r->sinks[s]), json_integer((json_int_t)r->sink_rows[s]));
	if (rd_kafka_assignment(r->rk, &as) == RD_KAFKA_RESP_ERR_NO_ERROR && as != NULL) {
		rd_kafka_position(r->rk, as);
		for (int i = 0; i < as->cnt; i++) {
			int64_t lo = -1, hi = -1, pos = as->elems[i].offset;
			if (rd_kafka_get_watermark_offsets(r->rk, as->elems[i].topic, as->elems[i].partition, &lo,
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
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_t *st =
	    json_pack("{s:s,s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:o,s:o}", "updated_at", when, "topic", r->cfg->topic, "group",
		      r->cfg->group, "batches", (json_int_t)r->life_batches, "rows", (json_int_t)r->life_rows,
		      "dead_letters", (json_int_t)r->life_dead, "refused_by_sinks", (json_int_t)r->life_refused,
		      "retries", (json_int_t)r->life_retries, "sinks", sinks, "lag", lag);
	char *text = st != NULL ? json_dumps(st, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	snprintf(path, sizeof(path), "%s/stats.json", r->cfg->state_dir);
	if (text == NULL || fsutil_write_atomic(path, text, strlen(text), err, sizeof(err)) < 0)
		log_line(LOG_WARN, "cannot write the stats file",
			 (struct log_field[]){ LOG_S("file", path), LOG_S("error", text ? err : "out of memory") }, 2);
	free(text);
	json_decref(st);
}

/* Write stats.json if batches were committed since it was last written, at most once a second
 * (each write costs two fsyncs), or now if force. */
static void maybe_save_stats(struct rt *r, int force)
{
	int64_t now = mono_ms();

	if (!r->stats_dirty || (!force && now - r->stats_written_ms < 1000))
		return;
	save_stats(r);
	r->stats_dirty = 0;
	r->stats_written_ms = now;
}

/* Continue the counters of a previous run from STATE_DIR/stats.json, if there is one. */
static void load_stats(struct rt *r)
{
	char path[4200], err[1024];
	snprintf(path, sizeof(path), "%s/stats.json", r->cfg->state_dir);
	char *text = fsutil_read_file(path, 1 << 20, NULL, err, sizeof(err));
	json_t *st = text != NULL ? json_loads(text, 0, NULL) : NULL;

	r->life_batches = (uint64_t)json_integer_value(json_object_get(st, "batches"));
	r->life_rows = (uint64_t)json_integer_value(json_object_get(st, "rows"));
	r->life_dead = (uint64_t)json_integer_value(json_object_get(st, "dead_letters"));
	r->life_refused = (uint64_t)json_integer_value(json_object_get(st, "refused_by_sinks"));
	r->life_retries = (uint64_t)json_integer_value(json_object_get(st, "retries"));
	for (int s = 0; s < r->nsinks; s++)
		r->sink_rows[s] =
		    (uint64_t)json_integer_value(json_object_get(json_object_get(st, "sinks"), sink_spec(r->sinks[s])));
	json_decref(st);
	free(text);
}

/* Deliver the batch to every sink, then commit its offsets; retried with backoff until it works
 * or a stop is requested (then nothing is committed: the records are read again). 0 or 1. */
static int flush_batch(struct rt *r)
{
	int64_t t0 = fsutil_mono_ns(), backoff = 500;
	char err[1200], why[1024];

	if (r->nrows == 0 && r->dead_pending == 0 && r->next->cnt == 0)
		return 0;
	r->batch_id = r->batch_id ? r->batch_id + 1 : (uint64_t)(fsutil_now_ns() / 1000000) * 1000;
	int attempts = 0;
	for (int attempt = 1;; attempt++) {
		attempts = attempt;
		int rc = sync_dead_letters(r, err, sizeof(err));
		for (int s = 0; s < r->nsinks && rc == 0; s++) {
			if (sink_begin(r->sinks[s], r->batch_id, why, sizeof(why)) < 0 ||
			    sink_write(r->sinks[s], r->rows, r->nrows, why, sizeof(why)) < 0 ||
			    sink_flush(r->sinks[s], why, sizeof(why)) < 0) {
				snprintf(err, sizeof(err), "%.200s: %.900s", sink_spec(r->sinks[s]), why);
				sink_abort(r->sinks[s]);
				rc = -1;
			}
		}
		if (rc == 0 && r->next->cnt > 0) {
			rd_kafka_resp_err_t ke = rd_kafka_offsets_store(r->rk, r->next);
			if (ke == RD_KAFKA_RESP_ERR_NO_ERROR)
				ke = rd_kafka_commit(r->rk, NULL, 0);
			if (ke != RD_KAFKA_RESP_ERR_NO_ERROR && ke != RD_KAFKA_RESP_ERR__NO_OFFSET) {
				snprintf(err, sizeof(err), "offset commit: %s", rd_kafka_err2str(ke));
				rc = -1;
			}
		}
		if (rc == 0)
			break;
		log_line(LOG_WARN, "batch failed, will be retried",
			 (struct log_field[]){ LOG_I("attempt", attempt), LOG_S("error", err),
					       LOG_D("retry_in_s", backoff / 1000.0) },
			 3);
		for (int64_t end = mono_ms() + backoff; mono_ms() < end && !stop_requested;)
			usleep(50000);
		if (stop_requested)
			return 1;
		backoff = backoff * 2 > 30000 ? 30000 : backoff * 2;
	}
	double secs = (double)(fsutil_mono_ns() - t0) / 1e9;
	uint64_t refused = 0, retries = (uint64_t)(attempts - 1); /* whole-batch retries count too */
	for (int s = 0; s < r->nsinks; s++) {
		struct sink_stats st;
		sink_stats(r->sinks[s], &st);
		refused += st.dead_letters;
		retries += st.retries;
		r->sink_rows[s] += r->nrows - st.dead_letters;
	}
	r->rows_total += r->nrows;
	r->dead_total += r->dead_pending;
	r->batches++;
	r->life_rows += r->nrows;
	r->life_dead += r->dead_pending;
	r->life_batches++;
	r->life_refused += refused;
	r->life_retries += retries;
	r->stats_dirty = 1;
	maybe_save_stats(r, r->batches == 1);
	fault_point("realtime-after-batch");
	log_line(LOG_INFO, "batch",
		 (struct log_field[]){ LOG_I("id", r->batch_id), LOG_I("rows", r->nrows),
				       LOG_I("dead_letters", r->dead_pending), LOG_I("refused_by_sinks", refused),
				       LOG_I("retries", retries), LOG_I("partitions", r->next->cnt),
				       LOG_D("duration_s", secs) },
		 7);
	r->nrows = 0;
	r->bytes = 0;
	r->dead_pending = 0;
	rd_kafka_topic_partition_list_destroy(r->next);
	r->next = rd_kafka_topic_partition_list_new(8);
	return 0;
}

static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t e, rd_kafka_topic_partition_list_t *parts, void *opaque)
{
	struct rt *r = opaque;

	if (e == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
		log_line(LOG_INFO, "partitions assigned", (struct log_field[]){ LOG_I("count", parts->cnt) }, 1);
		rd_kafka_assign(rk, parts);
		return;
	}
	/* Revoked: finish what was read from them before letting them go. */
	flush_batch(r);
	log_line(LOG_INFO, "partitions revoked", (struct log_field[]){ LOG_I("count", parts->cnt) }, 1);
	rd_kafka_assign(rk, NULL);
}

static rd_kafka_t *make_client(rd_kafka_type_t type, const char *const (*settings)[2], struct rt *r, char *err,
			       size_t errlen)
{
	rd_kafka_conf_t *conf = kafkaconf_new();
	rd_kafka_t *rk;

	if (conf == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (int i = 0; settings[i][0] != NULL; i++) {
		if (rd_kafka_conf_set(conf, settings[i][0], settings[i][1], err, errlen) != RD_KAFKA_CONF_OK) {
			rd_kafka_conf_destroy(conf);
			return NULL;
		}
	}
	if (type == RD_KAFKA_CONSUMER) {
		rd_kafka_conf_set_rebalance_cb(conf, on_rebalance);
		rd_kafka_conf_set_opaque(conf, r);
	}
	rk = rd_kafka_new(type, conf, err, errlen);
	if (rk == NULL)
		rd_kafka_conf_destroy(conf);
	return rk;
}

static int parse_args(int argc, char **argv, struct rt_config *c, enum log_format *lf)
{
	static const struct option lopts[] = {
		{ "brokers", required_argument, NULL, 'b' },
		{ "topic", required_argument, NULL, 't' },
		{ "group", required_argument, NULL, 'g' },
		{ "hot-topic", required_argument, NULL, 'H' },
		{ "sink", required_argument, NULL, 's' },
		{ "interval", required_argument, NULL, 'i' },
		{ "max-rows", required_argument, NULL, 'r' },
		{ "max-bytes", required_argument, NULL, 'B' },
		{ "dead-letter", required_argument, NULL, 'd' },
		{ "dead-letter-topic", required_argument, NULL, 'D' },
		{ "pmacct-timezone", required_argument, NULL, 'z' },
		{ "state-dir", required_argument, NULL, 'S' },
		{ "log-format", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;

	for (;;) {
		int o = getopt_long(argc, argv, "h", lopts, NULL);
		if (o == -1)
			break;
		switch (o) {
		case 'b':
			c->brokers = optarg;
			break;
		case 't':
			c->topic = optarg;
			break;
		case 'g':
			c->group = optarg;
			break;
		case 'H':
			c->hot_topic = strcmp(optarg, "off") == 0 ? NULL : optarg;
			break;
		case 's':
			if (c->nsinks == RT_MAX_SINKS) {
				fprintf(stderr, "pcapstream realtime: at most %d sinks\n", RT_MAX_SINKS);
				return -1;
			}
			c->sinks[c->nsinks++] = optarg;
			break;
		case 'i':
			if (fsutil_parse_duration(optarg, &c->interval_ns) < 0 || c->interval_ns < 10000000) {
				fprintf(stderr,
					"pcapstream realtime: --interval '%s' is not a duration of 10ms or more\n",
					optarg);
				return -1;
			}
			break;
		case 'r':
			c->max_rows = strtoul(optarg, &end, 10);
			if (*end != '\0' || c->max_rows < 1 || c->max_rows > 10000000) {
				fprintf(stderr, "pcapstream realtime: --max-rows '%s' is not between 1 and 10000000\n",
					optarg);
				return -1;
			}
			break;
		case 'B':
			if (fsutil_parse_size(optarg, &c->max_bytes) < 0 || c->max_bytes < 1024) {
				fprintf(stderr, "pcapstream realtime: --max-bytes '%s' is not a size of 1k or more\n",
					optarg);
				return -1;
			}
			break;
		case 'd':
			c->dead_letter = optarg;
			break;
		case 'D':
			c->dead_letter_topic = optarg;
			break;
		case 'z':
			c->tz = optarg;
			break;
		case 'S':
			c->state_dir = optarg;
			break;
		case 'l':
			if (log_parse_format(optarg, lf) < 0) {
				fprintf(stderr, "pcapstream realtime: --log-format is text or json\n");
				return -1;
			}
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "pcapstream realtime: unexpected argument '%s' (see --help)\n", argv[optind]);
		return -1;
	}
	if (c->brokers == NULL) {
		fprintf(stderr, "pcapstream realtime: --brokers is required (see --help)\n");
		return -1;
	}
	if (pmacct_set_timezone(c->tz) < 0) {
		fprintf(stderr,
			"pcapstream realtime: --pmacct-timezone '%s' is not UTC or a zone in /usr/share/zoneinfo\n",
			c->tz);
		return -1;
	}
	return 0;
}

/* The argv built from --config: the file's options first, so the flags after them win. */
struct cfg_argv {
	char **argv; /* argv[0], the file's options, then the command line's (without --config) */
	int argc;
	char **owned; /* strings made here, freed with the struct */
	int nowned;
};

static void cfg_argv_free(struct cfg_argv *c)
{
	for (int i = 0; i < c->nowned; i++)
		free(c->owned[i]);
	free(c->owned);
	free(c->argv);
}

/* Fill c from argv and, if --config FILE is given, from FILE: a JSON object of the same options
 * ({"brokers": "...", "sink": ["es:..."], "max-rows": 5000}). The file's sinks are dropped when
 * the command line names any. Returns 0, or -1 with a message printed. */
static int with_config(int argc, char **argv, struct cfg_argv *c)
{
	const char *file = NULL;
	json_t *root = NULL, *val;
	json_error_t jerr;
	const char *key;
	int flag_sinks = 0, rc = -1;
	size_t cap = (size_t)argc + 1;

	memset(c, 0, sizeof(*c));
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			file = argv[i + 1];
		if (strcmp(argv[i], "--sink") == 0)
			flag_sinks = 1;
	}
	if (file != NULL) {
		root = json_load_file(file, 0, &jerr);
		if (root == NULL || !json_is_object(root)) {
			fprintf(stderr, "pcapstream realtime: config %s: %s\n", file,
				root == NULL ? jerr.text : "expected a JSON object of options");
			goto out;
		}
		json_object_foreach(root, key, val) cap += 2 * (json_is_array(val) ? json_array_size(val) : 1);
	}
	c->argv = calloc(cap, sizeof(*c->argv));
	c->owned = calloc(cap, sizeof(*c->owned));
	if (c->argv == NULL || c->owned == NULL)
		goto out;
	c->argv[c->argc++] = argv[0];
	json_object_foreach(root, key, val)
	{
		size_t count = json_is_array(val) ? json_array_size(val) : 1;
		char name[80];
		snprintf(name, sizeof(name), "--%s", key);
		for (char *p = name + 2; *p != '\0'; p++)
			*p = *p == '_' ? '-' : *p;
		if (strcmp(name, "--sink") == 0 && flag_sinks)
			continue;
		for (size_t i = 0; i < count; i++) {
			json_t *v = json_is_array(val) ? json_array_get(val, i) : val;
			char text[4096];
			if (json_is_string(v)) {
				snprintf(text, sizeof(text), "%s", json_string_value(v));
			} else if (json_is_integer(v)) {
				snprintf(text, sizeof(text), "%lld", (long long)json_integer_value(v));
			} else {
				fprintf(stderr, "pcapstream realtime: config %s: \"%s\" must be a string or a number\n",
					file, key);
				goto out;
			}
			c->owned[c->nowned] = strdup(name);
			c->argv[c->argc++] = c->owned[c->nowned++];
			c->owned[c->nowned] = strdup(text);
			c->argv[c->argc++] = c->owned[c->nowned++];
		}
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0) {
			i++;
			continue;
		}
		c->argv[c->argc++] = argv[i];
	}
	rc = 0;
out:
	json_decref(root);
	return rc;
}

int cmd_realtime(int argc, char **argv)
{
	struct rt_config c = {
		.topic = "netflow",
		.group = "pcapstream",
		.hot_topic = "pcapstream.hot",
		.tz = "UTC",
		.state_dir = "pcapstream-realtime",
		.interval_ns = 2000000000LL,
		.max_rows = 20000,
		.max_bytes = 32 << 20,
	};
	enum log_format lf = LOG_TEXT;
	struct rt r = { .cfg = &c };
	char err[1024], spec[1200], dl_default[4200];
	int rc = 2;

	struct cfg_argv ca;
	if (with_config(argc, argv, &ca) < 0) {
		cfg_argv_free(&ca);
		return 2;
	}
	int pa = parse_args(ca.argc, ca.argv, &c, &lf);
	if (pa != 0) {
		cfg_argv_free(&ca);
		return pa > 0 ? 0 : 2;
	}
	log_set_format(lf);
	if (c.nsinks == 0) {
		c.sinks[c.nsinks++] = "file:out";
		log_msg(LOG_INFO, "no --sink given: writing NDJSON batches into ./out (file:out)");
	}
	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (c.dead_letter == NULL) {
		snprintf(dl_default, sizeof(dl_default), "%s/dead-letter.ndjson", c.state_dir);
		c.dead_letter = dl_default;
	}
	if (fsutil_mkdirs(c.state_dir, err, sizeof(err)) < 0) {
		log_line(LOG_ERROR, "cannot start", (struct log_field[]){ LOG_S("error", err) }, 1);
		goto out;
	}
	struct sink_env env = { .state_dir = c.state_dir };
	for (int i = 0; i < c.nsinks; i++) {
		if (sink_open(c.sinks[i], &env, &r.sinks[r.nsinks], err, sizeof(err)) < 0) {
			log_line(LOG_ERROR, "cannot start", (struct log_field[]){ LOG_S("error", err) }, 1);
			goto out;
		}
		r.nsinks++;
	}
	if (c.hot_topic != NULL) {
		snprintf(spec, sizeof(spec), "kafka:%s/%s", c.brokers, c.hot_topic);
		if (sink_open(spec, &env, &r.sinks[r.nsinks], err, sizeof(err)) < 0) {
			log_line(LOG_ERROR, "cannot start", (struct log_field[]){ LOG_S("error", err) }, 1);
			goto out;
		}
		r.nsinks++;
	}
	if (c.dead_letter_topic != NULL) {
		const char *const ps[][2] = { { "bootstrap.servers", c.brokers },
					      { "enable.idempotence", "true" },
					      { NULL, NULL } };
		r.dlq_producer = make_client(RD_KAFKA_PRODUCER, ps, &r, err, sizeof(err));
		if (r.dlq_producer == NULL) {
			log_line(LOG_ERROR, "cannot start", (struct log_field[]){ LOG_S("error", err) }, 1);
			goto out;
		}
	} else {
		r.dlq = fopen(c.dead_letter, "a");
		if (r.dlq == NULL) {
			snprintf(err, sizeof(err), "%s: %s", c.dead_letter, strerror(errno));
			log_line(LOG_ERROR, "cannot open the dead-letter file",
				 (struct log_field[]){ LOG_S("error", err) }, 1);
			goto out;
		}
	}
	load_stats(&r);
	r.rows = calloc(c.max_rows, sizeof(*r.rows));
	r.strs = calloc(c.max_rows, sizeof(*r.strs));
	r.next = rd_kafka_topic_partition_list_new(8);
	const char *const cs[][2] = {
		{ "bootstrap.servers", c.brokers },
		{ "group.id", c.group },
		{ "enable.auto.commit", "false" },
		{ "enable.auto.offset.store", "false" },
		{ "auto.offset.reset", "earliest" },
		{ "max.poll.interval.ms", "86400000" },
		{ "session.timeout.ms", "10000" },
		{ "partition.assignment.strategy", "range,roundrobin" },
		{ NULL, NULL },
	};
	r.rk = make_client(RD_KAFKA_CONSUMER, cs, &r, err, sizeof(err));
	if (r.rows == NULL || r.strs == NULL || r.rk == NULL) {
		log_line(LOG_ERROR, "cannot start",
			 (struct log_field[]){ LOG_S("error", r.rk ? "out of memory" : err) }, 1);
		goto out;
	}
	rd_kafka_poll_set_consumer(r.rk);
	rd_kafka_topic_partition_list_t *subs = rd_kafka_topic_partition_list_new(1);
	rd_kafka_topic_partition_list_add(subs, c.topic, RD_KAFKA_PARTITION_UA);
	rd_kafka_resp_err_t se = rd_kafka_subscribe(r.rk, subs);
	rd_kafka_topic_partition_list_destroy(subs);
	if (se != RD_KAFKA_RESP_ERR_NO_ERROR) {
		log_line(LOG_ERROR, "cannot subscribe", (struct log_field[]){ LOG_S("error", rd_kafka_err2str(se)) },
			 1);
		goto out;
	}
	log_line(LOG_INFO, "consuming",
		 (struct log_field[]){ LOG_S("brokers", c.brokers), LOG_S("topic", c.topic), LOG_S("group", c.group),
				       LOG_S("hot_topic", c.hot_topic ? c.hot_topic : "off"),
				       LOG_I("sinks", c.nsinks) },
		 5);
	while (!stop_requested) {
		int64_t deadline = mono_ms() + c.interval_ns / 1000000;
		while (!stop_requested && r.nrows < c.max_rows && r.bytes < c.max_bytes) {
			int64_t left = deadline - mono_ms();
			if (left <= 0)
				break;
			rd_kafka_message_t *m = rd_kafka_consumer_poll(r.rk, (int)(left > 200 ? 200 : left));
			if (m == NULL)
				continue;
			if (m->err) {
				if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
					log_line(LOG_WARN, "consumer",
						 (struct log_field[]){ LOG_S("error", rd_kafka_message_errstr(m)) }, 1);
				rd_kafka_message_destroy(m);
				continue;
			}
			const char *topic = rd_kafka_topic_name(m->rkt);
			const char *stable = strcmp(topic, c.topic) == 0 ? c.topic : NULL;
			if (stable == NULL ||
			    pmacct_parse(m->payload ? m->payload : "", m->len, stable, m->partition, m->offset,
					 &r.rows[r.nrows], &r.strs[r.nrows], err, sizeof(err)) < 0) {
				dead_letter(&r, m, stable == NULL ? "unexpected topic" : err);
			} else {
				r.nrows++;
				r.bytes += m->len;
			}
			note_offset(&r, topic, m->partition, m->offset);
			rd_kafka_message_destroy(m);
		}
		if (flush_batch(&r) != 0)
			break;
		maybe_save_stats(&r, 0); /* the last batches' numbers, once the second is over */
	}
	maybe_save_stats(&r, 1);
	log_line(LOG_INFO, "stopped",
		 (struct log_field[]){ LOG_I("batches", r.batches), LOG_I("rows", r.rows_total),
				       LOG_I("dead_letters", r.dead_total) },
		 3);
	rc = 0;
out:
	if (r.rk != NULL) {
		rd_kafka_consumer_close(r.rk);
		rd_kafka_destroy(r.rk);
	}
	if (r.next != NULL)
		rd_kafka_topic_partition_list_destroy(r.next);
	for (int i = 0; i < r.nsinks; i++)
		sink_close(r.sinks[i]);
	if (r.dlq_producer != NULL) {
		rd_kafka_flush(r.dlq_producer, 5000);
		rd_kafka_destroy(r.dlq_producer);
	}
	if (r.dlq != NULL)
		fclose(r.dlq);
	free(r.rows);
	free(r.strs);
	cfg_argv_free(&ca);
	return rc;
}
