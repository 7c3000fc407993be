/* fuzz_auditctl_rules.c: libFuzzer target: the host texts the audit's host collectors parse: audit rule files (auditctl syntax), audit log lines, mountinfo, /proc status and cgroup, passwd and group. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit/host_state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the parsers read C strings: an embedded NUL ends the text */
	char *text = strndup((const char *)data, size);
	if (!text)
		return 0;
	struct host_audit a = { 0 };
	int r = host_audit_parse_rules(&a, text, "fuzz.rules");
	if (r < 0 && r != -ENOMEM && r != -E2BIG)
		abort();
	for (size_t i = 0; i < a.n; i++) {
		/* every watch is absolute and covers itself */
		if (a.w[i].path[0] != '/' || !host_audit_covering(&a, a.w[i].path))
			abort();
	}
	host_audit_free(&a);
	/* each line as an audit log record */
	char *copy = strdup(text);
	for (char *save = NULL, *l = copy ? strtok_r(copy, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save)) {
		struct host_exec_record rec;
		int er = host_execlog_parse_line(l, &rec);
		if (er < 0 && er != -ENOMEM)
			abort();
		if (er > 0 && (!rec.container || !rec.user || !rec.cmdline))
			abort();
		host_exec_record_free(&rec);
	}
	free(copy);
	struct host_partition p;
	memset(&p, 0, sizeof(p));
	host_partition_judge(&p, text, "/var/lib/docker");
	if (p.separate && p.status.state != FACT_OK)
		abort();
	struct host_ctr_state s;
	host_proc_status_parse(&s, text);
	char path[256];
	host_cgroup_path(text, "pids", path, sizeof(path));
	host_cgroup_path(text, NULL, path, sizeof(path));
	struct host_users u = { 0 };
	if (host_users_parse_passwd(&u, text) == 0 && host_users_parse_group(&u, text) == 0)
		for (size_t i = 0; i < u.n_users; i++)
			if (!host_user_name(&u, u.users[i].id))
				abort();
	host_users_free(&u);
	free(text);
	return 0;
}
