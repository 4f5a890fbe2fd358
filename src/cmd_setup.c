/* `pcapstream setup --es URL`: install what the stores need, idempotently. */
#include <stdio.h>
#include "cmd.h"
#include "config.h"
#include "setup.h"

struct setup_opts {
	const char *es, *mongo, *kibana;
};

static const struct config_opt setup_opts[] = {
	{ .flag = "es",
	  .type = CONFIG_STRING,
	  .arg = "URL[?prefix=P]",
	  CONFIG_AT(struct setup_opts, es),
	  .help = "Elasticsearch, as the es: sink spec: install the index template PREFIX" },
	{ .flag = "mongo",
	  .type = CONFIG_STRING,
	  .arg = "URI",
	  CONFIG_AT(struct setup_opts, mongo),
	  .help = "MongoDB: the indexes of the collections packets and flows" },
	{ .flag = "kibana",
	  .type = CONFIG_STRING,
	  .arg = "URL",
	  CONFIG_AT(struct setup_opts, kibana),
	  .help = "Kibana: import the data view and the dashboard" },
	{ .flag = NULL },
};

static const struct config_cmd setup_cmd = {
	.name = "setup",
	.usage = "usage: pcapstream setup [--es URL[?prefix=P]] [--mongo URI] [--kibana URL]\n\n"
		 "Install, or bring up to date, the composable index template PREFIX for the indices PREFIX-*\n"
		 "(default prefix pcapstream): the mappings of schema v2 (ip for addresses, date_nanos for\n"
		 "@timestamp, keyword/long/integer elsewhere). Safe to run again at any time. Credentials and\n"
		 "TLS as for the es: sink (PCAPSTREAM_ES_USER/_PASSWORD or PCAPSTREAM_ES_API_KEY, ca=FILE).\n"
		 "With --mongo: the indexes on @timestamp, source.ip and destination.ip of the collections\n"
		 "packets and flows in the URI's database (default pcapstream). Idempotent too.\n"
		 "With --kibana: import the data view (PREFIX-*, prefix from --es) and the \"pcapstream traffic\"\n"
		 "dashboard through POST /api/saved_objects/_import?overwrite=true; running it again overwrites\n"
		 "them. Credentials: PCAPSTREAM_KIBANA_USER/_PASSWORD or PCAPSTREAM_KIBANA_API_KEY, else the\n"
		 "PCAPSTREAM_ES_ ones.\n",
	.after = "Exit status: 0 everything asked for is installed; 1 a store could not be reached or refused\n"
		 "(the message says which; what comes after it is not tried); 2 usage or configuration error\n"
		 "(bad option, a bad --es URL or option).\n",
	.opts = setup_opts,
	.max_operands = 0,
	.variant = 0,
};

int cmd_setup(int argc, char **argv)
{
	struct setup_opts o = { 0 };
	struct config_args *args = NULL;
	char err[2048], done[1024];
	int rc = 0;

	if (config_parse_main(&setup_cmd, argc, argv, &o, &args, &rc) < 0)
		goto out;
	if (o.es == NULL && o.mongo == NULL && o.kibana == NULL) {
		fprintf(stderr, "pcapstream setup: nothing to set up: give --es URL, --mongo URI and/or --kibana URL "
				"(see --help)\n");
		rc = 2;
		goto out;
	}
	for (int step = 0; step < 3 && rc == 0; step++) {
		if (step == 0 && o.es != NULL)
			rc = setup_es(o.es, done, sizeof(done), err, sizeof(err));
		else if (step == 1 && o.mongo != NULL)
			rc = setup_mongo(o.mongo, done, sizeof(done), err, sizeof(err));
		else if (step == 2 && o.kibana != NULL)
			rc = setup_kibana(o.kibana, o.es, done, sizeof(done), err, sizeof(err));
		else
			continue;
		if (rc == 0)
			printf("setup: %s\n", done);
	}
	if (rc < 0) {
		fprintf(stderr, "pcapstream setup: %s\n", err);
		rc = rc == SETUP_EUSAGE ? 2 : 1;
	}
out:
	config_args_free(args);
	return rc;
}
