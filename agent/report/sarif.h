/* sarif.h: the SARIF 2.1.0 envelope shared by the audit and scan reports (one run, dockward as the tool). */
#pragma once
#include "report/jsonw.h"

/* Opens the document, its one run and the tool's driver, and leaves the
 * driver's "rules" array open for the caller's rule objects. */
void sarif_open_rules(struct jsonw *w);
/* Closes the rules array and the tool, and opens the run's "results" array. */
void sarif_open_results(struct jsonw *w);
/* After the caller closed results (and added any other run members): closes the run and the document. */
void sarif_close(struct jsonw *w);
