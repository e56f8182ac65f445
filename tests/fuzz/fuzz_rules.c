/*
 * Fuzz target: the rule parsers as drlbd --config and drlbadm -R use them:
 * lines split into words (drlb_cmd_split), parsed as ipvsadm arguments
 * (drlb_cmd_parse), and every command that changes rules applied to a
 * service table (svc_apply), empty at each input's start: what an input
 * reaches, it reaches alone (a committed corpus replays what the run
 * reached).
 */
#include <stdlib.h>
#include <string.h>

#include "drlb/cmd.h"
#include "svc.h"
#include "conn.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct svc_table st;
	char *text, *line, *save = NULL;

	if ((text = malloc(size + 1)) == NULL)
		return 0;
	svc_table_init(&st);
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
	svc_table_free(&st);
	return 0;
}
