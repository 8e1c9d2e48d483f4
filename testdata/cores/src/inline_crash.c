/* A null write inside a function that the compiler inlines (-O2 -g): the crashing pc belongs to
 * store_flag (inlined) inside update_state (a real frame). Symbolizers must show store_flag as
 * its own (inlined) line before update_state. */
#include <stdio.h>

static inline __attribute__((always_inline)) void store_flag(volatile int *flag, int v) {
  *flag = v; /* CRASH: flag is NULL */
}
__attribute__((noinline)) void update_state(volatile int *flag, int v) {
  store_flag(flag, v + 1);
  __asm__ volatile("" ::: "memory"); /* keep the call from becoming a tail call */
}

int main(int argc, char **argv) {
  (void)argv;
  volatile int *flag = argc > 5 ? (volatile int *)&argc : NULL;
  update_state(flag, argc);
  printf("unreachable\n");
  return 0;
}
