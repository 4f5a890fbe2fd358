/* Unit tests of the engine's parts: fsutil, strmap, scan names, registry, file sink, config. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "config.h"
#include "esclient.h"
#include "fsutil.h"
#include "registry.h"
#include "scan.h"
#include "sink.h"
#include "strmap.h"
#include "suites.h"

/* --- fsutil ---------------------------------------------------------------------------------- */

static const struct {
	const char *text;
	int ok;
	int64_t ns;
} durations[] = {
	{ "10s", 1, 10000000000LL },
	{ "500ms", 1, 500000000LL },
	{ "5m", 1, 300000000000LL },
	{ "2h", 1, 7200000000000LL },
	{ "7d", 1, 604800000000000LL },
	{ "3", 1, 3000000000LL },
	{ "1.5s", 1, 1500000000LL },
	{ "0s", 1, 0 },
	{ "10x", 0, 0 },
	{ "", 0, 0 },
	{ "-1s", 0, 0 },
	{ "s", 0, 0 },
	{ NULL, 0, 0 },
};

START_TEST(test_parse_duration)
{
	for (int i = 0; durations[i].text != NULL; i++) {
		int64_t ns = -7;
		int rc = fsutil_parse_duration(durations[i].text, &ns);
		ck_assert_msg((rc == 0) == durations[i].ok, "'%s': rc %d", durations[i].text, rc);
		if (durations[i].ok)
			ck_assert_msg(ns == durations[i].ns, "'%s': %lld", durations[i].text, (long long)ns);
	}
}
END_TEST

static const struct {
	const char *text;
	int ok;
	uint64_t bytes;
} sizes[] = {
	{ "100", 1, 100 },
	{ "64k", 1, 65536 },
	{ "10MB", 1, 10485760 },
	{ "1GiB", 1, 1073741824 },
	{ "2g", 1, 2147483648ULL },
	{ "1.5kb", 1, 1536 },
	{ "12 MB", 0, 0 },
	{ "MB", 0, 0 },
	{ "-5", 0, 0 },
	{ NULL, 0, 0 },
};

START_TEST(test_parse_size)
{
	for (int i = 0; sizes[i].text != NULL; i++) {
		uint64_t b = 7;
		int rc = fsutil_parse_size(sizes[i].text, &b);
		ck_assert_msg((rc == 0) == sizes[i].ok, "'%s': rc %d", sizes[i].text, rc);
		if (sizes[i].ok)
			ck_assert_msg(b == sizes[i].bytes, "'%s': %llu", sizes[i].text, (unsigned long long)b);
	}
}
END_TEST

START_TEST(test_atomic_write_and_names)
{
	char path[128], err[256], name[256];
	size_t len = 0;
	char *back;

	snprintf(path, sizeof(path), "%s/state", testutil_tmp);
	ck_assert_int_eq(fsutil_write_atomic(path, "one", 3, err, sizeof(err)), 0);
	ck_assert_int_eq(fsutil_write_atomic(path, "second", 6, err, sizeof(err)), 0);
	back = fsutil_read_file(path, 1024, &len, err, sizeof(err));
	ck_assert_ptr_nonnull(back);
	ck_assert_str_eq(back, "second");
	ck_assert_uint_eq(len, 6);
	free(back);
	snprintf(name, sizeof(name), "%s/state.tmp", testutil_tmp);
	ck_assert_int_ne(access(name, F_OK), 0); /* no temp file left behind */
	ck_assert_int_eq(fsutil_free_name(testutil_tmp, "state", name, sizeof(name)), 0);
	ck_assert(strstr(name, "/state.1") != NULL);
	ck_assert_ptr_null(fsutil_read_file("/nonexistent/x", 10, NULL, err, sizeof(err)));
	ck_assert(strstr(err, "No such file") != NULL);
	snprintf(path, sizeof(path), "%s/a/b/c", testutil_tmp);
	ck_assert_int_eq(fsutil_mkdirs(path, err, sizeof(err)), 0);
	ck_assert_int_eq(fsutil_mkdirs(path, err, sizeof(err)), 0);
	ck_assert_str_eq(fsutil_basename("/x/y/z.pcap"), "z.pcap");
	ck_assert_str_eq(fsutil_basename("z.pcap"), "z.pcap");
}
END_TEST

