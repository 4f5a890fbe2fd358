/* flows/N files of the checkpoint folder (see flowstate.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "flowstate.h"
#include "fsutil.h"

int flowstate_save(const char *dir, uint64_t batch, struct flow_table *t, char *err, size_t errlen)
{
	char sub[4096], path[4160], tmp[4170], why[256];
	FILE *f = NULL;
	int rc = -1;

	snprintf(sub, sizeof(sub), "%s/flows", dir);
	snprintf(path, sizeof(path), "%s/%" PRIu64, sub, batch);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (fsutil_mkdirs(sub, err, errlen) < 0)
		goto out;
	f = fopen(tmp, "wbe");
	if (f == NULL) {
		snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (flow_table_save(t, f, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s: %s", tmp, why);
		goto out;
	}
	if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (fclose(f) != 0) {
		f = NULL;
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	f = NULL;
	if (rename(tmp, path) < 0) {
		snprintf(err, errlen, "cannot rename %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (fsutil_fsync_dir(sub) < 0) {
		snprintf(err, errlen, "cannot sync %s: %s", sub, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (f != NULL)
		fclose(f);
	if (rc < 0)
		unlink(tmp);
	return rc;
}

int flowstate_load(const char *dir, uint64_t batch, struct flow_table *t, char *err, size_t errlen)
{
	char path[4160], why[256];
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/flows/%" PRIu64, dir, batch);
	f = fopen(path, "rbe");
	if (f == NULL) {
		snprintf(err, errlen,
			 "the checkpoint is damaged: %s, the open flows of the last commit, cannot be read (%s). "
			 "Restore the folder from a backup, or start a new --checkpoint",
			 path, strerror(errno));
		return -1;
	}
	rc = flow_table_load(t, f, why, sizeof(why));
	fclose(f);
	if (rc < 0)
		snprintf(err, errlen,
			 "the checkpoint is damaged: %s, the open flows of the last commit: %s. Restore the folder "
			 "from a backup, or start a new --checkpoint",
			 path, why);
	return rc;
}

void flowstate_prune(const char *dir, uint64_t keep)
{
	char sub[4096], path[8200];
	DIR *d;

	snprintf(sub, sizeof(sub), "%s/flows", dir);
	d = opendir(sub);
	if (d == NULL)
		return;
	for (struct dirent *de = readdir(d); de != NULL; de = readdir(d)) {
		char *end;
		unsigned long long n;
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		n = strtoull(de->d_name, &end, 10);
		if (*end != '\0' && strcmp(end, ".tmp") != 0)
			continue;
		if (n < keep || *end != '\0') {
			snprintf(path, sizeof(path), "%s/%s", sub, de->d_name);
			unlink(path);
		}
	}
	closedir(d);
}
