#include <doctest/doctest.h>

#include "crashsift/report/core_format.hpp"
#include "crashsift/symbolize/core_json.hpp"

using namespace crashsift::symbolize;
using namespace crashsift::report;

namespace {
CoreReport sample() {
  CoreReport r;
  r.path = "/var/lib/systemd/coredump/core.x.zst";
  r.compression = "zstd";
  r.file_size = 1000;
  r.apparent_size = 300000;
  r.backend = "libdwfl";
  r.crash.signal = 11;
  r.crash.signal_name = "SIGSEGV";
  r.crash.si_code = 1;
  r.crash.si_code_name = "SEGV_MAPERR";
  r.crash.fault_address = 0;
  r.crash.fault_hint = "null page (NULL pointer dereference)";
  r.crash.pid = 42;
  r.crash.crashing_tid = 43;
  r.crash.cmdline = "x --flag";
  Thread t;
  t.tid = 43;
  t.crashing = true;
  Frame f;
  f.index = 0;
  f.pc = 0x55550000114bull;
  f.module = "x";
  f.module_offset = 0x114b;
  f.function = "update_state";
  f.file = "x.c";
  f.line = 10;
  f.column = 3;
  f.trust = Trust::context;
  f.activation = true;
  f.inlined.push_back({"store_flag", "x.c", 7, 9});
  t.frames.push_back(f);
  Frame g;
  g.index = 1;
  g.pc = 0x7f0000001000ull;
  g.module = "libc.so.6";
  g.module_offset = 0x1000;
  g.trust = Trust::frame_pointer;
  t.frames.push_back(g);
  r.threads.push_back(t);
  Module m;
  m.name = "/usr/bin/x";
  m.build_id = "abcd";
  m.load_address = 0x555500000000ull;
  m.end_address = 0x555500005000ull;
  m.elf_path = "/usr/bin/x";
  m.found_by = "core-path";
  m.symbols = "symtab";
  m.debuginfo = "embedded";
  r.modules.push_back(m);
  r.signature = Signature{"0123456789ab", "SIGSEGV: store_flag < update_state", true};
  r.warnings.push_back({"module-missing", "libfoo.so was not found"});
  return r;
}
}  // namespace

TEST_CASE("core json: schema, nulls and hex strings") {
  const std::string j = to_json_string(sample());
  CHECK(j.find("\"schema\":\"crashsift/core/1\"") != std::string::npos);
  CHECK(j.find("\"fault_address\":\"0x0000000000000000\"") != std::string::npos);
  CHECK(j.find("\"module_offset\":\"0x114b\"") != std::string::npos);
  CHECK(j.find("\"uptime_sec\":null") != std::string::npos);
  CHECK(j.find("\"function\":null") != std::string::npos);  // frame #1 has no symbol
  CHECK(j.find("\"trust\":\"frame-pointer\"") != std::string::npos);
}

TEST_CASE("core json: what to_json writes reads back the same") {
  const CoreReport a = sample();
  auto b = core_report_from_json(to_json_string(a));
  REQUIRE(b.ok());
  CHECK(to_json_string(*b) == to_json_string(a));
  CHECK(b->threads[0].frames[0].inlined[0].function == "store_flag");
  CHECK(*b->crash.fault_address == 0);
  CHECK(b->threads[0].frames[1].trust == Trust::frame_pointer);
}

TEST_CASE("core json: other schemas and wrong types are refused") {
  CHECK_FALSE(core_report_from_json("{\"schema\":\"crashsift/exit/1\"}").ok());
  CHECK_FALSE(core_report_from_json("not json").ok());
  CHECK_FALSE(core_report_from_json("{\"schema\":\"crashsift/core/1\",\"complete\":\"yes\"}").ok());
  CHECK(core_report_from_json("{\"schema\":\"crashsift/core/1\",\"future_key\":1}").ok());
}

TEST_CASE("core format: frame lines with inlined frames as their own lines") {
  const CoreReport r = sample();
  CHECK(format_frame_line(r.threads[0].frames[0]) ==
        "#0  0x000055550000114b x+0x114b store_flag x.c:7:9 [inlined]\n"
        "#0  0x000055550000114b x+0x114b update_state x.c:10:3 [context]");
  CHECK(format_frame_line(r.threads[0].frames[1]) == "#1  0x00007f0000001000 libc.so.6+0x1000 ?? [frame-pointer]");
}

TEST_CASE("core format: text has the header, the crashing thread, modules and warnings") {
  const std::string t = format_core_text(sample());
  CHECK(t.find("Crash: SIGSEGV (11) SEGV_MAPERR at 0x0000000000000000: null page (NULL pointer dereference)\n") != std::string::npos);
  CHECK(t.find("Process: pid 42, crashing thread 43") != std::string::npos);
  CHECK(t.find("Command line: x --flag\n") != std::string::npos);
  CHECK(t.find("Signature: 0123456789ab  SIGSEGV: store_flag < update_state\n") != std::string::npos);
  CHECK(t.find("\nThread 43 (crashing):\n#0  ") != std::string::npos);
  CHECK(t.find("Modules:\n  0x0000555500000000-0x0000555500005000 /usr/bin/x\n") != std::string::npos);
  CHECK(t.find("  module-missing: libfoo.so was not found\n") != std::string::npos);
  const std::string md = format_core_markdown(sample());
  CHECK(md.find("## Crash: SIGSEGV (11) SEGV\\_MAPERR") != std::string::npos);
  CHECK(md.find("### Thread 43 (crashing)\n\n```\n#0  ") != std::string::npos);
}
