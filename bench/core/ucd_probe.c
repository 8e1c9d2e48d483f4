/* Measures libunwind-coredump (libunwind 1.6.2) on a core, for the back-end choice recorded in
 * lib/crashsift/symbolize/README.md. Prints, per thread, how many frames libunwind finds and
 * their names, without and with the backing files named in the core's NT_FILE note
 * (_UCD_add_backing_file_at_vaddr, one call per mapping at file offset 0).
 *   cc -O2 -o ucd_probe ucd_probe.c -lunwind-coredump -lunwind-generic -lunwind -lelf
 *   ucd_probe CORE [--backing] [-q]                                                        */
#include <fcntl.h>
#include <gelf.h>
#include <libunwind-coredump.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int add_backing_files(struct UCD_info *ui, const char *core) {
  int fd = open(core, O_RDONLY), added = 0, refused = 0;
  elf_version(EV_CURRENT);
  Elf *e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
  size_t n = 0;
  elf_getphdrnum(e, &n);
  for (size_t i = 0; i < n; i++) {
    GElf_Phdr ph;
    if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_NOTE) continue;
    Elf_Data *d = elf_getdata_rawchunk(e, ph.p_offset, ph.p_filesz, ELF_T_NHDR);
    size_t off = 0, name_off, desc_off;
    GElf_Nhdr nh;
    while (d && (off = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0) {
      if (nh.n_type != 0x46494c45) continue;
      const unsigned long *w = (const unsigned long *)((char *)d->d_buf + desc_off);
      unsigned long count = w[0];
      const char *names = (const char *)(w + 2 + 3 * count);
      for (unsigned long k = 0; k < count; k++) {
        if (w[2 + 3 * k + 2] == 0) {
          if (_UCD_add_backing_file_at_vaddr(ui, w[2 + 3 * k], names) == 0) added++;
          else refused++;
        }
        names += strlen(names) + 1;
      }
    }
  }
  elf_end(e);
  close(fd);
  fprintf(stderr, "backing files: %d added, %d refused\n", added, refused);
  return added;
}

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  int backing = 0, quiet = 0;
  for (int i = 2; i < argc; i++) backing |= !strcmp(argv[i], "--backing"), quiet |= !strcmp(argv[i], "-q");
  struct UCD_info *ui = _UCD_create(argv[1]);
  if (!ui) { fprintf(stderr, "_UCD_create failed\n"); return 1; }
  if (backing) add_backing_files(ui, argv[1]);
  unw_addr_space_t as = unw_create_addr_space(&_UCD_accessors, 0);
  int threads = _UCD_get_num_threads(ui), total = 0;
  for (int t = 0; t < threads; t++) {
    _UCD_select_thread(ui, t);
    unw_cursor_t c;
    int frames = 0;
    if (unw_init_remote(&c, as, ui) < 0) { printf("thread %d: unw_init_remote failed\n", t); continue; }
    do {
      unw_word_t ip = 0, off = 0;
      char name[256] = "??";
      unw_get_reg(&c, UNW_REG_IP, &ip);
      if (unw_get_proc_name(&c, name, sizeof name, &off) < 0) strcpy(name, "??");
      if (!quiet) printf("  #%d 0x%lx %s\n", frames, (unsigned long)ip, name);
      frames++;
    } while (frames < 256 && unw_step(&c) > 0);
    total += frames;
    printf("thread %d: %d frames\n", t, frames);
  }
  printf("total: %d frames in %d threads\n", total, threads);
  _UCD_destroy(ui);
  return 0;
}
