#include "crashsift/symbolize/core_notes.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

namespace crashsift::symbolize {

size_t MemoryCoreBytes::read_at(std::uint64_t off, void* buf, size_t n) {
  if (off >= bytes_.size()) return 0;
  const size_t k = std::min<std::uint64_t>(n, bytes_.size() - off);
  std::memcpy(buf, bytes_.data() + off, k);
  return k;
}

FdCoreBytes::FdCoreBytes(int fd) : fd_(fd) {
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) size_ = static_cast<std::uint64_t>(st.st_size);
}

size_t FdCoreBytes::read_at(std::uint64_t off, void* buf, size_t n) {
  size_t done = 0;
  while (done < n) {
    const ssize_t r = ::pread(fd_, static_cast<char*>(buf) + done, n - done,
                              static_cast<off_t>(off + done));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    done += static_cast<size_t>(r);
  }
  return done;
}

namespace {

// Fixed-endian field access inside a byte buffer; out-of-range reads yield 0 and set `bad`,
// so a parser can read a whole struct and check once.
class Fields {
 public:
  Fields(std::string_view b, bool big_endian) : b_(b), be_(big_endian) {}
  std::uint64_t u(size_t off, size_t width) {
    if (off > b_.size() || width > b_.size() - off) {
      bad = true;
      return 0;
    }
    std::uint64_t v = 0;
    for (size_t i = 0; i < width; ++i) {
      const auto byte = static_cast<std::uint8_t>(b_[off + (be_ ? i : width - 1 - i)]);
      v = (v << 8) | byte;
    }
    return v;
  }
  std::int64_t s32(size_t off) { return static_cast<std::int32_t>(u(off, 4)); }
  // Up to max bytes at off, fewer at the end of the buffer.
  std::string bytes(size_t off, size_t max) const {
    if (off >= b_.size()) return {};
    return std::string(b_.substr(off, std::min(max, b_.size() - off)));
  }
  std::string cstr(size_t off, size_t max) {
    if (off >= b_.size()) return {};
    const size_t n = std::min(max, b_.size() - off);
    const std::string_view s = b_.substr(off, n);
    return std::string(s.substr(0, s.find('\0')));
  }
  size_t size() const { return b_.size(); }
  bool bad = false;

