/* -O2 -fomit-frame-pointer: rbp is a general register here, so only CFI can unwind. Expected
 * crashing stack: checksum_block <- verify_blocks <- main. */
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) long checksum_block(const long *block, long n) {
  long sum = 0;
  for (long i = 0; i < n; i++) sum = sum * 31 + block[i]; /* CRASH: block is NULL */
  return sum;
}
__attribute__((noinline)) long verify_blocks(long **blocks, long count) {
  long total = 0;
  for (long i = 0; i < count; i++) total ^= checksum_block(blocks[i], 64);
  __asm__ volatile("" ::: "memory");
  return total;
}

int main(int argc, char **argv) {
  (void)argv;
  long good[64] = {1};
  long *blocks[3] = {good, argc > 5 ? good : NULL, good};
  printf("%ld\n", verify_blocks(blocks, 3));
  return 0;
}
