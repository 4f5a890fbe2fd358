/* The option layer of every command: a const table per command says which options it takes
 * (flag, JSON key, type, default, range, help line, where the value goes), and one function
 * parses argv and the --config JSON file for it, refuses what the table does not allow (naming
 * the option and where it came from), and prints the options part of --help from the same table.
 *
 * Rules every command gets from the layer:
 * - --config FILE (a JSON object of the same options) and -h/--help exist for every command;
 * - options may come before or after the operands (GNU permutation), and -- ends them;
 * - the config file is applied first, then the flags: a flag wins; a repeatable option given by
 *   flag replaces the file's list;
 * - a JSON key is the flag's name, with '_' accepted for '-' ("max_rows" = "max-rows");
 * - an unknown flag or key, a bad value, or a number out of the table's range is refused with a
 *   message naming the option, where it came from (--flag or config FILE "key") and what to give.
 *
 * Also here: watch and replay's options (struct config, config_parse), built on that table. */
#ifndef PCAPSTREAM_CONFIG_H
#define PCAPSTREAM_CONFIG_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "engine.h"
#include "flow.h"
#include "log.h"

enum config_type {
	CONFIG_STRING,	 /* const char *; .off: that word stores NULL */
	CONFIG_STRINGS,	 /* repeatable: const char *field[.max_count] and an int count at .count_offset */
	CONFIG_INT,	 /* an integer in [.min, .max] into a 1, 2, 4 or 8-byte field */
	CONFIG_SIZE,	 /* "64k", "100MB" in bytes, in [.min, .max], into a uint64_t; .off: stores 0 */
	CONFIG_DURATION, /* "500ms", "10s", "7d" in ns, in [.min, .max], into an int64_t; .off: stores 0 */
	CONFIG_BOOL,	 /* a flag without value (JSON true/false) into an int: 1 or 0 */
	CONFIG_ENUM,	 /* one of .choices: its value into an int-sized field (an enum) */
	CONFIG_CUSTOM,	 /* .parse decides (e.g. --trigger: once | available-now | DURATION) */
};

/* A name of an enum option and the value it stores. Lists end with { NULL, 0 }. */
struct config_choice {
	const char *name;
	int value;
};

/* One option. .max == 0 means no upper bound. .only: 0 = every variant of the command's table,
 * else a bit mask of struct config_cmd .variant (watch and replay share one table). */
struct config_opt {
	const char *flag; /* "max-rows": --max-rows, JSON key "max-rows" or "max_rows" */
	char short_flag;  /* 'o' for -o, or 0 */
	enum config_type type;
	const char *arg; /* the value's name in --help ("N", "DIR"); NULL: from the type */
	const char *def; /* the default, as text: applied through the same parser before anything else */
	long long min, max;
	const char *off; /* STRING, SIZE, DURATION: a word that switches the option off (NULL / 0) */
	const struct config_choice *choices; /* ENUM */
	size_t offset;			     /* where the value goes in the command's options struct */
	size_t size;			     /* sizeof that field */
	size_t count_offset;		     /* STRINGS: the int count of the array */
	int max_count;			     /* STRINGS: the array's capacity */
	int required;			     /* the command cannot run without it */
	unsigned only;
	/* CUSTOM: parse val into field. 0, or -1 with why saying what val should be ("once,
	 * available-now or a duration of 1ms or more"). */
	int (*parse)(const char *val, void *field, char *why, size_t whylen);
	const char *help;
	void (*help_more)(void *file); /* lines printed after the option's own (e.g. sink_print_help) */
};

/* .offset and .size of a field of the command's options struct. */
#define CONFIG_AT(type, field) .offset = offsetof(type, field), .size = sizeof(((type *)0)->field)
/* The same for a repeatable option: the array, its capacity and its count. */
#define CONFIG_LIST(type, field, count)                                                                                \
	.offset = offsetof(type, field), .size = sizeof(((type *)0)->field[0]),                                        \
	.max_count = (int)(sizeof(((type *)0)->field) / sizeof(((type *)0)->field[0])),                                \
	.count_offset = offsetof(type, count)

/* The choices of every --log-format: text, json (enum log_format). */
extern const struct config_choice config_log_formats[];

/* A command: its name, what --help prints around the options, its options (ending with
 * { .flag = NULL }) and how many operands it takes at most (-1: any number). */
struct config_cmd {
	const char *name;  /* "serve": messages say "see pcapstream serve --help" */
	const char *usage; /* the usage line and description, printed before "options:" */
	const char *after; /* printed after the options (exit statuses, examples); may be NULL */
	const struct config_opt *opts;
	int max_operands;
	unsigned variant; /* this command's bit in the options' .only */
};