 private:
  std::string_view b_;
  bool be_;
};

// Reads exactly n bytes at off, or fails (never allocates more than n, which callers cap).
bool read_exact(CoreBytes& bytes, std::uint64_t off, size_t n, std::string& out) {
  out.resize(n);
  return bytes.read_at(off, out.data(), n) == n;
}

struct ElfHeader {
  bool is64 = true, be = false;
  std::uint16_t type = 0, machine = 0;
  std::uint32_t flags = 0;
  std::uint64_t phoff = 0, shoff = 0;
  std::uint32_t phentsize = 0, phnum = 0;
};

Result<ElfHeader> read_elf_header(CoreBytes& bytes) {
  std::string h(64, '\0');
  h.resize(bytes.read_at(0, h.data(), h.size()));
  if (h.size() < 4 || h.compare(0, 4, "\x7f" "ELF") != 0)
    return make_error("not an ELF file (no \\x7fELF magic)");
  if (h.size() < 52) return make_error("truncated ELF header (" + std::to_string(h.size()) + " bytes)");
  ElfHeader e;
  if (h[4] != 1 && h[4] != 2) return make_error("unknown ELF class " + std::to_string(int(h[4])));
  if (h[5] != 1 && h[5] != 2) return make_error("unknown ELF byte order " + std::to_string(int(h[5])));
  e.is64 = h[4] == 2;
  e.be = h[5] == 2;
  Fields f(h, e.be);
  e.type = static_cast<std::uint16_t>(f.u(16, 2));
  e.machine = static_cast<std::uint16_t>(f.u(18, 2));
  if (e.is64) {
    e.phoff = f.u(32, 8), e.shoff = f.u(40, 8), e.flags = static_cast<std::uint32_t>(f.u(48, 4));
    e.phentsize = static_cast<std::uint32_t>(f.u(54, 2)), e.phnum = static_cast<std::uint32_t>(f.u(56, 2));
  } else {
    e.phoff = f.u(28, 4), e.shoff = f.u(32, 4), e.flags = static_cast<std::uint32_t>(f.u(36, 4));
    e.phentsize = static_cast<std::uint32_t>(f.u(42, 2)), e.phnum = static_cast<std::uint32_t>(f.u(44, 2));
  }
  if (f.bad) return make_error("truncated ELF header");
  return e;
}

// e_phnum == PN_XNUM (0xffff) means the real count is in section header 0's sh_info.
std::uint32_t real_phnum(CoreBytes& bytes, const ElfHeader& e) {
  if (e.phnum != 0xffff || e.shoff == 0) return e.phnum;
  std::string sh;
  const size_t n = e.is64 ? 64 : 40;
  if (!read_exact(bytes, e.shoff, n, sh)) return e.phnum;
  Fields f(sh, e.be);
  return static_cast<std::uint32_t>(f.u(e.is64 ? 44 : 28, 4));
}

struct Phdr {
  std::uint32_t type = 0;
  std::uint64_t offset = 0, vaddr = 0, filesz = 0, memsz = 0;
};

std::vector<Phdr> read_phdrs(CoreBytes& bytes, const ElfHeader& e, std::uint32_t count,
                             std::vector<std::string>& problems) {
  const size_t want = e.is64 ? 56 : 32;
  std::vector<Phdr> out;
  if (e.phentsize < want) {
    problems.push_back("program header entry size " + std::to_string(e.phentsize) + " is too small");
    return out;
  }
  std::string buf;
  for (std::uint32_t i = 0; i < count; ++i) {
    const std::uint64_t off = e.phoff + std::uint64_t{i} * e.phentsize;
    if (off < e.phoff || !read_exact(bytes, off, want, buf)) {
      problems.push_back("program headers truncated after " + std::to_string(i) + " of " +
                         std::to_string(count));
      break;
    }
    Fields f(buf, e.be);
    Phdr p;
    p.type = static_cast<std::uint32_t>(f.u(0, 4));
    if (e.is64) {
      p.offset = f.u(8, 8), p.vaddr = f.u(16, 8), p.filesz = f.u(32, 8), p.memsz = f.u(40, 8);
    } else {
      p.offset = f.u(4, 4), p.vaddr = f.u(8, 4), p.filesz = f.u(16, 4), p.memsz = f.u(20, 4);
    }
    out.push_back(p);
  }
  return out;
}

std::string join_psargs(std::string s) {
  while (!s.empty() && (s.back() == '\0' || s.back() == ' ')) s.pop_back();
  std::replace(s.begin(), s.end(), '\0', ' ');
  return s;
}

constexpr size_t align_up(size_t off, size_t a) { return (off + a - 1) / a * a; }

// elf_prstatus: elf_siginfo (3 ints), pr_cursig (short), pr_sigpend, pr_sighold (long each),
// pid, ppid, pgrp, sid (int each), four timevals (2 longs each), pr_reg, pr_fpvalid. The
// types' sizes and alignments come from the architecture table (core_arch.cpp).
void parse_prstatus(Fields& f, const CoreArch& a, CoreNotes& n) {
  ThreadStatus t;
  t.cursig = static_cast<int>(f.u(12, 2));
  const size_t w = a.long_size;
  const size_t pid_off = align_up(14, a.long_align) + 2 * w;
  t.tid = f.s32(pid_off);
  const size_t time_off = pid_off + 16;  // pid, ppid, pgrp, sid
  const size_t usec_w = a.usec_32 ? 4 : w;
  auto seconds = [&](size_t off) {
    return static_cast<double>(f.u(off, w)) + static_cast<double>(f.u(off + w, usec_w)) / 1e6;
  };
  t.utime_sec = seconds(time_off);
  t.stime_sec = seconds(time_off + 2 * w);
  const size_t reg_off = align_up(time_off + 8 * w, a.reg_size > w ? a.reg_size : a.long_align);
  if (a.pc_slot >= 0 && a.sp_slot >= 0) {
    const std::uint64_t pc = f.u(reg_off + a.reg_size * static_cast<size_t>(a.pc_slot), a.reg_size);
    const std::uint64_t sp = f.u(reg_off + a.reg_size * static_cast<size_t>(a.sp_slot), a.reg_size);
    if (!f.bad) t.pc = pc & a.pc_mask, t.sp = sp + a.sp_bias;
  }
  f.bad = false;
  n.threads.push_back(t);
}

// siginfo_t as the kernel copies it out for the core's ABI: three ints, then the union, which
// is pointer-aligned (16 on 64-bit, 12 on 32-bit). _kill's uid is __kernel_uid32_t everywhere.
void parse_siginfo(Fields& f, const CoreArch& a, CoreNotes& n) {
  SigInfo s;
  s.signo = static_cast<int>(f.s32(0));
  s.err = static_cast<int>(f.s32(a.siginfo_code_first ? 8 : 4));
  s.code = static_cast<int>(f.s32(a.siginfo_code_first ? 4 : 8));
  const size_t u = a.long_size == 8 ? 16 : 12;
  const bool fault = s.signo == 4 || s.signo == 5 || s.signo == 7 || s.signo == 8 || s.signo == 11;
  if (fault && s.code > 0) {
    s.addr = f.u(u, a.long_size);
  } else if (s.code <= 0) {  // SI_USER (0), SI_QUEUE (-1), SI_TKILL (-6): kill/tgkill/sigqueue
    s.sender_pid = f.s32(u);
    s.sender_uid = static_cast<std::int64_t>(f.u(u + 4, 4));
  }
  if (!f.bad) n.siginfo = s;
}

// elf_prpsinfo: state, sname, zomb, nice (char each), pr_flag (long), pr_uid, pr_gid
// (__kernel_uid_t: 2 or 4 bytes by architecture), pid, ppid, pgrp, sid (int each),
// fname[16], psargs[80].
void parse_psinfo(Fields& f, const CoreArch& a, CoreNotes& n) {
  PsInfo p;
  const size_t uid_off = align_up(4, a.long_align) + a.long_size;
  const size_t id_off = align_up(uid_off + 2 * a.uid_size, a.long_align < 4 ? a.long_align : 4);
  p.uid = static_cast<std::int64_t>(f.u(uid_off, a.uid_size));
  p.pid = f.s32(id_off);
  p.ppid = f.s32(id_off + 4);
  const size_t fname_off = id_off + 16;
  p.fname = f.cstr(fname_off, 16);
  if (f.bad) return;
  const size_t args_off = fname_off + 16;
  if (args_off < f.size()) p.psargs = join_psargs(f.bytes(args_off, 80));
  n.psinfo = p;
}

void parse_file_note(Fields& f, const CoreArch& a, CoreNotes& n, std::string_view desc, const NoteLimits& lim) {
  const size_t w = a.long_size;
  const std::uint64_t count = f.u(0, w);
  const std::uint64_t page = f.u(w, w);
  if (f.bad) return;
  if (page != 0 && page <= (1u << 30)) n.page_size = page;
  // Each entry needs 3 words plus at least one byte of name: bound count by the note size.
  const std::uint64_t fit = (desc.size() - 2 * w) / (3 * w + 1);
  const std::uint64_t take = std::min<std::uint64_t>({count, fit, lim.max_files});
  if (take < count) n.problems.push_back("NT_FILE lists " + std::to_string(count) + " mappings, read " + std::to_string(take));
  size_t names = 2 * w + static_cast<size_t>(count > fit ? fit : count) * 3 * w;
  for (std::uint64_t i = 0; i < take && names < desc.size(); ++i) {
    FileMapping m;
    const size_t e = 2 * w + static_cast<size_t>(i) * 3 * w;
    m.start = f.u(e, w), m.end = f.u(e + w, w), m.page_offset = f.u(e + 2 * w, w);
    const std::string_view rest = desc.substr(names);
    const size_t nul = rest.find('\0');
    m.path = std::string(rest.substr(0, nul));
    names = nul == std::string_view::npos ? desc.size() : names + nul + 1;
    n.files.push_back(std::move(m));
  }
}

void parse_auxv(Fields& f, const CoreArch& a, CoreNotes& n) {
  const size_t w = a.long_size;
  for (size_t off = 0; off + 2 * w <= f.size(); off += 2 * w) {
    const std::uint64_t type = f.u(off, w), val = f.u(off + w, w);
    if (type == 0) break;             // AT_NULL
    if (type == 3) n.at_phdr = val;   // AT_PHDR
    if (type == 9) n.at_entry = val;  // AT_ENTRY
  }
}

void parse_one_note(std::uint32_t type, std::string_view name, std::string_view desc, const CoreArch& a,
                    CoreNotes& n, const NoteLimits& lim) {
  Fields f(desc, n.big_endian);
  const bool core = name == "CORE";
  if (core && type == 1) {
    if (n.threads.size() < lim.max_threads) parse_prstatus(f, a, n);
  } else if (core && type == 3) {
    parse_psinfo(f, a, n);
  } else if (core && type == 0x53494749) {
    parse_siginfo(f, a, n);
  } else if (core && type == 0x46494c45) {
    parse_file_note(f, a, n, desc, lim);
  } else if (core && type == 6) {
    parse_auxv(f, a, n);
  }
}

// Walks one PT_NOTE blob: namesz, descsz, type, name (4-aligned), desc (4-aligned).
void parse_note_blob(std::string_view blob, const CoreArch& a, CoreNotes& n, const NoteLimits& lim) {
  Fields f(blob, n.big_endian);
  size_t off = 0;
  while (off + 12 <= blob.size()) {
    const std::uint64_t namesz = f.u(off, 4), descsz = f.u(off + 4, 4);
    const auto type = static_cast<std::uint32_t>(f.u(off + 8, 4));
    const std::uint64_t name_off = off + 12;
    const std::uint64_t desc_off = name_off + ((namesz + 3) & ~std::uint64_t{3});
    const std::uint64_t end = desc_off + ((descsz + 3) & ~std::uint64_t{3});
    if (desc_off > blob.size() || descsz > blob.size() - desc_off) {
      n.problems.push_back("note at offset " + std::to_string(off) + " runs past its segment (truncated core?)");
      n.notes_truncated = true;
      return;
    }
    std::string_view name = blob.substr(name_off, namesz);
    if (!name.empty() && name.back() == '\0') name.remove_suffix(1);
    parse_one_note(type, name, blob.substr(desc_off, descsz), a, n, lim);
    off = static_cast<size_t>(std::min<std::uint64_t>(end, blob.size()));
  }
}

void read_notes(CoreBytes& bytes, const std::vector<Phdr>& phdrs, const CoreArch& a, CoreNotes& n,
                const NoteLimits& lim) {
  std::uint64_t budget = lim.max_note_bytes;
  std::string blob;
  for (const Phdr& p : phdrs) {
    if (p.type != 4 /* PT_NOTE */ || p.filesz == 0) continue;
    if (p.filesz > budget) {
      n.problems.push_back("note segment of " + std::to_string(p.filesz) + " bytes exceeds the note budget: skipped");
      continue;
    }
    budget -= p.filesz;
    blob.resize(static_cast<size_t>(p.filesz));
    const size_t got = bytes.read_at(p.offset, blob.data(), blob.size());
    if (got < blob.size()) {
      n.problems.push_back("note segment truncated: " + std::to_string(got) + " of " +
                           std::to_string(p.filesz) + " bytes present (truncated core?)");
      blob.resize(got);
      n.notes_truncated = true;
    }
    parse_note_blob(blob, a, n, lim);
  }
}

// A core cut short (disk full, RLIMIT_CORE, an interrupted copy) still parses; say so.
void check_truncation(CoreBytes& bytes, const std::vector<Phdr>& phdrs, CoreNotes& n) {
  const auto size = bytes.size();
  if (!size) return;
  std::uint64_t end = 0;
  for (const Phdr& p : phdrs)
    if (p.filesz > 0 && p.offset + p.filesz >= p.offset) end = std::max(end, p.offset + p.filesz);
  if (end > *size)
    n.problems.push_back("the core is truncated: " + std::to_string(*size) + " of " + std::to_string(end) +
                         " bytes present; memory past that point is missing, so stacks may end early");
}

}  // namespace

