// libdwfl back end: unwind every thread of a core and symbolize each frame with libdw, the
// way eu-stack -i -s does (elfutils src/stack.c), so names match it frame by frame:
//   dwfl_core_file_report -> dwfl_report_end -> dwfl_core_file_attach -> dwfl_getthreads ->
//   dwfl_thread_getframes -> per pc: dwfl_module_addrdie + dwarf_getscopes (innermost named
//   function-like DIE, linkage name first), dwarf_getscopes_die for the inline chain, else the
//   ELF symbol table (dwfl_module_addrname).
// Why libdwfl and not libunwind-coredump: see README.md in this folder ("Back ends").
#include "crashsift/symbolize/config.hpp"
#if CRASHSIFT_WITH_LIBDW
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <gelf.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <unordered_map>

#include "crashsift/symbolize/core_reader.hpp"
#include "crashsift/symbolize/debuginfo.hpp"

namespace crashsift::symbolize {
namespace {

struct RawFrame {
  Dwarf_Addr pc = 0;
  bool activation = false;
};

struct RawThread {
  pid_t tid = 0;
  std::uint32_t max_frames = 0;
  bool truncated = false;
  std::string error;
  std::vector<RawFrame> frames;
};

struct RawThreads {
  std::uint32_t max_threads = 0, max_frames = 0;
  bool truncated = false;
  std::vector<RawThread> threads;
};

int on_frame(Dwfl_Frame* state, void* arg) {
  auto* t = static_cast<RawThread*>(arg);
  RawFrame f;
  if (!dwfl_frame_pc(state, &f.pc, &f.activation)) return -1;
  if (t->frames.size() >= t->max_frames) {
    t->truncated = true;  // there is at least one frame more than the bound
    return DWARF_CB_ABORT;
  }
  t->frames.push_back(f);
  return DWARF_CB_OK;
}

int on_thread(Dwfl_Thread* thread, void* arg) {
  auto* all = static_cast<RawThreads*>(arg);
  if (all->threads.size() >= all->max_threads) {
    // Keep iterating without unwinding: stopping dwfl_getthreads early with DWARF_CB_ABORT
    // leaks its thread state in elfutils 0.188 (seen with LeakSanitizer).
    all->truncated = true;
    return DWARF_CB_OK;
  }
  RawThread t;
  t.tid = dwfl_thread_tid(thread);
  t.max_frames = all->max_frames;
  if (dwfl_thread_getframes(thread, on_frame, &t) == -1) t.error = dwfl_errmsg(-1);
  all->threads.push_back(std::move(t));
  return DWARF_CB_OK;
}

const char* die_name(Dwarf_Die* die) {
  Dwarf_Attribute attr;
  const char* name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &attr));
  if (!name) name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name, &attr));
  return name ? name : dwarf_diename(die);
}

bool function_like(Dwarf_Die* die) {
  const int tag = dwarf_tag(die);
  return tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine || tag == DW_TAG_entry_point;
}

// A source location; line/column 0 mean unknown.
struct Where {
  std::string file;
  std::optional<std::uint32_t> line, column;
};

std::optional<std::uint32_t> positive(int v) {
  return v > 0 ? std::optional<std::uint32_t>(static_cast<std::uint32_t>(v)) : std::nullopt;
}

Where line_of(Dwfl_Module* mod, Dwarf_Addr pc) {
  Where w;
  Dwfl_Line* l = dwfl_module_getsrc(mod, pc);
  int line = 0, col = 0;
  const char* file = l ? dwfl_lineinfo(l, nullptr, &line, &col, nullptr, nullptr) : nullptr;
  if (file) w.file = file, w.line = positive(line), w.column = positive(col);
  return w;
}

// The call site recorded on an inlined_subroutine DIE (where its caller called it).
Where call_site(Dwarf_Die* cudie, Dwarf_Die* die) {
  Where w;
  Dwarf_Files* files = nullptr;
  Dwarf_Attribute attr;
  Dwarf_Word val = 0;
  if (!cudie || dwarf_getsrcfiles(cudie, &files, nullptr) != 0) return w;
  if (dwarf_formudata(dwarf_attr(die, DW_AT_call_file, &attr), &val) != 0) return w;
  if (const char* f = dwarf_filesrc(files, val, nullptr, nullptr)) w.file = f;
  if (dwarf_formudata(dwarf_attr(die, DW_AT_call_line, &attr), &val) == 0) w.line = static_cast<std::uint32_t>(val);
  if (dwarf_formudata(dwarf_attr(die, DW_AT_call_column, &attr), &val) == 0 && val > 0)
    w.column = static_cast<std::uint32_t>(val);
  return w;
}

