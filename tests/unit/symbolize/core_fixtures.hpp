#pragma once
// Test fixtures for the symbolize tests: real cores made once per test run by
// testdata/cores/make-cores.sh (gcc + ulimit -c unlimited), and a tiny ELF core builder for
// the note parser. Tests that need real cores are skipped (with a message) when this machine
// cannot write cores (core_pattern is a pipe, no gcc).
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

namespace crashsift::symbolize::test {

// Directory holding <case>/core etc., or "" when cores cannot be made here.
inline const std::string& cores_dir() {
  static const std::string dir = [] {
    namespace fs = std::filesystem;
    const fs::path out = fs::temp_directory_path() / ("crashsift-unit-cores-" + std::to_string(::getpid()));
    const std::string cmd = std::string("bash '") + CRASHSIFT_TESTDATA + "/cores/make-cores.sh' '" + out.string() +
                            "' deep_null inline_crash threads stripped compressed >/dev/null 2>&1";
    const int rc = std::system(cmd.c_str());
    if (rc != 0 || !fs::exists(out / "deep_null" / "core")) {
      std::fprintf(stderr, "symbolize tests: cannot make cores here (make-cores.sh status %d): real-core tests skipped\n", rc);
      return std::string();
    }
    static struct Cleanup {
      fs::path p;
      ~Cleanup() {
        std::error_code ec;
        fs::remove_all(p, ec);
      }
    } cleanup{out};
    return out.string();
  }();
  return dir;
}

// A test that needs real cores and cannot have them says so in the form CTest counts as a
// skip (SKIP_REGULAR_EXPRESSION "CRASHSIFT-SKIP:" in tests/CMakeLists.txt), never as a pass.
inline bool skip_without_cores(const std::string& dir) {
  if (!dir.empty()) return false;
  std::printf("CRASHSIFT-SKIP: this machine cannot write cores (see make-cores.sh)\n");
  std::fflush(stdout);
  return true;
}

// Writes v as `width` bytes at s[off] (growing s as needed) in the given byte order.
inline void put_at(std::string& s, size_t off, std::uint64_t v, int width, bool big_endian = false) {
  if (s.size() < off + static_cast<size_t>(width)) s.resize(off + static_cast<size_t>(width), '\0');
  for (int i = 0; i < width; ++i)
    s[off + static_cast<size_t>(big_endian ? width - 1 - i : i)] = static_cast<char>((v >> (8 * i)) & 0xff);
}

// An ELF core with the given notes and one 64-byte PT_LOAD at 0x400000. Little-endian ELF64
// x86_64 by default; machine, class, byte order and e_flags can be set for other architectures
// (the static note helpers below are x86_64 layouts).
struct CoreBuilder {
  std::string notes;
  std::uint16_t machine = 62;
  bool is64 = true;
  bool big_endian = false;
  std::uint32_t e_flags = 0;

  static void put(std::string& s, std::uint64_t v, int width) {
    for (int i = 0; i < width; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  void putw(std::string& s, std::uint64_t v, int width) const { put_at(s, s.size(), v, width, big_endian); }
  static void pad4(std::string& s) {
    while (s.size() % 4) s.push_back('\0');
  }
  CoreBuilder& note(std::uint32_t type, const std::string& desc, const std::string& name = "CORE") {
    putw(notes, name.size() + 1, 4);
    putw(notes, desc.size(), 4);
    putw(notes, type, 4);
    notes += name;
    notes.push_back('\0');
    pad4(notes);
    notes += desc;
    pad4(notes);
    return *this;
  }
  static std::string prstatus(std::int32_t tid, int sig, std::uint64_t pc, std::uint64_t sp) {
    std::string d(336, '\0');
    d[12] = static_cast<char>(sig);
    std::memcpy(&d[32], &tid, 4);
    std::memcpy(&d[112 + 16 * 8], &pc, 8);
    std::memcpy(&d[112 + 19 * 8], &sp, 8);
    return d;
  }
  static std::string psinfo(std::int32_t pid, const std::string& comm, const std::string& args) {
    std::string d(136, '\0');
    std::memcpy(&d[24], &pid, 4);
    std::memcpy(&d[40], comm.data(), std::min<size_t>(comm.size(), 16));
    std::memcpy(&d[56], args.data(), std::min<size_t>(args.size(), 80));
    return d;
  }
  static std::string siginfo(int signo, int code, std::uint64_t addr) {
    std::string d(128, '\0');
    std::memcpy(&d[0], &signo, 4);
    std::memcpy(&d[8], &code, 4);
    std::memcpy(&d[16], &addr, 8);
    return d;
  }
  static std::string nt_file(const std::vector<std::pair<std::uint64_t, std::string>>& maps) {
    std::string d;
    put(d, maps.size(), 8);
    put(d, 4096, 8);
    for (const auto& m : maps) put(d, m.first, 8), put(d, m.first + 0x1000, 8), put(d, 0, 8);
    for (const auto& m : maps) d += m.second, d.push_back('\0');
    return d;
  }
  std::string build() const {
    const int w = is64 ? 8 : 4;                              // Elf_Addr, Elf_Off
    const std::uint64_t ehsize = is64 ? 64 : 52, phentsize = is64 ? 56 : 32;
    std::string e = std::string("\x7f" "ELF", 4);
    e += static_cast<char>(is64 ? 2 : 1), e += static_cast<char>(big_endian ? 2 : 1), e += '\1';
    e += std::string(9, '\0');
    putw(e, 4, 2), putw(e, machine, 2), putw(e, 1, 4), putw(e, 0, w), putw(e, ehsize, w), putw(e, 0, w);
    putw(e, e_flags, 4), putw(e, ehsize, 2), putw(e, phentsize, 2), putw(e, 2, 2), putw(e, is64 ? 64 : 40, 2);
    putw(e, 0, 2), putw(e, 0, 2);
    const std::uint64_t note_off = ehsize + 2 * phentsize, load_off = note_off + notes.size();
    phdr(e, 4, 0, note_off, 0, notes.size(), 0, 1);
    phdr(e, 1, 5, load_off, 0x400000, 64, 0x1000, 0x1000);
    return e + notes + std::string(64, '\0');
  }
  void phdr(std::string& e, std::uint32_t type, std::uint32_t flags, std::uint64_t off, std::uint64_t vaddr,
            std::uint64_t filesz, std::uint64_t memsz, std::uint64_t align) const {
    if (is64) {
      putw(e, type, 4), putw(e, flags, 4), putw(e, off, 8), putw(e, vaddr, 8), putw(e, 0, 8);
      putw(e, filesz, 8), putw(e, memsz, 8), putw(e, align, 8);
    } else {
      putw(e, type, 4), putw(e, off, 4), putw(e, vaddr, 4), putw(e, 0, 4), putw(e, filesz, 4);
      putw(e, memsz, 4), putw(e, flags, 4), putw(e, align, 4);
    }
  }
};

}  // namespace crashsift::symbolize::test
