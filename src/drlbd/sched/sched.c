/*
 * The scheduler registry (IPVS register_ip_vs_scheduler, as a table).
 * A new scheduler is one file in this directory exporting its
 * struct sched_ops, plus one line below.
 */
#include <stdio.h>
#include <string.h>

#include "../sched.h"

static const struct sched_ops *const sched_table[] = {
	&sched_rr,
	&sched_wlc,
	&sched_lc,
	&sched_sed,
	&sched_nq,
	&sched_wrr,
	&sched_fo,
	&sched_ovf,
	&sched_twos,
	&sched_dh,
	&sched_sh,
	&sched_mh,
	&sched_lblc,
	&sched_lblcr,
};

const char *
sched_names(char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(sched_table) / sizeof(sched_table[0]);
	    i++) {
		int n = snprintf(buf + off, len - off, "%s%s", i ? " " : "",
		    sched_table[i]->name);

		if (n < 0 || (size_t)n >= len - off)
			break;
		off += (size_t)n;
	}
	return buf;
}

const struct sched_ops *
sched_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(sched_table) / sizeof(sched_table[0]); i++)
		if (strncmp(sched_table[i]->name, name,
		    DRLB_SCHED_NAME_MAX) == 0)
			return sched_table[i];
	return NULL;
}
