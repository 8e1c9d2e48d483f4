#include <doctest/doctest.h>

#include "crashsift/symbolize/signature.hpp"

using namespace crashsift::symbolize;

namespace {
Frame named(const std::string& fn, const std::string& mod = "app", std::uint64_t off = 0x10) {
  Frame f;
  f.function = fn;
  f.module = mod;
  f.module_offset = off;
  return f;
}
CoreReport report(std::vector<Frame> frames, const std::string& sig = "SIGABRT") {
  CoreReport r;
  r.crash.signal_name = sig;
  Thread t;
  t.crashing = true;
  t.frames = std::move(frames);
  r.threads.push_back(t);
  return r;
}
}  // namespace

TEST_CASE("signature: abort machinery is skipped, the first three named frames remain") {
  auto r = report({named("__pthread_kill_implementation", "libc.so.6"), named("__GI_raise", "libc.so.6"),
                   named("__GI_abort", "libc.so.6"), named("__assert_fail_base", "libc.so.6"),
                   named("__GI___assert_fail", "libc.so.6"), named("check_invariant"), named("drain_queue"), named("main")});
  auto s = compute_signature(r);
  REQUIRE(s);
  CHECK(s->text == "SIGABRT: check_invariant < drain_queue < main");
  CHECK(s->symbolized);
  CHECK(s->hash == short_hash(s->text));
  CHECK(s->hash.size() == 12);
}

TEST_CASE("signature: C++ names lose return types and parameters, std::terminate frames are skipped") {
  Frame unnamed_libstdcxx;
  unnamed_libstdcxx.module = "libstdc++.so.6";
  unnamed_libstdcxx.module_offset = 0x9d919;
  auto r = report({named("__GI_abort", "libc.so.6"), unnamed_libstdcxx, named("__cxa_throw", "libstdc++.so.6"),
                   named("app::Parser::parse() const"), named("void app::run<int>(app::Parser&)"),
                   named("main")});
  auto s = compute_signature(r);
  REQUIRE(s);
  CHECK(s->text == "SIGABRT: app::Parser::parse < app::run<int> < main");
}

TEST_CASE("signature: inlined frames count as frames") {
  Frame f = named("update_state");
  f.inlined.push_back({"store_flag", "x.c", 7, 9});
  auto r = report({f, named("main")}, "SIGSEGV");
  CHECK(compute_signature(r)->text == "SIGSEGV: store_flag < update_state < main");
}

TEST_CASE("signature: unsymbolized crashes group by module+offset, never by signal alone") {
  Frame a, b, libc = named("__libc_start_call_main", "libc.so.6");
  a.module = "bun", a.module_offset = 0x2e42e04;
  b.module = "bun", b.module_offset = 0x1000;
  auto s = compute_signature(report({a, b, libc}, "SIGSEGV"));
  REQUIRE(s);
  CHECK_FALSE(s->symbolized);
  CHECK(s->text == "SIGSEGV: bun+0x2e42e04 < bun+0x1000 < __libc_start_call_main");
  CHECK_FALSE(compute_signature(report({}, "SIGSEGV")));
  CHECK_FALSE(compute_signature(report({named("__GI_abort", "libc.so.6")})));
  Frame nowhere;  // pc 0: a call through a null function pointer
  CHECK_FALSE(compute_signature(report({nowhere}, "SIGSEGV")));
  CHECK(compute_signature(report({nowhere, named("main")}, "SIGSEGV"))->text == "SIGSEGV: ?? < main");
}

TEST_CASE("signature: the hash is stable across releases (golden value)") {
  CHECK(short_hash("SIGSEGV: write_config_value < apply_setting < parse_section") == "f9a5932b5b0a");
}

TEST_CASE("signature: the built-in skip list is loaded and documented patterns work") {
  const SkipList& s = SkipList::builtin();
  CHECK(s.size() > 30);
  CHECK(s.skips({"__GI_raise", "libc.so.6", 1}));
  CHECK(s.skips({"core::panicking::panic_fmt", "app", 1}));
  CHECK(s.skips({"", "libstdc++.so.6", 1}));
  CHECK_FALSE(s.skips({"", "app", 1}));
  CHECK_FALSE(s.skips({"node::Abort(v8::FunctionCallbackInfo<v8::Value> const&)", "node", 1}));
  CHECK(s.skips({"node::OnFatalError(char const*, char const*)", "node", 1}));
  auto custom = SkipList::parse("# comment\nfoo\nbar*\nmodule:libx.so*\n");
  CHECK(custom.skips({"foo", "", {}}));
  CHECK(custom.skips({"barbaz", "", {}}));
  CHECK(custom.skips({"", "libx.so.1", {}}));
  CHECK_FALSE(custom.skips({"foo2", "", {}}));
}

TEST_CASE("signature: short_function_name") {
  CHECK(short_function_name("node::(anonymous namespace)::PlatformWorkerThread(void*)") ==
        "node::(anonymous namespace)::PlatformWorkerThread");
  CHECK(short_function_name("node::PerIsolatePlatformData::RunForegroundTask(std::unique_ptr<v8::Task>) [clone .part.0]") ==
        "node::PerIsolatePlatformData::RunForegroundTask");
  CHECK(short_function_name("v8::internal::MaybeHandle<v8::internal::Object> v8::internal::(anonymous namespace)::HandleApiCallHelper<false>(v8::internal::Isolate*, int)") ==
        "v8::internal::(anonymous namespace)::HandleApiCallHelper<false>");
  CHECK(short_function_name("write_config_value") == "write_config_value");
}
