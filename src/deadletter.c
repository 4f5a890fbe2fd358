/* Dead letters into a file or a Kafka topic (see deadletter.h). */
#include <errno.h>
#include <fcntl.h>
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "deadletter.h"
#include "kafkaconf.h"

#define DEADLETTER_FLUSH_MS 30000

struct deadletter {
	char path[4096];
	rd_kafka_t *rk;
	char topic[256];
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
		*out = dl;
		dl = NULL;
		rc = 0;
		goto out;
	}
	snprintf(dl->topic, sizeof(dl->topic), "%s", topic);
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

int64_t deadletter_position(const struct deadletter *dl)
{
	struct stat st;

	if (dl->rk != NULL)
		return -1;
	return stat(dl->path, &st) == 0 ? (int64_t)st.st_size : 0;
}

/* Produce each line to the topic and wait for every delivery report. 0 or -1 with err. */
static int commit_topic(struct deadletter *dl, const char *lines, size_t len, char *err, size_t errlen)
{
	for (const char *p = lines, *end = lines + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		for (;;) {
			rd_kafka_resp_err_t e =
			    rd_kafka_producev(dl->rk, RD_KAFKA_V_TOPIC(dl->topic), RD_KAFKA_V_VALUE((void *)p, n),
					      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
			if (e == RD_KAFKA_RESP_ERR_NO_ERROR)
				break;
			if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
				snprintf(err, errlen, "dead-letter topic %s: %s", dl->topic, rd_kafka_err2str(e));
				return -1;
			}
			rd_kafka_poll(dl->rk, 100);
		}
		p += n + 1;
	}
	if (rd_kafka_flush(dl->rk, DEADLETTER_FLUSH_MS) != RD_KAFKA_RESP_ERR_NO_ERROR || dl->failure[0] != '\0') {
		snprintf(err, errlen, "dead-letter topic %s: messages not delivered%s%s", dl->topic,
			 dl->failure[0] ? ": " : "", dl->failure);
		dl->failure[0] = '\0';
		return -1;
	}
	return 0;
}

static void io_error(const struct deadletter *dl, char *err, size_t errlen)
{
	snprintf(err, errlen, "dead-letter file %.900s: %s", dl->path, strerror(errno));
}

int deadletter_commit(struct deadletter *dl, int64_t at, const char *lines, size_t len, char *err, size_t errlen)
{
	struct stat st;
	int fd = -1, rc = -1;

	if (dl->rk != NULL)
		return len > 0 ? commit_topic(dl, lines, len, err, errlen) : 0;
	if (len == 0 && (at < 0 || stat(dl->path, &st) < 0 || st.st_size <= at))
		return 0; /* nothing to write, nothing to cut back */
	fd = open(dl->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0 || fstat(fd, &st) < 0 || (at >= 0 && st.st_size > at && ftruncate(fd, at) < 0)) {
		io_error(dl, err, errlen);
		goto out;
	}
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, lines + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			io_error(dl, err, errlen);
			goto out;
		}
		off += (size_t)n;
	}
	if (fsync(fd) < 0) {
		io_error(dl, err, errlen);
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

void deadletter_close(struct deadletter *dl)
{
	if (dl == NULL)
		return;
	if (dl->rk != NULL) {
		rd_kafka_flush(dl->rk, 5000);
		rd_kafka_destroy(dl->rk);
	}
	free(dl);
}
