/* pmacct_parse's rate (issue 13, Kafka throughput) over records shaped as bench/kafka-bench
 * produces them, with the flat scanner and with jansson alone.
 *   pmacct-bench [N [JANSSON]]   (default 1,000,000; JANSSON 0 skips the jansson run) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "pmacct.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#define NREC 4096

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	int with_jansson = argc > 2 ? atoi(argv[2]) : 1;
	static char recs[NREC][512];
	static size_t lens[NREC];
	struct row r;
	struct pmacct_strings s;
	char err[256];

	for (int i = 0; i < NREC; i++) {
		int len =
		    snprintf(recs[i], sizeof(recs[i]),
			     "{\"event_type\": \"purge\", \"ip_src\": \"10.%d.%d.%d\", \"ip_dst\": \"192.0.2.7\", "
			     "\"port_src\": %d, \"port_dst\": 443, \"ip_proto\": \"tcp\", \"tcp_flags\": \"24\", "
			     "\"tos\": 0, \"timestamp_start\": \"2026-11-20 10:%02d:%02d.%06d\", \"packets\": %d, "
			     "\"bytes\": %d, \"vlan\": 0, \"writer_id\": \"bench/1\"}",
			     i >> 16 & 255, i >> 8 & 255, i & 255, 1024 + i % 60000, i / 60 % 60, i % 60, i % 1000000,
			     1 + i % 7, 100 + i % 1400);
		lens[i] = (size_t)len;
	}
	for (int flat = 1; flat >= (with_jansson ? 0 : 1); flat--) {
		long m = flat ? n : n / 4, bad = 0;
		pmacct_use_flat_scanner(flat);
		double t0 = now();
		for (long i = 0; i < m; i++) {
			if (pmacct_parse(recs[i % NREC], lens[i % NREC], "netflow", 0, i, &r, &s, err, sizeof(err)) !=
			    0)
				bad++;
		}
		double t = now() - t0;
		printf("pmacct_parse (%s): %ld records in %.3f s: %.0f records/s (%ld refused)\n",
		       flat ? "flat scanner" : "jansson", m, t, (double)m / t, bad);
	}
	return 0;
}
