/* sarif.c: the SARIF 2.1.0 envelope shared by the audit and scan reports (one run, dockward as the tool). */
#include "report/sarif.h"

void sarif_open_rules(struct jsonw *w)
{
	jsonw_obj_begin(w);
	jsonw_kstr(w, "$schema", "https://json.schemastore.org/sarif-2.1.0.json");
	jsonw_kstr(w, "version", "2.1.0");
	jsonw_str(w, "runs");
	jsonw_arr_begin(w);
	jsonw_obj_begin(w);
	jsonw_str(w, "tool");
	jsonw_obj_begin(w);
	jsonw_str(w, "driver");
	jsonw_obj_begin(w);
	jsonw_kstr(w, "name", "dockward");
	jsonw_kstr(w, "version", DOCKWARD_VERSION);
	jsonw_str(w, "rules");
	jsonw_arr_begin(w);
}

void sarif_open_results(struct jsonw *w)
{
	jsonw_arr_end(w);       /* rules */
	jsonw_obj_end(w);       /* driver */
	jsonw_obj_end(w);       /* tool */
	jsonw_str(w, "results");
	jsonw_arr_begin(w);
}

void sarif_close(struct jsonw *w)
{
	jsonw_obj_end(w);       /* the run */
	jsonw_arr_end(w);       /* runs */
	jsonw_obj_end(w);
}
