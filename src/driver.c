/* The driver: one batch at a time, for every source (see source.h, driver.h).
 *
 *   poll -> plan -> offsets/N (durable) -> sinks begin / source read / sinks flush
 *        -> dead letters durable -> commits/N (durable) -> source ack
 *
 * A crash anywhere replays from the last durable step: an offsets/N without commits/N is run
 * again with exactly its plan (sinks absorb the repeat by file name or document id); what a
 * source's ack did not finish, its recover() re-applies from commits/N. A sink that fails makes
 * the whole batch run again after a pause (capped exponential backoff with seeded jitter): the
 * checkpoint does not move, and the input waits where it is. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "checkpoint.h"
#include "deadletter.h"
#include "driver.h"
#include "fault.h"
#include "fsutil.h"
#include "growbuf.h"
#include "log.h"
#include "prune.h"
#include "redact.h"
#include "rowfmt.h"
#include "sink.h"
#include "statekeys.h"

#define DRIVER_BACKOFF_MIN_NS 500000000LL   /* first retry after 0.5 s */
#define DRIVER_BACKOFF_MAX_NS 30000000000LL /* then doubling up to 30 s */
#define DRIVER_STATS_NS	      1000000000LL  /* stats.json at most once a second */
#define DRIVER_PROGRESS_NS    500000000LL
#define DRIVER_LETTERS_MAX    (256u << 20) /* a batch's dead letters at most, in bytes */

struct driver {
	const struct driver_config *cfg;
	volatile sig_atomic_t *stop;
	struct source_env env;
	const struct source_ops *ops;
	void *st;
	struct driver_summary *sum;
	struct checkpoint *ck;
	struct sink **sinks;
	uint64_t *sink_rows;	 /* cumulative rows per sink */
	uint64_t *sink_rows_was; /* the same before the batch being committed */
	uint64_t next_batch;
	/* over the checkpoint's life */
	uint64_t total_rows, total_batches, total_dead, total_malformed, total_retries;
	/* the batch in progress */
	uint64_t batch_rows, batch_dead;
	struct growbuf letters; /* its dead letters, written once it is flushed */
	/* a fatal error met in a batch a source asked for (batch_now): the run ends with it */
	int fatal;
	char fatal_err[1024];
	struct deadletter *dlq;
	uint64_t rng;	   /* jitter: xorshift64, seeded per process */
	int64_t pruned_ns; /* retention: when it last ran (monotonic) */
	int in_batch;	   /* batch_now() is not re-entered */
	/* stats.json and progress */
	int stats_dirty;
	int64_t stats_written_ns, progress_ns, start_ns;
	uint64_t progress_rows;
};

static void iso_now(char *out)
{
	rowfmt_time_text(out, fsutil_now_ns());
}

/* A jitter of +-20% of ns, from the driver's own generator (seeded by pid and time, so two
 * processes retrying against the same server do not draw the same pauses). */
static int64_t jitter(struct driver *d, int64_t ns)
{
	d->rng ^= d->rng << 13;
	d->rng ^= d->rng >> 7;
	d->rng ^= d->rng << 17;
	return ns / 100 * (int64_t)(d->rng % 41) - ns / 100 * 20;
}

/* Sleep ns unless a stop arrives. Returns 1 if stopped. */
static int nap(struct driver *d, int64_t ns)
{
	int64_t end = fsutil_mono_ns() + ns;

	while (!*d->stop) {
		int64_t left = end - fsutil_mono_ns();
		if (left <= 0)
			return 0;
		struct timespec ts = { .tv_sec = 0, .tv_nsec = left > 200000000 ? 200000000 : left };
		nanosleep(&ts, NULL);
	}
	return 1;
}

static void progress(struct driver *d, int final)
{
	struct driver_progress p = { 0 };
	int64_t now = fsutil_mono_ns();

	if (d->cfg->progress == NULL || (!final && now - d->progress_ns < DRIVER_PROGRESS_NS))
		return;
	d->progress_ns = now;
	d->ops->progress(d->st, &p.src);
	p.rows = d->progress_rows;
	p.elapsed_ns = now - d->start_ns;
	d->cfg->progress(d->cfg->progress_arg, &p, final);
}

