/*
 * Fuzz target: drlbadm's argument parser (ipvsadm's syntax).  The input is
 * split at NUL bytes into argv[1..].
 */
#include <stdlib.h>
#include <string.h>

#include "drlb/cmd.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy, *argv[34], err[512];
	struct drlb_cmd cmd;
	int argc = 1;
	size_t i, start = 0;

	if (size > 4096 || (copy = malloc(size + 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	argv[0] = (char *)"drlbadm";
	for (i = 0; i <= size && argc < 33; i++)
		if (copy[i] == '\0') {
			argv[argc++] = copy + start;
			start = i + 1;
		}
	argv[argc] = NULL;
	memset(&cmd, 0, sizeof(cmd));
	drlb_cmd_parse(argc, argv, &cmd, err, sizeof(err));
	free(copy);
	return 0;
}
