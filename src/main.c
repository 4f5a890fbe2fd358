/* pcapstream: packet captures and flow records into rows people can query. */
#include <curl/curl.h>
#include <dlfcn.h>
#include <errno.h>
#include <mongoc/mongoc.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "cmd.h"
#include "log.h"

#ifndef PCAPSTREAM_VERSION
#define PCAPSTREAM_VERSION "0.4.0"
#endif

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ .name = "watch", .run = cmd_watch, .summary = "ingest every capture dropped into a folder, exactly once" },
	{ .name = "replay", .run = cmd_replay, .summary = "ingest archived captures (files, folders) to completion" },
	{ .name = "realtime",
	  .run = cmd_realtime,
	  .summary = "pmacct flow records from Kafka into the sinks and a hot topic" },
	{ .name = "serve",
	  .run = cmd_serve,
	  .summary = "the dashboard: daily and live traffic charts, HTTP API, Prometheus metrics" },
	{ .name = "status",
	  .run = cmd_status,
	  .summary = "show a checkpoint: last batch, pending and quarantined files" },
	{ .name = "decode", .run = cmd_decode, .summary = "print the rows of capture files as NDJSON" },
	{ .name = "setup", .run = cmd_setup, .summary = "ES index template, MongoDB indexes (idempotent)" },
	{ .name = "prune", .run = cmd_prune, .summary = "retention: delete store data before a cutoff" },
	{ .name = "query", .run = cmd_query, .summary = "daily in/out traffic of a host from MongoDB" },
	{ .name = NULL, .run = NULL, .summary = NULL },
};

/* libmongoc's own log lines: warnings and errors go through log.c, in the command's log format,
 * except the "endSessions" warning every client prints against FerretDB, which lacks that command. */
static void on_mongoc_log(mongoc_log_level_t level, const char *domain, const char *message, void *data)
{
	(void)data;
	if (level > MONGOC_LOG_LEVEL_WARNING || strstr(message, "endSessions") != NULL)
		return;
	log_line(level == MONGOC_LOG_LEVEL_WARNING ? LOG_WARN : LOG_ERROR, message,
		 (struct log_field[]){ LOG_S("source", "mongoc"), LOG_S("domain", domain) }, 2);
}

/* libmongoc (Debian builds it with automatic init) creates a shared-memory file /dev/shm/mongoc-PID
 * for its statistics in a library constructor, before main() runs, and removes it only at a clean
 * exit: a process killed with SIGKILL left one behind, even one killed before main() could remove
 * it, and a later process given the same PID printed "Falling back to malloc for counters" in its
 * own format, breaking JSON logs. Setting MONGOC_DISABLE_SHM cannot help: nothing of ours runs
 * before that constructor with an environment libc keeps. So the executable provides shm_open()
 * and shm_unlink() (the dynamic linker binds libmongoc's calls to them): libmongoc's counters get
 * an anonymous memory file (memfd), which has no name to leave behind, whatever the moment of a
 * kill. Any other name goes to libc's functions. pcapstream never reads libmongoc's counters. */
static int is_mongoc_counters(const char *name)
{
	return name != NULL && strncmp(name, "/mongoc-", 8) == 0;
}

int shm_open(const char *name, int oflag, mode_t mode)
{
	int (*next)(const char *, int, mode_t);

	if (is_mongoc_counters(name))
		return memfd_create("mongoc-counters", MFD_CLOEXEC);
	*(void **)&next = dlsym(RTLD_NEXT, "shm_open");
	if (next == NULL) {
		errno = ENOSYS;
		return -1;
	}
	return next(name, oflag, mode);
}

int shm_unlink(const char *name)
{
	int (*next)(const char *);

	if (is_mongoc_counters(name))
		return 0;
	*(void **)&next = dlsym(RTLD_NEXT, "shm_unlink");
	if (next == NULL) {
		errno = ENOSYS;
		return -1;
	}
	return next(name);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: pcapstream COMMAND [options] [args]\n\ncommands:\n");
	for (const struct command *c = commands; c->name != NULL; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f, "\n'pcapstream COMMAND --help' explains a command. pcapstream %s\n", PCAPSTREAM_VERSION);
}

int main(int argc, char **argv)
{
	/* A closed pipe (`decode | head`) is a write error to report, not a signal to die of. */
	signal(SIGPIPE, SIG_IGN);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	mongoc_init();
	mongoc_log_set_handler(on_mongoc_log, NULL);
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("pcapstream %s\n", PCAPSTREAM_VERSION);
		return 0;
	}
	for (const struct command *c = commands; c->name != NULL; c++) {
		if (strcmp(argv[1], c->name) == 0)
			return c->run(argc - 1, argv + 1);
	}
	fprintf(stderr, "pcapstream: unknown command '%s' (try 'pcapstream --help')\n", argv[1]);
	return 2;
}
