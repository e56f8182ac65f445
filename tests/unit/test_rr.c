/*
 * rr against hand-computed IPVS sequences (ip_vs_rr.c): the list is newest
 * first, weight 0 and unusable dests are skipped, a lap never repeats.
 */
#include <string.h>

#include "fixtures.h"
#include "expect.h"

static struct svc_table st;

/* the picks as a string of last address bytes, e.g. "9,8,7," */
static void
picks(int n, char *out)
{
	struct conn_key k;

	memset(&k, 0, sizeof(k));
	*out = '\0';
	for (int i = 0; i < n; i++) {
		struct dest *d = st.head->sched->schedule(st.head, &k);
		out += sprintf(out, "%d,", d ? d->conf.addr.b[3] : 0);
	}
}

int
main(void)
{
	char s[256];

	svc_table_init(&st);
	EXPECT_EQ(fx_svc(&st, DRLB_CTL_ADD_SVC, 80, "rr"), 0, "add rr service");
	fx_dest(&st, DRLB_CTL_ADD_DEST, 80, 7, 1);
	fx_dest(&st, DRLB_CTL_ADD_DEST, 80, 8, 5);
	fx_dest(&st, DRLB_CTL_ADD_DEST, 80, 9, 1);
	for (uint32_t i = 0; i < st.head->ndests; i++)
		fx_resolve(st.head->dests[i], NULL);
	picks(6, s);
	EXPECT(strcmp(s, "9,8,7,9,8,7,") == 0,
	    "rr walks the list newest first, weights ignored");
	fx_dest(&st, DRLB_CTL_EDIT_DEST, 80, 8, 0);
	picks(4, s);
	EXPECT(strcmp(s, "9,7,9,7,") == 0, "rr skips weight 0");
	fx_dest(&st, DRLB_CTL_EDIT_DEST, 80, 8, 1);
	st.head->dests[0]->flags |= DEST_F_NOMAC;	/* .9 */
	picks(3, s);
	EXPECT(strcmp(s, "8,7,8,") == 0, "rr skips a dest that cannot be reached");
	st.head->dests[0]->flags &= ~DEST_F_NOMAC;
	fx_dest(&st, DRLB_CTL_ADD_DEST, 80, 10, 1);	/* at the head */
	for (uint32_t i = 0; i < st.head->ndests; i++)
		fx_resolve(st.head->dests[i], NULL);
	picks(5, s);
	EXPECT(strcmp(s, "7,10,9,8,7,") == 0,
	    "a dest added at the head does not move the cursor");
	fx_dest(&st, DRLB_CTL_DEL_DEST, 80, 7, 0);
	picks(3, s);
	EXPECT(strcmp(s, "10,9,8,") == 0, "removing the last pick restarts the lap");
	fx_dest(&st, DRLB_CTL_EDIT_DEST, 80, 8, 0);
	fx_dest(&st, DRLB_CTL_EDIT_DEST, 80, 9, 0);
	fx_dest(&st, DRLB_CTL_EDIT_DEST, 80, 10, 0);
	picks(1, s);
	EXPECT(strcmp(s, "0,") == 0, "all weights 0: no dest");
	return EXPECT_DONE();
}
