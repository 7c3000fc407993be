/* spool_bench.c: spool append (write, fsync, rename) and replay (read, parse, format, gzip) rates; or fills a spool for the delivery benchmark. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "upstream/format.h"
#include "upstream/spool.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Usage: spool_bench DIR BATCHES EVENTS_PER_BATCH [fill] */
int main(int argc, char **argv)
{
	if (argc < 4)
		return 2;
	const char *dir = argv[1];
	int batches = atoi(argv[2]), per = atoi(argv[3]);
	bool fill_only = argc > 4 && strcmp(argv[4], "fill") == 0;
	struct buf lines;
	buf_init(&lines, 0);
	for (int i = 0; i < per; i++)
		/* about the size of a compliance finding event */
		buf_printf(&lines, "{\"activity_id\":1,\"class_uid\":2003,\"category_uid\":2,\"type_uid\":200301,"
				   "\"severity_id\":3,\"time\":1700000000000,\"metadata\":{\"version\":\"1.3.0\","
				   "\"uid\":\"%08d-0000-4000-8000-000000000000\",\"product\":{\"name\":\"dockward\","
				   "\"vendor_name\":\"dockward\"}},\"finding_info\":{\"uid\":\"%032d\",\"title\":"
				   "\"Containers have a memory limit\"},\"compliance\":{\"standards\":[\"CIS Docker "
				   "Benchmark 1.6.0\"],\"status_id\":3,\"status_detail\":\"no memory limit set; the "
				   "container can exhaust the host\"},\"resources\":[{\"type\":\"container\",\"uid\":"
				   "\"%064d\"}],\"pad\":\"%0400d\"}\n", i, i, i, 0);
	struct spool sp;
	char err[256];
	if (spool_open(&sp, dir, 0, (uid_t)-1, (gid_t)-1, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	double t0 = now_s();
	for (int b = 0; b < batches; b++)
		if (spool_append(&sp, lines.data, lines.len, (size_t)per, 3, err, sizeof(err)) < 0) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
	double t1 = now_s();
	if (fill_only) {
		printf("%d\n", batches * per);
		return 0;
	}
	struct spool_entry *e;
	size_t n;
	spool_list(dir, &e, &n);
	uint64_t gz_bytes = 0, raw_bytes = 0;
	for (size_t i = 0; i < n; i++) {
		struct spool_batch sb;
		if (spool_read_batch(dir, e[i].seq, e[i].max_severity, &sb, err, sizeof(err)) < 0)
			return 1;
		struct buf body, gz;
		buf_init(&body, 0);
		buf_init(&gz, 0);
		format_collector(&sb, 0, sb.n_events, &body);
		gzip_buf(body.data, body.len, &gz);
		raw_bytes += body.len;
		gz_bytes += gz.len;
		buf_free(&body);
		buf_free(&gz);
		spool_batch_free(&sb);
	}
	double t2 = now_s();
	free(e);
	double ev = (double)batches * per;
	printf("spool append: %d batches of %d events (%.0f bytes/event) in %.2fs: %.0f batches/s, %.0f events/s "
	       "(each batch fsynced)\n", batches, per, (double)lines.len / per, t1 - t0, batches / (t1 - t0),
	       ev / (t1 - t0));
	printf("spool replay (read, parse, JSON array, gzip): %.2fs: %.0f batches/s, %.0f events/s; gzip %.1fx\n",
	       t2 - t1, batches / (t2 - t1), ev / (t2 - t1), gz_bytes ? (double)raw_bytes / (double)gz_bytes : 0.0);
	buf_free(&lines);
	spool_close(&sp);
	return 0;
}
