/* crashlab: a tiny real program that fails in well-defined ways.
 * usage: crashlab exit N | segv | abort | mt-segv | oom [MiB-step]
 *                 | ill | fpe | kill | double-free | stack-smash | hang
 * (testdata/captures copy of shared/real/scripts/crashlab.c with the extra modes below main's else-ifs) */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile int ready;

__attribute__((noinline)) static void write_through(int *p) { *p = 42; }   /* faulting frame */
__attribute__((noinline)) static void parse_config(int *p) { write_through(p); }
__attribute__((noinline)) static void load_plugin(void) { parse_config(NULL); }

__attribute__((noinline)) static void copy_name(const char *src, size_t n) {
    char buf[16];                       /* -fstack-protector-strong: canary after buf */
    memcpy(buf, src, n);                /* n > 16 overwrites the canary */
    printf("name=%.*s\n", 16, buf);
}

static void *idle_worker(void *arg) {
    (void)arg;
    __sync_fetch_and_add(&ready, 1);
    for (;;) pause();
    return NULL;
}
static void *crashing_worker(void *arg) {
    (void)arg;
    while (ready < 3) usleep(1000);
    usleep(50000);
    load_plugin();
    return NULL;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *mode = argc > 1 ? argv[1] : "segv";
    printf("crashlab pid=%d mode=%s\n", getpid(), mode);
    if (!strcmp(mode, "exit")) {
        int code = argc > 2 ? atoi(argv[2]) : 1;
        fprintf(stderr, "fatal: cannot open /etc/crashlab.conf: No such file or directory\n");
        return code;
    } else if (!strcmp(mode, "segv")) {
        load_plugin();
    } else if (!strcmp(mode, "abort")) {
        fprintf(stderr, "crashlab: invariant violated, calling abort()\n");
        abort();
    } else if (!strcmp(mode, "mt-segv")) {
        pthread_t t[4];
        for (int i = 0; i < 3; i++) {
            pthread_create(&t[i], NULL, idle_worker, NULL);
            char name[16]; snprintf(name, sizeof name, "idle-%d", i);
            pthread_setname_np(t[i], name);
        }
        pthread_create(&t[3], NULL, crashing_worker, NULL);
        pthread_setname_np(t[3], "plugin-loader");
        pthread_join(t[3], NULL);
    } else if (!strcmp(mode, "ill")) {
        fprintf(stderr, "crashlab: executing ud2\n");
        __builtin_trap();                   /* ud2 -> SIGILL */
    } else if (!strcmp(mode, "fpe")) {
        volatile int zero = 0;
        int r = 100 / zero;                 /* idiv by 0 -> SIGFPE */
        printf("r=%d\n", r);
    } else if (!strcmp(mode, "kill")) {
        raise(SIGKILL);
    } else if (!strcmp(mode, "double-free")) {
        char *volatile p = malloc(32);
        strcpy(p, "session");
        free(p);
        free(p);                            /* glibc: free(): double free detected in tcache 2 */
    } else if (!strcmp(mode, "stack-smash")) {
        char big[64];
        memset(big, 'A', sizeof big);
        volatile size_t n = sizeof big;
        copy_name(big, n);                  /* *** stack smashing detected ***: terminated */
    } else if (!strcmp(mode, "hang")) {
        for (;;) pause();
    } else if (!strcmp(mode, "oom")) {
        size_t step = (size_t)(argc > 2 ? atoi(argv[2]) : 8) << 20, total = 0;
        for (;;) {
            char *p = malloc(step);
            if (!p) { fprintf(stderr, "malloc failed at %zu MiB\n", total >> 20); return 2; }
            memset(p, 0xA5, step);           /* touch pages so they are charged */
            total += step;
            printf("allocated %zu MiB\n", total >> 20);
            usleep(20000);
        }
    }
    fprintf(stderr, "unknown mode %s\n", mode);
    return 64;
}
