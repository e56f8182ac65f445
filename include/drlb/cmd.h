/*
 * One ipvsadm command line, parsed (src/common/cmd.c).  Used by drlbadm for
 * its argv and for each line of `-R`, and by drlbd for each line of a
 * --config file (the format `ipvsadm -S -n` writes).
 *
 * Library-like: never prints; errors come back as ipvsadm's own message text.
 */
#ifndef DRLB_CMD_H
#define DRLB_CMD_H

#include <stddef.h>
#include "drlb/ctl-t.h"

enum drlb_cmd_op {
	DRLB_CMD_NONE = 0,
	DRLB_CMD_ADD_SVC,		/* -A */
	DRLB_CMD_EDIT_SVC,		/* -E */
	DRLB_CMD_DEL_SVC,		/* -D */
	DRLB_CMD_FLUSH,			/* -C */
	DRLB_CMD_LIST,			/* -L / -l */
	DRLB_CMD_ADD_DEST,		/* -a */
	DRLB_CMD_EDIT_DEST,		/* -e */
	DRLB_CMD_DEL_DEST,		/* -d */
	DRLB_CMD_ZERO,			/* -Z */
	DRLB_CMD_SET_TIMEOUT,		/* --set */
	DRLB_CMD_RESTORE,		/* -R */
	DRLB_CMD_SAVE,			/* -S */
	DRLB_CMD_VERSION,		/* -v */
	DRLB_CMD_HELP,			/* -h */
};

/* listing options (ipvsadm's OPT_* for -L) */
#define DRLB_OPT_NUMERIC	0x0001	/* -n */
#define DRLB_OPT_STATS		0x0002	/* --stats */
#define DRLB_OPT_RATE		0x0004	/* --rate */
#define DRLB_OPT_THRESHOLDS	0x0008	/* --thresholds */
#define DRLB_OPT_PERSISTENTCONN	0x0010	/* --persistent-conn */
#define DRLB_OPT_EXACT		0x0020	/* --exact */
#define DRLB_OPT_SORT		0x0040	/* --sort */
#define DRLB_OPT_CONNECTION	0x0080	/* -c */
#define DRLB_OPT_TIMEOUT	0x0100	/* --timeout */
#define DRLB_OPT_SERVICE	0x0200	/* a service was named (-t/-u) */

struct drlb_cmd {
	enum drlb_cmd_op op;
	unsigned options;		/* DRLB_OPT_* */
	struct drlb_ctl_req req;	/* what goes to the daemon */
};

/*
 * Parse argv[0..argc-1] (argv[0] is the program name, as for getopt).
 * Returns 0 on success.  On error returns the exit status ipvsadm would use
 * (2 for fail()-style errors, 1 for usage errors) and writes ipvsadm's message
 * into err (without the trailing newline).
 */
int drlb_cmd_parse(int argc, char **argv, struct drlb_cmd *cmd,
    char *err, size_t errlen);

/* The control op for a command that changes state (ADD_SVC -> DRLB_CTL_ADD_SVC
 * ...), or 0 for commands drlbadm handles itself (LIST, SAVE, ...). */
uint16_t drlb_cmd_ctl_op(enum drlb_cmd_op op);

#endif