/* --- strmap and names ------------------------------------------------------------------------ */

START_TEST(test_strmap)
{
	struct strmap *m = strmap_new();
	char key[32];
	void *old = NULL;

	ck_assert_ptr_nonnull(m);
	for (long i = 0; i < 10000; i++) {
		snprintf(key, sizeof(key), "k%ld", i);
		ck_assert_int_eq(strmap_put(m, key, (void *)(i + 1), NULL), 0);
	}
	ck_assert_uint_eq(strmap_count(m), 10000);
	ck_assert_ptr_eq(strmap_get(m, "k4321"), (void *)4322);
	ck_assert_int_eq(strmap_put(m, "k4321", (void *)7, &old), 0);
	ck_assert_ptr_eq(old, (void *)4322);
	ck_assert_uint_eq(strmap_count(m), 10000);
	ck_assert_ptr_eq(strmap_del(m, "k4321"), (void *)7);
	ck_assert_ptr_null(strmap_get(m, "k4321"));
	ck_assert_ptr_null(strmap_del(m, "absent"));
	ck_assert_uint_eq(strmap_count(m), 9999);
	strmap_free(m, NULL);
}
END_TEST

static const struct {
	const char *name;
	int ignored;
} names[] = {
	{ "dump.pcap", 0 },  { "dump", 0 },	   { "dump1", 0 },	  { "x.pcap.gz", 0 }, { ".hidden.pcap", 1 },
	{ "x.pcap.tmp", 1 }, { "x.pcap.part", 1 }, { "x.partial", 1 },	  { "x~", 1 },	      { ".", 1 },
	{ "x.swp", 1 },	     { "x.filepart", 1 },  { "a.crdownload", 1 }, { "tmp", 0 },	      { NULL, 0 },
};

START_TEST(test_ignored_names)
{
	for (int i = 0; names[i].name != NULL; i++)
		ck_assert_msg(scan_ignored_name(names[i].name) == names[i].ignored, "%s", names[i].name);
}
END_TEST

/* --- registry -------------------------------------------------------------------------------- */

static struct registry_entry entry(const char *key, const char *path, int state, uint64_t batch)
{
	struct registry_entry e = { 0 };

	snprintf(e.key, sizeof(e.key), "%s", key);
	e.path = (char *)path;
	e.size = 100;
	e.state = state;
	e.batch = batch;
	e.rows = 3;
	return e;
}

START_TEST(test_registry_roundtrip_and_torn_line)
{
	struct registry *r = NULL;
	char err[256], path[128];
	struct registry_entry e;

	ck_assert_int_eq(registry_load(testutil_tmp, &r, err, sizeof(err)), 0);
	ck_assert_int_eq(registry_last_batch(r), -1);
	e = entry("aaaa:100", "/spool/a.pcap", REGISTRY_INGESTED, 4);
	ck_assert_int_eq(registry_put(r, &e), 0);
	e = entry("bbbb:100", "/spool/b.pcap", REGISTRY_QUARANTINED, 5);
	ck_assert_int_eq(registry_put(r, &e), 0);
	ck_assert_int_eq(registry_mark_gone(r, "bbbb:100", 1000), 0);
	ck_assert_int_eq(registry_sync(r, err, sizeof(err)), 0);
	registry_free(r);
	/* a crash in the middle of an append leaves a torn last line: it is ignored */
	snprintf(path, sizeof(path), "%s/registry.log", testutil_tmp);
	FILE *f = fopen(path, "a");
	fputs("{\"k\":\"cccc:1\",\"p\":\"/x", f);
	fclose(f);
	ck_assert_int_eq(registry_load(testutil_tmp, &r, err, sizeof(err)), 0);
	ck_assert_uint_eq(registry_count(r), 2);
	ck_assert_int_eq(registry_last_batch(r), 5);
	const struct registry_entry *g = registry_get(r, "aaaa:100");
	ck_assert_ptr_nonnull(g);
	ck_assert_str_eq(g->path, "/spool/a.pcap");
	ck_assert_int_eq(g->state, REGISTRY_INGESTED);
	ck_assert_int_eq(g->gone_ns, 0);
	g = registry_get(r, "bbbb:100");
	ck_assert_int_eq(g->gone_ns, 1000);
	ck_assert_ptr_null(registry_get(r, "cccc:1"));
	registry_free(r);
}
END_TEST