// What a pc resolves to, independent of the thread: cached, because threads share most pcs.
struct Resolved {
  std::string function;
  std::vector<InlineFrame> inlined;
  Where where;
};

InlineFrame inline_frame(const std::string& name, Where w) {
  return InlineFrame{demangle(name), std::move(w.file), w.line, w.column};
}

// eu-stack's print_inline_frames: scopes of the innermost function DIE, innermost first; the
// location of each outer one is the call site stored on the previous (inner) scope.
void resolve_inlines(Dwfl_Module* mod, Dwarf_Addr pc, Dwarf_Die* cudie, Dwarf_Die* die,
                     const std::string& first_name, Resolved& r) {
  Dwarf_Die* scopes = nullptr;
  const int n = dwarf_getscopes_die(die, &scopes);
  std::vector<InlineFrame> chain;
  chain.push_back(inline_frame(first_name, line_of(mod, pc)));
  Dwarf_Die* last = n > 0 ? &scopes[0] : nullptr;
  for (int i = 1; i < n && chain.size() < 64; ++i) {
    Dwarf_Die* scope = &scopes[i];
    if (!function_like(scope)) continue;
    const char* name = die_name(scope);
    chain.push_back(inline_frame(name ? name : "", call_site(cudie, last)));
    if (dwarf_tag(scope) == DW_TAG_subprogram) break;
    last = scope;
  }
  std::free(scopes);
  InlineFrame outer = std::move(chain.back());
  chain.pop_back();
  r.function = std::move(outer.function);
  r.where = {std::move(outer.file), outer.line, outer.column};
  r.inlined = std::move(chain);
}

Resolved resolve(Dwfl_Module* mod, Dwarf_Addr pc) {
  Resolved r;
  Dwarf_Addr bias = 0;
  Dwarf_Die* cudie = dwfl_module_addrdie(mod, pc, &bias);
  Dwarf_Die die_mem;
  Dwarf_Die* die = nullptr;
  const char* name = nullptr;
  if (cudie) {
    Dwarf_Die* scopes = nullptr;
    const int n = dwarf_getscopes(cudie, pc - bias, &scopes);
    for (int i = 0; i < n && !name; ++i)
      if (function_like(&scopes[i]) && (name = die_name(&scopes[i]))) die_mem = scopes[i], die = &die_mem;
    std::free(scopes);
  }
  if (!name) name = dwfl_module_addrname(mod, pc);
  if (die) {
    resolve_inlines(mod, pc, cudie, die, name, r);
  } else {
    r.function = name ? demangle(name) : "";
    r.where = line_of(mod, pc);
  }
  return r;
}

bool cfi_covers(Dwarf_CFI* cfi, Dwarf_Addr bias, Dwarf_Addr pc) {
  Dwarf_Frame* frame = nullptr;
  if (!cfi || dwarf_cfi_addrframe(cfi, pc - bias, &frame) != 0) return false;
  std::free(frame);
  return true;
}

// .eh_frame first: .debug_frame lives in the (often compressed) debug file, so it is only
// loaded when .eh_frame has no entry for this pc.
bool has_cfi_at(Dwfl_Module* mod, Dwarf_Addr pc) {
  Dwarf_Addr bias = 0;  // set by the lookup: read it only after the call
  Dwarf_CFI* eh_frame = dwfl_module_eh_cfi(mod, &bias);
  if (cfi_covers(eh_frame, bias, pc)) return true;
  Dwarf_CFI* debug_frame = dwfl_module_dwarf_cfi(mod, &bias);
  return cfi_covers(debug_frame, bias, pc);
}

std::string base_name(const char* p) {
  if (!p) return {};
  const char* slash = std::strrchr(p, '/');
  return slash ? slash + 1 : p;
}

class Symbolizer {
 public:
  explicit Symbolizer(Dwfl* dwfl) : dwfl_(dwfl) {}

  Thread thread(const RawThread& raw) {
    Thread t;
    t.tid = raw.tid;
    t.truncated = raw.truncated;
    t.error = raw.error;
    for (size_t i = 0; i < raw.frames.size(); ++i) {
      Frame f = frame(raw.frames[i]);
      f.index = static_cast<std::uint32_t>(i);
      f.trust = i == 0 ? Trust::context : callee_cfi(raw.frames[i - 1]) ? Trust::cfi : Trust::frame_pointer;
      t.frames.push_back(std::move(f));
    }
    return t;
  }

