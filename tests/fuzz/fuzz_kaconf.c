/*
 * Fuzz target: the keepalived.conf reader (drlbd --keepalived-config):
 * any text is parsed, and what parses is applied to a scratch service table
 * as drlbd does before it touches its live rules.
 */
#include <string.h>

#include "kaconf.h"
#include "svc.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kaconf k;
	struct svc_table st;
	char err[512];

	memset(&k, 0, sizeof(k));
	if (kaconf_parse_buf("fuzz.conf", (const char *)data, size, &k, err,
	    sizeof(err)) == 0) {
		svc_table_init(&st);
		kaconf_to_table(&k, "fuzz.conf", &st, err, sizeof(err));
		svc_table_free(&st);
	}
	kaconf_free(&k);
	return 0;
}
