/* The option layer of every command (flags, --config JSON, --help from one table), and the
 * options of `watch` and `replay` on it. */
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
#include "growbuf.h"
#include "sink.h"

#define CONFIG_MAX_OPTS	   96	/* options of one command (a table longer than this is refused) */
#define CONFIG_MAX_OWNED   4096 /* strings taken from one config file */
#define CONFIG_OPT_BASE	   256	/* getopt values of the table's long options: BASE + index */
#define CONFIG_OPT_CONFIG  (CONFIG_OPT_BASE + CONFIG_MAX_OPTS)
#define CONFIG_HELP_INDENT 33
#define CONFIG_HELP_WIDTH  110

struct config_args {
	char **owned; /* the config file's strings (dst points to them) */
	size_t nowned, cap;
	char **operands; /* into argv, after getopt moved the options before them */
	int noperands;
};

/* --- describing an option ------------------------------------------------------------------ */

/* ns as the shortest duration text that parses back to it ("10s", "500ms", "7d"). */
static void format_duration(long long ns, char *out, size_t outlen)
{
	static const struct {
		const char *unit;
		long long ns;
	} units[] = { { "d", 86400000000000LL },
		      { "h", 3600000000000LL },
		      { "m", 60000000000LL },
		      { "s", 1000000000LL },
		      { "ms", 1000000LL },
		      { "us", 1000LL },
		      { "ns", 1 },
		      { NULL, 0 } };

	for (int i = 0; units[i].unit != NULL; i++) {
		if (ns != 0 && ns % units[i].ns == 0) {
			snprintf(out, outlen, "%lld%s", ns / units[i].ns, units[i].unit);
			return;
		}
	}
	snprintf(out, outlen, "0s");
}

/* bytes as the shortest size text that parses back to it ("1k", "32MB"). */
static void format_size(long long bytes, char *out, size_t outlen)
{
	static const struct {
		const char *unit;
		long long bytes;
	} units[] = { { "TB", 1LL << 40 }, { "GB", 1LL << 30 }, { "MB", 1LL << 20 }, { "k", 1LL << 10 }, { NULL, 0 } };

	for (int i = 0; units[i].unit != NULL; i++) {
		if (bytes != 0 && bytes % units[i].bytes == 0) {
			snprintf(out, outlen, "%lld%s", bytes / units[i].bytes, units[i].unit);
			return;
		}
	}
	snprintf(out, outlen, "%lld", bytes);
}

/* A bound of o (min or max) as text in o's unit. */
static void format_bound(const struct config_opt *o, long long v, char *out, size_t outlen)
{
	if (o->type == CONFIG_DURATION)
		format_duration(v, out, outlen);
	else if (o->type == CONFIG_SIZE)
		format_size(v, out, outlen);
	else
		snprintf(out, outlen, "%lld", v);
}

/* The range of o as "from A to B", "of A or more", or "" when it has none. */
static void format_range(const struct config_opt *o, char *out, size_t outlen)
{
	char lo[32], hi[32];

	format_bound(o, o->min, lo, sizeof(lo));
	format_bound(o, o->max, hi, sizeof(hi));
	if (o->max != 0)
		snprintf(out, outlen, "from %s to %s", lo, hi);
	else if (o->min != 0)
		snprintf(out, outlen, "of %s or more", lo);
	else
		out[0] = '\0';
}

/* What a value of o must be, for messages: "an integer from 1 to 100000", "one of text, json". */
static void describe(const struct config_opt *o, char *out, size_t outlen)
{
	char range[80];
	size_t n = 0;

	format_range(o, range, sizeof(range));
	switch (o->type) {
	case CONFIG_INT:
		if (o->min == 0 && o->max == 0)
			snprintf(out, outlen, "a non-negative integer");
		else if (o->min == 1 && o->max == 0)
			snprintf(out, outlen, "a positive integer");
		else
			snprintf(out, outlen, "an integer %s", range);
		break;
	case CONFIG_SIZE:
	case CONFIG_DURATION:
		snprintf(out, outlen, "a %s %s%s%s", o->type == CONFIG_SIZE ? "size" : "duration",
			 range[0]		  ? range
			 : o->type == CONFIG_SIZE ? "(e.g. 64k, 100MB)"
						  : "(e.g. 500ms, 10s, 7d)",
			 o->off ? " or " : "", o->off ? o->off : "");
		break;
	case CONFIG_BOOL:
		snprintf(out, outlen, "true or false");
		break;
	case CONFIG_ENUM:
		n = (size_t)snprintf(out, outlen, "one of");
		for (const struct config_choice *c = o->choices; c->name != NULL && n < outlen; c++)
			n += (size_t)snprintf(out + n, outlen - n, "%s %s", c == o->choices ? "" : ",", c->name);
		break;
	default:
		snprintf(out, outlen, "text");
		break;
	}
}