Result<CoreNotes> parse_core_notes(CoreBytes& bytes, const NoteLimits& limits) {
  auto hdr = read_elf_header(bytes);
  if (!hdr) return make_error(hdr.error());
  if (hdr->type != 4 /* ET_CORE */) {
    const char* what = hdr->type == 2 ? "an executable" : hdr->type == 3 ? "a shared object or PIE executable"
                       : hdr->type == 1 ? "a relocatable object" : "an ELF file of unknown type";
    return make_error(std::string("not a core dump: this is ") + what + " (ELF type " +
                      std::to_string(hdr->type) + ")");
  }
  CoreNotes n;
  n.is64 = hdr->is64, n.big_endian = hdr->be, n.machine = hdr->machine;
  const CoreArch arch = core_arch(hdr->machine, hdr->is64, hdr->be, hdr->flags);
  n.arch = arch.name;
  const std::uint32_t count = std::min(real_phnum(bytes, *hdr), limits.max_phdrs);
  if (count == 0) n.problems.push_back("the core has no program headers");
  const std::vector<Phdr> phdrs = read_phdrs(bytes, *hdr, count, n.problems);
  for (const Phdr& p : phdrs)
    if (p.type == 1 /* PT_LOAD */) n.loads.push_back({p.vaddr, p.memsz, p.offset, p.filesz});
  read_notes(bytes, phdrs, arch, n, limits);
  check_truncation(bytes, phdrs, n);
  if (n.threads.empty()) n.problems.push_back("no thread status (NT_PRSTATUS) notes");
  return n;
}

