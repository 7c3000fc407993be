/* atomic_file.h: durable whole-file writes: write a temporary, fsync, rename, fsync the directory. */
#pragma once
#include <stddef.h>
#include <sys/types.h>

/* Replaces path with data. Returns 0 or a negative errno (-ENOSPC, ...);
 * on failure path is untouched and no temporary is left behind. */
int atomic_file_write(const char *path, const void *data, size_t len, mode_t mode);
/* The same, handing the file to uid:gid first ((uid_t)-1 = keep ours). */
int atomic_file_write_owned(const char *path, const void *data, size_t len, mode_t mode, uid_t uid, gid_t gid);
/* fsyncs the directory that holds path (after a rename or unlink). */
int fsync_parent_dir(const char *path);
/* mkdir -p: the last directory gets mode, the parents it creates 0755. */
int mkdir_p(const char *path, mode_t mode);