/* The value's name in --help: the table's, else one from the type ("N", "a|b|c"). */
static void arg_name(const struct config_opt *o, char *out, size_t outlen)
{
	size_t n = 0;

	out[0] = '\0';
	if (o->arg != NULL) {
		snprintf(out, outlen, "%s", o->arg);
		return;
	}
	switch (o->type) {
	case CONFIG_INT:
		snprintf(out, outlen, "N");
		break;
	case CONFIG_SIZE:
		snprintf(out, outlen, "SIZE");
		break;
	case CONFIG_DURATION:
		snprintf(out, outlen, "DURATION");
		break;
	case CONFIG_ENUM:
		for (const struct config_choice *c = o->choices; c->name != NULL && n < outlen; c++)
			n += (size_t)snprintf(out + n, outlen - n, "%s%s", c == o->choices ? "" : "|", c->name);
		break;
	case CONFIG_BOOL:
		break;
	default:
		snprintf(out, outlen, "VALUE");
		break;
	}
}

/* Whether o is an option of cmd's variant (1) or only of a sibling sharing the table (0). */
static int applies(const struct config_cmd *cmd, const struct config_opt *o)
{
	return o->only == 0 || (o->only & cmd->variant) != 0;
}

/* Print text from column col (the help column, CONFIG_HELP_INDENT), wrapped at
 * CONFIG_HELP_WIDTH, continued lines indented to the help column. */
static void print_wrapped(FILE *f, const char *text, int col)
{
	const char *p = text;
	int first = 1;

	while (*p != '\0') {
		size_t word = strcspn(p, " ");
		if (!first && col + 1 + (int)word > CONFIG_HELP_WIDTH) {
			fprintf(f, "\n%*s", CONFIG_HELP_INDENT, "");
			col = CONFIG_HELP_INDENT;
		} else if (!first) {
			fputc(' ', f);
			col++;
		}
		fwrite(p, 1, word, f);
		col += (int)word;
		p += word;
		first = 0;
		while (*p == ' ')
			p++;
	}
	fputc('\n', f);
}

/* One option's lines of --help: "  --flag ARG" then the help text in its column. */
static void print_opt(FILE *f, const char *flags, const char *arg, const char *help)
{
	char left[96];

	snprintf(left, sizeof(left), "%s%s%s", flags, arg[0] ? " " : "", arg);
	if ((int)strlen(left) <= CONFIG_HELP_INDENT - 3)
		fprintf(f, "  %-*s ", CONFIG_HELP_INDENT - 3, left);
	else
		fprintf(f, "  %s\n%*s", left, CONFIG_HELP_INDENT, "");
	print_wrapped(f, help, CONFIG_HELP_INDENT);
}

void config_print_help(const struct config_cmd *cmd, FILE *f)
{
	char flags[80], arg[80], range[80], help[1024];

	fprintf(f, "%s\noptions:\n", cmd->usage);
	for (const struct config_opt *o = cmd->opts; o->flag != NULL; o++) {
		if (!applies(cmd, o))
			continue;
		arg_name(o, arg, sizeof(arg));
		if (o->short_flag != 0)
			snprintf(flags, sizeof(flags), "-%c, --%s", o->short_flag, o->flag);
		else
			snprintf(flags, sizeof(flags), "--%s", o->flag);
		range[0] = '\0';
		if (o->type == CONFIG_INT || o->type == CONFIG_SIZE || o->type == CONFIG_DURATION)
			format_range(o, range, sizeof(range));
		int n = snprintf(help, sizeof(help), "%s", o->help);
		const char *sep = " (";
		if (o->required) {
			n += snprintf(help + n, sizeof(help) - (size_t)n, "%srequired", sep);
			sep = "; ";
		}
		if (o->def != NULL) {
			n += snprintf(help + n, sizeof(help) - (size_t)n, "%sdefault %s", sep, o->def);
			sep = "; ";
		}
		if (o->type == CONFIG_STRINGS) {
			n += snprintf(help + n, sizeof(help) - (size_t)n, "%srepeatable", sep);
			sep = "; ";
		}
		if (range[0] != '\0') {
			n += snprintf(help + n, sizeof(help) - (size_t)n, "%s%s", sep,
				      range + (range[0] == 'f' ? 5 : 3));
			sep = "; ";
		}
		if (sep[0] == ';')
			snprintf(help + n, sizeof(help) - (size_t)n, ")");
		print_opt(f, flags, arg, help);
		if (o->help_more != NULL)
			o->help_more(f);
	}
	snprintf(help, sizeof(help),
		 "a JSON object of these options, keys as the flags' names (e.g. {\"%s\": ...}); flags given here "
		 "win over it",
		 cmd->opts[0].flag != NULL ? cmd->opts[0].flag : "option");
	print_opt(f, "--config", "FILE", help);
	print_opt(f, "-h, --help", "", "show this help");
	if (cmd->after != NULL)
		fprintf(f, "\n%s", cmd->after);
}