 private:
  static Dwarf_Addr adjusted(const RawFrame& f) { return f.pc - (f.activation ? 0 : 1); }

  // The caller's registers come from the callee's unwind info: CFI if the callee has it,
  // otherwise libdwfl's frame-pointer fallback (x86_64, aarch64) produced this frame.
  bool callee_cfi(const RawFrame& callee) {
    Dwfl_Module* mod = dwfl_addrmodule(dwfl_, adjusted(callee));
    return mod && has_cfi_at(mod, adjusted(callee));
  }

  Frame frame(const RawFrame& raw) {
    Frame f;
    f.pc = raw.pc;
    f.activation = raw.activation;
    const Dwarf_Addr pc = adjusted(raw);
    Dwfl_Module* mod = dwfl_addrmodule(dwfl_, pc);
    if (!mod) return f;
    Dwarf_Addr start = 0;
    f.module = base_name(dwfl_module_info(mod, nullptr, &start, nullptr, nullptr, nullptr, nullptr, nullptr));
    f.module_offset = raw.pc - start;
    const std::uint64_t key = pc * 2 + (raw.activation ? 1 : 0);
    auto it = cache_.find(key);
    if (it == cache_.end()) it = cache_.emplace(key, resolve(mod, pc)).first;
    f.function = it->second.function;
    f.inlined = it->second.inlined;
    f.file = it->second.where.file;
    f.line = it->second.where.line;
    f.column = it->second.where.column;
    return f;
  }

  Dwfl* dwfl_;
  std::unordered_map<std::uint64_t, Resolved> cache_;
};

// The frames as unwound, with module+offset but no debug info read (cheap, cannot hang).
CoreReport unsymbolized(const CoreReport& base, const RawThreads& raw, Dwfl* dwfl) {
  CoreReport r = base;
  for (const auto& t : raw.threads) {
    Thread th;
    th.tid = t.tid;
    th.truncated = t.truncated;
    th.crashing = base.crash.crashing_tid && t.tid == *base.crash.crashing_tid;
    for (size_t i = 0; i < t.frames.size(); ++i) {
      Frame f;
      f.index = static_cast<std::uint32_t>(i);
      f.pc = t.frames[i].pc;
      f.activation = t.frames[i].activation;
      f.trust = i == 0 ? Trust::context : Trust::unknown;
      if (Dwfl_Module* mod = dwfl_addrmodule(dwfl, f.pc - (f.activation ? 0 : 1))) {
        Dwarf_Addr start = 0;
        f.module = base_name(dwfl_module_info(mod, nullptr, &start, nullptr, nullptr, nullptr, nullptr, nullptr));
        f.module_offset = f.pc - start;
      }
      th.frames.push_back(std::move(f));
    }
    r.threads.push_back(std::move(th));
  }
  std::stable_partition(r.threads.begin(), r.threads.end(), [](const Thread& t) { return t.crashing; });
  return r;
}

// --- modules ---------------------------------------------------------------------------

int collect_module(Dwfl_Module* mod, void**, const char*, Dwarf_Addr, void* arg) {
  static_cast<std::vector<Dwfl_Module*>*>(arg)->push_back(mod);
  return DWARF_CB_OK;
}

struct SectionFacts {
  bool symtab = false, dynsym = false, minidebug = false, debug_info = false;
};

SectionFacts sections_of(Elf* elf) {
  SectionFacts s;
  size_t shstrndx = 0;
  if (!elf || elf_getshdrstrndx(elf, &shstrndx) != 0) return s;
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr shdr;
    if (!gelf_getshdr(scn, &shdr)) continue;
    s.symtab |= shdr.sh_type == SHT_SYMTAB;
    s.dynsym |= shdr.sh_type == SHT_DYNSYM;
    const char* name = elf_strptr(elf, shstrndx, shdr.sh_name);
    if (!name || shdr.sh_type == SHT_NOBITS) continue;
    s.minidebug |= std::strcmp(name, ".gnu_debugdata") == 0;
    s.debug_info |= std::strcmp(name, ".debug_info") == 0;
  }
  return s;
}

std::string symbols_kind(const SectionFacts& main, bool debug_file_found) {
  if (main.symtab) return "symtab";
  if (debug_file_found) return "debuginfo";
  if (main.minidebug) return "minidebuginfo";
  if (main.dynsym) return "dynsym";
  return "none";
}

