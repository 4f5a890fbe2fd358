/* Fault injection points (see fault.h). */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fault.h"

void fault_point(const char *name)
{
	static int loaded;
	static char target[64];
	static long hits_wanted = 1, hits;
	size_t n;

	if (!loaded) {
		const char *v = getenv("PCAPSTREAM_FAULT");
		loaded = 1;
		if (v != NULL) {
			const char *at = strchr(v, '@');
			n = at != NULL ? (size_t)(at - v) : strlen(v);
			if (n < sizeof(target)) {
				memcpy(target, v, n);
				target[n] = '\0';
			}
			if (at != NULL)
				hits_wanted = strtol(at + 1, NULL, 10);
		}
	}
	if (target[0] == '\0' || strcmp(target, name) != 0)
		return;
	if (++hits >= hits_wanted)
		kill(getpid(), SIGKILL);
}
