/* Dead letters into a file or a Kafka topic (see deadletter.h). */
#include <errno.h>
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "deadletter.h"
#include "kafkaconf.h"

#define DEADLETTER_FLUSH_MS 30000

struct deadletter {
	char name[4200];
	char path[4096];
	FILE *f;
	rd_kafka_t *rk;
	char topic[256];
	int pending; /* letters written since the last sync */
	char failure[512];
};

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	struct deadletter *dl = opaque;

	(void)rk;
	if (m->err && dl->failure[0] == '\0')
		snprintf(dl->failure, sizeof(dl->failure), "%s", rd_kafka_err2str(m->err));
}

int deadletter_open(const char *file, const char *brokers, const char *topic, struct deadletter **out, char *err,
		    size_t errlen)
{
	struct deadletter *dl = calloc(1, sizeof(*dl));
	int rc = -1;

	*out = NULL;
	if (dl == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (topic == NULL) {
		snprintf(dl->path, sizeof(dl->path), "%s", file);
		snprintf(dl->name, sizeof(dl->name), "%s", file);
		*out = dl;
		dl = NULL;
		rc = 0;
		goto out;
	}
	snprintf(dl->topic, sizeof(dl->topic), "%s", topic);
	snprintf(dl->name, sizeof(dl->name), "kafka topic %s", topic);
	const char *const settings[][2] = { { "bootstrap.servers", brokers },
					    { "enable.idempotence", "true" },
					    { NULL, NULL } };
	const struct kafkaconf_callbacks cb = { .delivery = on_delivery, .opaque = dl };
	dl->rk = kafkaconf_client(RD_KAFKA_PRODUCER, settings, NULL, &cb, err, errlen);
	if (dl->rk == NULL)
		goto out;
	*out = dl;
	dl = NULL;
	rc = 0;
out:
	deadletter_close(dl);
	return rc;
}

int deadletter_write(struct deadletter *dl, json_t *letter, char *err, size_t errlen)
{
	char *line = json_dumps(letter, JSON_COMPACT);
	int rc = -1;

	if (line == NULL) {
		snprintf(err, errlen, "dead letter: out of memory");
		goto out;
	}
	if (dl->rk != NULL) {
		for (;;) {
			rd_kafka_resp_err_t e =
			    rd_kafka_producev(dl->rk, RD_KAFKA_V_TOPIC(dl->topic), RD_KAFKA_V_VALUE(line, strlen(line)),
					      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
			if (e == RD_KAFKA_RESP_ERR_NO_ERROR)
				break;
			if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
				snprintf(err, errlen, "dead-letter topic %s: %s", dl->topic, rd_kafka_err2str(e));
				goto out;
			}
			rd_kafka_poll(dl->rk, 100);
		}
	} else {
		if (dl->f == NULL)
			dl->f = fopen(dl->path, "a");
		if (dl->f == NULL || fprintf(dl->f, "%s\n", line) < 0) {
			snprintf(err, errlen, "dead-letter file %.900s: %s", dl->path, strerror(errno));
			goto out;
		}
	}
	dl->pending++;
	rc = 0;
out:
	free(line);
	return rc;
}

int deadletter_sync(struct deadletter *dl, char *err, size_t errlen)
{
	if (dl->pending == 0)
		return 0;
	if (dl->rk != NULL) {
		if (rd_kafka_flush(dl->rk, DEADLETTER_FLUSH_MS) != RD_KAFKA_RESP_ERR_NO_ERROR ||
		    dl->failure[0] != '\0') {
			snprintf(err, errlen, "dead-letter topic %s: messages not delivered%s%s", dl->topic,
				 dl->failure[0] ? ": " : "", dl->failure);
			dl->failure[0] = '\0';
			return -1;
		}
	} else if (fflush(dl->f) != 0 || fsync(fileno(dl->f)) != 0) {
		snprintf(err, errlen, "dead-letter file %.900s: %s", dl->path, strerror(errno));
		return -1;
	}
	dl->pending = 0;
	return 0;
}

const char *deadletter_name(const struct deadletter *dl)
{
	return dl->name;
}

void deadletter_close(struct deadletter *dl)
{
	if (dl == NULL)
		return;
	if (dl->rk != NULL) {
		rd_kafka_flush(dl->rk, 5000);
		rd_kafka_destroy(dl->rk);
	}
	if (dl->f != NULL)
		fclose(dl->f);
	free(dl);
}
