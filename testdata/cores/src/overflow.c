/* Stack overflow by unbounded recursion: SIGSEGV with the fault address just below the stack
 * pointer; the crashing thread has far more frames than the frame bound (256). */
#include <stdio.h>
#include <string.h>

__attribute__((noinline)) static int descend(int depth, const char *tag) {
  char pad[512];
  memset(pad, depth & 0x7f, sizeof pad);
  return descend(depth + 1, tag) + pad[depth % 512];
}

int main(int argc, char **argv) {
  (void)argv;
  printf("%d\n", descend(argc, "overflow"));
  return 0;
}