/* --- applying a value ---------------------------------------------------------------------- */

/* Store v in an integer field of size bytes. */
static void store_int(void *field, size_t size, long long v)
{
	if (size == 1) {
		int8_t x = (int8_t)v;
		memcpy(field, &x, 1);
	} else if (size == 2) {
		int16_t x = (int16_t)v;
		memcpy(field, &x, 2);
	} else if (size == 4) {
		int32_t x = (int32_t)v;
		memcpy(field, &x, 4);
	} else {
		int64_t x = (int64_t)v;
		memcpy(field, &x, 8);
	}
}

/* Whether v is within o's range. */
static int in_range(const struct config_opt *o, long long v)
{
	return v >= o->min && (o->max == 0 || v <= o->max);
}

/* Apply one value of o into dst; where names its origin ("--max-rows", "config F: \"max_rows\"").
 * 0, or -1 with err: where, the value, and what it must be. */
static int apply(const struct config_cmd *cmd, const struct config_opt *o, const char *val, const char *where,
		 void *dst, char *err, size_t errlen)
{
	char *field = (char *)dst + o->offset;
	char want[256], why[256];
	long long n = 0;
	char *end;
	int rc = -1;

	if (o->off != NULL && strcmp(val, o->off) == 0 &&
	    (o->type == CONFIG_STRING || o->type == CONFIG_SIZE || o->type == CONFIG_DURATION)) {
		if (o->type == CONFIG_STRING)
			memset(field, 0, sizeof(const char *));
		else
			store_int(field, o->size, 0);
		return 0;
	}
	describe(o, want, sizeof(want));
	switch (o->type) {
	case CONFIG_STRING:
		memcpy(field, &val, sizeof(val));
		break;
	case CONFIG_STRINGS: {
		int count;
		memcpy(&count, (char *)dst + o->count_offset, sizeof(count));
		if (count >= o->max_count) {
			snprintf(err, errlen, "%s: more than %d values; give at most %d", where, o->max_count,
				 o->max_count);
			goto out;
		}
		memcpy(field + (size_t)count * sizeof(val), &val, sizeof(val));
		count++;
		memcpy((char *)dst + o->count_offset, &count, sizeof(count));
		break;
	}
	case CONFIG_INT:
		errno = 0;
		n = strtoll(val, &end, 10);
		if (end == val || *end != '\0' || errno != 0 || !in_range(o, n)) {
			snprintf(err, errlen, "%s '%s' is not %s", where, val, want);
			goto out;
		}
		store_int(field, o->size, n);
		break;
	case CONFIG_SIZE: {
		uint64_t b;
		if (fsutil_parse_size(val, &b) < 0 || b > (uint64_t)INT64_MAX || !in_range(o, (long long)b)) {
			snprintf(err, errlen, "%s '%s' is not %s", where, val, want);
			goto out;
		}
		store_int(field, o->size, (long long)b);
		break;
	}
	case CONFIG_DURATION: {
		int64_t ns;
		if (fsutil_parse_duration(val, &ns) < 0 || !in_range(o, ns)) {
			snprintf(err, errlen, "%s '%s' is not %s", where, val, want);
			goto out;
		}
		store_int(field, o->size, ns);
		break;
	}
	case CONFIG_BOOL:
		if (strcmp(val, "true") != 0 && strcmp(val, "false") != 0) {
			snprintf(err, errlen, "%s '%s' is not %s", where, val, want);
			goto out;
		}
		store_int(field, o->size, strcmp(val, "true") == 0);
		break;
	case CONFIG_ENUM: {
		const struct config_choice *c = o->choices;
		while (c->name != NULL && strcmp(c->name, val) != 0)
			c++;
		if (c->name == NULL) {
			snprintf(err, errlen, "%s '%s' is not %s", where, val, want);
			goto out;
		}
		store_int(field, o->size, c->value);
		break;
	}
	case CONFIG_CUSTOM:
		if (o->parse(val, field, why, sizeof(why)) < 0) {
			snprintf(err, errlen, "%s '%s' is not %s", where, val, why);
			goto out;
		}
		break;
	}
	rc = 0;
out:
	if (rc < 0 && strcmp(where, "default") == 0) /* the table's own default: a bug of the table */
		snprintf(err, errlen, "pcapstream %s: the default of --%s does not parse", cmd->name, o->flag);
	return rc;
}

