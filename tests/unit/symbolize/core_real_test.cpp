// End-to-end through the library on real cores made at test time (see core_fixtures.hpp).
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <zstd.h>

#include <fstream>

#include "crashsift/symbolize/core_json.hpp"
#include "crashsift/symbolize/decompress.hpp"
#include "crashsift/symbolize/signature.hpp"
#include "crashsift/symbolize/symbolize.hpp"
#include "unit/symbolize/core_fixtures.hpp"

using namespace crashsift::symbolize;

namespace {

std::vector<std::string> function_names(const Thread& t) {
  std::vector<std::string> out;
  for (const auto& f : flatten(t)) out.push_back(f.function);
  return out;
}

CoreRequest request(const std::string& core, bool isolate = false) {
  CoreRequest r;
  r.core_path = core;
  r.isolate = isolate;
  return r;
}

bool has_warning(const CoreReport& r, const std::string& code) {
  for (const auto& w : r.warnings)
    if (w.code == code) return true;
  return false;
}

}  // namespace

TEST_CASE("real core: null write in a deep call chain") {
  const std::string dir = test::cores_dir();
  if (test::skip_without_cores(dir)) return;
  auto r = symbolize_core(request(dir + "/deep_null/core", true));
  REQUIRE(r.ok());
  CHECK(r->complete);
  CHECK(r->crash.signal_name == "SIGSEGV");
  CHECK(r->crash.si_code_name == "SEGV_MAPERR");
  CHECK(*r->crash.fault_address == 0);
  CHECK(r->crash.fault_hint.find("null page") == 0);
  CHECK(r->crash.exe == dir + "/deep_null/deep_null");
  REQUIRE(r->threads.size() == 1);
  const auto names = function_names(r->threads[0]);
  REQUIRE(names.size() >= 6);
  CHECK(std::vector<std::string>(names.begin(), names.begin() + 6) ==
        std::vector<std::string>{"write_config_value", "apply_setting", "parse_section", "parse_config", "load_plugin", "main"});
  const Frame& top = r->threads[0].frames[0];
  CHECK(top.trust == Trust::context);
  CHECK(r->threads[0].frames[1].trust == Trust::cfi);
  CHECK(top.file.find("deep_null.c") != std::string::npos);
  CHECK(*top.line == 8);
  CHECK(top.module == "deep_null");
  REQUIRE(r->signature);
  CHECK(r->signature->text == "SIGSEGV: write_config_value < apply_setting < parse_section");
}

TEST_CASE("real core: the inlined function is its own frame line") {
  const std::string dir = test::cores_dir();
  if (test::skip_without_cores(dir)) return;
  auto r = symbolize_core_in_process(request(dir + "/inline_crash/core"));
  REQUIRE(r.ok());
  const Frame& f = r->threads[0].frames[0];
  CHECK(f.function == "update_state");
  REQUIRE(f.inlined.size() == 1);
  CHECK(f.inlined[0].function == "store_flag");
  CHECK(*f.inlined[0].line == 7);
  CHECK(*f.line == 10);
}

TEST_CASE("real core: 16 threads, crash in a worker, crashing thread listed first") {
  const std::string dir = test::cores_dir();
  if (test::skip_without_cores(dir)) return;
  auto r = symbolize_core(request(dir + "/threads/core", true));
  REQUIRE(r.ok());
  CHECK(r->threads.size() == 17);
  CHECK(r->limits.threads_total == 17);
  CHECK(r->threads[0].crashing);
  CHECK(r->threads[0].tid == *r->crash.crashing_tid);
  CHECK(r->threads[0].tid != *r->crash.pid);
  CHECK(function_names(r->threads[0])[0] == "poison_cache");
  for (size_t i = 1; i < r->threads.size(); ++i) CHECK_FALSE(r->threads[i].crashing);
}

