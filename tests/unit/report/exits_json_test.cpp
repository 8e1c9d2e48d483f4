// The crashsift/exit/1 contract (man/crashsift-json.5), checked by parsing the output back:
// every documented key present, no undocumented key, types as documented.
#include <doctest/doctest.h>
#include <simdjson.h>

#include <algorithm>
#include <set>
#include <sstream>

#include "crashsift/pipeline/exits_run.hpp"
#include "crashsift/report/exits_report.hpp"

using namespace crashsift;

namespace {

const std::set<std::string> exit_keys = {
    "schema", "id", "unit", "pid", "pid_source", "process", "host", "boot_id", "invocation_id", "started_at",
    "exited_at", "time_precision", "uptime_s", "class", "oom_kind", "cause", "confidence", "exit_kind", "code",
    "signal", "signal_number", "unit_result", "reason", "reason_kind", "runtime", "restart_counter",
    "start_limit_hit", "stop_requested", "memory_peak_bytes", "evidence", "witnesses", "missing", "samples", "samples_source",
    "core"};
const std::set<std::string> evidence_keys = {"role", "text", "source", "cursor", "at"};
const std::set<std::string> input_keys = {"path", "kind", "format", "compression", "entries", "skipped", "skipped_first",
                                          "first_time", "last_time", "notes", "damage", "damage_count", "salvaged",
                                          "salvaged_entries", "error"};

std::set<std::string> keys_of(simdjson::dom::object o) {
  std::set<std::string> k;
  for (auto field : o) k.insert(std::string(field.key));
  return k;
}

report::ExitsReport lab_report() {
  pipeline::ExitsQuery q;
  q.inputs = {std::string(CRASHSIFT_TESTDATA) + "/journals/systemd-lab/journal.export",
              std::string(CRASHSIFT_TESTDATA) + "/kernel/systemd-lab/host-dmesg.txt"};
  q.parse.zone = Zone::utc();
  q.parse.kernel_boot_time = 1795420661438609 - 10463629344;
  return pipeline::run_exits(q);
}

bool is_rfc3339_utc(std::string_view s) {
  return s.size() == 27 && s[4] == '-' && s[10] == 'T' && s[19] == '.' && s.back() == 'Z';
}

void check_exit(simdjson::dom::object x, bool ndjson) {
  std::set<std::string> want = exit_keys;
  if (ndjson) want.insert("type");
  CHECK(keys_of(x) == want);
  CHECK(std::string_view(x["schema"]) == "crashsift/exit/1");
  CHECK(std::string_view(x["id"]).size() == 16);
  const std::string_view cls = x["class"];
  CHECK(std::set<std::string_view>{"clean", "self-exit", "segfault", "oom", "watchdog", "timeout", "killed",
                                   "unknown"}
            .count(cls) == 1);
  CHECK((x["oom_kind"].is_null() == (cls != "oom")));
  CHECK((std::string_view(x["confidence"]) == "confirmed" || std::string_view(x["confidence"]) == "inferred"));
  CHECK(is_rfc3339_utc(std::string_view(x["exited_at"])));
  CHECK((x["pid"].is_null() || x["pid"].is_int64()));
  CHECK((x["code"].is_null() || x["code"].is_int64()));
  for (auto e : simdjson::dom::array(x["evidence"])) {
    CHECK(keys_of(e) == evidence_keys);
    CHECK(std::string_view(e["source"]).find(':') != std::string_view::npos);
  }
  for (auto m : simdjson::dom::array(x["missing"])) CHECK(m.is_string());
  // Every exit names at least the witness it was made from, and how each other one joined.
  const auto witnesses = simdjson::dom::array(x["witnesses"]);
  CHECK(witnesses.size() >= 1);
  for (auto wi : witnesses) {
    CHECK(keys_of(wi) == std::set<std::string>{"kind", "joined_by", "source"});
    CHECK(std::set<std::string_view>{"created", "pid+time", "pid", "unit", "cgroup", "comm+time", "comm", "time", "paste-order"}
              .count(std::string_view(wi["joined_by"])) == 1);
  }
}

}  // namespace