/* --- what sources call ------------------------------------------------------------------------ */

static int emit_rows(void *drv, const struct row *rows, size_t n, char *err, size_t errlen)
{
	struct driver *d = drv;
	char why[1024];

	for (int i = 0; i < d->cfg->nsinks; i++) {
		if (sink_write(d->sinks[i], rows, n, why, sizeof(why)) < 0) {
			snprintf(err, errlen, "%.200s: %.800s", sink_spec(d->sinks[i]), why);
			return -1;
		}
	}
	d->batch_rows += n;
	d->progress_rows += n;
	progress(d, 0);
	return 0;
}

static int emit_dead(void *drv, json_t *letter, char *err, size_t errlen)
{
	struct driver *d = drv;
	char *line = json_dumps(letter, JSON_COMPACT);
	int rc = line != NULL ? growbuf_append_line(&d->letters, line) : -1;

	free(line);
	if (rc < 0) {
		snprintf(err, errlen, "dead letters of the batch: more than %u MB, or out of memory",
			 DRIVER_LETTERS_MAX >> 20);
		return -1;
	}
	d->batch_dead++;
	return 0;
}

/* --- one batch -------------------------------------------------------------------------------- */

static void abort_sinks(struct driver *d)
{
	for (int i = 0; i < d->cfg->nsinks; i++)
		sink_abort(d->sinks[i]);
}

/* Run the plan into every sink until all flushed, retrying the whole plan with capped
 * exponential backoff while a sink fails. Returns 0 with *outcome, *b and *attempts; 1 if
 * stopped; -1 if the plan is damaged (ferr). */
static int run_batch(struct driver *d, uint64_t batch, json_t *plan, json_t **outcome, struct source_batch *b,
		     uint64_t *attempts, char *ferr, size_t ferrlen)
{
	const struct source_emit emit = { .rows = emit_rows, .dead = emit_dead, .drv = d };
	int64_t backoff = DRIVER_BACKOFF_MIN_NS;
	uint64_t rows_before = d->progress_rows;
	char err[1200], w[1024];

	for (int attempt = 1;; attempt++) {
		int rc = 0;

		*attempts = (uint64_t)attempt;
		*outcome = NULL;
		memset(b, 0, sizeof(*b));
		d->batch_rows = 0;
		d->batch_dead = 0;
		growbuf_reset(&d->letters);
		d->progress_rows = rows_before; /* a retry reads the batch again */
		for (int s = 0; s < d->cfg->nsinks && rc == 0; s++) {
			if (sink_begin(d->sinks[s], batch, w, sizeof(w)) < 0) {
				snprintf(err, sizeof(err), "%.200s: %.800s", sink_spec(d->sinks[s]), w);
				rc = -1;
			}
		}
		if (rc == 0)
			rc = d->ops->read(d->st, batch, plan, &emit, outcome, b, err, sizeof(err));
		for (int s = 0; s < d->cfg->nsinks && rc == 0; s++) {
			if (sink_flush(d->sinks[s], w, sizeof(w)) < 0) {
				snprintf(err, sizeof(err), "%.200s: %.800s", sink_spec(d->sinks[s]), w);
				rc = -1;
			}
		}
		if (rc == 0) {
			json_t *at = json_object_get(plan, SK_DEAD_LETTERS_AT);
			rc = deadletter_commit(d->dlq, json_is_integer(at) ? json_integer_value(at) : -1,
					       d->letters.data != NULL ? d->letters.data : "", d->letters.len, err,
					       sizeof(err));
		}
		if (rc == 0) {
			fault_point("after-flush");
			return 0;
		}
		json_decref(*outcome);
		*outcome = NULL;
		abort_sinks(d);
		if (rc == 1 || *d->stop)
			return 1;
		if (rc == -2) {
			snprintf(ferr, ferrlen, "the checkpoint is damaged: %s. " DRIVER_DAMAGE_HINT, err);
			return -1;
		}
		int64_t pause = backoff + jitter(d, backoff);
		log_line(LOG_WARN, "sink failed, batch will be retried",
			 (struct log_field[]){ LOG_I("batch", batch), LOG_I("attempt", attempt), LOG_S("error", err),
					       LOG_D("retry_in_s", (double)pause / 1e9) },
			 4);
		if (nap(d, pause))
			return 1;
		backoff = backoff * 2 > DRIVER_BACKOFF_MAX_NS ? DRIVER_BACKOFF_MAX_NS : backoff * 2;
	}
}