bool is_pseudo(const std::string& name) { return name.empty() || name[0] == '[' || name.rfind("linux-vdso", 0) == 0; }

Module describe(Dwfl_Module* mod, const DebugLookup& lookup, bool dwarf_searched, std::vector<Warning>& warnings) {
  Module m;
  Dwarf_Addr start = 0, end = 0, bias = 0;
  const char* name = dwfl_module_info(mod, nullptr, &start, &end, nullptr, nullptr, nullptr, nullptr);
  m.name = name ? name : "";
  m.load_address = start, m.end_address = end;
  m.build_id = module_build_id(mod);
  Elf* elf = dwfl_module_getelf(mod, &bias);
  const char* mainfile = nullptr;
  const char* debugfile = nullptr;
  dwfl_module_info(mod, nullptr, nullptr, nullptr, nullptr, nullptr, &mainfile, &debugfile);
  // Files that dwfl_core_file_report opened by their NT_FILE path leave main.name unset.
  if (elf) m.elf_path = mainfile ? mainfile : std::filesystem::exists(m.name) ? m.name : "";
  m.found_by = elf && m.elf_path.empty() ? "core-memory" : lookup.elf_found_by(mod, m.elf_path);
  const SectionFacts facts = sections_of(elf);
  Dwarf_Addr dbias = 0;
  if (dwarf_searched && dwfl_module_getdwarf(mod, &dbias)) {
    dwfl_module_info(mod, nullptr, nullptr, nullptr, nullptr, nullptr, &mainfile, &debugfile);
    const bool separate = debugfile && (!mainfile || std::strcmp(debugfile, mainfile) != 0);
    m.debuginfo = separate ? "separate" : "embedded";
    m.debuginfo_path = separate ? debugfile : m.elf_path;
    m.debuginfo_found_by = separate ? lookup.debug_found_by(mod, m.debuginfo_path) : "embedded";
  } else {
    m.debuginfo = dwarf_searched ? "missing" : "not-searched";
  }
  m.symbols = elf ? symbols_kind(facts, m.debuginfo == "separate") : "none";
  if (!elf && !is_pseudo(m.name)) {
    const std::string on_disk = std::filesystem::exists(m.name) ? file_build_id(m.name) : "";
    if (!on_disk.empty() && !m.build_id.empty() && on_disk != m.build_id)
      warnings.push_back({"module-build-id-mismatch", m.name + " on this machine has build-id " + on_disk +
                                                          ", the core's has " + m.build_id +
                                                          ": frames in it show module+offset only (pass the right file with --exe, --sysroot or --debug-dir)"});
    else
      warnings.push_back({"module-missing", m.name + (m.build_id.empty() ? "" : " (build-id " + m.build_id + ")") +
                                                " was not found: frames in it show module+offset only (use --exe, --sysroot or --debug-dir)"});
  }
  return m;
}

// --- the session -----------------------------------------------------------------------

struct DwflDeleter {
  void operator()(Dwfl* d) const { dwfl_end(d); }
};
struct ElfDeleter {
  void operator()(Elf* e) const { elf_end(e); }
};

void order_crashing_first(std::vector<Thread>& threads, std::optional<std::int64_t> crashing) {
  for (auto& t : threads) t.crashing = crashing && t.tid == *crashing;
  std::stable_partition(threads.begin(), threads.end(), [](const Thread& t) { return t.crashing; });
}

void warn_symbolless(const std::vector<Module>& modules, const std::vector<Thread>& threads, std::vector<Warning>& w) {
  std::map<std::string, int> unsymbolized;
  for (const auto& t : threads)
    for (const auto& f : t.frames)
      if (f.function.empty() && !f.module.empty()) ++unsymbolized[f.module];
  for (const auto& m : modules) {
    const std::string base = base_name(m.name.c_str());
    if (m.elf_path.empty() || !unsymbolized.count(base)) continue;
    if (m.symbols == "none" || m.symbols == "dynsym")
      w.push_back({"no-symbols", base + " has " + (m.symbols == "none" ? "no symbol table" : "only dynamic symbols") + ": " +
                                     std::to_string(unsymbolized[base]) + " frame(s) in it show module+offset only"});
  }
}

void warn_frame_pointer(const std::vector<Thread>& threads, std::vector<Warning>& w) {
  for (const auto& t : threads) {
    if (!t.crashing) continue;
    for (const auto& f : t.frames)
      if (f.trust == Trust::frame_pointer) {
        w.push_back({"frame-pointer-unwind", "crashing thread: frames from #" + std::to_string(f.index) +
                                                 " on were partly found by frame pointers (no CFI): they may be wrong"});
        return;
      }
  }
}

}  // namespace

