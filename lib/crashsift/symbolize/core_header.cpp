// The crash header: facts from the core's notes, before any unwinding.
#include <cxxabi.h>

#include <cstdlib>
#include <memory>

#include "crashsift/symbolize/core_reader.hpp"

namespace crashsift::symbolize {
namespace {

constexpr std::uint64_t near_stack = 64 * 1024;

// This build's own architecture, named as core_arch() names a core's ("" = unknown: no warning).
std::string host_arch() {
#if defined(__x86_64__) && defined(__ILP32__)
  return "x32";
#elif defined(__x86_64__)
  return "x86_64";
#elif defined(__i386__)
  return "i386";
#elif defined(__aarch64__) && defined(__AARCH64EB__)
  return "aarch64_be";
#elif defined(__aarch64__)
  return "aarch64";
#elif defined(__arm__) && defined(__ARMEB__)
  return "armeb";
#elif defined(__arm__)
  return "arm";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  return "ppc64le";
#elif defined(__powerpc64__)
  return "ppc64";
#elif defined(__powerpc__)
  return "ppc";
#elif defined(__s390x__)
  return "s390x";
#elif defined(__s390__)
  return "s390";
#elif defined(__riscv) && __riscv_xlen == 64
  return "riscv64";
#elif defined(__loongarch64)
  return "loongarch64";
#else
  return "";
#endif
}

bool non_canonical(const std::string& arch, std::uint64_t addr) {
  if (arch != "x86_64") return false;
  const std::uint64_t top = addr >> 47;  // 48-bit virtual addresses: bits 47..63 all equal
  return top != 0 && top != 0x1ffff;
}

const FileMapping* mapping_of(const CoreNotes& n, std::uint64_t addr) {
  for (const auto& m : n.files)
    if (addr >= m.start && addr < m.end) return &m;
  return nullptr;
}

bool in_core_segment(const CoreNotes& n, std::uint64_t addr) {
  for (const auto& s : n.loads)
    if (addr >= s.vaddr && addr - s.vaddr < s.memsz) return true;
  return false;
}

// Why this address faulted, in words, from the cheapest evidence first.
std::string fault_hint(const CoreNotes& n, std::uint64_t addr, int code) {
  if (addr < 4096) return "null page (NULL pointer dereference)";
  if (addr < 65536) return "low page (NULL pointer plus an offset)";
  if (non_canonical(n.arch, addr)) return "non-canonical address (corrupted pointer)";
  if (!n.threads.empty() && n.threads.front().sp) {
    const std::uint64_t sp = *n.threads.front().sp;
    const std::uint64_t d = addr > sp ? addr - sp : sp - addr;
    if (d <= near_stack) return "near the stack pointer (stack overflow?)";
  }
  if (const FileMapping* m = mapping_of(n, addr))
    return std::string(code == 2 ? "permission fault inside " : "inside ") + m->path;
  if (in_core_segment(n, addr)) return code == 2 ? "permission fault on a mapped page" : "mapped memory";
  return "unmapped address";
}

void fill_signal(const CoreNotes& n, Crash& c) {
  if (n.siginfo && n.siginfo->signo > 0) {
    const SigInfo& s = *n.siginfo;
    c.signal = s.signo;
    c.si_code = s.code;
    c.si_code_name = si_code_name(s.signo, s.code);
    c.sender_pid = s.sender_pid;
    if (s.addr) {
      c.fault_address = s.addr;
      c.fault_hint = fault_hint(n, *s.addr, s.code);
    }
  } else if (!n.threads.empty() && n.threads.front().cursig > 0) {
    c.signal = n.threads.front().cursig;  // pre-3.7 kernels have no NT_SIGINFO
  }
  if (c.signal) c.signal_name = signal_name(*c.signal);
}

}  // namespace

void fill_header(const CoreNotes& n, CoreReport& r) {
  Crash& c = r.crash;
  c.arch = n.arch;
  fill_signal(n, c);
  if (!n.threads.empty()) c.crashing_tid = n.threads.front().tid;
  if (n.psinfo) {
    c.pid = n.psinfo->pid;
    c.uid = n.psinfo->uid;
    c.comm = n.psinfo->fname;
    c.cmdline = n.psinfo->psargs;
  } else if (!n.threads.empty()) {
    c.pid = n.threads.front().tid;
  }
  c.exe = core_executable(n);
  if (!host_arch().empty() && n.arch != host_arch())
    r.warnings.push_back({"foreign-arch", "the core was made on " + n.arch + ", this machine is " + host_arch() +
                                              ": its libraries here will not match (use --sysroot with the other machine's files)"});
  r.limits.threads_total = static_cast<std::uint32_t>(n.threads.size());
  for (const auto& p : n.problems) r.warnings.push_back({"core-notes", p});
}

std::string demangle(const std::string& name) {
  if (name.size() < 2 || name[0] != '_' || name[1] != 'Z') return name;
  int status = -1;
  std::unique_ptr<char, void (*)(void*)> out(abi::__cxa_demangle(name.c_str(), nullptr, nullptr, &status),
                                              std::free);
  return status == 0 && out ? std::string(out.get()) : name;
}

}  // namespace crashsift::symbolize
