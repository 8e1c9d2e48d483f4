#include "crashsift/symbolize/config.hpp"
#if CRASHSIFT_WITH_LIBDW
#include "crashsift/symbolize/debuginfo.hpp"

#include <elfutils/libdwelf.h>
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>

namespace crashsift::symbolize {
namespace {

DebugLookup* active = nullptr;  // see the class comment: one instance at a time

std::string hex(const unsigned char* p, size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) s += digits[p[i] >> 4], s += digits[p[i] & 15];
  return s;
}

std::string build_id_path(const std::string& dir, const std::string& id, const char* suffix) {
  if (id.size() < 4) return {};
  return dir + "/.build-id/" + id.substr(0, 2) + "/" + id.substr(2) + suffix;
}

std::string base_name(const std::string& p) {
  const auto slash = p.rfind('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

// Opens path if it exists and (when want_id is known) carries that build-id; -1 otherwise.
int open_matching(const std::string& path, const std::string& want_id) {
  if (path.empty()) return -1;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  if (want_id.empty()) return fd;
  Elf* elf = elf_begin(fd, ELF_C_READ_MMAP, nullptr);
  const void* id = nullptr;
  const ssize_t n = elf ? dwelf_elf_gnu_build_id(elf, &id) : -1;
  const bool same = n > 0 && hex(static_cast<const unsigned char*>(id), static_cast<size_t>(n)) == want_id;
  if (elf) elf_end(elf);
  if (!same) {
    ::close(fd);
    return -1;
  }
  return fd;
}

int hand_over(int fd, const std::string& path, char** file_name) {
  *file_name = ::strdup(path.c_str());
  return fd;
}

std::string how_from_path(const std::string& path, const std::string& exe) {
  if (path.find("debuginfod_client") != std::string::npos) return "debuginfod";
  if (!exe.empty() && path == exe) return "exe-option";
  if (path.find("/.build-id/") != std::string::npos) return "build-id";
  if (path.rfind("/usr/lib/debug/", 0) == 0) return "debug-path";
  return "";
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

void DebugLookup::after_standard_lookup(double seconds, bool found) {
  if (!paths_.debuginfod || !std::getenv("DEBUGINFOD_URLS")) return;
  debuginfod_seconds_ += seconds;
  const bool stuck = !found && seconds >= 1.0;
  if (!stuck && debuginfod_seconds_ < paths_.debuginfod_budget_sec) return;
  ::unsetenv("DEBUGINFOD_URLS");
  notes_.push_back(stuck ? "a debuginfod query failed after " + std::to_string(static_cast<int>(seconds)) +
                               " s (server unreachable or not answering): no further queries"
                         : "debuginfod queries used their time budget: no further queries");
}

std::string module_build_id(Dwfl_Module* mod) {
  const unsigned char* bits = nullptr;
  GElf_Addr vaddr = 0;
  const int n = dwfl_module_build_id(mod, &bits, &vaddr);
  return n > 0 ? hex(bits, static_cast<size_t>(n)) : std::string();
}

std::string file_build_id(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  std::string id;
  if (Elf* elf = elf_begin(fd, ELF_C_READ_MMAP, nullptr)) {
    const void* p = nullptr;
    const ssize_t n = dwelf_elf_gnu_build_id(elf, &p);
    if (n > 0) id = hex(static_cast<const unsigned char*>(p), static_cast<size_t>(n));
    elf_end(elf);
  }
  ::close(fd);
  return id;
}

DebugLookup::DebugLookup(DebugPaths paths) : paths_(std::move(paths)) {
  // "-" = no CRC check (build-ids are checked instead); ".debug" = next to the binary.
  search_path_ = "-:.debug:/usr/lib/debug";
  if (!paths_.sysroot.empty()) search_path_ += ":" + paths_.sysroot + "/usr/lib/debug";
  for (const auto& d : paths_.debug_dirs) search_path_ += ":" + d;
  search_path_ptr_ = search_path_.data();
  callbacks_.find_elf = &DebugLookup::find_elf;
  callbacks_.find_debuginfo = &DebugLookup::find_debuginfo;
  callbacks_.debuginfo_path = &search_path_ptr_;
  active = this;
}

DebugLookup::~DebugLookup() {
  if (active == this) active = nullptr;
}

int DebugLookup::find_elf(Dwfl_Module* mod, void** userdata, const char* modname, Dwarf_Addr base,
                          char** file_name, Elf** elfp) {
  DebugLookup* self = active;
  const std::string id = module_build_id(mod);
  const std::string name = modname ? modname : "";
  if (self && !self->paths_.sysroot.empty()) {
    const std::string& root = self->paths_.sysroot;
    for (const std::string& cand : {name.rfind('/', 0) == 0 ? root + name : std::string(),
                                    build_id_path(root + "/usr/lib/debug", id, "")}) {
      const int fd = open_matching(cand, id);
      if (fd >= 0) return self->elf_how_[mod] = "sysroot", hand_over(fd, cand, file_name);
    }
  }
  if (self)
    for (const auto& d : self->paths_.debug_dirs) {
      const std::string cand = build_id_path(d, id, "");
      const int fd = open_matching(cand, id);
      if (fd >= 0) return self->elf_how_[mod] = "debug-dir", hand_over(fd, cand, file_name);
    }
  const auto t0 = std::chrono::steady_clock::now();
  const int fd = dwfl_build_id_find_elf(mod, userdata, modname, base, file_name, elfp);
  if (self) self->after_standard_lookup(seconds_since(t0), fd >= 0);
  if (self && fd >= 0 && *file_name)
    self->elf_how_[mod] = how_from_path(*file_name, self->paths_.exe);
  return fd;
}

int DebugLookup::find_debuginfo(Dwfl_Module* mod, void** userdata, const char* modname, Dwarf_Addr base,
                                const char* file_name, const char* debuglink_file, GElf_Word crc,
                                char** debuginfo_file_name) {
  DebugLookup* self = active;
  const std::string id = module_build_id(mod);
  if (self) {
    const std::string name = base_name(modname ? modname : "");
    for (const auto& d : self->paths_.debug_dirs) {
      for (const std::string& cand : {debuglink_file ? d + "/" + debuglink_file : std::string(),
                                      name.empty() ? std::string() : d + "/" + name + ".debug"}) {
        const int fd = open_matching(cand, id);
        if (fd >= 0) return self->debug_how_[mod] = "debug-dir", hand_over(fd, cand, debuginfo_file_name);
      }
    }
  }
  // Binaries that dwfl_core_file_report opened by their NT_FILE path come without file_name,
  // and libdwfl then looks for the debuglink relative to the working directory: look next to
  // the recorded path ourselves.
  if (self && !file_name && debuglink_file && modname && modname[0] == '/') {
    const std::string dir = std::string(modname).substr(0, std::string(modname).rfind('/'));
    for (const std::string& cand : {dir + "/" + debuglink_file, dir + "/.debug/" + debuglink_file}) {
      const int fd = open_matching(cand, id);
      if (fd >= 0) return self->debug_how_[mod] = "debuglink", hand_over(fd, cand, debuginfo_file_name);
    }
  }
  const auto t0 = std::chrono::steady_clock::now();
  const int fd = dwfl_standard_find_debuginfo(mod, userdata, modname, base, file_name, debuglink_file,
                                              crc, debuginfo_file_name);
  if (self) self->after_standard_lookup(seconds_since(t0), fd >= 0);
  if (self && fd >= 0 && *debuginfo_file_name) {
    const std::string path = *debuginfo_file_name;
    std::string how = how_from_path(path, "");
    for (const auto& d : self->paths_.debug_dirs)
      if (how != "debuginfod" && path.rfind(d + "/", 0) == 0) how = "debug-dir";
    if (!self->paths_.sysroot.empty() && path.rfind(self->paths_.sysroot + "/", 0) == 0) how = "sysroot";
    self->debug_how_[mod] = how.empty() ? "debuglink" : how;
  }
  return fd;
}

std::string DebugLookup::elf_found_by(Dwfl_Module* mod, const std::string& path) const {
  const auto it = elf_how_.find(mod);
  if (it != elf_how_.end() && !it->second.empty()) return it->second;
  if (!paths_.exe.empty() && path == paths_.exe) return "exe-option";
  return path.empty() ? "" : "core-path";
}

std::string DebugLookup::debug_found_by(Dwfl_Module* mod, const std::string& path) const {
  const auto it = debug_how_.find(mod);
  if (it != debug_how_.end()) return it->second;
  return path.empty() ? "" : "embedded";
}

}  // namespace crashsift::symbolize
#endif
