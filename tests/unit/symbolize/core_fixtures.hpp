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

// Little-endian ELF64 x86_64 core with the given notes and one 64-byte PT_LOAD at 0x400000.
struct CoreBuilder {
  std::string notes;
  std::uint16_t machine = 62;

  static void put(std::string& s, std::uint64_t v, int width) {
    for (int i = 0; i < width; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  static void pad4(std::string& s) {
    while (s.size() % 4) s.push_back('\0');
  }
  CoreBuilder& note(std::uint32_t type, const std::string& desc, const std::string& name = "CORE") {
    put(notes, name.size() + 1, 4);
    put(notes, desc.size(), 4);
    put(notes, type, 4);
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
    std::string e = std::string("\x7f" "ELF", 4) + std::string("\x02\x01\x01", 3) + std::string(9, '\0');
    put(e, 4, 2), put(e, machine, 2), put(e, 1, 4), put(e, 0, 8), put(e, 64, 8), put(e, 0, 8), put(e, 0, 4);
    put(e, 64, 2), put(e, 56, 2), put(e, 2, 2), put(e, 64, 2), put(e, 0, 2), put(e, 0, 2);
    const std::uint64_t note_off = 64 + 2 * 56, load_off = note_off + notes.size();
    put(e, 4, 4), put(e, 0, 4), put(e, note_off, 8), put(e, 0, 8), put(e, 0, 8), put(e, notes.size(), 8), put(e, 0, 8), put(e, 1, 8);
    put(e, 1, 4), put(e, 5, 4), put(e, load_off, 8), put(e, 0x400000, 8), put(e, 0, 8), put(e, 64, 8), put(e, 0x1000, 8), put(e, 0x1000, 8);
    return e + notes + std::string(64, '\0');
  }
};

}  // namespace crashsift::symbolize::test
