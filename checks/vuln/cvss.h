/* cvss.h: CVSS v3.0/v3.1 base scores from vector strings, and the severity names of scores. */
#pragma once

/* Computes the base score of a "CVSS:3.x/AV:../AC:../PR:../UI:../S:../C:../I:../A:.."
 * vector (temporal and environmental metrics may follow and are ignored) as
 * the CVSS v3.1 specification defines it (v3.0 vectors use v3.0's rounding).
 * Returns 0 and the score in *score, or -EINVAL for a malformed vector. */
int cvss3_base_score(const char *vector, double *score);

/* "none" (0.0), "low", "medium", "high" or "critical" for a v3 score. */
const char *cvss3_severity(double score);

/* Maps a vendor severity word (GHSA "MODERATE", Red Hat "Important", Debian
 * "unimportant", ...) to low/medium/high/critical, or "unknown". */
const char *severity_normalize(const char *word);
