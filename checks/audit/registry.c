/* registry.c: every audit check primitive, by name. */
#include <string.h>

#include "audit/primitive.h"

extern const struct audit_primitive audit_prim_container_field;
extern const struct audit_primitive audit_prim_container_mounts;
extern const struct audit_primitive audit_prim_container_ports;
extern const struct audit_primitive audit_prim_container_restart;
extern const struct audit_primitive audit_prim_container_seccomp;
extern const struct audit_primitive audit_prim_container_no_new_privileges;
extern const struct audit_primitive audit_prim_container_capabilities;
extern const struct audit_primitive audit_prim_container_process;
extern const struct audit_primitive audit_prim_container_image_current;
extern const struct audit_primitive audit_prim_container_execs;
extern const struct audit_primitive audit_prim_content_trust;
extern const struct audit_primitive audit_prim_image_field;
extern const struct audit_primitive audit_prim_image_healthcheck;
extern const struct audit_primitive audit_prim_image_user;
extern const struct audit_primitive audit_prim_image_secrets;
extern const struct audit_primitive audit_prim_image_history;
extern const struct audit_primitive audit_prim_image_scan;
extern const struct audit_primitive audit_prim_daemon_option;
extern const struct audit_primitive audit_prim_daemon_options_list;
extern const struct audit_primitive audit_prim_engine_facts;
extern const struct audit_primitive audit_prim_swarm;
/* host primitives (files, audit rules, partitions, users, processes) are declared here */
extern const struct audit_primitive audit_prim_file_perms;
extern const struct audit_primitive audit_prim_audit_watch;
extern const struct audit_primitive audit_prim_host_partition;
extern const struct audit_primitive audit_prim_docker_group_users;

static const struct audit_primitive *const primitives[] = {
	&audit_prim_container_field,
	&audit_prim_container_mounts,
	&audit_prim_container_ports,
	&audit_prim_container_restart,
	&audit_prim_container_seccomp,
	&audit_prim_container_no_new_privileges,
	&audit_prim_container_capabilities,
	&audit_prim_container_process,
	&audit_prim_container_image_current,
	&audit_prim_container_execs,
	&audit_prim_content_trust,
	&audit_prim_image_field,
	&audit_prim_image_healthcheck,
	&audit_prim_image_user,
	&audit_prim_image_secrets,
	&audit_prim_image_history,
	&audit_prim_image_scan,
	&audit_prim_daemon_option,
	&audit_prim_daemon_options_list,
	&audit_prim_engine_facts,
	&audit_prim_swarm,
	/* host primitives go here */
	&audit_prim_file_perms,
	&audit_prim_audit_watch,
	&audit_prim_host_partition,
	&audit_prim_docker_group_users,
};

const struct audit_primitive *audit_primitive_find(const char *name)
{
	for (size_t i = 0; i < sizeof(primitives) / sizeof(primitives[0]); i++)
		if (strcmp(primitives[i]->name, name) == 0)
			return primitives[i];
	return NULL;
}

const struct audit_primitive *const *audit_primitives(size_t *n)
{
	*n = sizeof(primitives) / sizeof(primitives[0]);
	return primitives;
}
