/* Options of `watch` and `replay`: command-line flags and a JSON config file (flags win). */
#ifndef PCAPSTREAM_CONFIG_H
#define PCAPSTREAM_CONFIG_H
#include <stddef.h>
#include "engine.h"
#include "log.h"

#define CONFIG_MAX_SINKS 16
#define CONFIG_MAX_PATHS 4096

struct config {
	struct engine_config engine;
	enum log_format log_format;
	int sink_defaulted; /* no sink configured: the file sink into ./out was chosen */
	/* storage behind the engine config's pointers */
	char *strings[64];
	int nstrings;
	const char *sinks[CONFIG_MAX_SINKS];
	const char *paths[CONFIG_MAX_PATHS];
};

/* Parse argv (argv[0] is the command name) for mode into cfg. Returns 0 when ready to run,
 * 1 when --help was printed, -1 on a usage or config error (message in err: what, where, and
 * what to do). Free with config_free() in every case. */
int config_parse(enum engine_mode mode, int argc, char **argv, struct config *cfg, char *err, size_t errlen);

void config_free(struct config *cfg);

#endif