/* The table's option named name ("max_rows" and "max-rows" alike), or NULL. */
static const struct config_opt *find_opt(const struct config_cmd *cmd, const char *name)
{
	char norm[96];

	snprintf(norm, sizeof(norm), "%s", name);
	for (char *p = norm; *p != '\0'; p++)
		*p = *p == '_' ? '-' : *p;
	for (const struct config_opt *o = cmd->opts; o->flag != NULL; o++) {
		if (strcmp(o->flag, norm) == 0)
			return o;
	}
	return NULL;
}

/* o is in cmd's table but not for this variant (watch's --trigger given to replay): -1 with err. */
static int check_applies(const struct config_cmd *cmd, const struct config_opt *o, const char *where, char *err,
			 size_t errlen)
{
	if (applies(cmd, o))
		return 0;
	snprintf(err, errlen, "%s: option '%s' does not apply to %s; remove it (see pcapstream %s --help)", where,
		 o->flag, cmd->name, cmd->name);
	return -1;
}

/* Keep a copy of s until the args are freed. NULL when out of memory or past the cap. */
static const char *keep_owned(struct config_args *a, const char *s)
{
	char *c;

	if (growbuf_array((void **)&a->owned, &a->cap, a->nowned + 1, sizeof(*a->owned), CONFIG_MAX_OWNED) < 0)
		return NULL;
	c = strdup(s);
	if (c != NULL)
		a->owned[a->nowned++] = c;
	return c;
}

/* One JSON value of key as option text, copied into a (numbers as decimal, booleans for BOOL).
 * NULL with err when its JSON type does not fit o. */
static const char *json_text(struct config_args *a, const struct config_opt *o, json_t *v, const char *where, char *err,
			     size_t errlen)
{
	char buf[32];
	const char *text = NULL, *c;

	if (o->type == CONFIG_BOOL) {
		if (!json_is_boolean(v)) {
			snprintf(err, errlen, "%s: expected true or false", where);
			return NULL;
		}
		text = json_is_true(v) ? "true" : "false";
	} else if (json_is_string(v)) {
		text = json_string_value(v);
	} else if (json_is_integer(v)) {
		snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
		text = buf;
	} else {
		snprintf(err, errlen, "%s: expected a string%s", where,
			 o->type == CONFIG_STRINGS ? " or a list of strings" : " or a number");
		return NULL;
	}
	c = keep_owned(a, text);
	if (c == NULL)
		snprintf(err, errlen, "%s: out of memory", where);
	return c;
}

/* Apply the options of the JSON file path. set[i] marks the options given. 0 or -1 with err. */
static int load_file(const struct config_cmd *cmd, const char *path, void *dst, struct config_args *a,
		     unsigned char *set, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *root = json_load_file(path, 0, &jerr);
	const char *key;
	json_t *val;
	char where[600];
	int rc = -1;

	if (root == NULL) {
		snprintf(err, errlen, "config %s: line %d: %s", path, jerr.line, jerr.text);
		goto out;
	}
	if (!json_is_object(root)) {
		snprintf(err, errlen, "config %s: expected a JSON object of options (see pcapstream %s --help)", path,
			 cmd->name);
		goto out;
	}
	json_object_foreach(root, key, val)
	{
		const struct config_opt *o = find_opt(cmd, key);
		snprintf(where, sizeof(where), "config %s: \"%s\"", path, key);
		if (o == NULL) {
			snprintf(err, errlen,
				 "%s: unknown option; remove it or fix its name (see pcapstream %s --help)", where,
				 cmd->name);
			goto out;
		}
		if (check_applies(cmd, o, where, err, errlen) < 0)
			goto out;
		size_t count = json_is_array(val) ? json_array_size(val) : 1;
		if (json_is_array(val) && o->type != CONFIG_STRINGS) {
			snprintf(err, errlen, "%s: takes one value, not a list", where);
			goto out;
		}
		for (size_t i = 0; i < count; i++) {
			json_t *v = json_is_array(val) ? json_array_get(val, i) : val;
			if (o->type == CONFIG_STRINGS && !json_is_string(v)) {
				snprintf(err, errlen, "%s: expected strings (e.g. [\"file:out\"])", where);
				goto out;
			}
			const char *text = json_text(a, o, v, where, err, errlen);
			if (text == NULL || apply(cmd, o, text, where, dst, err, errlen) < 0)
				goto out;
		}
		set[o - cmd->opts] = 1;
	}
	rc = 0;
out:
	json_decref(root);
	return rc;
}