TEST_CASE("real core: thread and frame bounds are reported when hit") {
  const std::string dir = test::cores_dir();
  if (test::skip_without_cores(dir)) return;
  CoreRequest q = request(dir + "/threads/core");
  q.max_threads = 4;
  q.max_frames = 2;
  auto r = symbolize_core_in_process(q);
  REQUIRE(r.ok());
  CHECK(r->threads.size() == 4);
  CHECK(r->limits.threads_truncated);
  CHECK(has_warning(*r, "thread-limit"));
  CHECK(has_warning(*r, "frame-limit"));
  for (const auto& t : r->threads) CHECK(t.frames.size() <= 2);
}

TEST_CASE("real core: stripped binary with a separate .debug file, next to it and by --debug-dir") {
  const std::string dir = test::cores_dir();
  if (test::skip_without_cores(dir)) return;
  auto r = symbolize_core_in_process(request(dir + "/stripped/core"));
  REQUIRE(r.ok());
  CHECK(function_names(r->threads[0])[0] == "write_config_value");
  bool separate = false;
  for (const auto& m : r->modules)
    if (m.name.find("stripped") != std::string::npos) separate = m.debuginfo == "separate";
  CHECK(separate);

  // Without the debuglink neighbour, only --debug-dir (build-id layout) finds the DWARF.
  namespace fs = std::filesystem;
  const fs::path moved = fs::path(dir) / "stripped" / "stripped.debug.away";
  fs::rename(fs::path(dir) / "stripped" / "stripped.debug", moved);
  auto without = symbolize_core_in_process(request(dir + "/stripped/core"));
  CoreRequest q = request(dir + "/stripped/core");
  q.debug_dirs.push_back(dir + "/stripped/debugdir");
  auto with = symbolize_core_in_process(q);
  fs::rename(moved, fs::path(dir) / "stripped" / "stripped.debug");
  REQUIRE(without.ok());
  REQUIRE(with.ok());
  CHECK(function_names(without->threads[0])[0] != "write_config_value");
  CHECK(has_warning(*without, "no-symbols"));
  CHECK(function_names(with->threads[0])[0] == "write_config_value");
  bool by_dir = false;
  for (const auto& m : with->modules) by_dir |= m.debuginfo_found_by == "debug-dir";
  CHECK(by_dir);
}

TEST_CASE("real core: systemd-coredump compressed cores (zst, lz4, xz) give the same report") {
  const std::string dir = test::cores_dir();
  if (test::skip_without_cores(dir)) return;
  auto plain = symbolize_core_in_process(request(dir + "/deep_null/core"));
  REQUIRE(plain.ok());
  for (const auto& e : std::filesystem::directory_iterator(dir + "/compressed")) {
    if (e.path().filename().string().rfind("core.", 0) != 0) continue;
    auto r = symbolize_core_in_process(request(e.path().string()));
    REQUIRE(r.ok());
    CHECK(!r->compression.empty());
    CHECK(*r->apparent_size == *plain->file_size);
    CHECK(r->crash.time_source == "file-name");
    CHECK(*r->crash.time_usec == 1795420544000000);
    CHECK(r->signature->hash == plain->signature->hash);
  }
}

TEST_CASE("real core: identity from notes only, plain and compressed") {
  const std::string dir = test::cores_dir();
  if (test::skip_without_cores(dir)) return;
  const CoreIdentity id = read_core_identity(dir + "/deep_null/core");
  CHECK(id.error.empty());
  CHECK(id.signal_name == "SIGSEGV");
  CHECK(id.exe == dir + "/deep_null/deep_null");
  CHECK(id.comm == "deep_null");
  CHECK(id.build_id.size() == 40);
  CHECK(id.time_source == "mtime");
  for (const auto& e : std::filesystem::directory_iterator(dir + "/compressed")) {
    if (e.path().extension() != ".zst") continue;
    const CoreIdentity z = read_core_identity(e.path().string());
    CHECK(z.error.empty());
    CHECK(z.compression == "zstd");
    CHECK(z.build_id == id.build_id);
    CHECK(z.boot_id == "00b0aee00c7a4d01be43a3e4e798d19c");
    CHECK(*z.time_usec == 1795420544000000);
    CHECK(z.exe == id.exe);
  }
  CHECK_FALSE(read_core_identity(dir + "/deep_null/deep_null").error.empty());
}

