#pragma once
// What differs between architectures in a Linux ELF core, from one table (core_arch.cpp):
// the name people know the machine by, and the layout of the notes the kernel writes with it.
//
// Names follow `uname -m` and Debian/GNU triplets where those differ only in spelling: "x86_64",
// "x32" (EM_X86_64 in an ELFCLASS32 core), "i386", "aarch64"/"aarch64_be", "arm"/"armeb",
// "ppc", "ppc64", "ppc64le", "s390" (31-bit), "s390x", "mips"/"mipsel", "mipsn32"/"mipsn32el",
// "mips64"/"mips64el", "riscv32"/"riscv64", "sparc", "sparc64", "loongarch64", "alpha", "ia64",
// "m68k", "sh"/"sheb", "parisc"/"parisc64", ...; a machine not in the table is "EM_<n>".
//
// Layout: <linux/elfcore.h> is one struct for every architecture, but its field types are not:
// elf_prpsinfo's pr_uid/pr_gid are __kernel_uid_t, 16 bits on i386, x32, arm, m68k, sh, sparc32
// and s390 (31-bit) and 32 bits everywhere else (ppc32, mips, riscv, parisc, all 64-bit ones);
// unsigned long is 2-byte aligned on m68k; pr_reg slots are 64-bit on x32 and mips n32; sparc64's
// tv_usec is 32 bits in a 64-bit slot; mips swaps si_code and si_errno in siginfo. Sources:
// elfutils backends/*_corenote.c (checked against its tests/backtrace.*.core with eu-readelf -n)
// and the kernel's arch/*/include/uapi/asm/posix_types.h, compat.h and reg.h.
#include <cstdint>
#include <string>

namespace crashsift::symbolize {

struct CoreArch {
  std::string name;            // "x86_64", "x32", "ppc", "s390x", "mips64el", or "EM_<n>"
  unsigned long_size = 8;      // unsigned long (pr_flag, pr_sigpend, timevals, NT_FILE, auxv): the ELF class
  unsigned long_align = 8;     // its alignment: 2 on m68k
  unsigned uid_size = 4;       // elf_prpsinfo pr_uid/pr_gid: 2 where __kernel_uid_t is 16-bit
  unsigned reg_size = 8;       // one pr_reg slot in elf_prstatus
  int pc_slot = -1, sp_slot = -1;  // pr_reg index of the pc and the stack pointer; -1 = not known
  std::uint64_t pc_mask = ~std::uint64_t{0};  // s390 31-bit: the PSW's addressing-mode bit is not address
  std::uint64_t sp_bias = 0;   // added to the sp slot: 2047 on sparc64
  bool usec_32 = false;        // tv_usec is 32 bits at the start of its slot (sparc64)
  bool siginfo_code_first = false;  // si_signo, si_code, si_errno (mips) instead of signo, errno, code
};

// e_flags matters only for mips (EF_MIPS_ABI2 marks an n32 core).
CoreArch core_arch(std::uint16_t machine, bool is64, bool big_endian, std::uint32_t e_flags = 0);

// core_arch(...).name.
std::string machine_name(std::uint16_t machine, bool is64, bool big_endian, std::uint32_t e_flags = 0);

}  // namespace crashsift::symbolize
