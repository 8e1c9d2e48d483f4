// The architecture table behind core_arch(): names and note layouts of Linux cores. The sources
// of each column are listed in core_arch.hpp; rows for machines the kernel no longer supports
// (ia64 since 6.7) are kept because old cores outlive their kernels.
#include "crashsift/symbolize/core_arch.hpp"

#include <array>

namespace crashsift::symbolize {
namespace {

enum Quirk : std::uint8_t {
  none = 0,
  usec_32 = 1,            // sparc64: tv_usec (suseconds_t) is an int followed by padding
  siginfo_code_first = 2, // mips: __ARCH_HAS_SWAPPED_SIGINFO
  align_2 = 4,            // m68k: long and int are 2-byte aligned
  psw_31 = 8,             // s390 31-bit: bit 31 of the PSW address is the addressing mode
  n32 = 16,               // mips: the row for cores with EF_MIPS_ABI2 in e_flags
  stack_bias = 32,        // sparc64: %o6 is the stack pointer minus 2047 (the V9 ABI's bias)
};

struct Row {
  std::uint16_t machine;
  std::uint8_t bits;         // ELF class of the core: 32 or 64
  const char* little;        // name when ELFDATA2LSB
  const char* big;           // name when ELFDATA2MSB
  std::uint8_t uid;          // bytes of pr_uid in elf_prpsinfo
  std::uint8_t reg;          // bytes of one pr_reg slot
  std::int8_t pc, sp;        // pr_reg slots, -1 = not known
  std::uint8_t quirks;
};

// e_machine values from <elf.h>. pc/sp slots: elfutils backends/*_corenote.c prstatus_regs and
// the kernel's elf_gregset_t dumpers (x86 user_regs_struct, mips/loongarch reg.h).
constexpr std::array<Row, 33> rows = {{
    // machine             bits little          big            uid reg  pc  sp  quirks
    {3 /* EM_386 */,        32, "i386",        "i386",         2,  4, 12, 15, none},  // eip, uesp
    {62 /* EM_X86_64 */,    64, "x86_64",      "x86_64",       4,  8, 16, 19, none},  // rip, rsp
    {62 /* x32 */,          32, "x32",         "x32",          2,  8, 16, 19, none},
    {183 /* EM_AARCH64 */,  64, "aarch64",     "aarch64_be",   4,  8, 32, 31, none},
    {40 /* EM_ARM */,       32, "arm",         "armeb",        2,  4, 15, 13, none},
    {20 /* EM_PPC */,       32, "ppcle",       "ppc",          4,  4, 32,  1, none},  // nip, r1
    {21 /* EM_PPC64 */,     64, "ppc64le",     "ppc64",        4,  8, 32,  1, none},
    {22 /* EM_S390 */,      32, "s390",        "s390",         2,  4,  1, 17, psw_31},  // psw addr, r15
    {22 /* EM_S390 */,      64, "s390x",       "s390x",        4,  8,  1, 17, none},
    {2 /* EM_SPARC */,      32, "sparc",       "sparc",        2,  4, 33, 14, none},  // pc, %o6
    {18 /* EM_SPARC32PLUS */, 32, "sparc",     "sparc",        2,  4, 33, 14, none},
    {43 /* EM_SPARCV9 */,   64, "sparc64",     "sparc64",      4,  8, 33, 14, usec_32 | stack_bias},
    {8 /* EM_MIPS o32 */,   32, "mipsel",      "mips",         4,  4, 40, 35, siginfo_code_first},  // epc, r29
    {8 /* EM_MIPS n32 */,   32, "mipsn32el",   "mipsn32",      4,  8, 34, 29, siginfo_code_first | n32},
    {8 /* EM_MIPS n64 */,   64, "mips64el",    "mips64",       4,  8, 34, 29, siginfo_code_first},
    {243 /* EM_RISCV */,    32, "riscv32",     "riscv32",      4,  4,  0,  2, none},  // pc, x2
    {243 /* EM_RISCV */,    64, "riscv64",     "riscv64",      4,  8,  0,  2, none},
    {258 /* EM_LOONGARCH */, 64, "loongarch64", "loongarch64", 4,  8, 33,  3, none},  // csr_era, r3
    {258 /* EM_LOONGARCH */, 32, "loongarch32", "loongarch32", 4,  4, -1, -1, none},
    {0x9026 /* EM_ALPHA */, 64, "alpha",       "alpha",        4,  8, 32, 30, none},
    {50 /* EM_IA_64 */,     64, "ia64",        "ia64",         4,  8, -1, -1, none},
    {4 /* EM_68K */,        32, "m68k",        "m68k",         2,  4, 18, 15, align_2},  // pc, a7
    {42 /* EM_SH */,        32, "sh",          "sheb",         2,  4, 16, 15, none},
    {15 /* EM_PARISC */,    32, "parisc",      "parisc",       4,  4, -1, -1, none},
    {15 /* EM_PARISC */,    64, "parisc64",    "parisc64",     4,  8, -1, -1, none},
    {252 /* EM_CSKY */,     32, "csky",        "csky",         4,  4, -1, -1, none},
    {93 /* EM_ARC_COMPACT */, 32, "arc",       "arceb",        4,  4, -1, -1, none},
    {195 /* EM_ARCV2 */,    32, "arc",         "arceb",        4,  4, -1, -1, none},
    {92 /* EM_OPENRISC */,  32, "openrisc",    "openrisc",     4,  4, -1, -1, none},
    {94 /* EM_XTENSA */,    32, "xtensa",      "xtensa",       4,  4, -1, -1, none},
    {113 /* EM_ALTERA_NIOS2 */, 32, "nios2",   "nios2",        4,  4, -1, -1, none},
    {164 /* EM_QDSP6 */,    32, "hexagon",     "hexagon",      4,  4, -1, -1, none},
    {189 /* EM_MICROBLAZE */, 32, "microblazeel", "microblaze", 4, 4, -1, -1, none},
}};

constexpr std::uint32_t ef_mips_abi2 = 0x20;

const Row* find_row(std::uint16_t machine, bool is64, std::uint32_t e_flags) {
  const std::uint8_t bits = is64 ? 64 : 32;
  const bool want_n32 = machine == 8 && !is64 && (e_flags & ef_mips_abi2) != 0;
  for (const Row& r : rows)
    if (r.machine == machine && r.bits == bits && ((r.quirks & n32) != 0) == want_n32) return &r;
  return nullptr;
}

}  // namespace

CoreArch core_arch(std::uint16_t machine, bool is64, bool big_endian, std::uint32_t e_flags) {
  CoreArch a;
  a.long_size = a.long_align = a.reg_size = is64 ? 8 : 4;
  a.uid_size = 4;  // unknown machine: asm-generic's __kernel_uid_t, which every newer port uses
  const Row* r = find_row(machine, is64, e_flags);
  if (!r) {
    a.name = "EM_" + std::to_string(machine);
    return a;
  }
  a.name = big_endian ? r->big : r->little;
  a.uid_size = r->uid;
  a.reg_size = r->reg;
  a.pc_slot = r->pc, a.sp_slot = r->sp;
  if (r->quirks & align_2) a.long_align = 2;
  if (r->quirks & psw_31) a.pc_mask = 0x7fffffff;
  if (r->quirks & stack_bias) a.sp_bias = 2047;
  a.usec_32 = (r->quirks & usec_32) != 0;
  a.siginfo_code_first = (r->quirks & siginfo_code_first) != 0;
  return a;
}

std::string machine_name(std::uint16_t machine, bool is64, bool big_endian, std::uint32_t e_flags) {
  return core_arch(machine, is64, big_endian, e_flags).name;
}

}  // namespace crashsift::symbolize
