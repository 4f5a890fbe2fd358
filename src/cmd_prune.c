/* `pcapstream prune`: its options. The work is prune.c's (retention for the stores). */
#include <stdio.h>
#include <string.h>
#include "cmd.h"
#include "config.h"
#include "esclient.h"
#include "fsutil.h"
#include "prune.h"
#include "redact.h"

struct prune_cli {
	const char *before, *older_than, *es, *mongo;
	int dry_run;
};

#define P(field) CONFIG_AT(struct prune_cli, field)

static const struct config_opt prune_opts[] = {
	{ .flag = "before",
	  .type = CONFIG_STRING,
	  .arg = "YYYY-MM-DD",
	  P(before),
	  .help = "the cutoff: that day's 00:00 UTC" },
	{ .flag = "older-than",
	  .type = CONFIG_STRING,
	  .arg = "DURATION",
	  P(older_than),
	  .help = "the cutoff: now minus the duration (90d, 36h)" },
	{ .flag = "es",
	  .type = CONFIG_STRING,
	  .arg = "URL[,URL...][?prefix=P]",
	  P(es),
	  .help = "Elasticsearch or OpenSearch: spec, credentials and TLS as for the es: sink" },
	{ .flag = "mongo", .type = CONFIG_STRING, .arg = "URI", P(mongo), .help = "MongoDB" },
	{ .flag = "dry-run", .type = CONFIG_BOOL, P(dry_run), .help = "only print what would be removed" },
	{ .flag = NULL },
};

#undef P

static const struct config_cmd prune_cmd = {
	.name = "prune",
	.usage =
	    "usage: pcapstream prune (--before YYYY-MM-DD | --older-than DURATION) [--es URL[,URL...][?prefix=P]]\n"
	    "                        [--mongo URI] [--dry-run]\n\n"
	    "Remove what lies before the cutoff from the stores given:\n"
	    "  Elasticsearch or OpenSearch: every index PREFIX-packets-* / PREFIX-flows-* whose period\n"
	    "  (its day, month or year: index_period) ends at or before the cutoff is deleted whole; an\n"
	    "  index holding time on both sides of the cutoff is kept.\n"
	    "  MongoDB: the documents of packets and flows with @timestamp before the cutoff.\n"
	    "One line is printed per index deleted and per collection pruned. Running it again removes\n"
	    "nothing more. A cutoff in the future is refused.\n",
	.after = "Exit status: 0 done (also when nothing was old enough); 1 a store could not be reached or\n"
		 "refused (what was removed before stays removed; run it again); 2 usage error (bad or missing\n"
		 "option, a cutoff in the future, a bad --es spec).\n",
	.opts = prune_opts,
	.max_operands = 0,
	.variant = 0,
};

int cmd_prune(int argc, char **argv)
{
	struct prune_cli c;
	struct config_args *args = NULL;
	struct prune_opts o = { .out = stdout };
	struct prune_result res;
	struct esclient ec;
	char err[1024], shown[1024];
	int rc = 2;

	memset(&c, 0, sizeof(c));
	if (config_parse_main(&prune_cmd, argc, argv, &c, &args, &rc) < 0)
		goto out;
	rc = 2;
	o.es = c.es;
	o.mongo = c.mongo;
	o.dry_run = c.dry_run;
	if (o.es == NULL && o.mongo == NULL) {
		fprintf(stderr, "pcapstream prune: nothing to prune: give --es URL and/or --mongo URI (see --help)\n");
		goto out;
	}
	if (prune_cutoff(c.before, c.older_than, fsutil_now_ns(), &o.cutoff_ns, err, sizeof(err)) < 0) {
		fprintf(stderr, "pcapstream prune: %s\n", err);
		goto out;
	}
	if (o.es != NULL && esclient_parse(o.es, &ec, err, sizeof(err)) < 0) {
		fprintf(stderr, "pcapstream prune: --es %s: %s\n", redact_text(o.es, shown, sizeof(shown)), err);
		goto out;
	}
	memset(&res, 0, sizeof(res));
	if (prune_run(&o, &res, err, sizeof(err)) < 0) {
		fprintf(stderr, "pcapstream prune: %s\n", redact_text(err, shown, sizeof(shown)));
		rc = 1;
		goto out;
	}
	printf("prune: %s %d indices (%lld documents), %lld packets and %lld flows documents\n",
	       o.dry_run ? "would remove" : "removed", res.indices, (long long)res.es_docs,
	       (long long)res.mongo_docs[0], (long long)res.mongo_docs[1]);
	rc = 0;
out:
	config_args_free(args);
	return rc;
}