START_TEST(test_registry_compaction)
{
	struct registry *r = NULL;
	char err[256], key[40], path[128];

	ck_assert_int_eq(registry_load(testutil_tmp, &r, err, sizeof(err)), 0);
	for (int i = 0; i < 1500; i++) {
		snprintf(key, sizeof(key), "%04d:1", i);
		snprintf(path, sizeof(path), "/spool/%d", i);
		struct registry_entry e = entry(key, path, REGISTRY_INGESTED, (uint64_t)i);
		ck_assert_int_eq(registry_put(r, &e), 0);
		if (i < 1000)
			registry_mark_gone(r, key, 10 + i); /* 1000 left the folder at times 10..1009 */
	}
	ck_assert_int_eq(registry_sync(r, err, sizeof(err)), 0);
	/* now = 2000, retention = 1500: gone before 500 are forgotten (490 of them) */
	ck_assert_int_eq(registry_maybe_compact(r, 2000, 1500, err, sizeof(err)), 0);
	ck_assert_uint_eq(registry_count(r), 1500 - 490);
	ck_assert_ptr_null(registry_get(r, "0000:1"));
	ck_assert_ptr_nonnull(registry_get(r, "0490:1"));
	ck_assert_ptr_nonnull(registry_get(r, "1499:1"));
	registry_free(r);
	/* the compacted snapshot loads to the same state, and keeps the batch high-water mark */
	ck_assert_int_eq(registry_load(testutil_tmp, &r, err, sizeof(err)), 0);
	ck_assert_uint_eq(registry_count(r), 1010);
	ck_assert_int_eq(registry_last_batch(r), 1499);
	ck_assert_ptr_nonnull(registry_get(r, "0490:1"));
	registry_free(r);
	snprintf(path, sizeof(path), "%s/registry.log", testutil_tmp);
	ck_assert_int_ne(access(path, F_OK), 0);
}
END_TEST

/* Registry logs as a crash or damage leaves them: whether loading succeeds, how many files it
 * then knows, and (for damage) the line the message must name. */
