/* abort() through a failed assert(): the top frames are libc's (__pthread_kill_implementation,
 * raise, abort, __assert_fail_base, __assert_fail); the signature must skip them and start at
 * check_invariant. */
#include <assert.h>
#include <stdio.h>

__attribute__((noinline)) static void check_invariant(int count) { assert(count == 0 && "queue must drain"); }
__attribute__((noinline)) static void drain_queue(int count) { check_invariant(count); }

int main(int argc, char **argv) {
  (void)argv;
  drain_queue(argc + 2);
  return 0;
}