TEST_CASE("JSON document: schema, inputs, exits, counts that add up") {
  const auto r = lab_report();
  const std::string json = report::format_exits_json(r, false);
  simdjson::dom::parser p;
  simdjson::dom::element doc;
  REQUIRE_FALSE(p.parse(json).get(doc));
  CHECK(std::string_view(doc["schema"]) == "crashsift/exits/1");
  CHECK(keys_of(doc) == std::set<std::string>{"schema", "inputs", "exits", "counts", "warnings"});
  for (auto in : simdjson::dom::array(doc["inputs"])) CHECK(keys_of(in) == input_keys);
  size_t n = 0;
  for (auto x : simdjson::dom::array(doc["exits"])) {
    check_exit(x, false);
    ++n;
  }
  CHECK(n == r.exits.size());
  std::uint64_t sum = 0;
  for (auto c : simdjson::dom::object(doc["counts"]["by_class"])) sum += std::uint64_t(c.value);
  CHECK(sum == n);
  CHECK(std::uint64_t(doc["counts"]["exits"]) == n);
}

TEST_CASE("NDJSON: one exit object per line, then one summary") {
  const auto r = lab_report();
  std::istringstream lines(report::format_exits_ndjson(r));
  simdjson::dom::parser p;
  std::string line;
  size_t exits = 0, summaries = 0;
  while (std::getline(lines, line)) {
    simdjson::dom::element doc;
    REQUIRE_FALSE(p.parse(line).get(doc));
    const std::string_view type = doc["type"];
    if (type == "exit") {
      CHECK(summaries == 0);
      check_exit(doc, true);
      ++exits;
    } else {
      CHECK(type == "summary");
      CHECK(std::string_view(doc["schema"]) == "crashsift/summary/1");
      ++summaries;
    }
  }
  CHECK(exits == r.exits.size());
  CHECK(summaries == 1);
}

TEST_CASE("text output: one aligned line per exit and a summary that names every class") {
  const auto r = lab_report();
  report::TextStyle style{Zone::utc(), false, false};
  const std::string text = report::format_exits_text(r, style);
  std::istringstream in(text);
  std::string line;
  size_t rows = 0;
  std::getline(in, line);
  CHECK(line.rfind("TIME (UTC)", 0) == 0);
  const size_t header_unit = line.find("UNIT");
  while (std::getline(in, line)) {
    if (line.rfind("2026-", 0) != 0) break;
    CHECK(line.substr(header_unit, 1) != " ");  // the unit column starts where its header does
    ++rows;
  }
  CHECK(rows == r.exits.size());
  CHECK(line.find("exits:") != std::string::npos);
  CHECK(text.find("\x1b[") == std::string::npos);  // no colour unless asked
}

TEST_CASE("streamed text: rows written batch by batch stay aligned under the header") {
  auto r = lab_report();
  REQUIRE(r.exits.size() >= 4);
  std::string text;
  auto writer = report::make_text_exits_writer(report::TextStyle{Zone::utc(), false, false},
                                               [&](std::string_view s) { text.append(s); });
  // One exit a batch, as a stream of rare exits arrives; the widest STATUS/CLASS come later.
  std::vector<classify::Exit> all = std::move(r.exits);
  std::stable_sort(all.begin(), all.end(), [](const classify::Exit& a, const classify::Exit& b) {
    return a.signal.empty() > b.signal.empty();  // "exit N" rows first, "SIGxxx (core)" rows later
  });
  for (auto& x : all) x.unit = "one.service";  // the UNIT column widens with its values (by design)
  for (auto& x : all) writer->write_final({x}, {}, r.inputs);
  r.exits.clear();
  r.streamed_exits = all.size();
  writer->finish(r);
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);
  const size_t header_why = line.find("WHY");
  REQUIRE(header_why != std::string::npos);
  size_t rows = 0;
  while (std::getline(in, line) && line.rfind("2026-", 0) == 0) {
    CAPTURE(line);
    CHECK(line.substr(header_why - 2, 2) == "  ");  // every STATUS fits its column
    ++rows;
  }
  CHECK(rows == all.size());
  CHECK(line.rfind(std::to_string(all.size()) + " exits", 0) == 0);
}