TEST_CASE("real core: bad cores give messages or partial results, never a crash") {
  const std::string dir = test::cores_dir();
  if (test::skip_without_cores(dir)) return;
  std::ifstream in(dir + "/deep_null/core", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string bad = dir + "/bad";
  std::filesystem::create_directories(bad);
  auto write = [&](const std::string& name, const std::string& b) {
    std::ofstream(bad + "/" + name, std::ios::binary) << b;
    return bad + "/" + name;
  };
  for (size_t cut : {size_t{100}, size_t{3000}, size_t{5000}, size_t{20000}, bytes.size() / 2}) {
    auto r = symbolize_core(request(write("cut", bytes.substr(0, cut)), true));
    if (r) CHECK((!r->complete || !r->warnings.empty()));
  }
  auto zeros = symbolize_core(request(write("zeros", std::string(8192, '\0')), true));
  REQUIRE_FALSE(zeros.ok());
  CHECK(zeros.error().find("not an ELF file") != std::string::npos);
  auto exe = symbolize_core(request(dir + "/deep_null/deep_null", true));
  REQUIRE_FALSE(exe.ok());
  CHECK(exe.error().find("not a core dump") != std::string::npos);
  // Wrong executable: --exe names a binary with another build-id.
  CoreRequest q = request(dir + "/deep_null/core", true);
  q.exe = dir + "/inline_crash/inline_crash";
  auto wrong = symbolize_core(q);
  REQUIRE(wrong.ok());
  CHECK(!wrong->threads.empty());
}

TEST_CASE("real core: a child that dies keeps the header and says why") {
  const std::string dir = test::cores_dir();
  if (test::skip_without_cores(dir)) return;
  CoreRequest q = request(dir + "/threads/core", true);
  q.timeout_sec = 0.0001;  // gone before it can finish
  auto r = symbolize_core(q);
  if (r) {
    CHECK_FALSE(r->complete);
    CHECK(has_warning(*r, "partial"));
  } else {
    CHECK(r.error().find("timed out") != std::string::npos);
  }
}

TEST_CASE("decompress: zero runs become holes, not disk blocks") {
  std::string raw(32u << 20, '\0');
  raw.replace(5u << 20, 5, "hello");
  raw.replace(raw.size() - 3, 3, "end");
  std::string z(ZSTD_compressBound(raw.size()), '\0');
  z.resize(ZSTD_compress(z.data(), z.size(), raw.data(), raw.size(), 1));
  const std::string path = std::filesystem::temp_directory_path() / ("crashsift-sparse-" + std::to_string(::getpid()) + ".zst");
  std::ofstream(path, std::ios::binary) << z;
  auto c = open_core(path);
  std::filesystem::remove(path);
  REQUIRE(c.ok());
  CHECK(c->compression == "zstd");
  CHECK(c->apparent_size == raw.size());
  CHECK(c->data_bytes == 2 * 4096);
  struct stat st {};
  REQUIRE(::fstat(c->fd, &st) == 0);
  CHECK(static_cast<std::uint64_t>(st.st_size) == raw.size());
  CHECK(static_cast<std::uint64_t>(st.st_blocks) * 512 < (1u << 20));
  char buf[5];
  CHECK(::pread(c->fd, buf, 5, 5u << 20) == 5);
  CHECK(std::string(buf, 5) == "hello");
  ::close(c->fd);
}

TEST_CASE("coredump file names") {
  auto n = parse_coredump_name("/var/lib/systemd/coredump/core.systemd-journal.0.fce92e23f13844328c554edaf0845804.334.1746188381000000.zst");
  REQUIRE(n);
  CHECK(n->comm == "systemd-journal");
  CHECK(n->pid == 334);
  CHECK(n->uid == 0);
  CHECK(n->time_usec == 1746188381000000);
  CHECK(n->boot_id == "fce92e23f13844328c554edaf0845804");
  CHECK(parse_coredump_name("core.my.app.0.fce92e23f13844328c554edaf0845804.7.8")->comm == "my.app");
  CHECK_FALSE(parse_coredump_name("/tmp/core"));
  CHECK_FALSE(parse_coredump_name("core.x.0.nothex.1.2.zst"));
}
