/* Fingerprint cost (issue 11, item 6): time fingerprint_fd() over each file given, best of 3,
 * and print MB/s of capture content. Built and run by bench/decode-bench. */
#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include "fingerprint.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		struct fingerprint fp;
		char err[256];
		double best = 1e9;
		int fd = open(argv[i], O_RDONLY);

		if (fd < 0) {
			perror(argv[i]);
			return 1;
		}
		for (int run = 0; run < 3; run++) {
			double t0 = now();
			if (fingerprint_fd(fd, &fp, err, sizeof(err)) < 0) {
				fprintf(stderr, "%s: %s\n", argv[i], err);
				return 1;
			}
			if (now() - t0 < best)
				best = now() - t0;
		}
		close(fd);
		printf("%s %.3f %.0f %s\n", argv[i], best, (double)fp.content_size / 1e6 / best, fp.hex);
	}
	return 0;
}