/* The running totals of a commit (and of stats.json): a new object. */
static json_t *totals_json(struct driver *d)
{
	json_t *sinks = json_object(), *t;

	for (int i = 0; i < d->cfg->nsinks; i++)
		json_object_set_new(sinks, sink_spec(d->sinks[i]), json_integer((json_int_t)d->sink_rows[i]));
	t = json_pack("{s:I,s:I,s:I,s:I,s:I,s:o}", SK_ROWS, (json_int_t)d->total_rows, SK_BATCHES,
		      (json_int_t)d->total_batches, SK_DEAD_LETTERS, (json_int_t)d->total_dead, SK_MALFORMED,
		      (json_int_t)d->total_malformed, SK_RETRIES, (json_int_t)d->total_retries, SK_SINKS, sinks);
	if (t != NULL)
		d->ops->totals(d->st, t);
	return t;
}

/* STATE/stats.json: the totals and the source's live view, written atomically at most once a
 * second (or now if force); a failure is logged, ingestion goes on. */
static void save_stats(struct driver *d, int force)
{
	char path[4200], when[40], err[1024];
	int64_t now = fsutil_mono_ns();
	json_t *st;
	char *text;

	if (!d->stats_dirty || (!force && now - d->stats_written_ns < DRIVER_STATS_NS))
		return;
	iso_now(when);
	st = json_pack("{s:s,s:o}", SK_UPDATED_AT, when, SK_TOTALS, totals_json(d));
	if (st != NULL)
		d->ops->stats(d->st, st);
	text = st != NULL ? json_dumps(st, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	snprintf(path, sizeof(path), "%s/" SK_STATS_FILE, d->cfg->checkpoint);
	if (text == NULL || fsutil_write_atomic(path, text, strlen(text), err, sizeof(err)) < 0)
		log_line(LOG_WARN, "cannot write the stats file",
			 (struct log_field[]){ LOG_S("file", path), LOG_S("error", text ? err : "out of memory") }, 2);
	free(text);
	json_decref(st);
	d->stats_dirty = 0;
	d->stats_written_ns = now;
}

/* Run, commit and acknowledge batch `batch` with plan. Returns 0, 1 if stopped before the commit,
 * -1 on a fatal error (err). */
static int do_batch(struct driver *d, uint64_t batch, json_t *plan, char *err, size_t errlen)
{
	int64_t t0 = fsutil_mono_ns();
	json_t *outcome = NULL, *commit = NULL;
	struct source_batch b;
	uint64_t dead = 0, retries = 0, attempts = 1;
	char when[40];
	int rc;

	d->in_batch = 1;
	rc = run_batch(d, batch, plan, &outcome, &b, &attempts, err, errlen);
	if (rc != 0)
		goto out;
	rc = -1;
	retries = attempts - 1; /* whole-batch retries, besides what the sinks retried inside one */
	/* the running totals as they were: kept if the commit cannot be written */
	uint64_t was[5] = { d->total_rows, d->total_batches, d->total_dead, d->total_malformed, d->total_retries };
	memcpy(d->sink_rows_was, d->sink_rows, (size_t)d->cfg->nsinks * sizeof(*d->sink_rows));
	for (int s = 0; s < d->cfg->nsinks; s++) {
		struct sink_stats st;
		sink_stats(d->sinks[s], &st);
		dead += st.dead_letters;
		retries += st.retries;
		d->sink_rows[s] += b.rows - st.dead_letters;
	}
	d->total_rows += b.rows;
	d->total_batches++;
	d->total_dead += dead;
	d->total_malformed += d->batch_dead;
	d->total_retries += retries;
	iso_now(when);
	commit = json_pack("{s:I,s:s,s:O,s:I,s:I,s:I,s:I,s:o}", SK_BATCH, (json_int_t)batch, SK_COMMITTED_AT, when,
			   d->ops->name, outcome, SK_ROWS, (json_int_t)b.rows, SK_DEAD_LETTERS, (json_int_t)dead,
			   SK_MALFORMED, (json_int_t)d->batch_dead, SK_RETRIES, (json_int_t)retries, SK_TOTALS,
			   totals_json(d));
	if (commit == NULL || checkpoint_write_commit(d->ck, batch, commit, err, errlen) < 0) {
		if (commit == NULL)
			snprintf(err, errlen, "out of memory");
		d->total_rows = was[0];
		d->total_batches = was[1];
		d->total_dead = was[2];
		d->total_malformed = was[3];
		d->total_retries = was[4];
		memcpy(d->sink_rows, d->sink_rows_was, (size_t)d->cfg->nsinks * sizeof(*d->sink_rows));
		goto out;
	}
	fault_point("after-commit");
	d->sum->batches++;
	d->sum->rows += b.rows;
	d->sum->dead_letters += dead + d->batch_dead;
	if (d->ops->ack(d->st, batch, outcome, err, errlen) < 0)
		goto out;
	checkpoint_purge(d->ck);
	d->stats_dirty = 1;
	save_stats(d, d->sum->batches == 1); /* the first batch of a run at once, then once a second */
	fault_point("after-batch");
	double secs = (double)(fsutil_mono_ns() - t0) / 1e9;
	struct log_field f[12] = { LOG_I("id", batch),
				   LOG_I("rows", b.rows),
				   LOG_I("dead_letters", dead),
				   LOG_I("malformed", d->batch_dead),
				   LOG_I("retries", retries),
				   LOG_D("duration_s", secs),
				   LOG_I("rows_per_s", secs > 0 ? (double)b.rows / secs : 0) };
	int nf = 7;
	for (int i = 0; i < b.nextra && nf < 12; i++)
		f[nf++] = b.extra[i];
	log_line(LOG_INFO, "batch", f, nf);
	rc = 0;
out:
	d->in_batch = 0;
	json_decref(commit);
	json_decref(outcome);
	return rc;
}

/* Plan and run the next batch. 0 (also when nothing was waiting), 1 if stopped, -1 if fatal. A
 * plan already written for that number and not committed (its run was stopped) runs again as it
 * is: a batch number is never planned twice. */
static int next_batch(struct driver *d, int unlimited, char *err, size_t errlen)
{
	json_t *plan = NULL;
	int rc;

	if (checkpoint_last_offsets(d->ck) >= (int64_t)d->next_batch) {
		plan = checkpoint_read_offsets(d->ck, d->next_batch, err, errlen);
		if (plan == NULL)
			return -1;
	} else {
		if (d->ops->plan(d->st, d->next_batch, unlimited, &plan, err, errlen) < 0)
			return -1;
		if (plan == NULL)
			return 0;
		/* where this batch's dead letters start: a replay of the plan cuts the file back there */
		if (json_object_set_new(plan, SK_DEAD_LETTERS_AT,
					json_integer((json_int_t)deadletter_position(d->dlq))) < 0 ||
		    checkpoint_write_offsets(d->ck, d->next_batch, plan, err, errlen) < 0) {
			json_decref(plan);
			return -1;
		}
		fault_point("after-offsets");
	}
	rc = do_batch(d, d->next_batch, plan, err, errlen);
	if (rc == 0)
		d->next_batch++;
	json_decref(plan);
	return rc;
}

/* env.batch_now: a source asks for a batch of what it holds now (a Kafka rebalance). */
static int batch_now(void *drv)
{
	struct driver *d = drv;
	char err[1024];
	int rc;

	if (d->in_batch)
		return 0;
	rc = next_batch(d, 1, err, sizeof(err));
	if (rc < 0 && !d->fatal) {
		/* the run ends with it (driver_run's loop sees it after the source's poll) */
		d->fatal = 1;
		snprintf(d->fatal_err, sizeof(d->fatal_err), "%s", err);
	}
	return rc;
}

/* --- start-up --------------------------------------------------------------------------------- */

int driver_check_checkpoint(const struct checkpoint *ck, int64_t first_needed, char *err, size_t errlen)
{
	int64_t last_commit = checkpoint_last_commit(ck), last_offsets = checkpoint_last_offsets(ck);
	char why[1024];
	json_t *j;

	if (first_needed < 0 || first_needed > last_commit)
		first_needed = last_commit;
	for (int64_t b = first_needed; b >= 0 && b <= last_commit; b++) {
		if (!checkpoint_has(ck, "commits", (uint64_t)b)) {
			snprintf(err, errlen,
				 "the checkpoint is damaged: commits/%lld is missing (commits/ "
				 "deleted?). " DRIVER_DAMAGE_HINT,
				 (long long)b);
			return -1;
		}
		j = checkpoint_read_commit(ck, (uint64_t)b, why, sizeof(why));
		if (j == NULL) {
			snprintf(err, errlen, "%s. " DRIVER_DAMAGE_HINT, why);
			return -1;
		}
		json_decref(j);
	}
	if (last_offsets > last_commit) {
		j = checkpoint_read_offsets(ck, (uint64_t)last_offsets, why, sizeof(why));
		if (j == NULL) {
			snprintf(err, errlen, "%s. " DRIVER_DAMAGE_HINT, why);
			return -1;
		}
		json_decref(j);
	}
	return 0;
}

/* Open the sinks, once the checkpoint is known sound (they find its identity in its metadata:
 * the file sink refuses a folder holding another checkpoint's batches). 0, DRIVER_ECONFIG (a
 * wrong spec) or -1 (a conflict with the checkpoint) with err. */
static int open_sinks(struct driver *d, char *err, size_t errlen)
{
	struct sink_env env = { .state_dir = d->cfg->checkpoint };

	for (int i = 0; i < d->cfg->nsinks; i++) {
		int src = sink_open(d->cfg->sinks[i], &env, &d->sinks[i], err, errlen);
		if (src < 0)
			return src == SINK_ECONFLICT ? -1 : DRIVER_ECONFIG;
	}
	return 0;
}

/* Check the checkpoint (the driver's files and the source's own state) before anything is
 * touched; then the sinks, the source's recovery, the totals of the last commit, and the replay
 * of an uncommitted batch. 0, 1 (stopped), DRIVER_ECONFIG or -1 with err. */
static int recover(struct driver *d, char *err, size_t errlen)
{
	int64_t last_commit = checkpoint_last_commit(d->ck);
	int64_t last_offsets = checkpoint_last_offsets(d->ck);
	int rc;

	if (driver_check_checkpoint(d->ck, last_commit, err, errlen) < 0 ||
	    d->ops->check(d->st, d->ck, err, errlen) < 0)
		return -1;
	rc = open_sinks(d, err, errlen);
	if (rc < 0)
		return rc;
	if (d->ops->recover(d->st, d->ck, err, errlen) < 0)
		return -1;
	if (last_commit >= 0) {
		json_t *c = checkpoint_read_commit(d->ck, (uint64_t)last_commit, err, errlen);
		if (c == NULL)
			return -1;
		json_t *totals = json_object_get(c, SK_TOTALS);
		json_t *sinks = json_object_get(totals, SK_SINKS);
		d->total_rows = (uint64_t)json_integer_value(json_object_get(totals, SK_ROWS));
		d->total_batches = (uint64_t)json_integer_value(json_object_get(totals, SK_BATCHES));
		d->total_dead = (uint64_t)json_integer_value(json_object_get(totals, SK_DEAD_LETTERS));
		d->total_malformed = (uint64_t)json_integer_value(json_object_get(totals, SK_MALFORMED));
		d->total_retries = (uint64_t)json_integer_value(json_object_get(totals, SK_RETRIES));
		for (int s = 0; s < d->cfg->nsinks; s++)
			d->sink_rows[s] = (uint64_t)json_integer_value(json_object_get(sinks, sink_spec(d->sinks[s])));
		json_decref(c);
	}
	d->next_batch = (uint64_t)((last_offsets > last_commit ? last_offsets : last_commit) + 1);
	if (last_offsets > last_commit) {
		json_t *plan = checkpoint_read_offsets(d->ck, (uint64_t)last_offsets, err, errlen);
		if (plan == NULL)
			return -1;
		log_line(LOG_INFO, "replaying uncommitted batch with its recorded plan",
			 (struct log_field[]){ LOG_I("batch", last_offsets) }, 1);
		rc = do_batch(d, (uint64_t)last_offsets, plan, err, errlen);
		json_decref(plan);
		if (rc != 0)
			return rc;
		d->next_batch = (uint64_t)last_offsets + 1;
	}
	return 0;
}

/* --- the loops -------------------------------------------------------------------------------- */

/* Retention (--retention): once an hour, what is older than it leaves the es: and mongo: sinks'
 * stores (prune.c). A failure is logged; the next hour tries again. */
static void retention(struct driver *d)
{
	char err[1024], shown[1024];

	if (d->cfg->retention_ns <= 0 || !prune_due(&d->pruned_ns, fsutil_mono_ns()))
		return;
	for (int i = 0; i < d->cfg->nsinks; i++) {
		struct prune_opts o = { .cutoff_ns = fsutil_now_ns() - d->cfg->retention_ns, .out = NULL };
		struct prune_result r = { 0 };
		if (!prune_sink_target(d->cfg->sinks[i], &o))
			continue;
		if (prune_run(&o, &r, err, sizeof(err)) < 0) {
			log_line(LOG_WARN, "retention: prune failed (tried again in an hour)",
				 (struct log_field[]){ LOG_S("sink", sink_spec(d->sinks[i])),
						       LOG_S("error", redact_text(err, shown, sizeof(shown))) },
				 2);
			continue;
		}
		if (r.indices > 0 || r.mongo_docs[0] > 0 || r.mongo_docs[1] > 0)
			log_line(LOG_INFO, "retention: pruned",
				 (struct log_field[]){ LOG_S("sink", sink_spec(d->sinks[i])),
						       LOG_I("indices", r.indices), LOG_I("es_documents", r.es_docs),
						       LOG_I("mongo_documents", r.mongo_docs[0] + r.mongo_docs[1]) },
				 4);
	}
}

/* once / available-now / replay: batches until the source is drained (once: one batch of
 * everything waiting). */
static int loop_drain(struct driver *d, char *err, size_t errlen)
{
	int once = d->cfg->trigger == DRIVER_ONCE;
	int rc = 0;

	retention(d); /* once per run here */
	while (rc == 0) {
		if (*d->stop)
			return 1;
		enum source_state s = d->ops->poll(d->st, 0, 1);
		if (d->fatal)
			break;
		if (s == SOURCE_DONE)
			break;
		if (s == SOURCE_IDLE)
			continue; /* the source waited a little itself */
		rc = next_batch(d, once, err, errlen);
		if (once)
			break;
	}
	return rc;
}

/* A batch per tick of the interval (aligned to the clock): a batch that overruns starts the next
 * at once, missed ticks are not replayed; a source that is full gets its batch before the tick. */
static int loop_interval(struct driver *d, char *err, size_t errlen)
{
	int64_t interval = d->cfg->interval_ns;
	int64_t next_tick = (fsutil_now_ns() / interval + 1) * interval;
	int rc = 0;

	while (rc == 0 && !*d->stop) {
		int64_t now = fsutil_now_ns();
		retention(d); /* due once an hour, between batches, also while catching up */
		if (now < next_tick) {
			enum source_state s = d->ops->poll(d->st, next_tick - now, 0);
			if (d->fatal)
				break;
			if (s == SOURCE_FULL && !*d->stop)
				rc = next_batch(d, 0, err, errlen);
			save_stats(d, 0);
			continue;
		}
		enum source_state s = d->ops->poll(d->st, 0, 0);
		if (d->fatal)
			break;
		if (s == SOURCE_READY || s == SOURCE_FULL) {
			rc = next_batch(d, 0, err, errlen);
			if (rc != 0)
				break;
			now = fsutil_now_ns();
			s = d->ops->poll(d->st, 0, 0);
		}
		if (now >= next_tick + interval && (s == SOURCE_READY || s == SOURCE_FULL))
			next_tick = now; /* overran: the next batch starts at once */
		else
			next_tick = (now / interval + 1) * interval;
		save_stats(d, 0);
	}
	return rc < 0 ? rc : 0;
}

/* --- the driver ------------------------------------------------------------------------------- */

int driver_open(const struct driver_config *cfg, volatile sig_atomic_t *stop, struct driver **out, char *err,
		size_t errlen)
{
	struct driver *d = calloc(1, sizeof(*d));
	int rc = -1;

	*out = NULL;
	if (d == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	d->cfg = cfg;
	d->stop = stop;
	d->env = (struct source_env){ .stop = stop, .batch_now = batch_now, .drv = d };
	d->rng = (uint64_t)getpid() * 0x9e3779b97f4a7c15ULL ^ (uint64_t)fsutil_now_ns();
	if (d->rng == 0)
		d->rng = 1;
	growbuf_init(&d->letters, DRIVER_LETTERS_MAX);
	d->sinks = calloc((size_t)cfg->nsinks + 1, sizeof(*d->sinks));
	d->sink_rows = calloc((size_t)cfg->nsinks + 1, sizeof(*d->sink_rows));
	d->sink_rows_was = calloc((size_t)cfg->nsinks + 1, sizeof(*d->sink_rows_was));
	if (d->sinks == NULL || d->sink_rows == NULL || d->sink_rows_was == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	char dlq_path[4200];
	snprintf(dlq_path, sizeof(dlq_path), "%s/dead-letter.ndjson", cfg->checkpoint);
	if (deadletter_open(cfg->dead_letter_file != NULL ? cfg->dead_letter_file : dlq_path, cfg->dead_letter_brokers,
			    cfg->dead_letter_topic, &d->dlq, err, errlen) < 0) {
		rc = DRIVER_ECONFIG;
		goto out;
	}
	if (checkpoint_open(cfg->checkpoint, cfg->metadata, &d->ck, err, errlen) < 0)
		goto out;
	*out = d;
	d = NULL;
	rc = 0;
out:
	driver_close(d);
	return rc;
}

const struct source_env *driver_env(struct driver *d)
{
	return &d->env;
}

int driver_run(struct driver *d, const struct source_ops *ops, void *st, struct driver_summary *sum, char *err,
	       size_t errlen)
{
	int rc;

	memset(sum, 0, sizeof(*sum));
	d->ops = ops;
	d->st = st;
	d->sum = sum;
	d->start_ns = fsutil_mono_ns();
	rc = recover(d, err, errlen);
	if (rc == 0)
		rc = d->cfg->trigger == DRIVER_INTERVAL ? loop_interval(d, err, errlen) : loop_drain(d, err, errlen);
	if (d->fatal && rc >= 0) {
		snprintf(err, errlen, "%s", d->fatal_err);
		rc = -1;
	}
	ops->finish(st, rc == 0 && !*d->stop);
	progress(d, 1);
	save_stats(d, 1);
	return rc == DRIVER_ECONFIG ? rc : rc < 0 ? -1 : 0;
}

void driver_close(struct driver *d)
{
	if (d == NULL)
		return;
	for (int i = 0; d->sinks != NULL && i < d->cfg->nsinks; i++)
		sink_close(d->sinks[i]);
	deadletter_close(d->dlq);
	checkpoint_close(d->ck);
	free(d->sinks);
	free(d->sink_rows);
	free(d->sink_rows_was);
	growbuf_free(&d->letters);
	free(d);
}