/* What a parse leaves besides the values: the operands and the strings of the config file. */
struct config_args;

/* Parse argv (argv[0] is the command's name) and the --config file for cmd into dst (the
 * command's options struct, filled with the table's defaults first). Returns 0 ready to run, 1
 * when --help was printed (on stdout), -1 with err naming the option, where it came from and what
 * to give. *args (operands, the config file's strings that dst points to) lives until
 * config_args_free(), which the caller calls in every case. */
int config_parse_cmd(const struct config_cmd *cmd, int argc, char **argv, void *dst, struct config_args **args,
		     char *err, size_t errlen);

/* config_parse_cmd() for a command's main: a refusal is printed on stderr as "pcapstream NAME:
 * MESSAGE". Returns 0 to run (*exit_status untouched), or -1 with *exit_status set: 0 after --help,
 * 2 after a refusal. */
int config_parse_main(const struct config_cmd *cmd, int argc, char **argv, void *dst, struct config_args **args,
		      int *exit_status);

/* The operands (arguments that are not options), in their order. */
int config_args_count(const struct config_args *a);
const char *config_args_get(const struct config_args *a, int i);

/* Free the parse's leftovers; accepts NULL. */
void config_args_free(struct config_args *a);

/* The --help of cmd: its usage text, the options of the table with their defaults and ranges,
 * then the after text. */
void config_print_help(const struct config_cmd *cmd, FILE *f);

/* --- watch and replay ------------------------------------------------------------------------ */

#define CONFIG_MAX_SINKS 16
#define CONFIG_MAX_PATHS 4096

struct config {
	struct engine_config engine;
	enum log_format log_format;
	uint16_t community_id_seed; /* --community-id-seed: process-wide, set before the run */
	int sink_defaulted;	    /* no sink configured: the file sink into ./out was chosen */
	/* storage behind the engine config's pointers */
	char *strings[64];
	int nstrings;
	struct config_args *args;
	const char *sinks[CONFIG_MAX_SINKS];
	const char *paths[CONFIG_MAX_PATHS];
};

/* The --community-id-seed option of every command that makes rows, for its table: the seed goes
 * into the uint16_t seed_field of the command's options struct opts_type. */
#define CONFIG_COMMUNITY_ID_SEED(opts_type, seed_field)                                                                \
	{                                                                                                              \
		.flag = "community-id-seed", .type = CONFIG_INT, .arg = "N", .def = "0", .min = 0, .max = 65535,       \
		CONFIG_AT(opts_type, seed_field),                                                                      \
		.help =                                                                                                \
		    "seed of network.community_id (Community ID v1); use the seed the other tools of your site use"    \
	}

/* The flow options of every command that makes flow records (decode --flows, watch, replay),
 * for its table: the values go into the struct flow_config field of opts_type. */
#define CONFIG_FLOW_OPTS(opts_type, field, variants)                                                                   \
	{ .flag = "flow-idle-timeout",                                                                                 \
	  .type = CONFIG_DURATION,                                                                                     \
	  .arg = "DURATION",                                                                                           \
	  .def = FLOW_IDLE_DEFAULT,                                                                                    \
	  .min = 1000000,                                                                                              \
	  .only = variants,                                                                                            \
	  CONFIG_AT(opts_type, field.idle_ns),                                                                         \
	  .help = "a flow no packet came for this long (capture time) is reported (\"100y\": never)" },                \
	    { .flag = "flow-active-timeout",                                                                           \
	      .type = CONFIG_DURATION,                                                                                 \
	      .arg = "DURATION",                                                                                       \
	      .def = FLOW_ACTIVE_DEFAULT,                                                                              \
	      .min = 1000000,                                                                                          \
	      .only = variants,                                                                                        \
	      CONFIG_AT(opts_type, field.active_ns),                                                                   \
	      .help = "a flow that has lasted this long is reported and a new record continues it" },                  \
	{                                                                                                              \
		.flag = "max-flows", .type = CONFIG_INT, .arg = "N", .def = FLOW_MAX_DEFAULT, .min = 1,                \
		.max = FLOW_MAX_LIMIT, .only = variants, CONFIG_AT(opts_type, field.max_flows),                        \
		.help = "open flows held at most; when full, the least recently seen is reported early"                \
	}

/* Parse argv (argv[0] is the command name) for mode into cfg. Returns 0 when ready to run,
 * 1 when --help was printed, -1 on a usage or config error (message in err: what, where, and
 * what to do). Free with config_free() in every case. */
int config_parse(enum engine_mode mode, int argc, char **argv, struct config *cfg, char *err, size_t errlen);

void config_free(struct config *cfg);

#endif
