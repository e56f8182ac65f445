/* Becoming a daemon once start-up succeeded; see detach.h. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "detach.h"

static int ready_fd = -1;	/* the child's end of the pipe */

int
detach_begin(void)
{
	int p[2], status;
	pid_t pid;
	char c;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	if ((pid = fork()) < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		close(p[0]);
		ready_fd = p[1];
		return 0;
	}
	close(p[1]);
	/* one byte: it runs; EOF: it died (or exec'd nothing: it cannot) */
	if (read(p[0], &c, 1) == 1)
		_exit(0);
	if (waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	    WEXITSTATUS(status) != 0)
		_exit(WEXITSTATUS(status));
	_exit(1);
}

void
detach_done(void)
{
	int fd;

	if (ready_fd < 0)
		return;
	setsid();
	if (chdir("/") < 0)
		(void)0;		/* cannot happen; nothing depends on it */
	if ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	(void)!write(ready_fd, "", 1);
	close(ready_fd);
	ready_fd = -1;
}
