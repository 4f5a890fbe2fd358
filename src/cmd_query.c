/* `pcapstream query daily`: the dashboard's daily traffic query, from the command line. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd.h"
#include "mongoq.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: pcapstream query daily --mongo URI --host IP --from YYYY-MM-DD --to YYYY-MM-DD\n"
		   "                             [--collection packets|flows]\n\n"
		   "Inbound (destination.ip = IP) and outbound (source.ip = IP) bytes and packets per UTC day,\n"
		   "as a JSON array of {day, inBytes, outBytes, inPackets, outPackets}. One find over the range,\n"
		   "summed per day here: runs on MongoDB and on FerretDB. A range covers at most 3660 days.\n\n"
		   "Exit status: 0 the answer was printed; 1 the query failed (server unreachable, bad host or\n"
		   "date; the message says which); 2 usage error.\n");
}

int cmd_query(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "mongo", required_argument, NULL, 'm' },
		{ "host", required_argument, NULL, 'H' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "collection", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *uri = NULL, *host = NULL, *from = NULL, *to = NULL, *coll = "packets";
	char err[1024];
	json_t *res;

	for (;;) {
		int c = getopt_long(argc, argv, "h", lopts, NULL);
		if (c == -1)
			break;
		switch (c) {
		case 'm':
			uri = optarg;
			break;
		case 'H':
			host = optarg;
			break;
		case 'f':
			from = optarg;
			break;
		case 't':
			to = optarg;
			break;
		case 'c':
			coll = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	/* The one operand is the query's name, before or after the options. */
	if (optind >= argc || strcmp(argv[optind], "daily") != 0) {
		if (optind < argc)
			fprintf(stderr, "pcapstream query: unknown query '%s' (the one query is 'daily')\n",
				argv[optind]);
		usage(stderr);
		return 2;
	}
	if (optind + 1 < argc) {
		fprintf(stderr, "pcapstream query daily: unexpected argument '%s' (see --help)\n", argv[optind + 1]);
		return 2;
	}
	if (uri == NULL || host == NULL || from == NULL || to == NULL) {
		fprintf(stderr, "pcapstream query daily: --mongo, --host, --from and --to are required\n");
		return 2;
	}
	res = mongoq_daily(uri, coll, host, from, to, err, sizeof(err));
	if (res == NULL) {
		fprintf(stderr, "pcapstream query daily: %s\n", err);
		return 1;
	}
	char *text = json_dumps(res, JSON_COMPACT);
	printf("%s\n", text);
	free(text);
	json_decref(res);
	return 0;
}
