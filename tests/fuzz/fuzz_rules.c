/*
 * Fuzz target: the rule parsers as drlbd --config and drlbadm -R use them:
 * lines split into words (drlb_cmd_split), parsed as ipvsadm arguments
 * (drlb_cmd_parse), and every command that changes rules applied to one
 * service table (svc_apply), which is rebuilt now and then.
 */
#include <stdlib.h>
#include <string.h>

#include "drlb/cmd.h"
#include "svc.h"
#include "conn.h"
#include "fuzz.h"

static struct svc_table st;
static int ready, uses;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text, *line, *save = NULL;

	if (!ready || ++uses % 256 == 0) {
		if (ready)
			svc_table_free(&st);
		svc_table_init(&st);
		ready = 1;
	}
	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char *argv[64], err[512];
		struct drlb_cmd cmd;
		uint16_t op;
		int argc = drlb_cmd_split(line, "drlbd", argv, 63);

		if (argc <= 1)
			continue;
		argv[argc] = NULL;
		memset(&cmd, 0, sizeof(cmd));
		if (drlb_cmd_parse(argc, argv, &cmd, err, sizeof(err)) != 0)
			continue;
		if ((op = drlb_cmd_ctl_op(cmd.op)) != 0)
			svc_apply(&st, op, &cmd.req, err, sizeof(err));
	}
	free(text);
	return 0;
}