std::string core_executable(const CoreNotes& notes) {
  if (notes.at_entry)
    for (const auto& m : notes.files)
      if (*notes.at_entry >= m.start && *notes.at_entry < m.end) return m.path;
  for (const auto& m : notes.files)
    if (m.page_offset == 0 && !m.path.empty() && m.path[0] == '/') return m.path;
  return {};
}

namespace {

std::string hex(std::string_view bytes) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (unsigned char c : bytes) s += digits[c >> 4], s += digits[c & 15];
  return s;
}

// Finds NT_GNU_BUILD_ID in the PT_NOTE segments of an ELF image held in `page`.
std::string build_id_in_image(std::string_view page) {
  MemoryCoreBytes mem(page);
  auto hdr = read_elf_header(mem);
  if (!hdr) return {};
  std::vector<std::string> ignored;
  const auto phdrs = read_phdrs(mem, *hdr, std::min<std::uint32_t>(hdr->phnum, 256), ignored);
  for (const Phdr& p : phdrs) {
    if (p.type != 4 || p.offset >= page.size() || p.filesz > page.size() - p.offset) continue;
    const std::string_view blob = page.substr(p.offset, p.filesz);
    Fields f(blob, hdr->be);
    for (size_t off = 0; off + 12 <= blob.size();) {
      const std::uint64_t namesz = f.u(off, 4), descsz = f.u(off + 4, 4), type = f.u(off + 8, 4);
      const std::uint64_t desc_off = off + 12 + ((namesz + 3) & ~std::uint64_t{3});
      if (desc_off > blob.size() || descsz > blob.size() - desc_off) break;
      if (type == 3 && namesz == 4 && blob.substr(off + 12, 3) == "GNU")
        return hex(blob.substr(desc_off, descsz));
      off = static_cast<size_t>(desc_off + ((descsz + 3) & ~std::uint64_t{3}));
    }
  }
  return {};
}

}  // namespace

