/* npm.c: one node_modules package.json to an npm package. */
#include "pkgdb.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "json.h"

int pkgdb_parse_npm_package_json(const char *text, size_t len, const char *location,
				 struct package_list *out, char *err, size_t errlen)
{
	yajl_val doc = NULL;
	char e2[256];
	if (!location)
		location = "package.json";
	if (json_parse(text, len, &doc, e2, sizeof(e2)) < 0) {
		snprintf(err, errlen, "%s: %s", location, e2);
		return -EBADMSG;
	}
	int r = 0;
	if (!YAJL_IS_OBJECT(doc)) {
		snprintf(err, errlen, "%s: not a JSON object", location);
		r = -EBADMSG;
		goto out;
	}
	const char *name = json_str(doc, "name");
	const char *version = json_str(doc, "version");
	/* workspace roots and private apps without a version are not registry packages */
	if (!name || !*name || !version || !*version)
		goto out;
	if (strlen(name) > 214 || strlen(version) > 256 || strchr(name, '\n')) {
		snprintf(err, errlen, "%s: name or version is not a valid npm name/version", location);
		r = -EBADMSG;
		goto out;
	}
	char ns[256] = "";
	const char *base = name;
	const char *slash = strchr(name, '/');
	if (name[0] == '@' && slash) {
		snprintf(ns, sizeof(ns), "%.*s", (int)(slash - name), name);
		base = slash + 1;
	}
	struct pkgdb_entry e = {
		.ecosystem = "npm",
		.name = name,
		.version = version,
		.location = location,
		.origin = PKG_ORIGIN_LANGUAGE,
		.scheme = VERSION_SEMVER,
	};
	r = pkgdb_add_purl(out, &e, "npm", ns, base, NULL);
	if (r < 0)
		pkgdb_add_error(err, errlen, location, r);
out:
	yajl_tree_free(doc);
	return r;
}
