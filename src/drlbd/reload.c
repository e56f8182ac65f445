/*
 * --config and SIGHUP: validate the whole file on a scratch table, then
 * bring the live rules to it (rules_converge).  See reload.h.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drlb/cmd.h"
#include "drlbd.h"
#include "health.h"
#include "log.h"
#include "reload.h"
#include "rules.h"
#include "sched.h"

#define LINE_MAX_LEN	1024
#define WORDS_MAX	64

/* Parse every line of file and apply it to scratch; 0 or -1 with err. */
static int
validate(struct drlbd *d, const char *file, struct svc_table *scratch,
    char *err, size_t errlen)
{
	FILE *f = fopen(file, "r");
	char line[LINE_MAX_LEN];
	int lineno = 0, rc = -1;

	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *argv[WORDS_MAX], why[DRLB_CTL_ERRMSG_MAX];
		struct drlb_cmd cmd;
		uint16_t op;
		int argc;

		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			snprintf(err, errlen, "%s:%d: line too long", file, lineno);
			goto out_close;
		}
		if ((argc = drlb_cmd_split(line, "drlbd", argv, WORDS_MAX)) < 0) {
			snprintf(err, errlen, "%s:%d: too many words", file, lineno);
			goto out_close;
		}
		if (argc == 1)
			continue;
		memset(&cmd, 0, sizeof(cmd));
		optind = 0;
		if (drlb_cmd_parse(argc, argv, &cmd, why, sizeof(why)) != 0) {
			/* ipvsadm's "Try `ipvsadm -h'" is no help in a file */
			if (strncmp(why, "Try ", 4) == 0)
				snprintf(err, errlen, "%s:%d: '%s' is not a rule: "
				    "each line is one ipvsadm command that "
				    "changes rules (-A, -E, -D, -a, -e, -d, -C or "
				    "--set with its options, as ipvsadm -S -n "
				    "writes them)", file, lineno, argv[1]);
			else
				snprintf(err, errlen, "%s:%d: %s", file, lineno,
				    why);
			goto out_close;
		}
		if ((op = drlb_cmd_ctl_op(cmd.op)) == 0) {
			snprintf(err, errlen, "%s:%d: not a rule (only commands "
			    "that change rules, like -A and -a)", file, lineno);
			goto out_close;
		}
		if ((op == DRLB_CTL_ADD_SVC || op == DRLB_CTL_EDIT_SVC) &&
		    rules_vip_check(d, cmd.req.svc.af, &cmd.req.svc.addr, why,
		    sizeof(why)) != 0) {
			snprintf(err, errlen, "%s:%d: %s", file, lineno, why);
			goto out_close;
		}
		if (svc_apply(scratch, op, &cmd.req, why, sizeof(why)) != 0) {
			char names[256];

			if ((op == DRLB_CTL_ADD_SVC || op == DRLB_CTL_EDIT_SVC) &&
			    sched_find(cmd.req.svc.sched_name) == NULL)
				snprintf(err, errlen, "%s:%d: unknown scheduler "
				    "'%.*s' (drlbd has: %s)", file, lineno,
				    DRLB_SCHED_NAME_MAX, cmd.req.svc.sched_name,
				    sched_names(names, sizeof(names)));
			else
				snprintf(err, errlen, "%s:%d: %s", file, lineno,
				    why[0] ? why : "invalid rule");
			goto out_close;
		}
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error", file);
		goto out_close;
	}
	rc = 0;
out_close:
	fclose(f);
	optind = 0;
	return rc;
}

int
reload_config(struct drlbd *d, const char *file, struct rules_diff *diff,
    char *err, size_t errlen)
{
	struct svc_table scratch;
	int rc;

	memset(diff, 0, sizeof(*diff));
	svc_table_init(&scratch);	/* no callbacks: no ARP, no filter */
	if ((rc = validate(d, file, &scratch, err, errlen)) == 0)
		rules_converge(d, &scratch, RULES_TIMEOUTS, diff);
	svc_table_free(&scratch);
	return rc;
}

void
reload_sighup(struct drlbd *d)
{
	struct rules_diff st;
	char err[DRLB_CTL_ERRMSG_MAX + 256];

	if (d->o.keepalived_config != NULL) {
		if (health_load(d, d->o.keepalived_config, err,
		    sizeof(err)) != 0) {
			log_warnx("reload: %s; rules and checks unchanged", err);
			return;
		}
		log_info("reloaded %s: %u services", d->o.keepalived_config,
		    d->svcs.count);
		return;
	}
	if (d->o.config == NULL) {
		log_warnx("SIGHUP: no --config to reload");
		return;
	}
	if (reload_config(d, d->o.config, &st, err, sizeof(err)) != 0) {
		log_warnx("reload: %s; rules unchanged", err);
		return;
	}
	log_info("reloaded %s: services +%u -%u ~%u, real servers +%u -%u ~%u%s%s",
	    d->o.config, st.svc_added, st.svc_deleted, st.svc_edited,
	    st.dest_added, st.dest_deleted, st.dest_edited,
	    st.timeouts_set ? ", timeouts set" : "",
	    st.failed ? " (some edits failed, see above)" : "");
}
