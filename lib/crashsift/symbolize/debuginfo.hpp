#pragma once
// Where libdwfl finds the files behind a core's modules (only built with CRASHSIFT_WITH_LIBDW).
// Order, for each module, first hit wins, every candidate checked against the module's build-id:
//   ELF:   --sysroot + the path recorded in the core; --sysroot/usr/lib/debug/.build-id/xx/yyyy;
//          each --debug-dir/.build-id/xx/yyyy; then libdwfl's own (--exe for the main module,
//          /usr/lib/debug/.build-id, the recorded path itself).
//   DWARF: the binary itself; each --debug-dir/<debuglink> and --debug-dir/<name>.debug; then
//          libdwfl's standard search over "/usr/lib/debug", --sysroot/usr/lib/debug and every
//          --debug-dir (.build-id/xx/yyyy.debug, <dir>/<binary dir>/<debuglink>, the binary's
//          own dir and .debug/); debuginfod servers only when asked (DEBUGINFOD_URLS is
//          removed from the environment otherwise, because libdwfl would use it silently).
#include <elfutils/libdwfl.h>

#include <map>
#include <string>
#include <vector>

namespace crashsift::symbolize {

struct DebugPaths {
  std::string exe;                      // --exe
  std::string sysroot;                  // --sysroot
  std::vector<std::string> debug_dirs;  // --debug-dir...
  bool debuginfod = false;
  double debuginfod_budget_sec = 20;    // total time debuginfod queries may take
};

// Callbacks for dwfl_begin plus a record of how each module's files were found. One active
// instance per process at a time (libdwfl's callbacks carry no context pointer for core
// modules), which holds for the symbolizer: it runs once per child process.
class DebugLookup {
 public:
  explicit DebugLookup(DebugPaths paths);
  ~DebugLookup();
  DebugLookup(const DebugLookup&) = delete;
  DebugLookup& operator=(const DebugLookup&) = delete;

  const Dwfl_Callbacks* callbacks() const { return &callbacks_; }
  // "sysroot", "debug-dir", "build-id", "exe-option", "core-path", "debuglink", "debuginfod", ...
  std::string elf_found_by(Dwfl_Module* mod, const std::string& path) const;
  std::string debug_found_by(Dwfl_Module* mod, const std::string& path) const;
  const DebugPaths& paths() const { return paths_; }
  // Things worth a warning (a debuginfod server that did not answer, ...).
  const std::vector<std::string>& notes() const { return notes_; }

 private:
  static int find_elf(Dwfl_Module*, void**, const char*, Dwarf_Addr, char**, Elf**);
  static int find_debuginfo(Dwfl_Module*, void**, const char*, Dwarf_Addr, const char*, const char*,
                            GElf_Word, char**);
  DebugPaths paths_;
  std::string search_path_;
  char* search_path_ptr_ = nullptr;
  Dwfl_Callbacks callbacks_{};
  // After the standard lookups: a slow failing query means the server is unreachable or hung;
  // stop asking it (DEBUGINFOD_URLS is re-read by the client on every query).
  void after_standard_lookup(double seconds, bool found);
  std::map<Dwfl_Module*, std::string> elf_how_, debug_how_;
  std::vector<std::string> notes_;
  double debuginfod_seconds_ = 0;
};

// Lowercase hex build-id of the ELF file at path, empty if none or unreadable.
std::string file_build_id(const std::string& path);
std::string module_build_id(Dwfl_Module* mod);

}  // namespace crashsift::symbolize
