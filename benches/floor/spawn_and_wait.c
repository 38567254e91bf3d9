/* The physical floor for any wrapper: posix_spawn the command, waitpid for it,
 * pass its status on. No logging, no config, no language runtime.
 * Built by benches/run_overhead.sh with `cc -O2 -static` (no dynamic loader). */
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

extern char **environ;

int main(int argc, char **argv) {
    if (argc < 2) {
        fputs("usage: spawn_and_wait_c <cmd> [args...]\n", stderr);
        return 2;
    }
    pid_t pid;
    int err = posix_spawnp(&pid, argv[1], NULL, NULL, argv + 1, environ);
    if (err != 0) {
        fprintf(stderr, "spawn_and_wait_c: %s\n", strerror(err));
        return 127;
    }
    int status;
    while (waitpid(pid, &status, 0) < 0) {
    }
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    return 128 + WTERMSIG(status);
}
