// The flat fields of one exit: a hook's environment and a journal entry's CRASHSIFT_* fields.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>

#include "crashsift/report/exit_fields.hpp"

using namespace crashsift;

namespace {

classify::Exit oom_exit() {
  classify::Exit x;
  x.unit = "orders.service";
  x.pid = 4242;
  x.process_name = "orders";
  x.hostname = "web-3";
  x.boot_id = "0123456789abcdef0123456789abcdef";
  x.exited_at = 1790000000123456;
  x.cls = classify::ExitClass::oom;
  x.oom_kind = classify::OomKind::cgroup;
  x.cause = "memcg-oom";
  x.signal = "KILL";
  return x;
}

std::map<std::string, std::string> as_map(const std::vector<std::string>& entry) {
  std::map<std::string, std::string> m;
  for (const auto& f : entry) {
    const size_t eq = f.find('=');
    REQUIRE(eq != std::string::npos);
    CHECK_MESSAGE(m.count(f.substr(0, eq)) == 0, "field given twice: " << f);
    m[f.substr(0, eq)] = f.substr(eq + 1);
  }
  return m;
}

}  // namespace

TEST_CASE("exit fields: every fact under its CRASHSIFT_ name, the id the JSON's") {
  const classify::Exit x = oom_exit();
  std::map<std::string, std::string> f;
  for (auto& [k, v] : report::exit_fields(x)) f[k] = v;
  CHECK(f.at("CRASHSIFT_EXIT_ID") == classify::exit_id(x));
  CHECK(f.at("CRASHSIFT_UNIT") == "orders.service");
  CHECK(f.at("CRASHSIFT_CLASS") == "oom");
  CHECK(f.at("CRASHSIFT_CAUSE") == "memcg-oom");
  CHECK(f.at("CRASHSIFT_PID") == "4242");
  CHECK(f.at("CRASHSIFT_SIGNAL") == "KILL");
  CHECK(f.at("CRASHSIFT_CODE").empty());
  CHECK(f.at("CRASHSIFT_EXITED_AT") == "2026-09-21T14:13:20.123456Z");
}

TEST_CASE("journal entry: our MESSAGE_ID, a warning for a failure, empty facts left out, one line of JSON") {
  const auto e = as_map(report::exit_journal_entry(oom_exit(), "orders.service: oom/cgroup (SIGKILL)\n", "{\"a\":1}\n"));
  CHECK(e.at("MESSAGE_ID") == std::string(report::exit_message_id));
  CHECK(e.at("MESSAGE") == "orders.service: oom/cgroup (SIGKILL)");
  CHECK(e.at("PRIORITY") == "4");
  CHECK(e.at("CRASHSIFT_JSON") == "{\"a\":1}");
  CHECK(e.count("CRASHSIFT_CODE") == 0);
  CHECK(e.count("CRASHSIFT_REASON") == 0);
  CHECK(e.at("CRASHSIFT_HOST") == "web-3");

  classify::Exit clean = oom_exit();
  clean.cls = classify::ExitClass::clean;
  CHECK(as_map(report::exit_journal_entry(clean, "m", "{}")).at("PRIORITY") == "6");
}
