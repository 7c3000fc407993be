/* prim_util.h: helpers the primitives share: walking the containers and images in scope, reading parameters. */
#pragma once
#include <stdbool.h>

#include "audit/compare.h"
#include "audit/primitive.h"

bool container_is_running(const struct docker_container *ct);
/* A container in scope (and running, when running_only). */
bool container_selected(const struct audit_check *c, size_t i, bool running_only);
/* Number of containers in scope (running only, if asked). */
size_t containers_selected(const struct audit_check *c, bool running_only);
/* The first repo tag of an image, else its short id. */
const char *image_display(const struct docker_image *img);
int offender_container(struct audit_outcome *o, const struct docker_container *ct, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int evidence_container(struct audit_outcome *o, const struct docker_container *ct, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A validate() helper: check.NAME must be one of the operators, and value given when it needs one. */
int validate_op_value(const struct audit_param *params, size_t n, char *err, size_t errlen);
const char *param_in(const struct audit_param *params, size_t n, const char *name);
/* Ends the evaluation: fail when offenders were found, else pass; or
 * not-applicable with `none_reason` when nothing was examined. */
void outcome_conclude(struct audit_outcome *o, const char *what, const char *none_reason);