static const struct {
	const char *what;
	const char *log;
	int loads;
	size_t files;
	int64_t resume; /* registry_resume_batch */
	const char *names;
} reg_logs[] = {
	{ "two entries and the marker of batch 5",
	  "{\"k\":\"aa:1\",\"p\":\"/a\",\"s\":1,\"m\":0,\"st\":1,\"b\":5,\"r\":1,\"g\":0}\n"
	  "{\"k\":\"bb:1\",\"p\":\"/b\",\"s\":1,\"m\":0,\"st\":1,\"b\":5,\"r\":1,\"g\":0}\n"
	  "{\"k\":\"-\",\"p\":\"\",\"s\":0,\"m\":0,\"st\":0,\"b\":5,\"r\":0,\"g\":1}\n",
	  1, 2, 6, NULL },
	{ "batch 5 without its marker (torn before it): batch 5 is re-applied",
	  "{\"k\":\"aa:1\",\"p\":\"/a\",\"s\":1,\"m\":0,\"st\":1,\"b\":5,\"r\":1,\"g\":0}\n"
	  "{\"k\":\"bb:1\",\"p\":\"/b\",\"s\":1,\"m\":0,\"st\":1,\"b\":5,\"r\":1,\"g\":0}\n"
	  "{\"k\":\"-\",\"p\":\"\",\"s\":0,\"m\":0,\"st\":0,\"b\":5,",
	  1, 2, 5, NULL },
	{ "a torn end is a crash, not damage",
	  "{\"k\":\"aa:1\",\"p\":\"/a\",\"s\":1,\"m\":0,\"st\":1,\"b\":2,\"r\":1,\"g\":0}\n{\"k\":\"cc", 1, 1, 2,
	  NULL },
	{ "a garbage line in the middle is damage",
	  "{\"k\":\"aa:1\",\"p\":\"/a\",\"s\":1,\"m\":0,\"st\":1,\"b\":2,\"r\":1,\"g\":0}\n"
	  "garbage\n{\"k\":\"bb:1\",\"p\":\"/b\",\"s\":1,\"m\":0,\"st\":1,\"b\":3,\"r\":1,\"g\":0}\n",
	  0, 0, 0, "registry.log line 2" },
	{ "a torn line with an entry appended after it (what older builds wrote) is damage",
	  "{\"k\":\"aa:1\",\"p\":\"/a\",\"s\":1,\"m\":0,\"st\":1,\"b\":2,\"r\":1,\"g\":0}\n"
	  "{\"k\":\"cc{\"k\":\"bb:1\",\"p\":\"/b\",\"s\":1,\"m\":0,\"st\":1,\"b\":3,\"r\":1,\"g\":0}\n",
	  0, 0, 0, "registry.log line 2" },
	{ "an entry without its key is damage", "{\"p\":\"/a\",\"s\":1,\"m\":0,\"st\":1,\"b\":2,\"r\":1,\"g\":0}\n", 0,
	  0, 0, "line 1" },
	{ "a path kept as hex (not UTF-8)",
	  "{\"k\":\"aa:1\",\"p\":\"caf\\\\xe9\",\"ph\":\"636166e9\",\"s\":1,\"m\":0,\"st\":1,\"b\":0,\"r\":1,\"g\":0}"
	  "\n",
	  1, 1, 0, NULL },
	{ "empty", "", 1, 0, 0, NULL },
	{ NULL, NULL, 0, 0, 0, NULL },
};

