/* fuzz_scan_cache.c: libFuzzer target: the scan cache's readers (layer, OS part, image inventory, matches) on arbitrary entry files: a damaged entry is a miss, never a crash. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scan.h"
#include "scan_cache.h"

#define KEY "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define HEX "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static struct scan_cache *cache;
static char cache_dir[300];
static char version[128];

/* The cache under a private directory, and the version its entries must carry (learnt from one it writes). */
static bool init(void)
{
	char state[] = "/tmp/dwfuzzcacheXXXXXX";
	char err[256];
	if (!mkdtemp(state) || scan_cache_open(state, &cache, err, sizeof(err)) < 0)
		return false;
	snprintf(cache_dir, sizeof(cache_dir), "%s/cache", state);
	struct scan_layer_rec rec;
	memset(&rec, 0, sizeof(rec));
	if (scan_cache_store_layer(cache, KEY, &rec) < 0)
		return false;
	char path[400], text[512] = "";
	snprintf(path, sizeof(path), "%s/layer-%s.json", cache_dir, HEX);
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	const char *v = strstr(text, "\"dockward\":\"");
	if (!v)
		return false;
	v += 12;
	snprintf(version, sizeof(version), "%.*s", (int)strcspn(v, "\""), v);
	return true;
}

/* Writes data as NAME, "@V@" standing for the version (so seeds pass the header check). */
static void put(const char *name, const uint8_t *data, size_t size)
{
	char path[400];
	snprintf(path, sizeof(path), "%s/%s", cache_dir, name);
	FILE *f = fopen(path, "w");
	if (!f)
		return;
	for (size_t i = 0; i < size; i++) {
		if (i + 3 <= size && memcmp(data + i, "@V@", 3) == 0) {
			fputs(version, f);
			i += 2;
		} else {
			fputc(data[i], f);
		}
	}
	fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	if (!ready && !(ready = init()))
		abort();
	if (size > 65536)
		return 0;
	put("layer-" HEX ".json", data, size);
	put("os-" HEX ".json", data, size);
	put("fs-" HEX ".json", data, size);
	put("vulns-" HEX "-1.json", data, size);

	struct scan_layer_rec rec;
	if (scan_cache_load_layer(cache, KEY, &rec) == 0)
		scan_layer_rec_free(&rec);
	struct scan_os_rec os;
	if (scan_cache_load_os(cache, KEY, &os) == 0)
		scan_os_rec_free(&os);
	struct scan_image s;
	memset(&s, 0, sizeof(s));
	if (scan_cache_load_fs(cache, KEY, &s) == 0)
		scan_cache_load_vulns(cache, KEY, "1", &s);
	scan_image_free(&s);
	return 0;
}
