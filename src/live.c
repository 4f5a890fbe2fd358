/* The hot-topic consumer behind the dashboard's live chart (see live.h). */
#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fsutil.h"
#include "kafkaconf.h"
#include "live.h"
#include "log.h"

struct live {
	struct live_config cfg;
	live_cb cb;
	void *arg;
	rd_kafka_t *rk;
	pthread_t thread;
	int started;
	volatile int stop;
	pthread_mutex_t mu; /* guards everything below */
	struct live_point *ring;
	size_t head, count; /* ring[head] is the oldest of count points */
	struct live_point cur;
	struct live_stats st;
	char error[512];
};

static int64_t now_ms(void)
{
	return fsutil_now_ns() / 1000000;
}

json_t *live_point_json(const struct live_point *p)
{
	return json_pack("{s:I,s:I,s:I}", "t", (json_int_t)p->t_ms, "bytes", (json_int_t)p->bytes, "packets",
			 (json_int_t)p->packets);
}

/* librdkafka's error callback: all brokers down (or a fatal error) marks the view as down. */
static void on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
	struct live *l = opaque;
	int changed = 0;

	(void)rk;
	if (err != RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN && err != RD_KAFKA_RESP_ERR__FATAL)
		return;
	pthread_mutex_lock(&l->mu);
	changed = !l->st.kafka_down;
	l->st.kafka_down = 1;
	snprintf(l->error, sizeof(l->error), "%s", reason);
	pthread_mutex_unlock(&l->mu);
	if (changed) {
		log_line(LOG_WARN, "live view: Kafka unreachable", (struct log_field[]){ LOG_S("error", reason) }, 1);
		l->cb(NULL, l->arg);
	}
}

/* Mark the brokers reachable again (after a message or a metadata answer). */
static void mark_up(struct live *l)
{
	int changed;

	pthread_mutex_lock(&l->mu);
	changed = l->st.kafka_down;
	l->st.kafka_down = 0;
	l->error[0] = '\0';
	pthread_mutex_unlock(&l->mu);
	if (changed) {
		log_msg(LOG_INFO, "live view: Kafka reachable again");
		l->cb(NULL, l->arg);
	}
}

/* Add one hot-topic message (a row as JSON) to the current window. */
static void count_message(struct live *l, const rd_kafka_message_t *m)
{
	json_t *row = m->payload != NULL ? json_loadb(m->payload, m->len, 0, NULL) : NULL;
	json_t *net = json_object_get(row, "network");
	json_t *b = json_object_get(net, "bytes"), *p = json_object_get(net, "packets");

	pthread_mutex_lock(&l->mu);
	l->st.records++;
	if (json_is_integer(b) && json_integer_value(b) >= 0) {
		l->cur.bytes += (uint64_t)json_integer_value(b);
		l->cur.packets +=
		    json_is_integer(p) && json_integer_value(p) >= 0 ? (uint64_t)json_integer_value(p) : 1;
	} else {
		l->st.malformed++;
	}
	pthread_mutex_unlock(&l->mu);
	json_decref(row);
}

/* Close every window that ended by now: store it, hand it to the callback. */
static void close_windows(struct live *l, int64_t now)
{
	int64_t w = l->cfg.window_ms;

	/* After a long stall only the last `history` windows can matter. */
	if (now - l->cur.t_ms > (int64_t)l->cfg.history * w) {
		pthread_mutex_lock(&l->mu);
		l->cur.t_ms = (now / w - (int64_t)l->cfg.history) * w;
		pthread_mutex_unlock(&l->mu);
	}
	while (now >= l->cur.t_ms + w) {
		struct live_point done;
		pthread_mutex_lock(&l->mu);
		done = l->cur;
		if (l->count < l->cfg.history) {
			l->ring[(l->head + l->count) % l->cfg.history] = done;
			l->count++;
		} else {
			l->ring[l->head] = done;
			l->head = (l->head + 1) % l->cfg.history;
		}
		l->st.points++;
		l->cur = (struct live_point){ .t_ms = done.t_ms + w };
		pthread_mutex_unlock(&l->mu);
		l->cb(&done, l->arg);
	}
}

