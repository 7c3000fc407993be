/* cmd_rules.c: `dockward rules`: the audit's rule set for one benchmark version, as a table or JSON. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "audit/rules.h"
#include "exitcode.h"
#include "log.h"
#include "report/jsonw.h"
#include "report/table.h"
#include "report/term.h"

static int rules_json(const struct audit_ruleset *rs, FILE *out)
{
	struct jsonw w;
	int r = jsonw_init(&w, true);
	if (r < 0)
		return r;
	jsonw_obj_begin(&w);
	jsonw_kstr(&w, "name", rs->name);
	jsonw_kstr(&w, "benchmark", rs->benchmark);
	jsonw_str(&w, "rules");
	jsonw_arr_begin(&w);
	for (size_t i = 0; i < rs->n_rules; i++) {
		const struct audit_rule *rule = &rs->rules[i];
		jsonw_obj_begin(&w);
		jsonw_kstr(&w, "id", rule->id);
		jsonw_kstr(&w, "title", rule->title);
		jsonw_kstr(&w, "section", rule->section);
		jsonw_kint(&w, "level", rule->level);
		jsonw_kstr(&w, "assessment", rule->automated ? "automated" : "manual");
		jsonw_kstr(&w, "severity", audit_severity_name(rule->severity));
		jsonw_kstr(&w, "scope", audit_scope_name(rule->scope));
		jsonw_kstr(&w, "check", rule->prim ? rule->prim->name : NULL);
		jsonw_str(&w, "params");
		jsonw_obj_begin(&w);
		for (size_t k = 0; k < rule->n_params; k++)
			jsonw_kstr(&w, rule->params[k].name, rule->params[k].value);
		jsonw_obj_end(&w);
		jsonw_kstr(&w, "rationale", rule->rationale);
		jsonw_kstr(&w, "remediation", rule->remediation);
		jsonw_obj_end(&w);
	}
	jsonw_arr_end(&w);
	jsonw_obj_end(&w);
	r = jsonw_write(&w, out);
	jsonw_free(&w);
	return r;
}

static int rules_table(const struct audit_ruleset *rs, FILE *out, bool color)
{
	static const char *const headers[] = { "ID", "LEVEL", "ASSESSMENT", "SEVERITY", "SCOPE", "CHECK", "TITLE" };
	struct table *t = table_new(7, headers);
	if (!t)
		return -1;
	int r = 0;
	for (size_t i = 0; i < rs->n_rules && r == 0; i++) {
		const struct audit_rule *rule = &rs->rules[i];
		const char *cells[7] = { rule->id, rule->level == 1 ? "1" : "2", rule->automated ? "automated" : "manual",
					 audit_severity_name(rule->severity), audit_scope_name(rule->scope),
					 rule->prim ? rule->prim->name : "-", rule->title };
		r = table_add_row(t, cells);
	}
	if (r == 0) {
		fprintf(out, "%s %s: %zu rules\n\n", rs->name, rs->benchmark, rs->n_rules);
		table_print(t, out, color);
	}
	table_free(t);
	return r;
}

int cmd_rules(struct app *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "benchmark", required_argument, NULL, 'b' },
		{ "format", required_argument, NULL, 'f' },
		{ "rules", required_argument, NULL, 'r' },
		{ "no-color", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static const char *const formats[] = { "text", "json" };
	const char *benchmark = a->cfg.audit_benchmark, *dir = a->cfg.audit_rules_dir;
	int fmt = 0, c;
	enum color_mode color = COLOR_AUTO;
	while ((c = getopt_long(argc, argv, "b:f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			benchmark = optarg;
			break;
		case 'f':
			if ((fmt = parse_choice(optarg, formats, 2)) < 0) {
				log_error("rules: --format must be text or json, not \"%s\"", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'r':
			dir = optarg;
			break;
		case 'n':
			color = COLOR_NEVER;
			break;
		case 'h':
			printf("Usage: dockward rules [--benchmark V] [-f text|json] [--rules DIR] [--no-color]\n\n"
			       "Lists the audit's rules for a benchmark version (default: the rule set's first):\n"
			       "id, level, assessment, severity, scope, the check that evaluates it, title.\n"
			       "JSON adds the check's parameters, rationale and remediation.\n");
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		log_error("rules: unexpected argument \"%s\"", argv[optind]);
		return EXIT_USAGE;
	}
	struct audit_ruleset rs;
	char err[1024];
	if (audit_ruleset_load_dir(&rs, dir, benchmark, err, sizeof(err)) < 0) {
		log_error("rules: %s", err);
		return EXIT_USAGE;
	}
	int r = fmt ? rules_json(&rs, stdout) : rules_table(&rs, stdout, term_use_color(stdout, color));
	audit_ruleset_free(&rs);
	if (r < 0) {
		log_error("rules: writing the list failed");
		return EXIT_CANNOT_RUN;
	}
	return EXIT_OK;
}