int config_parse_cmd(const struct config_cmd *cmd, int argc, char **argv, void *dst, struct config_args **args,
		     char *err, size_t errlen)
{
	struct option lopts[CONFIG_MAX_OPTS + 3];
	unsigned char set[CONFIG_MAX_OPTS] = { 0 }, flagged[CONFIG_MAX_OPTS] = { 0 };
	char shorts[2 * CONFIG_MAX_OPTS + 4] = ":h";
	const char *config_file = NULL;
	struct config_args *a;
	size_t ns = 2;
	int n = 0, rc = -1;

	*args = a = calloc(1, sizeof(*a));
	if (a == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (const struct config_opt *o = cmd->opts; o->flag != NULL; o++, n++) {
		if (n >= CONFIG_MAX_OPTS) {
			snprintf(err, errlen, "pcapstream %s: more than %d options in its table", cmd->name,
				 CONFIG_MAX_OPTS);
			goto out;
		}
		lopts[n] = (struct option){ .name = o->flag,
					    .has_arg = o->type == CONFIG_BOOL ? no_argument : required_argument,
					    .flag = NULL,
					    .val = CONFIG_OPT_BASE + n };
		if (o->short_flag != 0) {
			shorts[ns++] = o->short_flag;
			if (o->type != CONFIG_BOOL)
				shorts[ns++] = ':';
		}
		if (o->def != NULL && applies(cmd, o) && apply(cmd, o, o->def, "default", dst, err, errlen) < 0)
			goto out;
	}
	shorts[ns] = '\0';
	lopts[n] =
	    (struct option){ .name = "config", .has_arg = required_argument, .flag = NULL, .val = CONFIG_OPT_CONFIG };
	lopts[n + 1] = (struct option){ .name = "help", .has_arg = no_argument, .flag = NULL, .val = 'h' };
	lopts[n + 2] = (struct option){ 0 };

	/* First pass: only --config and --help, so the file is applied before the flags. */
	optind = 0; /* 0: glibc starts afresh (argv is permuted: options anywhere, -- ends them) */
	opterr = 0;
	for (;;) {
		int c = getopt_long(argc, argv, shorts, lopts, NULL);
		if (c == -1)
			break;
		if (c == 'h') {
			config_print_help(cmd, stdout);
			rc = 1;
			goto out;
		}
		if (c == CONFIG_OPT_CONFIG)
			config_file = optarg;
	}
	if (config_file != NULL && load_file(cmd, config_file, dst, a, set, err, errlen) < 0)
		goto out;

	optind = 0;
	opterr = 0;
	for (;;) {
		int c = getopt_long(argc, argv, shorts, lopts, NULL);
		if (c == -1)
			break;
		if (c == '?' || c == ':') {
			char bad[64];
			if (optopt > 0 && optopt < CONFIG_OPT_BASE)
				snprintf(bad, sizeof(bad), "-%c", optopt);
			else
				snprintf(bad, sizeof(bad), "%s", argv[optind - 1]);
			if (c == ':')
				snprintf(err, errlen,
					 "bad or incomplete option '%s': it needs a value (see pcapstream %s --help)",
					 bad, cmd->name);
			else
				snprintf(
				    err, errlen,
				    "bad or incomplete option '%s': pcapstream %s has no such option (see pcapstream "
				    "%s --help)",
				    bad, cmd->name, cmd->name);
			goto out;
		}
		if (c == CONFIG_OPT_CONFIG)
			continue;
		int idx = c - CONFIG_OPT_BASE;
		if (c < CONFIG_OPT_BASE) { /* a short flag */
			for (idx = 0; cmd->opts[idx].short_flag != c; idx++)
				;
		}
		const struct config_opt *o = &cmd->opts[idx];
		char where[80];
		snprintf(where, sizeof(where), "--%s", o->flag);
		if (check_applies(cmd, o, where, err, errlen) < 0)
			goto out;
		if (o->type == CONFIG_STRINGS && !flagged[idx]) {
			/* flags replace the config file's list */
			int zero = 0;
			memcpy((char *)dst + o->count_offset, &zero, sizeof(zero));
			memset((char *)dst + o->offset, 0, (size_t)o->max_count * sizeof(const char *));
		}
		flagged[idx] = 1;
		set[idx] = 1;
		if (apply(cmd, o, o->type == CONFIG_BOOL ? "true" : optarg, where, dst, err, errlen) < 0)
			goto out;
	}
	a->operands = argv + optind;
	a->noperands = argc - optind;
	if (cmd->max_operands >= 0 && a->noperands > cmd->max_operands) {
		snprintf(err, errlen, "unexpected argument '%s' (see pcapstream %s --help)",
			 a->operands[cmd->max_operands], cmd->name);
		goto out;
	}
	for (int i = 0; i < n; i++) {
		const struct config_opt *o = &cmd->opts[i];
		char arg[80];
		if (o->required && !set[i] && applies(cmd, o)) {
			arg_name(o, arg, sizeof(arg));
			snprintf(err, errlen,
				 "--%s %s is required (a flag, or \"%s\" in the --config file; see pcapstream "
				 "%s --help)",
				 o->flag, arg, o->flag, cmd->name);
			goto out;
		}
	}
	rc = 0;
out:
	return rc;
}

int config_parse_main(const struct config_cmd *cmd, int argc, char **argv, void *dst, struct config_args **args,
		      int *exit_status)
{
	char err[2048];
	int rc = config_parse_cmd(cmd, argc, argv, dst, args, err, sizeof(err));

	if (rc == 0)
		return 0;
	if (rc < 0)
		fprintf(stderr, "pcapstream %s: %s\n", cmd->name, err);
	*exit_status = rc > 0 ? 0 : 2;
	return -1;
}

int config_args_count(const struct config_args *a)
{
	return a != NULL ? a->noperands : 0;
}

const char *config_args_get(const struct config_args *a, int i)
{
	return a != NULL && i >= 0 && i < a->noperands ? a->operands[i] : NULL;
}

void config_args_free(struct config_args *a)
{
	if (a == NULL)
		return;
	for (size_t i = 0; i < a->nowned; i++)
		free(a->owned[i]);
	free(a->owned);
	free(a);
}

/* --- watch and replay ---------------------------------------------------------------------- */

#define VARIANT_WATCH  1u
#define VARIANT_REPLAY 2u

/* --trigger: once, available-now, or a duration of 1ms or more (one batch per tick). */
static int parse_trigger(const char *val, void *field, char *why, size_t whylen)
{
	struct engine_config *e = field;

	if (strcmp(val, "once") == 0) {
		e->trigger = TRIGGER_ONCE;
	} else if (strcmp(val, "available-now") == 0) {
		e->trigger = TRIGGER_AVAILABLE_NOW;
	} else if (fsutil_parse_duration(val, &e->interval_ns) == 0 && e->interval_ns >= 1000000) {
		e->trigger = TRIGGER_INTERVAL;
	} else {
		snprintf(why, whylen, "once, available-now or a duration of 1ms or more (e.g. 10s)");
		return -1;
	}
	return 0;
}

/* --progress: auto (a terminal on stderr), always, never. */
static int parse_progress(const char *val, void *field, char *why, size_t whylen)
{
	int *p = field;

	if (strcmp(val, "auto") == 0) {
		*p = isatty(STDERR_FILENO);
	} else if (strcmp(val, "always") == 0) {
		*p = 1;
	} else if (strcmp(val, "never") == 0) {
		*p = 0;
	} else {
		snprintf(why, whylen, "auto, always or never");
		return -1;
	}
	return 0;
}

static const struct config_choice clean_choices[] = {
	{ "off", CLEAN_OFF },
	{ "archive", CLEAN_ARCHIVE },
	{ "delete", CLEAN_DELETE },
	{ NULL, 0 },
};

const struct config_choice config_log_formats[] = {
	{ "text", LOG_TEXT },
	{ "json", LOG_JSON },
	{ NULL, 0 },
};

#define E(field) CONFIG_AT(struct config, engine.field)

static const struct config_choice emit_choices[] = {
	{ "packets", ENGINE_EMIT_PACKETS },
	{ "flows", ENGINE_EMIT_FLOWS },
	{ "both", ENGINE_EMIT_PACKETS | ENGINE_EMIT_FLOWS },
	{ NULL, 0 },
};

static const struct config_opt ingest_opts[] = {
	{ .flag = "checkpoint",
	  .type = CONFIG_STRING,
	  .arg = "DIR",
	  E(checkpoint),
	  .help = "checkpoint folder (offsets, commits, file registry); watch: DIR/.pcapstream, replay: "
		  "./pcapstream-replay" },
	{ .flag = "trigger",
	  .type = CONFIG_CUSTOM,
	  .arg = "WHEN",
	  .def = "10s",
	  .only = VARIANT_WATCH,
	  .parse = parse_trigger,
	  .offset = offsetof(struct config, engine),
	  .size = sizeof(struct engine_config),
	  .help = "any duration: one batch per tick, aligned; once: one batch of everything there, then exit; "
		  "available-now: drain what is there in batches, then exit" },
	{ .flag = "max-files-per-trigger",
	  .type = CONFIG_INT,
	  .def = "1",
	  E(max_files),
	  .help = "files per batch at most; 0 = no limit" },
	{ .flag = "max-bytes-per-trigger",
	  .type = CONFIG_SIZE,
	  E(max_bytes),
	  .help = "bytes per batch at most, e.g. 512MB (default: no limit; a batch always takes at least one "
		  "file)" },
	{ .flag = "latest-first",
	  .type = CONFIG_BOOL,
	  E(latest_first),
	  .help = "newest files first (default: oldest modification time first)" },
	{ .flag = "max-file-age",
	  .type = CONFIG_DURATION,
	  .off = "off",
	  E(max_file_age_ns),
	  .help = "ignore files modified longer ago than this, e.g. 7d (default: off)" },
	{ .flag = "clean-source",
	  .type = CONFIG_ENUM,
	  .choices = clean_choices,
	  .def = "off",
	  E(clean),
	  .help = "right after the batch commits: off, archive (move into --archive-dir) or delete the files" },
	{ .flag = "archive-dir",
	  .type = CONFIG_STRING,
	  .arg = "DIR",
	  E(archive_dir),
	  .help = "where --clean-source archive moves ingested files" },
	{ .flag = "recursive",
	  .type = CONFIG_BOOL,
	  .only = VARIANT_WATCH,
	  E(recursive),
	  .help = "also watch sub-folders (replay always descends)" },
	{ .flag = "quarantine-dir",
	  .type = CONFIG_STRING,
	  .arg = "DIR",
	  E(quarantine_dir),
	  .help = "where bad files go, each with a NAME.reason file (watch: DIR/quarantine, replay: "
		  "CHECKPOINT/quarantine)" },
	{ .flag = "quiet-period",
	  .type = CONFIG_DURATION,
	  .def = "10s",
	  .only = VARIANT_WATCH,
	  E(quiet_ns),
	  .help = "a file found by a rescan (not by a close/move event) is taken once its size has not changed "
		  "for this long and no process has it open for writing" },
	{ .flag = "sink",
	  .type = CONFIG_STRINGS,
	  .arg = "SPEC",
	  CONFIG_LIST(struct config, sinks, engine.nsinks),
	  .help = "where rows go; default file:out",
	  .help_more = sink_print_help },
	{ .flag = "log-format",
	  .type = CONFIG_ENUM,
	  .choices = config_log_formats,
	  .def = "text",
	  CONFIG_AT(struct config, log_format),
	  .help = "one line per batch, one per problem" },
	CONFIG_COMMUNITY_ID_SEED(struct config, community_id_seed),
	{ .flag = "emit",
	  .type = CONFIG_ENUM,
	  .choices = emit_choices,
	  .def = "both",
	  E(emit),
	  .help = "packets (one row per frame), flows (one record per conversation, event.dataset pcap.flow, "
		  "into the flows index/collection) or both" },
	CONFIG_FLOW_OPTS(struct config, engine.flow, 0),
	{ .flag = "retention",
	  .type = CONFIG_DURATION,
	  .min = 3600000000000LL,
	  .off = "off",
	  E(retention_ns),
	  .only = VARIANT_WATCH,
	  .help = "once an hour, prune the es: and mongo: sinks of what is older than this (as `pcapstream "
		  "prune --older-than`); off by default" },
	{ .flag = "forget-after",
	  .type = CONFIG_DURATION,
	  .def = "7d",
	  E(forget_after_ns),
	  .help = "forget files this long after they left the folder: the registry follows the live files" },
	{ .flag = "max-pending-files",
	  .type = CONFIG_INT,
	  .min = 1,
	  .def = "100000",
	  E(max_pending),
	  .help = "files tracked in memory at most; more wait on disk until the queue drains" },
	{ .flag = "progress",
	  .type = CONFIG_CUSTOM,
	  .arg = "WHEN",
	  .def = "auto",
	  .only = VARIANT_REPLAY,
	  .parse = parse_progress,
	  E(progress),
	  .help = "auto (when stderr is a terminal), always, never" },
	{ .flag = NULL },
};

#undef E

static const char ingest_after[] = "Durations: 500ms, 10s, 5m, 2h, 7d. Sizes: 64k, 100MB, 2GiB.\n";

static const struct config_cmd watch_cmd = {
	.name = "watch",
	.usage = "usage: pcapstream watch [options] DIR\n\n"
		 "Ingest every capture dropped into DIR, exactly once, as it arrives: a file is taken when it is\n"
		 "closed after writing or moved in (inotify), or, for files found by a scan (start-up, event queue\n"
		 "overflow), once it is no longer being written. Every packet becomes a row in the sinks. Bad files\n"
		 "(unreadable, empty, not a capture, truncated) go to the quarantine folder with a .reason file.\n"
		 "Stop with SIGINT or SIGTERM: the batch in progress is abandoned and replayed at the next start.\n"
		 "Exit status: 0 stopped on request, or (--trigger once / available-now) every file there\n"
		 "ingested or quarantined; 2 usage or configuration error (bad option, missing folder, a\n"
		 "--sink that cannot be opened); 3 fatal error (damaged checkpoint, ...).\n"
		 "Options may come before or after DIR; -- ends them.\n",
	.after = ingest_after,
	.opts = ingest_opts,
	.max_operands = -1,
	.variant = VARIANT_WATCH,
};

static const struct config_cmd replay_cmd = {
	.name = "replay",
	.usage = "usage: pcapstream replay [options] PATH...\n\n"
		 "Ingest archived captures (files, and folders searched recursively) to completion, in batches,\n"
		 "with the same checkpoint protocol as watch: interrupted or repeated, it ingests every file\n"
		 "exactly once. A bad file (unreadable, not a capture, truncated) is reported and gets a\n"
		 "NAME.reason in the quarantine folder, but stays where it is: replay never moves archives.\n"
		 "Exit status: 0 every file ingested (or already ingested), 1 some file was bad or vanished,\n"
		 "or a PATH could not be read (missing, a symlink loop, no permission), 2 usage or\n"
		 "configuration error (bad option, a --sink that cannot be opened), 3 fatal error (damaged\n"
		 "checkpoint, ...). Options may come before or after the PATHs; -- ends them.\n",
	.after = ingest_after,
	.opts = ingest_opts,
	.max_operands = -1,
	.variant = VARIANT_REPLAY,
};

/* A copy of s kept until config_free(), for the paths made here; NULL when out of room. */
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

int config_parse(enum engine_mode mode, int argc, char **argv, struct config *cfg, char *err, size_t errlen)
{
	const struct config_cmd *cmd = mode == ENGINE_WATCH ? &watch_cmd : &replay_cmd;
	struct engine_config *e = &cfg->engine;
	char path[4096];
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	e->mode = mode;
	e->trigger = TRIGGER_AVAILABLE_NOW; /* replay; watch's comes from the table's default */
	e->interval_ns = 10000000000LL;
	e->quiet_ns = 10000000000LL;
	e->sinks = cfg->sinks;
	e->paths = cfg->paths;
	rc = config_parse_cmd(cmd, argc, argv, cfg, &cfg->args, err, errlen);
	if (rc != 0)
		return rc;
	for (int i = 0; i < config_args_count(cfg->args); i++) {
		if (e->npaths >= CONFIG_MAX_PATHS) {
			snprintf(err, errlen, "more than %d paths; give a folder instead", CONFIG_MAX_PATHS);
			return -1;
		}
		cfg->paths[e->npaths++] = config_args_get(cfg->args, i);
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
	config_args_free(cfg->args);
	cfg->args = NULL;
}
