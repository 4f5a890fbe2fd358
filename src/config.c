/* Flags and JSON config file for `watch` and `replay`. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "config.h"
#include "fsutil.h"
#include "sink.h"

enum opt_id {
	OPT_CHECKPOINT = 1,
	OPT_CONFIG,
	OPT_TRIGGER,
	OPT_MAX_FILES,
	OPT_MAX_BYTES,
	OPT_LATEST_FIRST,
	OPT_MAX_FILE_AGE,
	OPT_CLEAN_SOURCE,
	OPT_ARCHIVE_DIR,
	OPT_RECURSIVE,
	OPT_QUARANTINE_DIR,
	OPT_QUIET_PERIOD,
	OPT_SINK,
	OPT_LOG_FORMAT,
	OPT_FORGET_AFTER,
	OPT_MAX_PENDING,
	OPT_PROGRESS,
	OPT_HELP,
};

struct opt_info {
	const char *name;
	int id;
	int has_arg;
	int modes; /* 1 = watch, 2 = replay */
	const char *arg;
	const char *help;
};

static const struct opt_info opts[] = {
	{ "checkpoint", OPT_CHECKPOINT, 1, 3, "DIR",
	  "checkpoint folder (offsets, commits, file registry); watch: DIR/.pcapstream, replay: ./pcapstream-replay" },
	{ "config", OPT_CONFIG, 1, 3, "FILE",
	  "JSON file with any of these options, e.g. {\"trigger\": \"30s\", "
	  "\"sink\": [\"file:out\"]}; flags given here win" },
	{ "trigger", OPT_TRIGGER, 1, 1, "WHEN",
	  "10s (default; any duration: one batch per tick, aligned), once (one batch of everything there, then exit), "
	  "available-now (drain what is there in batches, then exit)" },
	{ "max-files-per-trigger", OPT_MAX_FILES, 1, 3, "N", "files per batch at most (default 1; 0 = no limit)" },
	{ "max-bytes-per-trigger", OPT_MAX_BYTES, 1, 3, "SIZE",
	  "bytes per batch at most, e.g. 512MB (default: no limit; a batch always takes at least one file)" },
	{ "latest-first", OPT_LATEST_FIRST, 0, 3, NULL,
	  "newest files first (default: oldest modification time first)" },
	{ "max-file-age", OPT_MAX_FILE_AGE, 1, 3, "DURATION",
	  "ignore files modified longer ago than this, e.g. 7d (default: off)" },
	{ "clean-source", OPT_CLEAN_SOURCE, 1, 3, "MODE",
	  "off (default) | archive (move into --archive-dir) | delete, right after the batch commits" },
	{ "archive-dir", OPT_ARCHIVE_DIR, 1, 3, "DIR", "where --clean-source archive moves ingested files" },
	{ "recursive", OPT_RECURSIVE, 0, 1, NULL, "also watch sub-folders (replay always descends)" },
	{ "quarantine-dir", OPT_QUARANTINE_DIR, 1, 3, "DIR",
	  "where bad files go, each with a NAME.reason file (watch: DIR/quarantine, replay: CHECKPOINT/quarantine)" },
	{ "quiet-period", OPT_QUIET_PERIOD, 1, 1, "DURATION",
	  "a file found by a rescan (not by a close/move event) is taken once its size has not changed for this "
	  "long and no process has it open for writing (default 10s)" },
	{ "sink", OPT_SINK, 1, 3, "SPEC", "where rows go (repeatable; default file:out):" },
	{ "log-format", OPT_LOG_FORMAT, 1, 3, "FMT", "text (default) or json: one line per batch, one per problem" },
	{ "forget-after", OPT_FORGET_AFTER, 1, 3, "DURATION",
	  "forget files this long after they left the folder (default 7d): the registry follows the live files" },
	{ "max-pending-files", OPT_MAX_PENDING, 1, 3, "N",
	  "files tracked in memory at most (default 100000); more wait on disk until the queue drains" },
	{ "progress", OPT_PROGRESS, 1, 2, "WHEN", "auto (default: when stderr is a terminal), always, never" },
	{ "help", OPT_HELP, 0, 3, NULL, "show this help" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

static void usage(enum engine_mode mode)
{
	int bit = mode == ENGINE_WATCH ? 1 : 2;

	if (mode == ENGINE_WATCH)
		printf(
		    "usage: pcapstream watch [options] DIR\n\n"
		    "Ingest every capture dropped into DIR, exactly once, as it arrives: a file is taken when it is\n"
		    "closed after writing or moved in (inotify), or, for files found by a scan (start-up, event queue\n"
		    "overflow), once it is no longer being written. Every packet becomes a row in the sinks. Bad "
		    "files\n"
		    "(unreadable, empty, not a capture, truncated) go to the quarantine folder with a .reason file.\n"
		    "Stop with SIGINT or SIGTERM: the batch in progress is abandoned and replayed at the next "
		    "start.\n"
		    "Exit status: 0 stopped on request, or (--trigger once / available-now) every file there\n"
		    "ingested or quarantined; 2 usage or configuration error (bad option, missing folder, a\n"
		    "--sink that cannot be opened); 3 fatal error (damaged checkpoint, ...).\n"
		    "Options may come before or after DIR; -- ends them.\n\n");
	else
		printf("usage: pcapstream replay [options] PATH...\n\n"
		       "Ingest archived captures (files, and folders searched recursively) to completion, in batches,\n"
		       "with the same checkpoint protocol as watch: interrupted or repeated, it ingests every file\n"
		       "exactly once. A bad file (unreadable, not a capture, truncated) is reported and gets a\n"
		       "NAME.reason in the quarantine folder, but stays where it is: replay never moves archives.\n"
		       "Exit status: 0 every file ingested (or already ingested), 1 some file was bad or vanished,\n"
		       "or a PATH could not be read (missing, a symlink loop, no permission), 2 usage or\n"
		       "configuration error (bad option, a --sink that cannot be opened), 3 fatal error (damaged\n"
		       "checkpoint, ...). Options may come before or after the PATHs; -- ends them.\n\n");
	printf("options:\n");
	for (const struct opt_info *o = opts; o->name != NULL; o++) {
		if (!(o->modes & bit))
			continue;
		char left[64];
		snprintf(left, sizeof(left), "--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
		printf("  %-30s %s\n", left, o->help);
		if (o->id == OPT_SINK)
			sink_print_help(stdout);
	}
	printf("\nDurations: 500ms, 10s, 5m, 2h, 7d. Sizes: 64k, 100MB, 2GiB.\n");
}

static const struct opt_info *find_opt(const char *name)
{
	for (const struct opt_info *o = opts; o->name != NULL; o++) {
		if (strcmp(o->name, name) == 0)
			return o;
	}
	return NULL;
}

static const char *keep(struct config *cfg, const char *s)
{
	char *c;

	if (cfg->nstrings >= (int)(sizeof(cfg->strings) / sizeof(cfg->strings[0])))
		return NULL;
	c = strdup(s);
	if (c != NULL)
		cfg->strings[cfg->nstrings++] = c;
	return c;
}

/* Apply one option value; where says where it came from ("--flag" or "config FILE"). */
static int apply(struct config *cfg, enum engine_mode mode, const struct opt_info *o, const char *val,
		 const char *where, int from_flags, int *flag_sinks, char *err, size_t errlen)
{
	struct engine_config *e = &cfg->engine;
	char *end;
	long long n;

	if (!(o->modes & (mode == ENGINE_WATCH ? 1 : 2))) {
		snprintf(err, errlen, "%s: option '%s' does not apply to %s", where, o->name,
			 mode == ENGINE_WATCH ? "watch" : "replay");
		return -1;
	}
	switch (o->id) {
	case OPT_CHECKPOINT:
		e->checkpoint = keep(cfg, val);
		break;
	case OPT_TRIGGER:
		if (strcmp(val, "once") == 0) {
			e->trigger = TRIGGER_ONCE;
		} else if (strcmp(val, "available-now") == 0) {
			e->trigger = TRIGGER_AVAILABLE_NOW;
		} else if (fsutil_parse_duration(val, &e->interval_ns) == 0 && e->interval_ns >= 1000000) {
			e->trigger = TRIGGER_INTERVAL;
		} else {
			snprintf(err, errlen,
				 "%s: trigger '%s' is not once, available-now or a duration of 1ms or more "
				 "(e.g. 10s)",
				 where, val);
			return -1;
		}
		break;
	case OPT_MAX_FILES:
	case OPT_MAX_PENDING:
		errno = 0;
		n = strtoll(val, &end, 10);
		if (end == val || *end != '\0' || errno != 0 || n < 0 || (o->id == OPT_MAX_PENDING && n < 1)) {
			snprintf(err, errlen, "%s: '%s' is not a %s integer", where, val,
				 o->id == OPT_MAX_PENDING ? "positive" : "non-negative");
			return -1;
		}
		if (o->id == OPT_MAX_FILES)
			e->max_files = (uint64_t)n;
		else
			e->max_pending = (size_t)n;
		break;
	case OPT_MAX_BYTES:
		if (fsutil_parse_size(val, &e->max_bytes) < 0) {
			snprintf(err, errlen, "%s: '%s' is not a size (e.g. 512MB)", where, val);
			return -1;
		}
		break;
	case OPT_LATEST_FIRST:
		e->latest_first = strcmp(val, "false") != 0;
		break;
	case OPT_RECURSIVE:
		e->recursive = strcmp(val, "false") != 0;
		break;
	case OPT_MAX_FILE_AGE:
	case OPT_QUIET_PERIOD:
	case OPT_FORGET_AFTER: {
		int64_t ns;
		if (fsutil_parse_duration(val, &ns) < 0) {
			snprintf(err, errlen, "%s: '%s' is not a duration (e.g. 500ms, 10s, 7d)", where, val);
			return -1;
		}
		if (o->id == OPT_MAX_FILE_AGE)
			e->max_file_age_ns = ns;
		else if (o->id == OPT_QUIET_PERIOD)
			e->quiet_ns = ns;
		else
			e->forget_after_ns = ns;
		break;
	}
	case OPT_CLEAN_SOURCE:
		if (strcmp(val, "off") == 0) {
			e->clean = CLEAN_OFF;
		} else if (strcmp(val, "archive") == 0) {
			e->clean = CLEAN_ARCHIVE;
		} else if (strcmp(val, "delete") == 0) {
			e->clean = CLEAN_DELETE;
		} else {
			snprintf(err, errlen, "%s: clean-source '%s' is not off, archive or delete", where, val);
			return -1;
		}
		break;
	case OPT_ARCHIVE_DIR:
		e->archive_dir = keep(cfg, val);
		break;
	case OPT_QUARANTINE_DIR:
		e->quarantine_dir = keep(cfg, val);
		break;
	case OPT_SINK:
		if (from_flags && !*flag_sinks) {
			e->nsinks = 0; /* flags replace the config file's sinks */
			*flag_sinks = 1;
		}
		if (e->nsinks >= CONFIG_MAX_SINKS) {
			snprintf(err, errlen, "%s: more than %d sinks", where, CONFIG_MAX_SINKS);
			return -1;
		}
		cfg->sinks[e->nsinks++] = keep(cfg, val);
		break;
	case OPT_LOG_FORMAT:
		if (log_parse_format(val, &cfg->log_format) < 0) {
			snprintf(err, errlen, "%s: log-format '%s' is not text or json", where, val);
			return -1;
		}
		break;
	case OPT_PROGRESS:
		if (strcmp(val, "auto") == 0) {
			e->progress = isatty(STDERR_FILENO);
		} else if (strcmp(val, "always") == 0) {
			e->progress = 1;
		} else if (strcmp(val, "never") == 0) {
			e->progress = 0;
		} else {
			snprintf(err, errlen, "%s: progress '%s' is not auto, always or never", where, val);
			return -1;
		}
		break;
	default:
		break;
	}
	return 0;
}

static int load_file(struct config *cfg, enum engine_mode mode, const char *path, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *root = json_load_file(path, 0, &jerr);
	const char *key;
	json_t *val;
	char where[600];
	int rc = -1, dummy = 0;

	if (root == NULL) {
		snprintf(err, errlen, "config %s: line %d: %s", path, jerr.line, jerr.text);
		goto out;
	}
	if (!json_is_object(root)) {
		snprintf(err, errlen, "config %s: expected a JSON object of options", path);
		goto out;
	}
	json_object_foreach(root, key, val)
	{
		char name[64], buf[64];
		snprintf(name, sizeof(name), "%s", key);
		for (char *p = name; *p; p++)
			*p = *p == '_' ? '-' : *p;
		const struct opt_info *o = find_opt(name);
		snprintf(where, sizeof(where), "config %s: \"%s\"", path, key);
		if (o == NULL || o->id == OPT_CONFIG || o->id == OPT_HELP) {
			snprintf(err, errlen, "%s: unknown option (see pcapstream %s --help)", where,
				 mode == ENGINE_WATCH ? "watch" : "replay");
			goto out;
		}
		if (o->id == OPT_SINK && json_is_array(val)) {
			size_t i;
			json_t *s;
			json_array_foreach(val, i, s)
			{
				if (!json_is_string(s)) {
					snprintf(err, errlen, "%s: sinks must be strings such as \"file:out\"", where);
					goto out;
				}
				if (apply(cfg, mode, o, json_string_value(s), where, 0, &dummy, err, errlen) < 0)
					goto out;
			}
			continue;
		}
		const char *v = NULL;
		if (json_is_string(val)) {
			v = json_string_value(val);
		} else if (json_is_integer(val)) {
			snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(val));
			v = buf;
		} else if (json_is_boolean(val)) {
			v = json_is_true(val) ? "true" : "false";
		} else {
			snprintf(err, errlen, "%s: expected a string, number or boolean", where);
			goto out;
		}
		if (!o->has_arg && !json_is_boolean(val)) {
			snprintf(err, errlen, "%s: expected true or false", where);
			goto out;
		}
		if (apply(cfg, mode, o, v, where, 0, &dummy, err, errlen) < 0)
			goto out;
	}
	rc = 0;
out:
	json_decref(root);
	return rc;
}

int config_parse(enum engine_mode mode, int argc, char **argv, struct config *cfg, char *err, size_t errlen)
{
	struct option lopts[sizeof(opts) / sizeof(opts[0])];
	struct engine_config *e = &cfg->engine;
	const char *config_file = NULL;
	char path[4096];
	int n = 0, flag_sinks = 0;

	memset(cfg, 0, sizeof(*cfg));
	e->mode = mode;
	e->trigger = mode == ENGINE_WATCH ? TRIGGER_INTERVAL : TRIGGER_AVAILABLE_NOW;
	e->interval_ns = 10000000000LL;
	e->max_files = 1;
	e->quiet_ns = 10000000000LL;
	e->forget_after_ns = 7 * 86400000000000LL;
	e->max_pending = 100000;
	e->progress = mode == ENGINE_REPLAY && isatty(STDERR_FILENO);
	e->sinks = cfg->sinks;
	e->paths = cfg->paths;
	for (const struct opt_info *o = opts; o->name != NULL; o++, n++)
		lopts[n] = (struct option){ .name = o->name, .has_arg = o->has_arg, .flag = NULL, .val = o->id };
	lopts[n] = (struct option){ 0 };

	/* First pass: only --config and --help, so the file is applied before the flags. */
	optind = 0; /* 0: glibc starts afresh (argv is permuted: options anywhere, -- ends them) */
	opterr = 0;
	for (;;) {
		int c = getopt_long(argc, argv, "h", lopts, NULL);
		if (c == -1)
			break;
		if (c == OPT_HELP || c == 'h') {
			usage(mode);
			return 1;
		}
		if (c == OPT_CONFIG)
			config_file = optarg;
	}
	if (config_file != NULL && load_file(cfg, mode, config_file, err, errlen) < 0)
		return -1;

	optind = 0; /* 0: glibc starts afresh (argv is permuted: options anywhere, -- ends them) */
	opterr = 0;
	for (;;) {
		int idx = -1;
		int c = getopt_long(argc, argv, "h", lopts, &idx);
		if (c == -1)
			break;
		if (c == '?' || c == ':') {
			snprintf(err, errlen, "bad or incomplete option '%s' (see --help)", argv[optind - 1]);
			return -1;
		}
		if (c == OPT_CONFIG)
			continue;
		const struct opt_info *o = &opts[idx];
		char where[80];
		snprintf(where, sizeof(where), "--%s", o->name);
		if (apply(cfg, mode, o, o->has_arg ? optarg : "true", where, 1, &flag_sinks, err, errlen) < 0)
			return -1;
	}
	for (int i = optind; i < argc; i++) {
		if (e->npaths >= CONFIG_MAX_PATHS) {
			snprintf(err, errlen, "more than %d paths", CONFIG_MAX_PATHS);
			return -1;
		}
		cfg->paths[e->npaths++] = argv[i];
	}
	if (mode == ENGINE_WATCH && e->npaths != 1) {
		snprintf(err, errlen, "watch takes exactly one folder (got %d); see --help", e->npaths);
		return -1;
	}
	if (mode == ENGINE_REPLAY && e->npaths == 0) {
		snprintf(err, errlen, "replay needs at least one capture file or folder; see --help");
		return -1;
	}
	if (mode == ENGINE_WATCH) {
		struct stat st;
		if (stat(e->paths[0], &st) < 0 || !S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "%s is not a folder (%s): create it or name an existing one", e->paths[0],
				 stat(e->paths[0], &st) < 0 ? strerror(errno) : "not a directory");
			return -1;
		}
	}
	if (e->clean == CLEAN_ARCHIVE && e->archive_dir == NULL) {
		snprintf(err, errlen, "--clean-source archive needs --archive-dir DIR");
		return -1;
	}
	if (e->checkpoint == NULL) {
		if (mode == ENGINE_WATCH)
			snprintf(path, sizeof(path), "%s/.pcapstream", e->paths[0]);
		else
			snprintf(path, sizeof(path), "pcapstream-replay");
		e->checkpoint = keep(cfg, path);
	}
	if (e->quarantine_dir == NULL) {
		if (mode == ENGINE_WATCH)
			snprintf(path, sizeof(path), "%s/quarantine", e->paths[0]);
		else
			snprintf(path, sizeof(path), "%s/quarantine", e->checkpoint);
		e->quarantine_dir = keep(cfg, path);
	}
	if (e->nsinks == 0) {
		cfg->sinks[e->nsinks++] = "file:out";
		cfg->sink_defaulted = 1;
	}
	/* Paths compared against scanned paths are kept as given, without a trailing slash. */
	for (int i = 0; i < e->npaths; i++) {
		size_t len = strlen(cfg->paths[i]);
		if (len > 1 && cfg->paths[i][len - 1] == '/') {
			char *c = (char *)keep(cfg, cfg->paths[i]);
			if (c == NULL)
				break;
			c[len - 1] = '\0';
			cfg->paths[i] = c;
		}
	}
	return 0;
}

void config_free(struct config *cfg)
{
	if (cfg == NULL)
		return;
	for (int i = 0; i < cfg->nstrings; i++)
		free(cfg->strings[i]);
	cfg->nstrings = 0;
}
