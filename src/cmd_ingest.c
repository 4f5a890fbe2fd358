/* `pcapstream watch DIR` and `pcapstream replay PATH...`: the engine behind flags. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "cmd.h"
#include "communityid.h"
#include "config.h"
#include "engine.h"
#include "fsutil.h"
#include "log.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: poll() and sleeps return at once */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* replay's paths that cannot be read at all (missing, a symlink loop, no permission to look):
 * one error line each. Returns how many; the engine still ingests the others. */
static int report_unreadable_paths(const struct config *cfg)
{
	int bad = 0;

	for (int i = 0; i < cfg->engine.npaths; i++) {
		struct stat st;
		if (stat(cfg->engine.paths[i], &st) == 0)
			continue;
		log_line(LOG_ERROR, "cannot read this path; it is skipped (check the name and permissions)",
			 (struct log_field[]){ LOG_S("path", cfg->engine.paths[i]), LOG_S("error", strerror(errno)) },
			 2);
		bad++;
	}
	return bad;
}

/* replay's progress line on stderr (a terminal): files, packets, speed and time left. */
static void progress_line(void *arg, const struct driver_progress *p, int final)
{
	double secs = (double)p->elapsed_ns / 1e9;
	double rate = secs > 0 ? (double)p->src.bytes_done / secs : 0;
	double eta = rate > 0 && p->src.bytes_total > p->src.bytes_done
			 ? (double)(p->src.bytes_total - p->src.bytes_done) / rate
			 : 0;

	(void)arg;
	fprintf(stderr, "\r\033[Kreplay: %llu/%llu files, %llu packets, %.1f MB/s, ETA %d:%02d%s",
		(unsigned long long)p->src.units_done, (unsigned long long)p->src.units_total,
		(unsigned long long)p->rows, rate / 1e6, (int)eta / 60, (int)eta % 60, final ? "\n" : "");
}

static int run(enum engine_mode mode, int argc, char **argv)
{
	const char *cmd = mode == ENGINE_WATCH ? "watch" : "replay";
	struct engine_summary sum;
	struct config cfg;
	char err[2048];
	int64_t t0;
	int rc, bad_paths = 0;

	rc = config_parse(mode, argc, argv, &cfg, err, sizeof(err));
	if (rc != 0) {
		if (rc < 0)
			fprintf(stderr, "pcapstream %s: %s\n", cmd, err);
		config_free(&cfg);
		return rc > 0 ? 0 : 2;
	}
	log_set_format(cfg.log_format);
	communityid_set_seed(cfg.community_id_seed);
	install_signals();
	if (cfg.sink_defaulted)
		log_msg(LOG_INFO, "no --sink given: writing NDJSON batches into ./out (file:out)");
	log_line(LOG_INFO, mode == ENGINE_WATCH ? "watching" : "replaying",
		 (struct log_field[]){ LOG_S("path", cfg.paths[0]), LOG_I("paths", cfg.engine.npaths),
				       LOG_S("checkpoint", cfg.engine.checkpoint),
				       LOG_S("quarantine", cfg.engine.quarantine_dir),
				       LOG_I("sinks", cfg.engine.nsinks) },
		 5);
	if (mode == ENGINE_REPLAY) {
		bad_paths = report_unreadable_paths(&cfg);
		if (bad_paths == cfg.engine.npaths) {
			log_line(LOG_ERROR, "nothing to replay: no path given can be read",
				 (struct log_field[]){ LOG_I("paths", cfg.engine.npaths) }, 1);
			config_free(&cfg);
			return 1;
		}
	}
	t0 = fsutil_mono_ns();
	cfg.engine.progress_fn = progress_line;
	log_set_progress_line(cfg.engine.progress);
	rc = engine_run(&cfg.engine, &stop_requested, &sum, err, sizeof(err));
	log_set_progress_line(0);
	if (rc == ENGINE_ECONFIG) {
		log_line(LOG_ERROR, "configuration error", (struct log_field[]){ LOG_S("error", err) }, 1);
		config_free(&cfg);
		return 2;
	}
	if (rc < 0) {
		log_line(LOG_ERROR, "stopped by a fatal error", (struct log_field[]){ LOG_S("error", err) }, 1);
		config_free(&cfg);
		return 3;
	}
	double secs = (double)(fsutil_mono_ns() - t0) / 1e9;
	log_line(LOG_INFO, stop_requested ? "stopped on request" : "done",
		 (struct log_field[]){ LOG_I("batches", sum.batches), LOG_I("files", sum.files),
				       LOG_I("rows", sum.rows), LOG_I("duplicates", sum.duplicates),
				       LOG_I("quarantined", sum.quarantined), LOG_I("vanished", sum.vanished),
				       LOG_D("seconds", secs),
				       LOG_I("rows_per_s", secs > 0 ? (double)sum.rows / secs : 0) },
		 8);
	config_free(&cfg);
	if (mode == ENGINE_REPLAY && !stop_requested && (sum.quarantined > 0 || sum.vanished > 0 || bad_paths > 0))
		return 1;
	return stop_requested && mode == ENGINE_REPLAY ? 1 : 0;
}

int cmd_watch(int argc, char **argv)
{
	return run(ENGINE_WATCH, argc, argv);
}

int cmd_replay(int argc, char **argv)
{
	return run(ENGINE_REPLAY, argc, argv);
}
