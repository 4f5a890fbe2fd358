/* `pcapstream query daily`: the dashboard's daily traffic query, from the command line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd.h"
#include "config.h"
#include "mongoq.h"

struct query_opts {
	const char *mongo, *host, *from, *to, *collection;
};

static const struct config_opt query_opts[] = {
	{ .flag = "mongo",
	  .type = CONFIG_STRING,
	  .arg = "URI",
	  .required = 1,
	  CONFIG_AT(struct query_opts, mongo),
	  .help = "the MongoDB (or FerretDB) to ask, e.g. mongodb://127.0.0.1:27017/pcapstream" },
	{ .flag = "host",
	  .type = CONFIG_STRING,
	  .arg = "IP",
	  .required = 1,
	  CONFIG_AT(struct query_opts, host),
	  .help = "the host whose traffic is summed" },
	{ .flag = "from",
	  .type = CONFIG_STRING,
	  .arg = "YYYY-MM-DD",
	  .required = 1,
	  CONFIG_AT(struct query_opts, from),
	  .help = "first UTC day" },
	{ .flag = "to",
	  .type = CONFIG_STRING,
	  .arg = "YYYY-MM-DD",
	  .required = 1,
	  CONFIG_AT(struct query_opts, to),
	  .help = "last UTC day" },
	{ .flag = "collection",
	  .type = CONFIG_STRING,
	  .arg = "packets|flows",
	  .def = "packets",
	  CONFIG_AT(struct query_opts, collection),
	  .help = "the rows to sum" },
	{ .flag = NULL },
};

static const struct config_cmd query_cmd = {
	.name = "query",
	.usage = "usage: pcapstream query daily --mongo URI --host IP --from YYYY-MM-DD --to YYYY-MM-DD\n"
		 "                             [--collection packets|flows]\n\n"
		 "Inbound (destination.ip = IP) and outbound (source.ip = IP) bytes and packets per UTC day,\n"
		 "as a JSON array of {day, inBytes, outBytes, inPackets, outPackets}. One find over the range,\n"
		 "summed per day here: runs on MongoDB and on FerretDB. A range covers at most 3660 days.\n",
	.after = "Exit status: 0 the answer was printed; 1 the query failed (server unreachable, bad host or\n"
		 "date; the message says which); 2 usage error.\n",
	.opts = query_opts,
	.max_operands = 1,
	.variant = 0,
};

int cmd_query(int argc, char **argv)
{
	struct query_opts o = { 0 };
	struct config_args *args = NULL;
	char err[1024];
	json_t *res = NULL;
	int rc = 2;

	if (config_parse_main(&query_cmd, argc, argv, &o, &args, &rc) < 0)
		goto out;
	/* The one operand is the query's name, before or after the options. */
	const char *name = config_args_get(args, 0);
	if (name == NULL || strcmp(name, "daily") != 0) {
		if (name == NULL)
			fprintf(stderr, "pcapstream query: no query named: give 'daily' (see --help)\n");
		else
			fprintf(stderr, "pcapstream query: unknown query '%s' (the one query is 'daily'; see --help)\n",
				name);
		goto out;
	}
	res = mongoq_daily(o.mongo, o.collection, o.host, o.from, o.to, err, sizeof(err));
	if (res == NULL) {
		fprintf(stderr, "pcapstream query daily: %s\n", err);
		rc = 1;
		goto out;
	}
	char *text = json_dumps(res, JSON_COMPACT);
	printf("%s\n", text);
	free(text);
	rc = 0;
out:
	json_decref(res);
	config_args_free(args);
	return rc;
}
