/* A null write at the bottom of a deep call chain (-O0 -g): every frame has CFI and a frame
 * pointer, so every unwinder should agree. Expected crashing stack, innermost first:
 * write_config_value <- apply_setting <- parse_section <- parse_config <- load_plugin <- main */
#include <stddef.h>
#include <stdio.h>

__attribute__((noinline)) static void write_config_value(int *slot, int value) {
  *slot = value; /* CRASH: slot is NULL */
}
__attribute__((noinline)) static void apply_setting(int *slot) { write_config_value(slot, 42); }
__attribute__((noinline)) static void parse_section(int *slot) { apply_setting(slot); }
__attribute__((noinline)) static void parse_config(int *slot) { parse_section(slot); }
__attribute__((noinline)) static void load_plugin(const char *name) {
  int *slot = NULL;
  if (name[0] != '\0') parse_config(slot);
}

int main(int argc, char **argv) {
  (void)argv;
  setvbuf(stdout, NULL, _IONBF, 0);
  load_plugin(argc > 5 ? "never" : "plugin");
  return 0;
}
