// Compressed cores whose stream is cut short (a copy interrupted, a disk that filled up while
// systemd-coredump wrote the .zst): the error names the stream, not the few bytes that came out.
#include <doctest/doctest.h>
#include <lz4frame.h>
#include <unistd.h>
#include <zstd.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "crashsift/symbolize/decompress.hpp"
#include "crashsift/symbolize/symbolize.hpp"
#include "unit/symbolize/core_fixtures.hpp"

using namespace crashsift::symbolize;
using test::CoreBuilder;

namespace {

std::string small_core() {
  CoreBuilder b;
  b.note(1, CoreBuilder::prstatus(4242, 11, 0x401010, 0x7ffc1000))
      .note(3, CoreBuilder::psinfo(4242, "demo", std::string("demo\0--port\0" "8080", 16)))
      .note(0x53494749, CoreBuilder::siginfo(11, 1, 0x18));
  return b.build();
}

std::string zstd(const std::string& raw) {
  std::string z(ZSTD_compressBound(raw.size()), '\0');
  z.resize(ZSTD_compress(z.data(), z.size(), raw.data(), raw.size(), 3));
  return z;
}

std::string lz4(const std::string& raw) {
  std::string z(LZ4F_compressFrameBound(raw.size(), nullptr), '\0');
  z.resize(LZ4F_compressFrame(z.data(), z.size(), raw.data(), raw.size(), nullptr));
  return z;
}

// A file in the temporary directory, removed at the end of the test.
struct TempFile {
  std::string path;
  TempFile(const std::string& name, const std::string& bytes)
      : path(std::filesystem::temp_directory_path() / ("crashsift-" + std::to_string(::getpid()) + "-" + name)) {
    std::ofstream(path, std::ios::binary) << bytes;
  }
  ~TempFile() { std::filesystem::remove(path); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
};

CoreRequest in_process(const std::string& path) {
  CoreRequest q;
  q.core_path = path;
  q.isolate = false;
  return q;
}

}  // namespace

TEST_CASE("decompress: a cut .zst or .lz4 core is reported as a cut stream, not as 'not an ELF file'") {
  const std::string core = small_core();
  for (const auto& [kind, packed] : {std::pair<std::string, std::string>{"zstd", zstd(core)}, {"lz4", lz4(core)}}) {
    CAPTURE(kind);
    REQUIRE(packed.size() > 40);
    const std::string cut = packed.substr(0, packed.size() / 2);
    TempFile f("cut-core." + kind, cut);
    const std::string expected =
        "the " + kind + " stream is cut short after " + std::to_string(cut.size()) + " bytes (a truncated core file)";

    auto r = symbolize_core_in_process(in_process(f.path));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().find(expected) != std::string::npos);
    CHECK(r.error().find("not an ELF file") == std::string::npos);

    const CoreIdentity id = read_core_identity(f.path);
    CHECK(id.compression == kind);
    CHECK(id.error.find(expected) != std::string::npos);
    CHECK(id.error.find("not an ELF file") == std::string::npos);

    TempFile whole("whole-core." + kind, packed);  // the same core, whole, reads fine
    auto ok = symbolize_core_in_process(in_process(whole.path));
    REQUIRE(ok.ok());
    CHECK(*ok->crash.pid == 4242);
  }
}

TEST_CASE("decompress: a core cut after its notes is read, with a warning that says how much came out") {
  std::string core = small_core();
  std::mt19937 rng(7);
  std::string noise(512 * 1024, '\0');  // incompressible, so the cut lands far past the notes
  for (char& c : noise) c = static_cast<char>(rng() & 0xff);
  core += noise;
  const std::string packed = zstd(core);
  const std::string cut = packed.substr(0, packed.size() * 3 / 4);
  TempFile f("cut-late.zst", cut);
  auto r = symbolize_core_in_process(in_process(f.path));
  REQUIRE(r.ok());
  CHECK(*r->crash.pid == 4242);
  std::string warning;
  for (const auto& w : r->warnings)
    if (w.code == "decompress") warning = w.message;
  CHECK(warning.find("the zstd stream is cut short after " + std::to_string(cut.size()) +
                     " bytes (a truncated core file): only the first ") == 0);
  CHECK(warning.find(" bytes of the core were recovered") != std::string::npos);
}

TEST_CASE("decompress: stream problems in words") {
  CHECK(stream_problem("zstd", "", 10).empty());
  CHECK(stream_problem("xz", "xz: truncated input", 10) == "the xz stream is cut short after 10 bytes (a truncated core file)");
  CHECK(stream_problem("gzip", "gzip: corrupt data (invalid block type)", 10) ==
        "the gzip stream is damaged (gzip: corrupt data (invalid block type))");
  CHECK(stream_problem("lz4", "read failed: Input/output error", 4096) ==
        "reading the lz4 stream failed (read failed: Input/output error)");
  CHECK(unreadable_core_error("", 0, "not an ELF file") == "not an ELF file");
  CHECK(unreadable_core_error("the zstd stream is cut short after 9 bytes (a truncated core file)", 0, "not an ELF file") ==
        "the zstd stream is cut short after 9 bytes (a truncated core file): no byte of the core could be recovered");
}
