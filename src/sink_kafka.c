/* The Kafka sink: each row as the same JSON as the file sink (with _id), key = _id, through an
 * idempotent librdkafka producer (acks=all). flush() returns only when every message of the
 * batch has a delivery report, and fails if any report is an error: the batch is then retried,
 * and the consumers see the repeat with the same keys.
 * Spec: kafka:BROKER[,BROKER...]/TOPIC */
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kafkaconf.h"
#include "rowfmt.h"
#include "sink.h"

#define KAFKA_FLUSH_TIMEOUT_MS 30000

struct sink_kafka {
	rd_kafka_t *rk;
	char topic[256];
	char *json;
	char failure[512];
	uint64_t sent;
};

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	struct sink_kafka *k = opaque;

	(void)rk;
	if (m->err && k->failure[0] == '\0')
		snprintf(k->failure, sizeof(k->failure), "delivery to %s failed: %s", k->topic,
			 rd_kafka_err2str(m->err));
}

static void kafka_close(void *state);

static int kafka_open(const char *arg, const struct sink_env *env, void **state, char *err, size_t errlen)
{
	struct sink_kafka *k = calloc(1, sizeof(*k));
	const char *slash = strrchr(arg, '/');
	char brokers[1024], why[512];
	int rc = -1;

	(void)env;
	if (k == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (slash == NULL || slash == arg || slash[1] == '\0' || (size_t)(slash - arg) >= sizeof(brokers) ||
	    strlen(slash + 1) >= sizeof(k->topic)) {
		snprintf(err, errlen, "expected kafka:BROKERS/TOPIC (e.g. kafka:127.0.0.1:9092/pcapstream.rows)");
		goto out;
	}
	memcpy(brokers, arg, (size_t)(slash - arg));
	brokers[slash - arg] = '\0';
	snprintf(k->topic, sizeof(k->topic), "%s", slash + 1);
	k->json = malloc(ROW_JSON_MAX);
	if (k->json == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	static const char *const settings[][2] = {
		{ "enable.idempotence", "true" },
		{ "acks", "all" },
		{ "linger.ms", "5" },
		{ "compression.type", "lz4" },
		{ "message.timeout.ms", "60000" },
		{ "queue.buffering.max.kbytes", "65536" },
		{ NULL, NULL },
	};
	const char *const where[][2] = { { "bootstrap.servers", brokers }, { NULL, NULL } };
	const struct kafkaconf_callbacks cb = { .delivery = on_delivery, .opaque = k };
	k->rk = kafkaconf_client(RD_KAFKA_PRODUCER, settings, where, &cb, why, sizeof(why));
	if (k->rk == NULL) {
		snprintf(err, errlen, "cannot create a producer: %s", why);
		goto out;
	}
	*state = k;
	k = NULL;
	rc = 0;
out:
	kafka_close(k);
	return rc;
}

static int kafka_begin(void *state, uint64_t batch, char *err, size_t errlen)
{
	struct sink_kafka *k = state;

	(void)batch;
	(void)err;
	(void)errlen;
	k->failure[0] = '\0';
	k->sent = 0;
	return 0;
}

static int kafka_write(void *state, const struct row *rows, size_t n, char *err, size_t errlen)
{
	struct sink_kafka *k = state;

	for (size_t i = 0; i < n; i++) {
		char key[96];
		size_t len = row_to_json(&rows[i], k->json, 1);
		char *e = rowfmt_id(key, rows[i].id_prefix, rows[i].id_seq);
		for (;;) {
			rd_kafka_resp_err_t rc = rd_kafka_producev(
			    k->rk, RD_KAFKA_V_TOPIC(k->topic), RD_KAFKA_V_KEY(key + 1, (size_t)(e - key - 2)),
			    RD_KAFKA_V_VALUE(k->json, len), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
			if (rc == RD_KAFKA_RESP_ERR_NO_ERROR)
				break;
			if (rc != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
				snprintf(err, errlen, "cannot produce to %s: %s", k->topic, rd_kafka_err2str(rc));
				return -1;
			}
			rd_kafka_poll(k->rk, 100); /* the local queue is full: let deliveries drain it */
		}
		k->sent++;
		if ((k->sent & 1023) == 0)
			rd_kafka_poll(k->rk, 0);
	}
	if (k->failure[0] != '\0') {
		snprintf(err, errlen, "%s", k->failure);
		return -1;
	}
	return 0;
}

static int kafka_flush(void *state, char *err, size_t errlen)
{
	struct sink_kafka *k = state;
	rd_kafka_resp_err_t rc = rd_kafka_flush(k->rk, KAFKA_FLUSH_TIMEOUT_MS);

	if (rc != RD_KAFKA_RESP_ERR_NO_ERROR) {
		snprintf(err, errlen, "%s: %d messages without delivery report after %d s (%s)", k->topic,
			 rd_kafka_outq_len(k->rk), KAFKA_FLUSH_TIMEOUT_MS / 1000, rd_kafka_err2str(rc));
		return -1;
	}
	if (k->failure[0] != '\0') {
		snprintf(err, errlen, "%s", k->failure);
		return -1;
	}
	return 0;
}

static void kafka_abort(void *state)
{
	struct sink_kafka *k = state;

	/* Messages already queued may still be delivered: the retried batch repeats them with the
	 * same keys, which is what at-least-once plus deterministic ids is built on. */
	rd_kafka_poll(k->rk, 0);
	k->failure[0] = '\0';
}

static void kafka_stats(void *state, struct sink_stats *out)
{
	(void)state;
	(void)out;
}

static void kafka_close(void *state)
{
	struct sink_kafka *k = state;

	if (k == NULL)
		return;
	if (k->rk != NULL) {
		rd_kafka_flush(k->rk, 5000);
		rd_kafka_destroy(k->rk);
	}
	free(k->json);
	free(k);
}

const struct sink_ops sink_kafka_ops = {
	.name = "kafka",
	.help = "kafka:BROKERS/TOPIC  Kafka topic, rows as JSON keyed by _id (idempotent producer, acks=all)",
	.open = kafka_open,
	.begin = kafka_begin,
	.write = kafka_write,
	.flush = kafka_flush,
	.abort = kafka_abort,
	.stats = kafka_stats,
	.close = kafka_close,
};