static void write_text(const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", testutil_tmp, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

START_TEST(test_registry_damage_table)
{
	const char *what = reg_logs[_i].what;
	struct registry *r = NULL;
	char err[1024];
	int rc;

	write_text("registry.log", reg_logs[_i].log);
	err[0] = '\0';
	rc = registry_load(testutil_tmp, &r, err, sizeof(err));
	ck_assert_msg((rc == 0) == reg_logs[_i].loads, "%s: load %d (%s)", what, rc, err);
	if (rc < 0) {
		ck_assert_msg(strstr(err, reg_logs[_i].names) != NULL && strstr(err, "damaged") != NULL, "%s: %s", what,
			      err);
		return;
	}
	ck_assert_msg(registry_count(r) == reg_logs[_i].files, "%s: %zu files", what, registry_count(r));
	ck_assert_msg(registry_resume_batch(r) == reg_logs[_i].resume, "%s: resume %lld", what,
		      (long long)registry_resume_batch(r));
	registry_free(r);
}
END_TEST

/* A torn end is cut before the next append, so it never ends up in the middle of the log; a path
 * that is not UTF-8 comes back byte for byte. */
START_TEST(test_registry_torn_end_cut_and_raw_path)
{
	struct registry *r = NULL;
	char err[512];
	struct registry_entry e;

	write_text("registry.log",
		   "{\"k\":\"aa:1\",\"p\":\"/a\",\"s\":1,\"m\":0,\"st\":1,\"b\":2,\"r\":1,\"g\":0}\n{\"k\":\"c");
	ck_assert_int_eq(registry_load(testutil_tmp, &r, err, sizeof(err)), 0);
	ck_assert_int_eq(registry_torn(r), 1);
	e = entry("bbbb:1", "/spool/caf\xe9-\xff.pcap", REGISTRY_INGESTED, 3);
	ck_assert_int_eq(registry_put(r, &e), 0);
	ck_assert_int_eq(registry_note_batch(r, 3), 0);
	ck_assert_int_eq(registry_sync(r, err, sizeof(err)), 0);
	ck_assert_int_eq(registry_torn(r), 0);
	registry_free(r);
	ck_assert_int_eq(registry_load(testutil_tmp, &r, err, sizeof(err)), 0);
	ck_assert_int_eq(registry_torn(r), 0);
	ck_assert_uint_eq(registry_count(r), 2);
	ck_assert_int_eq(registry_resume_batch(r), 4);
	ck_assert_str_eq(registry_get(r, "bbbb:1")->path, "/spool/caf\xe9-\xff.pcap");
	registry_free(r);
}
END_TEST

static const struct {
	const char *in, *shown;
} display_names[] = {
	{ "dump.pcap", "dump.pcap" },
	{ "caf\xc3\xa9.pcap", "caf\xc3\xa9.pcap" },	    /* UTF-8 é: unchanged */
	{ "caf\xe9.pcap", "caf\\xe9.pcap" },		    /* Latin-1 é */
	{ "\xff\xfe", "\\xff\\xfe" },			    /* never UTF-8 */
	{ "\xc0\xaf", "\\xc0\\xaf" },			    /* overlong '/' */
	{ "\xed\xa0\x80", "\\xed\\xa0\\x80" },		    /* a UTF-16 surrogate */
	{ "a\xe2\x82", "a\\xe2\\x82" },			    /* cut short */
	{ "\xf0\x9f\x93\xa6 box", "\xf0\x9f\x93\xa6 box" }, /* 4-byte sequence */
	{ "", "" },
	{ NULL, NULL },
};

START_TEST(test_display_names_and_hex)
{
	char out[256], hex[512], back[256];

	for (int i = 0; display_names[i].in != NULL; i++) {
		const char *in = display_names[i].in;
		ck_assert_int_eq(fsutil_display_name(in, out, sizeof(out)), 0);
		ck_assert_msg(strcmp(out, display_names[i].shown) == 0, "%d: got %s", i, out);
		ck_assert_int_eq(fsutil_is_utf8(in), strcmp(in, display_names[i].shown) == 0);
		ck_assert_int_eq(fsutil_is_utf8(out), 1);
		ck_assert_int_eq(fsutil_hex_encode(in, hex, sizeof(hex)), 0);
		ck_assert_int_eq(fsutil_hex_decode(hex, back, sizeof(back)), 0);
		ck_assert_str_eq(back, in);
	}
	ck_assert_int_eq(fsutil_display_name("\xff\xff\xff", out, 8), -1); /* does not fit */
	ck_assert_int_eq(fsutil_hex_decode("6", back, sizeof(back)), -1);
	ck_assert_int_eq(fsutil_hex_decode("6g", back, sizeof(back)), -1);
	ck_assert_int_eq(fsutil_hex_decode("6100", back, sizeof(back)), -1); /* a NUL inside */
}
END_TEST

/* --- file sink ------------------------------------------------------------------------------- */

static int count_files(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;

	for (struct dirent *de = d ? readdir(d) : NULL; de != NULL; de = readdir(d))
		n += de->d_name[0] != '.' || strstr(de->d_name, ".tmp") != NULL;
	if (d)
		closedir(d);
	return n;
}

START_TEST(test_file_sink)
{
	struct sink *s = NULL;
	char spec[256], err[256], out[128], path[256];
	struct row rows[2];

	memset(rows, 0, sizeof(rows));
	for (int i = 0; i < 2; i++) {
		rows[i].id_prefix = "00000000000000ab";
		rows[i].id_seq = (uint64_t)i + 1;
		ROW_SET(&rows[i], network_bytes, 60 + i);
	}
	snprintf(out, sizeof(out), "%s/out", testutil_tmp);
	snprintf(spec, sizeof(spec), "file:%s", out);
	ck_assert_int_eq(sink_open(spec, NULL, &s, err, sizeof(err)), 0);
	ck_assert_str_eq(sink_spec(s), spec);
	/* aborted batch: nothing left */
	ck_assert_int_eq(sink_begin(s, 3, err, sizeof(err)), 0);
	ck_assert_int_eq(sink_write(s, rows, 2, err, sizeof(err)), 0);
	sink_abort(s);
	ck_assert_int_eq(count_files(out), 0);
	/* empty batch: no file */
	ck_assert_int_eq(sink_begin(s, 4, err, sizeof(err)), 0);
	ck_assert_int_eq(sink_flush(s, err, sizeof(err)), 0);
	ck_assert_int_eq(count_files(out), 0);
	/* a batch, then the same batch again: one file with the rows once */
	for (int pass = 0; pass < 2; pass++) {
		ck_assert_int_eq(sink_begin(s, 5, err, sizeof(err)), 0);
		ck_assert_int_eq(sink_write(s, rows, 2, err, sizeof(err)), 0);
		ck_assert_int_eq(sink_flush(s, err, sizeof(err)), 0);
	}
	ck_assert_int_eq(count_files(out), 1);
	snprintf(path, sizeof(path), "%s/batch-0000000005.ndjson", out);
	char *text = fsutil_read_file(path, 4096, NULL, err, sizeof(err));
	ck_assert_ptr_nonnull(text);
	ck_assert_str_eq(text, "{\"network\":{\"bytes\":60},\"_id\":\"00000000000000ab-1\"}\n"
			       "{\"network\":{\"bytes\":61},\"_id\":\"00000000000000ab-2\"}\n");
	free(text);
	sink_close(s);
	ck_assert_int_eq(sink_open("file:", NULL, &s, err, sizeof(err)), -1);
	ck_assert(strstr(err, "needs a folder") != NULL);
	ck_assert_int_eq(sink_open("elastic:http://x", NULL, &s, err, sizeof(err)), -1);
	ck_assert(strstr(err, "unknown kind") != NULL);
	ck_assert_int_eq(sink_open("null", NULL, &s, err, sizeof(err)), 0);
	ck_assert_int_eq(sink_write(s, rows, 2, err, sizeof(err)), 0);
	sink_close(s);
}
END_TEST

/* --- es: specs ------------------------------------------------------------------------------ */

struct es_case {
	const char *spec;
	int ok;
	const char *url, *prefix;
	size_t bulk;
	int inflight, gzip;
	const char *errpart;
};

static const struct es_case es_cases[] = {
	{ "http://127.0.0.1:9200", 1, "http://127.0.0.1:9200", "pcapstream", 5 << 20, 2, 1, NULL },
	{ "https://es.example:9243/?prefix=lab&bulk=1MB&inflight=4&gzip=off", 1, "https://es.example:9243", "lab",
	  1 << 20, 4, 0, NULL },
	{ "127.0.0.1:9200", 0, NULL, NULL, 0, 0, 0, "not an http:// or https:// URL" },
	{ "http://elastic:secret@127.0.0.1:9200", 0, NULL, NULL, 0, 0, 0, "credentials in the URL are refused" },
	{ "http://h:9200?bulk=huge", 0, NULL, NULL, 0, 0, 0, "bulk=huge" },
	{ "http://h:9200?inflight=0", 0, NULL, NULL, 0, 0, 0, "inflight=0" },
	{ "http://h:9200?colour=blue", 0, NULL, NULL, 0, 0, 0, "unknown option 'colour'" },
	{ "http://h:9200?auth_file=/nonexistent", 0, NULL, NULL, 0, 0, 0, "No such file" },
	{ NULL, 0, NULL, NULL, 0, 0, 0, NULL },
};

START_TEST(test_es_specs)
{
	for (const struct es_case *c = es_cases; c->spec != NULL; c++) {
		struct esclient e;
		char err[512] = "";
		int rc = esclient_parse(c->spec, &e, err, sizeof(err));
		ck_assert_msg((rc == 0) == c->ok, "%s: rc %d %s", c->spec, rc, err);
		if (!c->ok) {
			ck_assert_msg(strstr(err, c->errpart) != NULL, "%s: '%s' lacks '%s'", c->spec, err, c->errpart);
			continue;
		}
		ck_assert_str_eq(e.url, c->url);
		ck_assert_str_eq(e.prefix, c->prefix);
		ck_assert_uint_eq(e.bulk_bytes, c->bulk);
		ck_assert_int_eq(e.inflight, c->inflight);
		ck_assert_int_eq(e.gzip, c->gzip);
	}
}
END_TEST

START_TEST(test_es_credentials_and_index_names)
{
	struct esclient e;
	char err[512], path[128], name[200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/key", testutil_tmp);
	f = fopen(path, "w");
	fputs("c2VjcmV0\n", f);
	fclose(f);
	char spec[256];
	snprintf(spec, sizeof(spec), "http://h:9200?api_key_file=%s", path);
	ck_assert_int_eq(esclient_parse(spec, &e, err, sizeof(err)), 0);
	ck_assert_str_eq(e.auth_header, "Authorization: ApiKey c2VjcmV0");
	setenv("PCAPSTREAM_ES_USER", "ingest", 1);
	setenv("PCAPSTREAM_ES_PASSWORD", "pw", 1);
	ck_assert_int_eq(esclient_parse("http://h:9200", &e, err, sizeof(err)), 0);
	ck_assert_str_eq(e.userpwd, "ingest:pw");
	unsetenv("PCAPSTREAM_ES_USER");
	unsetenv("PCAPSTREAM_ES_PASSWORD");
	esclient_index_name(&e, 0, 1573106901807555000LL, name, sizeof(name));
	ck_assert_str_eq(name, "pcapstream-packets-2019.11.07");
	esclient_index_name(&e, 1, 0, name, sizeof(name));
	ck_assert_str_eq(name, "pcapstream-flows-1970.01.01");
}
END_TEST

/* --- config ---------------------------------------------------------------------------------- */

struct config_case {
	const char *name;
	int mode;
	const char *argv[12];
	int rc;
	const char *errpart;
};

static const struct config_case config_cases[] = {
	{ "watch needs a folder", ENGINE_WATCH, { "watch", NULL }, -1, "exactly one folder" },
	{ "watch two folders", ENGINE_WATCH, { "watch", "/tmp", "/var", NULL }, -1, "exactly one folder" },
	{ "missing folder", ENGINE_WATCH, { "watch", "/nonexistent-folder", NULL }, -1, "is not a folder" },
	{ "bad trigger", ENGINE_WATCH, { "watch", "--trigger", "often", "/tmp", NULL }, -1, "trigger 'often'" },
	{ "bad size",
	  ENGINE_WATCH,
	  { "watch", "--max-bytes-per-trigger", "lots", "/tmp", NULL },
	  -1,
	  "'lots' is not a size" },
	{ "bad count",
	  ENGINE_WATCH,
	  { "watch", "--max-files-per-trigger", "-3", "/tmp", NULL },
	  -1,
	  "not a non-negative integer" },
	{ "archive needs dir",
	  ENGINE_WATCH,
	  { "watch", "--clean-source", "archive", "/tmp", NULL },
	  -1,
	  "needs --archive-dir" },
	{ "bad clean", ENGINE_WATCH, { "watch", "--clean-source", "shred", "/tmp", NULL }, -1, "'shred'" },
	{ "unknown flag", ENGINE_WATCH, { "watch", "--frobnicate", "/tmp", NULL }, -1, "bad or incomplete option" },
	{ "trigger not for replay",
	  ENGINE_REPLAY,
	  { "replay", "--trigger", "1s", "/tmp", NULL },
	  -1,
	  "does not apply to replay" },
	{ "replay needs paths", ENGINE_REPLAY, { "replay", NULL }, -1, "at least one" },
	{ "ok watch", ENGINE_WATCH, { "watch", "--trigger", "250ms", "--sink", "null", "/tmp", NULL }, 0, NULL },
	{ NULL, 0, { NULL }, 0, NULL },
};

START_TEST(test_config_table)
{
	const struct config_case *c = &config_cases[_i];
	struct config cfg;
	char err[512] = "";
	int argc = 0;

	while (c->argv[argc] != NULL)
		argc++;
	int rc = config_parse(c->mode, argc, (char **)c->argv, &cfg, err, sizeof(err));
	ck_assert_msg(rc == c->rc, "%s: rc %d (%s)", c->name, rc, err);
	if (c->errpart != NULL)
		ck_assert_msg(strstr(err, c->errpart) != NULL, "%s: '%s' lacks '%s'", c->name, err, c->errpart);
	config_free(&cfg);
}
END_TEST

START_TEST(test_config_defaults_file_and_precedence)
{
	struct config cfg;
	char err[512], path[128];
	FILE *f;

	const char *a1[] = { "watch", "/tmp", NULL };
	ck_assert_int_eq(config_parse(ENGINE_WATCH, 2, (char **)a1, &cfg, err, sizeof(err)), 0);
	ck_assert_int_eq(cfg.engine.trigger, TRIGGER_INTERVAL);
	ck_assert_int_eq(cfg.engine.interval_ns, 10000000000LL);
	ck_assert_uint_eq(cfg.engine.max_files, 1);
	ck_assert_int_eq(cfg.engine.clean, CLEAN_OFF);
	ck_assert_str_eq(cfg.engine.checkpoint, "/tmp/.pcapstream");
	ck_assert_str_eq(cfg.engine.quarantine_dir, "/tmp/quarantine");
	ck_assert_int_eq(cfg.engine.nsinks, 1);
	ck_assert_str_eq(cfg.engine.sinks[0], "file:out");
	ck_assert_int_eq(cfg.sink_defaulted, 1);
	config_free(&cfg);

	snprintf(path, sizeof(path), "%s/cfg.json", testutil_tmp);
	f = fopen(path, "w");
	fputs("{\"trigger\": \"once\", \"max_files_per_trigger\": 7, \"sink\": [\"null\", \"file:a\"], "
	      "\"latest-first\": true, \"log_format\": \"json\"}",
	      f);
	fclose(f);
	const char *a2[] = { "watch", "--config", path, "--max-files-per-trigger", "3", "/tmp", NULL };
	ck_assert_int_eq(config_parse(ENGINE_WATCH, 6, (char **)a2, &cfg, err, sizeof(err)), 0);
	ck_assert_int_eq(cfg.engine.trigger, TRIGGER_ONCE);
	ck_assert_uint_eq(cfg.engine.max_files, 3); /* the flag wins */
	ck_assert_int_eq(cfg.engine.latest_first, 1);
	ck_assert_int_eq(cfg.log_format, LOG_JSON);
	ck_assert_int_eq(cfg.engine.nsinks, 2);
	ck_assert_str_eq(cfg.engine.sinks[1], "file:a");
	config_free(&cfg);
	const char *a3[] = { "watch", "--config", path, "--sink", "file:b", "/tmp", NULL };
	ck_assert_int_eq(config_parse(ENGINE_WATCH, 6, (char **)a3, &cfg, err, sizeof(err)), 0);
	ck_assert_int_eq(cfg.engine.nsinks, 1); /* flag sinks replace the file's */
	ck_assert_str_eq(cfg.engine.sinks[0], "file:b");
	config_free(&cfg);

	f = fopen(path, "w");
	fputs("{\"trigger\": 5,}", f);
	fclose(f);
	ck_assert_int_eq(config_parse(ENGINE_WATCH, 6, (char **)a2, &cfg, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "cfg.json: line 1") != NULL, "%s", err);
	config_free(&cfg);
}
END_TEST

Suite *engine_parts_suite(void)
{
	Suite *s = suite_create("engine-parts");
	int n = 0, nreg = 0;

	while (config_cases[n].name != NULL)
		n++;
	while (reg_logs[nreg].what != NULL)
		nreg++;
	testutil_add(s, test_parse_duration, 1);
	testutil_add(s, test_parse_size, 1);
	testutil_add(s, test_atomic_write_and_names, 1);
	testutil_add(s, test_strmap, 1);
	testutil_add(s, test_ignored_names, 1);
	testutil_add(s, test_registry_roundtrip_and_torn_line, 1);
	testutil_add(s, test_registry_compaction, 1);
	testutil_add_loop(s, test_registry_damage_table, 0, nreg, 1);
	testutil_add(s, test_registry_torn_end_cut_and_raw_path, 1);
	testutil_add(s, test_display_names_and_hex, 1);
	testutil_add(s, test_file_sink, 1);
	testutil_add_loop(s, test_config_table, 0, n, 1);
	testutil_add(s, test_es_specs, 1);
	testutil_add(s, test_es_credentials_and_index_names, 1);
	testutil_add(s, test_config_defaults_file_and_precedence, 1);
	return s;
}
