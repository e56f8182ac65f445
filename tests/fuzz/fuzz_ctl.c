/*
 * Fuzz target: both ends of the control protocol.
 *  - drlbd's side: any request body, with any op, applied to a service
 *    table (svc_apply checks every field it is handed);
 *  - drlbadm's side: any reply body decoded as GET_SERVICES and GET_CONNS
 *    and formatted in every listing (numeric: no name lookups).
 * Byte 0 picks the op; the rest is the body.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drlb/cmd.h"
#include "list.h"
#include "svc.h"
#include "fuzz.h"

static struct svc_table st;
static FILE *devnull;
static int uses;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct drlb_ctl_req req;
	struct list_table t = { 0 };
	struct drlb_ctl_info info = { .version = 0x010201, .size = 4096 };
	char err[DRLB_CTL_ERRMSG_MAX];
	void *body;
	static const unsigned opts[] = {
		DRLB_OPT_NUMERIC,
		DRLB_OPT_NUMERIC | DRLB_OPT_STATS,
		DRLB_OPT_NUMERIC | DRLB_OPT_RATE | DRLB_OPT_EXACT,
		DRLB_OPT_NUMERIC | DRLB_OPT_THRESHOLDS,
		DRLB_OPT_NUMERIC | DRLB_OPT_PERSISTENTCONN,
	};

	if (devnull == NULL) {
		devnull = fopen("/dev/null", "w");
		svc_table_init(&st);
	}
	if (++uses % 512 == 0) {
		svc_table_free(&st);
		svc_table_init(&st);
	}
	if (size < 1)
		return 0;

	/* drlbd: the request as it comes off the socket */
	memset(&req, 0, sizeof(req));
	memcpy(&req, data + 1, size - 1 < sizeof(req) ? size - 1 : sizeof(req));
	svc_apply(&st, (uint16_t)(data[0] % DRLB_CTL_OP_MAX), &req, err,
	    sizeof(err));

	/* drlbadm: the reply as it comes off the socket (into a malloc'ed,
	 * so aligned, buffer as ctl_recv() gives it; of exactly its length:
	 * ctl_recv's spare NUL is for error texts only) */
	if ((body = malloc(size - 1)) == NULL)
		return 0;
	memcpy(body, data + 1, size - 1);
	if (list_table_decode(&t, body, size - 1) == 0) {
		list_table_sort(&t);
		list_all(devnull, &info, &t, opts[data[0] % 5]);
		list_save(devnull, &t, DRLB_OPT_NUMERIC);
		list_table_free(&t);
	}
	list_conns(devnull, body,
	    (size - 1) / sizeof(struct drlb_ctl_conn_entry), DRLB_OPT_NUMERIC);
	free(body);
	return 0;
}