static void *run(void *arg)
{
	struct live *l = arg;

	while (!l->stop) {
		int64_t now = now_ms(), end = l->cur.t_ms + l->cfg.window_ms;
		if (now >= end) {
			close_windows(l, now);
			if (l->st.kafka_down) {
				const struct rd_kafka_metadata *md = NULL;
				if (rd_kafka_metadata(l->rk, 0, NULL, &md, 1000) == RD_KAFKA_RESP_ERR_NO_ERROR)
					mark_up(l);
				if (md != NULL)
					rd_kafka_metadata_destroy(md);
			}
			continue;
		}
		rd_kafka_message_t *m = rd_kafka_consumer_poll(l->rk, (int)(end - now > 200 ? 200 : end - now));
		if (m == NULL)
			continue;
		if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
			count_message(l, m);
			if (l->st.kafka_down)
				mark_up(l);
		} else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
			log_line(LOG_WARN, "live view: consumer",
				 (struct log_field[]){ LOG_S("error", rd_kafka_message_errstr(m)) }, 1);
		}
		rd_kafka_message_destroy(m);
	}
	return NULL;
}

int live_start(const struct live_config *cfg, live_cb cb, void *arg, struct live **out, char *err, size_t errlen)
{
	const char *const settings[][2] = {
		{ "bootstrap.servers", cfg->brokers },	 { "group.id", cfg->group },
		{ "auto.offset.reset", "latest" },	 { "enable.auto.commit", "false" },
		{ "enable.auto.offset.store", "false" }, { NULL, NULL },
	};
	struct live *l = calloc(1, sizeof(*l));
	rd_kafka_topic_partition_list_t *subs = NULL;
	int rc = -1;

	*out = NULL;
	if (l == NULL || cfg->window_ms <= 0 || cfg->history == 0) {
		snprintf(err, errlen, l == NULL ? "out of memory" : "the window and the history must be positive");
		goto out;
	}
	l->cfg = *cfg;
	l->cb = cb;
	l->arg = arg;
	pthread_mutex_init(&l->mu, NULL);
	l->ring = calloc(cfg->history, sizeof(*l->ring));
	if (l->ring == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	l->cur.t_ms = now_ms() / cfg->window_ms * cfg->window_ms;
	const struct kafkaconf_callbacks kcb = { .error = on_error, .opaque = l };
	l->rk = kafkaconf_client(RD_KAFKA_CONSUMER, settings, NULL, &kcb, err, errlen);
	if (l->rk == NULL)
		goto out;
	rd_kafka_poll_set_consumer(l->rk);
	subs = rd_kafka_topic_partition_list_new(1);
	rd_kafka_topic_partition_list_add(subs, cfg->topic, RD_KAFKA_PARTITION_UA);
	rd_kafka_resp_err_t se = rd_kafka_subscribe(l->rk, subs);
	if (se != RD_KAFKA_RESP_ERR_NO_ERROR) {
		snprintf(err, errlen, "subscribe to %s: %s", cfg->topic, rd_kafka_err2str(se));
		goto out;
	}
	if (pthread_create(&l->thread, NULL, run, l) != 0) {
		snprintf(err, errlen, "cannot start the live thread");
		goto out;
	}
	l->started = 1;
	*out = l;
	l = NULL;
	rc = 0;
out:
	if (subs != NULL)
		rd_kafka_topic_partition_list_destroy(subs);
	live_stop(l);
	return rc;
}

json_t *live_history(struct live *l)
{
	json_t *a = json_array();

	pthread_mutex_lock(&l->mu);
	for (size_t i = 0; i < l->count; i++)
		json_array_append_new(a, live_point_json(&l->ring[(l->head + i) % l->cfg.history]));
	pthread_mutex_unlock(&l->mu);
	return a;
}

json_t *live_status_json(struct live *l)
{
	json_t *j;

	pthread_mutex_lock(&l->mu);
	j = json_pack("{s:s,s:s?,s:I}", "status", l->st.kafka_down ? "down" : "ok", "error",
		      l->st.kafka_down ? l->error : NULL, "window_s", (json_int_t)(l->cfg.window_ms / 1000));
	pthread_mutex_unlock(&l->mu);
	return j;
}

void live_get_stats(struct live *l, struct live_stats *out)
{
	pthread_mutex_lock(&l->mu);
	*out = l->st;
	pthread_mutex_unlock(&l->mu);
}

void live_stop(struct live *l)
{
	if (l == NULL)
		return;
	l->stop = 1;
	if (l->started)
		pthread_join(l->thread, NULL);
	if (l->rk != NULL) {
		rd_kafka_consumer_close(l->rk);
		rd_kafka_destroy(l->rk);
	}
	if (l->ring != NULL)
		pthread_mutex_destroy(&l->mu);
	free(l->ring);
	free(l);
}
