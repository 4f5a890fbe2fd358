/* watch and replay: the file source run by the driver (see source_file.c, driver.c). */
#include <stdio.h>
#include "driver.h"
#include "engine.h"
#include "source_file.h"

int engine_run(const struct engine_config *cfg, volatile sig_atomic_t *stop, struct engine_summary *sum, char *err,
	       size_t errlen)
{
	struct driver_config dc = {
		.checkpoint = cfg->checkpoint,
		.sinks = cfg->sinks,
		.nsinks = cfg->nsinks,
		.trigger = cfg->mode == ENGINE_REPLAY	      ? DRIVER_AVAILABLE_NOW
			   : cfg->trigger == TRIGGER_ONCE     ? DRIVER_ONCE
			   : cfg->trigger == TRIGGER_INTERVAL ? DRIVER_INTERVAL
							      : DRIVER_AVAILABLE_NOW,
		.interval_ns = cfg->interval_ns,
		.retention_ns = cfg->retention_ns,
		.progress = cfg->progress ? cfg->progress_fn : NULL,
		.progress_arg = cfg->progress_arg,
	};
	struct driver_summary ds = { 0 };
	struct driver *d = NULL;
	void *src = NULL;
	json_t *meta = NULL;
	int rc = -1;

	if (source_file_metadata(cfg, &meta, err, errlen) < 0)
		goto out;
	dc.metadata = meta;
	rc = driver_open(&dc, stop, &d, err, errlen);
	if (rc < 0) {
		rc = rc == DRIVER_ECONFIG ? ENGINE_ECONFIG : -1;
		goto out;
	}
	rc = -1;
	if (source_file_open(cfg, driver_env(d), sum, &src, err, errlen) < 0)
		goto out;
	rc = driver_run(d, &source_file_ops, src, &ds, err, errlen);
	sum->batches = ds.batches;
	sum->rows = ds.rows;
out:
	source_file_ops.close(src);
	driver_close(d);
	json_decref(meta);
	return rc;
}
