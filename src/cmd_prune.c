/* `pcapstream prune`: retention for the stores (see prune.h). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "cmd.h"
#include "esclient.h"
#include "fsutil.h"
#include "prune.h"
#include "redact.h"

/* The help text, to f. */
static void usage(FILE *f)
{
	fprintf(f,
		"usage: pcapstream prune (--before YYYY-MM-DD | --older-than DURATION) [--es URL[,URL...][?prefix=P]]\n"
		"                        [--mongo URI] [--dry-run]\n\n"
		"Remove what lies before the cutoff (--before: that day's 00:00 UTC; --older-than: now minus\n"
		"the duration, e.g. 90d or 36h) from the stores given:\n"
		"  --es     Elasticsearch or OpenSearch: every index PREFIX-packets-* / PREFIX-flows-* whose\n"
		"           period (its day, month or year: index_period) ends at or before the cutoff is\n"
		"           deleted whole; an index holding time on both sides of the cutoff is kept. Spec,\n"
		"           credentials and TLS as for the es: sink.\n"
		"  --mongo  MongoDB: the documents of packets and flows with @timestamp before the cutoff.\n"
		"  --dry-run  only print what would be removed.\n"
		"One line is printed per index deleted and per collection pruned. Running it again removes\n"
		"nothing more. A cutoff in the future is refused.\n\n"
		"Exit status: 0 done (also when nothing was old enough); 1 a store could not be reached or\n"
		"refused (what was removed before stays removed; run it again); 2 usage error (bad or missing\n"
		"option, a cutoff in the future, a bad --es spec).\n");
}

int cmd_prune(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "before", required_argument, NULL, 'b' },
		{ "older-than", required_argument, NULL, 'o' },
		{ "es", required_argument, NULL, 'e' },
		{ "mongo", required_argument, NULL, 'm' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *before = NULL, *older = NULL;
	struct prune_opts o = { .out = stdout };
	struct prune_result res;
	struct esclient ec;
	char err[1024], shown[1024];

	for (;;) {
		int c = getopt_long(argc, argv, "h", lopts, NULL);
		if (c == -1)
			break;
		if (c == 'b') {
			before = optarg;
		} else if (c == 'o') {
			older = optarg;
		} else if (c == 'e') {
			o.es = optarg;
		} else if (c == 'm') {
			o.mongo = optarg;
		} else if (c == 'n') {
			o.dry_run = 1;
		} else if (c == 'h') {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "pcapstream prune: unexpected argument '%s' (see --help)\n", argv[optind]);
		return 2;
	}
	if (o.es == NULL && o.mongo == NULL) {
		fprintf(stderr, "pcapstream prune: nothing to prune: give --es URL and/or --mongo URI (see --help)\n");
		return 2;
	}
	if (prune_cutoff(before, older, fsutil_now_ns(), &o.cutoff_ns, err, sizeof(err)) < 0) {
		fprintf(stderr, "pcapstream prune: %s\n", err);
		return 2;
	}
	if (o.es != NULL && esclient_parse(o.es, &ec, err, sizeof(err)) < 0) {
		fprintf(stderr, "pcapstream prune: --es %s: %s\n", redact_text(o.es, shown, sizeof(shown)), err);
		return 2;
	}
	memset(&res, 0, sizeof(res));
	if (prune_run(&o, &res, err, sizeof(err)) < 0) {
		fprintf(stderr, "pcapstream prune: %s\n", redact_text(err, shown, sizeof(shown)));
		return 1;
	}
	printf("prune: %s %d indices (%lld documents), %lld packets and %lld flows documents\n",
	       o.dry_run ? "would remove" : "removed", res.indices, (long long)res.es_docs,
	       (long long)res.mongo_docs[0], (long long)res.mongo_docs[1]);
	return 0;
}