void unwind_and_symbolize(int core_fd, const CoreRequest& req, const CoreNotes& notes, CoreReport& report,
                          const ReportSink& on_unwound) {
  report.backend = "libdwfl";
  if (notes.notes_truncated) {
    // libdwfl 0.188 reads past the end of a cut note segment (it crashed on our truncated
    // test cores): keep the header from our own bounded reader and do not unwind.
    report.warnings.push_back({"not-unwound", "the core's notes are incomplete: threads were not unwound"});
    report.complete = false;
    return;
  }
  elf_version(EV_CURRENT);
  std::unique_ptr<Elf, ElfDeleter> core(elf_begin(core_fd, ELF_C_READ_MMAP, nullptr));
  if (!core) {
    report.warnings.push_back({"libelf", std::string("libelf cannot read the core: ") + elf_errmsg(-1)});
    report.complete = false;
    return;
  }
  DebugLookup lookup({req.exe, req.sysroot, req.debug_dirs, req.debuginfod, req.timeout_sec / 2});
  std::unique_ptr<Dwfl, DwflDeleter> dwfl(dwfl_begin(lookup.callbacks()));
  if (!dwfl) {
    report.warnings.push_back({"libdwfl", std::string("dwfl_begin: ") + dwfl_errmsg(-1)});
    report.complete = false;
    return;
  }
  const char* exe = req.exe.empty() ? nullptr : req.exe.c_str();
  if (dwfl_core_file_report(dwfl.get(), core.get(), exe) < 0)
    report.warnings.push_back({"libdwfl", std::string("dwfl_core_file_report: ") + dwfl_errmsg(-1)});
  dwfl_report_end(dwfl.get(), nullptr, nullptr);
  RawThreads raw;
  raw.max_threads = req.max_threads;
  raw.max_frames = req.max_frames;
  if (dwfl_core_file_attach(dwfl.get(), core.get()) < 0) {
    report.warnings.push_back({"libdwfl", std::string("cannot unwind: dwfl_core_file_attach: ") + dwfl_errmsg(-1)});
    report.complete = false;
  } else if (dwfl_getthreads(dwfl.get(), on_thread, &raw) == -1) {
    report.warnings.push_back({"libdwfl", std::string("dwfl_getthreads: ") + dwfl_errmsg(-1)});
    report.complete = false;
  }
  if (raw.threads.empty() && report.complete)
    report.warnings.push_back({"no-threads", "libdwfl found no thread to unwind in this core"});
  if (on_unwound) on_unwound(unsymbolized(report, raw, dwfl.get()));
  Symbolizer sym(dwfl.get());
  for (const auto& t : raw.threads) report.threads.push_back(sym.thread(t));
  order_crashing_first(report.threads, report.crash.crashing_tid);
  report.limits.threads_truncated = raw.truncated;
  if (raw.truncated)
    report.warnings.push_back({"thread-limit", "only the first " + std::to_string(req.max_threads) + " of " +
                                                   std::to_string(notes.threads.size()) + " threads were unwound (--max-threads)"});
  for (const auto& t : report.threads)
    if (t.truncated) {
      report.warnings.push_back({"frame-limit", "thread " + std::to_string(t.tid) + " has more than " +
                                                    std::to_string(req.max_frames) + " frames: the rest are cut (--max-frames)"});
      break;
    }
  std::vector<Dwfl_Module*> mods;
  dwfl_getmodules(dwfl.get(), collect_module, &mods, 0);
  std::map<std::string, bool> has_frames;
  for (const auto& t : report.threads)
    for (const auto& f : t.frames) has_frames[f.module] = true;
  for (Dwfl_Module* m : mods) {
    const char* name = dwfl_module_info(m, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr);
    report.modules.push_back(describe(m, lookup, has_frames.count(base_name(name)) > 0, report.warnings));
  }
  std::sort(report.modules.begin(), report.modules.end(),
            [](const Module& a, const Module& b) { return a.load_address < b.load_address; });
  for (const auto& n : lookup.notes()) report.warnings.push_back({"debuginfod", n});
  warn_symbolless(report.modules, report.threads, report.warnings);
  warn_frame_pointer(report.threads, report.warnings);
}

}  // namespace crashsift::symbolize
#endif