std::string build_id_at(CoreBytes& bytes, const CoreNotes& notes, std::uint64_t start) {
  for (const LoadSegment& s : notes.loads) {
    if (s.vaddr != start || s.filesz == 0) continue;
    std::string page;
    page.resize(static_cast<size_t>(std::min<std::uint64_t>(s.filesz, 64 * 1024)));
    page.resize(bytes.read_at(s.offset, page.data(), page.size()));
    return build_id_in_image(page);
  }
  return {};
}

std::string signal_name(int signo) {
  static constexpr std::array<const char*, 32> names = {
      "", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE",
      "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT",
      "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU",
      "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS"};
  if (signo > 0 && signo < 32) return names[static_cast<size_t>(signo)];
  if (signo >= 32 && signo <= 64) return "SIGRTMIN+" + std::to_string(signo - 34);
  return signo == 0 ? "" : "SIG" + std::to_string(signo);
}

std::string si_code_name(int signo, int code) {
  switch (code) {  // codes for any signal first (include/uapi/asm-generic/siginfo.h)
    case 0: return "SI_USER";
    case 0x80: return "SI_KERNEL";
    case -1: return "SI_QUEUE";
    case -2: return "SI_TIMER";
    case -3: return "SI_MESGQ";
    case -4: return "SI_ASYNCIO";
    case -5: return "SI_SIGIO";
    case -6: return "SI_TKILL";
    default: break;
  }
  static const std::array<const char*, 10> segv = {"", "SEGV_MAPERR", "SEGV_ACCERR", "SEGV_BNDERR", "SEGV_PKUERR",
                                                   "SEGV_ACCADI", "SEGV_ADIDERR", "SEGV_ADIPERR", "SEGV_MTEAERR", "SEGV_MTESERR"};
  static const std::array<const char*, 6> bus = {"", "BUS_ADRALN", "BUS_ADRERR", "BUS_OBJERR", "BUS_MCEERR_AR", "BUS_MCEERR_AO"};
  static const std::array<const char*, 10> ill = {"", "ILL_ILLOPC", "ILL_ILLOPN", "ILL_ILLADR", "ILL_ILLTRP",
                                                  "ILL_PRVOPC", "ILL_PRVREG", "ILL_COPROC", "ILL_BADSTK", "ILL_BADIADDR"};
  static const std::array<const char*, 9> fpe = {"", "FPE_INTDIV", "FPE_INTOVF", "FPE_FLTDIV", "FPE_FLTOVF",
                                                 "FPE_FLTUND", "FPE_FLTRES", "FPE_FLTINV", "FPE_FLTSUB"};
  static const std::array<const char*, 7> trap = {"", "TRAP_BRKPT", "TRAP_TRACE", "TRAP_BRANCH", "TRAP_HWBKPT", "TRAP_UNK", "TRAP_PERF"};
  auto pick = [code](const auto& table) -> std::string {
    if (code > 0 && static_cast<size_t>(code) < table.size()) return table[static_cast<size_t>(code)];
    return {};
  };
  std::string s;
  if (signo == 11) s = pick(segv);
  else if (signo == 7) s = pick(bus);
  else if (signo == 4) s = pick(ill);
  else if (signo == 8) s = pick(fpe);
  else if (signo == 5) s = pick(trap);
  return s.empty() ? "code " + std::to_string(code) : s;
}

}  // namespace crashsift::symbolize
