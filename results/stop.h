/* results/stop.h - stop requests: SIGINT, SIGTERM and SIGHUP all ask a long command
 * to stop the same way, and what a second signal must still clean up.
 *
 * The first signal sets ss_interrupted (to its number); engines poll it, finish
 * the execution in hand, and the command saves what it found, writes its --json
 * with "interrupted": true and exits with the status the run earned (0 or 1).
 * The same signal again within SS_STOP_DUP_S is the duplicate that timeout(1)
 * sends (to the child, then to its process group) and is ignored.  Any other
 * signal after that is a second request: the handler kills the registered worker
 * process groups, removes the registered temporary files and directories, and
 * exits 128 + signal at once (130 for SIGINT, 143 for SIGTERM).
 *
 * Registered paths and process groups are also cleaned up at exit() (usage and
 * internal errors exit from deep inside the commands).
 */
#ifndef SS_RES_STOP_H
#define SS_RES_STOP_H

#include <sys/types.h>

#define SS_STOP_DUP_S 0.5

/* 0, or the number of the first stop signal received. */
extern volatile int ss_interrupted;

/* Installs the stop handler for SIGINT, SIGTERM and SIGHUP (and the exit-time
 * cleanup).  Called by each long command before its work starts. */
void ss_install_sigint(void);

/* A temporary file or directory (removed recursively) that must not outlive the
 * process.  Returns a slot for ss_stop_untrack, or -1 when the table is full. */
int ss_stop_track_path(const char *path, int is_dir);
void ss_stop_untrack(int slot);
/* A worker process group (its leader's pid) to kill with SIGKILL on a hard stop. */
void ss_stop_track_pgid(pid_t pgid);
void ss_stop_untrack_pgid(pid_t pgid);

/* Removes every registered path and kills every registered group now. */
void ss_stop_cleanup(void);

#endif /* SS_RES_STOP_H */
