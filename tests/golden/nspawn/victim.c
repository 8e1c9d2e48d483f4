/* The deaths the nspawn test makes under a real systemd: `victim segv` dereferences NULL,
 * `victim exit N` prints a fatal line and exits N, `victim oom` allocates and touches memory
 * until its memory cgroup's limit has the kernel kill it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "segv";
  if (!strcmp(mode, "exit")) {
    fprintf(stderr, "fatal: cannot open /etc/victim.conf: No such file or directory\n");
    return argc > 2 ? atoi(argv[2]) : 1;
  }
  if (!strcmp(mode, "oom")) {
    printf("allocating\n");
    fflush(stdout);
    for (;;) {
      char *p = malloc(1 << 20);
      if (!p) return 3;
      memset(p, 1, 1 << 20);
    }
  }
  printf("about to crash\n");
  fflush(stdout);
  usleep(200000);
  volatile int *null = NULL;
  return *null;
}
