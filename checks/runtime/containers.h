/* containers.h: the runtime engine's view of containers: identity, posture, and kernel-side attribution keys. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "docker/model.h"
#include "runtime/rules.h"

#define RT_CONTAINER_ID_LEN 64
#define RT_MAX_CONTAINERS 4096

/* How exposed a container is, from its inspect data; the scanner fills vulnerable. */
struct rt_posture {
	bool known;                     /* false: the container was never inspected */
	bool privileged, root, seccomp_unconfined, pid_host, network_host, docker_sock;
	struct rt_list cap_add;         /* as given, e.g. SYS_ADMIN */
	struct rt_list mount_sources;   /* host paths of bind mounts and volumes */
	int vulnerable;                 /* -1 unknown (no scan result), 0 no known vulnerability, 1 vulnerable */
	char vulnerable_note[128];      /* e.g. "3 critical, 10 high" */
};

struct rt_container {
	char id[RT_CONTAINER_ID_LEN + 1];
	char *name;
	char *image;                    /* as asked for (Config.Image) */
	char *image_id;
	int64_t pid;                    /* State.Pid, 0 when not running */
	uint64_t mntns;                 /* inode of /proc/PID/ns/mnt, 0 unknown */
	uint64_t cgroup_id;             /* kernfs id of its cgroup, 0 unknown */
	struct rt_posture posture;
};

struct rt_containers {
	struct rt_container *v;
	size_t n;
};

/* Fills p from a container's inspect document. */
int rt_posture_from_inspect(const struct docker_container *c, struct rt_posture *p);
void rt_posture_free(struct rt_posture *p);

/* Adds or refreshes c; host_root prefixes /proc and /sys reads ("" = /). */
int rt_containers_upsert(struct rt_containers *t, const struct docker_container *c, const char *host_root);
void rt_containers_remove(struct rt_containers *t, const char *id);
void rt_containers_free(struct rt_containers *t);
/* By full id, or by a unique prefix of at least 12 characters. */
struct rt_container *rt_containers_find(struct rt_containers *t, const char *id);
struct rt_container *rt_containers_find_key(struct rt_containers *t, uint64_t cgroup_id, uint64_t mntns);

/* Attribution from the kernel's view: the container id a cgroup names.
 * cgroupfs driver: leaf "<id>" under parent "docker"; systemd driver: leaf
 * "docker-<id>.scope". Returns 0 and the 64-hex id in out, or -ENOENT. */
int rt_cgroup_leaf_container_id(const char *leaf, const char *parent, char out[RT_CONTAINER_ID_LEN + 1]);
/* The same from a whole cgroup path ("/docker/<id>", "/system.slice/docker-<id>.scope",
 * "0::/docker/<id>" lines of /proc/PID/cgroup). */
int rt_cgroup_path_container_id(const char *path, char out[RT_CONTAINER_ID_LEN + 1]);
/* The container a runtime's exec creates, from its argv ("runc --root R ... create --bundle B ID",
 * "crun ... run ... ID"): 0 and the 64-hex id, or -ENOENT when its command creates none, or its
 * argv is not whole enough to tell. */
int rt_runtime_created_id(const struct rt_note *n, char out[RT_CONTAINER_ID_LEN + 1]);
