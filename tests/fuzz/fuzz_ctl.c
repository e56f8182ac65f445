/*
 * Fuzz target: both ends of the control protocol.
 *  - drlbd's side: any request body, with any op, applied to a service
 *    table (svc_apply checks every field it is handed);
 *  - drlbadm's side: any reply body decoded as GET_SERVICES and GET_CONNS
 *    and formatted in every listing (numeric: no name lookups).
 * Input: a sequence of messages, each byte 0 the op, bytes 1-2 the body's
 * length (big endian), then the body (the last one: what is left, if
 * less).  Each input starts from an empty service table, so what a
 * sequence of requests reaches (editing what an earlier one added) its
 * input alone reproduces, and a committed corpus replays what the run
 * reached.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drlb/cmd.h"
#include "list.h"
#include "svc.h"
#include "fuzz.h"

static FILE *devnull;

/* one message: applied as a request, decoded as replies */
static void
message(struct svc_table *st, uint8_t op, const uint8_t *data, size_t len)
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

	/* drlbd: the request as it comes off the socket */
	memset(&req, 0, sizeof(req));
	memcpy(&req, data, len < sizeof(req) ? len : sizeof(req));
	svc_apply(st, (uint16_t)(op % DRLB_CTL_OP_MAX), &req, err,
	    sizeof(err));

	/* drlbadm: the reply as it comes off the socket (into a malloc'ed,
	 * so aligned, buffer as ctl_recv() gives it; of exactly its length:
	 * ctl_recv's spare NUL is for error texts only) */
	if ((body = malloc(len)) == NULL)
		return;
	memcpy(body, data, len);
	if (list_table_decode(&t, body, len) == 0) {
		list_table_sort(&t);
		list_all(devnull, &info, &t, opts[op % 5]);
		list_save(devnull, &t, DRLB_OPT_NUMERIC);
		list_table_free(&t);
	}
	list_conns(devnull, body, len / sizeof(struct drlb_ctl_conn_entry),
	    DRLB_OPT_NUMERIC);
	free(body);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct svc_table st;

	if (devnull == NULL && (devnull = fopen("/dev/null", "w")) == NULL)
		abort();
	svc_table_init(&st);
	while (size >= 3) {
		size_t len = (size_t)data[1] << 8 | data[2];

		if (len > size - 3)
			len = size - 3;
		message(&st, data[0], data + 3, len);
		data += 3 + len;
		size -= 3 + len;
	}
	svc_table_free(&st);
	return 0;
}
