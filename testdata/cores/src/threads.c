/* N threads (default 16; `threads 128` for the benchmark). All but one wait on a condition;
 * worker number 9 (never the main thread) dereferences NULL in a short call chain.
 * Expected crashing stack: poison_cache <- worker_step <- worker_main <- start_thread <- clone3 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t never = PTHREAD_COND_INITIALIZER;
static int ready;
static int nthreads = 16;

__attribute__((noinline)) static void poison_cache(long *cache) { cache[3] = 7; /* CRASH */ }
__attribute__((noinline)) static void worker_step(long id) {
  long *cache = id == 9 ? NULL : (long *)&id;
  if (id == 9) poison_cache(cache);
}
static void *worker_main(void *arg) {
  long id = (long)arg;
  pthread_mutex_lock(&lock);
  ready++;
  while (ready < nthreads || id != 9) pthread_cond_wait(&never, &lock);
  pthread_mutex_unlock(&lock);
  worker_step(id);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc > 1) nthreads = atoi(argv[1]);
  if (nthreads < 10) nthreads = 10;
  pthread_t *t = calloc((size_t)nthreads, sizeof *t);
  for (long i = 0; i < nthreads; i++) pthread_create(&t[i], NULL, worker_main, (void *)i);
  for (;;) { /* wake worker 9 once everyone is parked */
    pthread_mutex_lock(&lock);
    int r = ready;
    if (r >= nthreads) pthread_cond_broadcast(&never);
    pthread_mutex_unlock(&lock);
    usleep(1000);
  }
}
