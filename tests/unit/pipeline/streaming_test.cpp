// Exits handed on as soon as they are final (ExitsQuery::on_final_exits) must be exactly the
// exits of the whole-input run: same exits, same evidence and witnesses, same order, same
// accounting. Checked on every journal and paste in testdata and on a generated journal of
// days whose evidence (kernel OOM lines, coredump entries, runtime messages that join nothing)
// lies on both sides of every flush.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#include "crashsift/pipeline/exits_run.hpp"
#include "crashsift/pipeline/incident.hpp"
#include "crashsift/report/exits_report.hpp"

using namespace crashsift;

namespace {

struct Output {
  std::string ndjson;
  std::uint64_t streamed = 0;
};

pipeline::ExitsQuery query_for(const std::string& input) {
  pipeline::ExitsQuery q;
  q.inputs = {input};
  q.parse.zone = Zone::utc();
  q.parse.year = 2026;
  q.parse.reference_time = 1780000000LL * usec_per_sec;  // text forms without a year: pinned
  q.use_coredump_entries = true;                          // as the tool does: journal backtraces
  return q;
}

Output run(pipeline::ExitsQuery q, bool stream) {
  Output out;
  auto writer = report::make_ndjson_exits_writer([&](std::string_view s) { out.ndjson.append(s); });
  if (stream)
    q.on_final_exits = [&](std::vector<classify::Exit>& exits,
                           const std::vector<std::pair<size_t, report::CoreAttachment>>& cores,
                           const std::vector<InputReport>& inputs,
                           const report::BatchSamples&) { writer->write_final(exits, cores, inputs); };
  const report::ExitsReport r = pipeline::run_exits(q);
  writer->finish(r);
  out.streamed = r.streamed_exits;
  return out;
}

// The generated journal: three days of a host. A node service killed by the kernel OOM killer
// every 97 s (kernel line before the exit record), a worker that segfaults every 7 minutes with
// its coredump entry 20 s later, a timer unit exiting cleanly every 5 minutes, and every 3 hours
// a runtime message in another unit's output that no exit explains.
std::string generated_export() {
  std::ostringstream o;
  const std::string boot = "5e0c6a1b2d3f4a5b6c7d8e9f0a1b2c3d";
  auto entry = [&](std::int64_t t, std::int64_t pid, const std::string& ident, const std::string& msg,
                   std::vector<std::pair<std::string, std::string>> extra = {}) {
    o << "__REALTIME_TIMESTAMP=" << t << "\n__MONOTONIC_TIMESTAMP=" << t - 1700000000000000LL
      << "\n_BOOT_ID=" << boot << "\n_HOSTNAME=h1\n_PID=" << pid << "\nSYSLOG_IDENTIFIER=" << ident
      << "\nMESSAGE=" << msg << "\n";
    for (const auto& [k, v] : extra) o << k << "=" << v << "\n";
    o << "\n";
  };
  auto pid1 = [&](std::int64_t t, const std::string& unit, const std::string& msg, const std::string& id = "") {
    std::vector<std::pair<std::string, std::string>> f{{"_TRANSPORT", "journal"}, {"UNIT", unit}, {"_SYSTEMD_UNIT", "init.scope"}};
    if (!id.empty()) f.push_back({"MESSAGE_ID", id});
    entry(t, 1, "systemd", unit + ": " + msg, f);
  };
  const std::int64_t start = 1780000000000000LL;
  const std::int64_t end = start + 3LL * 86400 * 1000000;
  std::int64_t pid = 2000;
  struct Next {
    std::int64_t node, worker, timer, stray;
  } next{start + 5000000, start + 60000000, start + 30000000, start + 3600000000LL};
  while (true) {
    const std::int64_t t = std::min({next.node, next.worker, next.timer, next.stray});
    if (t >= end) break;
    if (t == next.node) {
      const std::int64_t p = ++pid;
      pid1(t, "api.service", "Started api.service - API.");
      entry(t + 40000000, p, "node", "heap at 3.9 GiB", {{"_TRANSPORT", "stdout"}, {"_SYSTEMD_UNIT", "api.service"}});
      entry(t + 60000000, 0, "kernel",
            "Out of memory: Killed process " + std::to_string(p) +
                " (node) total-vm:9000000kB, anon-rss:4000000kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:9000kB "
                "oom_score_adj:0",
            {{"_TRANSPORT", "kernel"}});
      pid1(t + 60100000, "api.service", "A process of this unit has been killed by the OOM killer.");
      pid1(t + 60200000, "api.service", "Main process exited, code=killed, status=9/KILL",
           "98e322203f7a4ed290d09fe03c09fe15");
      pid1(t + 60300000, "api.service", "Failed with result 'oom-kill'.", "d9b373ed55a64feb8242e02dbe79a49c");
      next.node += 97000000;
    } else if (t == next.worker) {
      const std::int64_t p = ++pid;
      pid1(t, "worker.service", "Main process exited, code=dumped, status=11/SEGV", "98e322203f7a4ed290d09fe03c09fe15");
      pid1(t + 1000, "worker.service", "Failed with result 'core-dump'.", "d9b373ed55a64feb8242e02dbe79a49c");
      entry(t + 20000000, 300, "systemd-coredump",
            "Process " + std::to_string(p) + " (worker) of user 0 dumped core.",
            {{"_TRANSPORT", "journal"}, {"MESSAGE_ID", "fc2e22bc6ee647b6b90729ab34a250b1"},
             {"COREDUMP_PID", std::to_string(p)}, {"COREDUMP_SIGNAL", "11"}, {"COREDUMP_UNIT", "worker.service"},
             {"COREDUMP_COMM", "worker"}});
      next.worker += 420000000;
    } else if (t == next.timer) {
      pid1(t, "rotate.service", "Deactivated successfully.", "7ad2d189f7e94e70a38c781354912448");
      next.timer += 300000000;
    } else {
      entry(t, 4242, "batch", "Segmentation fault (core dumped)", {{"_TRANSPORT", "stdout"}, {"_SYSTEMD_UNIT", "batch.service"}});
      next.stray += 3LL * 3600 * 1000000;
    }
  }
  return o.str();
}

// The generated journal in a temporary file ("" when it cannot be made); the caller removes it.
std::string write_generated_export() {
  char tmpl[] = "/tmp/crashsift-stream-XXXXXX.export";
  const int fd = mkstemps(tmpl, 7);
  if (fd < 0) return {};
  ::close(fd);
  std::ofstream f(tmpl);
  f << generated_export();
  return f ? std::string(tmpl) : std::string();
}

std::vector<std::string> testdata_inputs() {
  std::vector<std::string> out;
  const std::string root = CRASHSIFT_TESTDATA;
  for (const char* dir : {"/journals", "/incidents", "/captures", "/kernel", "/pastes"}) {
    if (!std::filesystem::exists(root + dir)) continue;
    for (const auto& e : std::filesystem::recursive_directory_iterator(root + dir)) {
      if (!e.is_regular_file()) continue;
      const std::string p = e.path().string();
      const std::string ext = e.path().extension().string();
      if (ext == ".py" || ext == ".sh" || ext == ".md" || ext == ".conf" || e.path().filename() == ".gitignore") continue;
      if (p.find("app.ndjson") != std::string::npos) continue;
      out.push_back(p);
    }
  }
  return out;
}

}  // namespace

TEST_CASE("streamed exits equal the whole-input run on every journal and paste in testdata") {
  const auto inputs = testdata_inputs();
  REQUIRE(inputs.size() > 100);
  std::uint64_t streamed_somewhere = 0;
  for (const auto& path : inputs) {
    CAPTURE(path);
    const Output whole = run(query_for(path), false);
    const Output streamed = run(query_for(path), true);
    CHECK(whole.streamed == 0);
    CHECK(streamed.ndjson == whole.ndjson);
    streamed_somewhere += streamed.streamed;
  }
  CHECK(streamed_somewhere > 0);  // some inputs span long enough for exits to leave early
}

TEST_CASE("streamed exits equal the whole-input run on three generated days of joins") {
  const std::string path = write_generated_export();
  REQUIRE(!path.empty());
  const Output whole = run(query_for(path), false);
  const Output streamed = run(query_for(path), true);
  std::filesystem::remove(path);
  CHECK(streamed.streamed > 3000);  // nearly all exits left before the end
  CHECK(streamed.ndjson == whole.ndjson);
  // The joins the generator planted happened (so the comparison is not of empty evidence).
  CHECK(whole.ndjson.find("\"class\":\"oom\"") != std::string::npos);
  CHECK(whole.ndjson.find("dumped core") != std::string::npos);
  CHECK(whole.ndjson.find("Out of memory: Killed process") != std::string::npos);
}

TEST_CASE("plain files parsed in parallel blocks give the one-thread exits, whatever the block size") {
  // The probe has read each file's head and the reader may have buffered more: the blocks must
  // go on from the first byte neither used. The json journal is the lab's, over 100 KB: more
  // than the probe's head.
  const std::string generated = write_generated_export();
  REQUIRE(!generated.empty());
  const std::string lab_json = std::string(CRASHSIFT_TESTDATA) + "/journals/systemd-lab/journal.json";
  for (const std::string& path : {generated, lab_json}) {
    CAPTURE(path);
    REQUIRE(std::filesystem::file_size(path) > (100u << 10));
    pipeline::ExitsQuery one = query_for(path);
    one.parse.jobs = 1;
    const Output want = run(one, false);
    CHECK(want.ndjson.find("\"class\":\"") != std::string::npos);
    for (const size_t block : {size_t{3}, size_t{5000}, size_t{256u << 10}}) {
      CAPTURE(block);
      pipeline::ExitsQuery many = one;
      many.parse.jobs = 2;
      many.parse.block_bytes = block;
      CHECK(run(many, false).ndjson == want.ndjson);
      CHECK(run(many, true).ndjson == want.ndjson);
    }
  }
  std::filesystem::remove(generated);
}

TEST_CASE("--app, a boot offset or a live run of several inputs: exits are not streamed") {
  pipeline::ExitsQuery q = query_for("a");
  q.on_final_exits = [](std::vector<classify::Exit>&, const std::vector<std::pair<size_t, report::CoreAttachment>>&,
                        const std::vector<InputReport>&, const report::BatchSamples&) {};
  CHECK(pipeline::streams_exits(q));
  q.inputs.push_back("b");
  CHECK(pipeline::streams_exits(q));  // after the fact, holding the last exits back
  q.live = pipeline::ExitsQuery::Live{};
  CHECK_FALSE(pipeline::streams_exits(q));
  q.live.reset();
  q.inputs = {"a"};
  q.selection.boots = {"-1"};
  CHECK_FALSE(pipeline::streams_exits(q));
  q.selection.boots = {"5e0c6a1b"};
  CHECK(pipeline::streams_exits(q));
  q.app_args = {"app.ndjson"};
  CHECK_FALSE(pipeline::streams_exits(q));
  q.live = pipeline::ExitsQuery::Live{};  // watch follows the app log instead
  CHECK(pipeline::streams_exits(q));
}

namespace {

// The generated journal cut at an entry boundary near its middle, as two files in time order.
std::vector<std::string> write_generated_halves() {
  const std::string all = generated_export();
  const size_t cut = all.find("\n\n", all.size() / 2) + 2;
  std::vector<std::string> paths;
  for (const std::string_view part : {std::string_view(all).substr(0, cut), std::string_view(all).substr(cut)}) {
    char tmpl[] = "/tmp/crashsift-half-XXXXXX.export";
    const int fd = mkstemps(tmpl, 7);
    if (fd < 0) return {};
    ::close(fd);
    std::ofstream f(tmpl);
    f << part;
    paths.push_back(tmpl);
  }
  return paths;
}

}  // namespace

TEST_CASE("several inputs in time order stream with the last exits held back: the same exits as the whole run") {
  const std::vector<std::string> halves = write_generated_halves();
  REQUIRE(halves.size() == 2);
  std::uint64_t left_early_with_64 = 0;
  for (const size_t hold : {size_t{64}, size_t{4096}}) {
    CAPTURE(hold);
    pipeline::ExitsQuery q = query_for(halves[0]);
    q.inputs.push_back(halves[1]);
    q.hold_exits_across_inputs = hold;
    const Output whole = run(q, false);
    const Output streamed = run(q, true);
    CHECK(streamed.ndjson == whole.ndjson);
    // Held back: with 64, nearly all of the ~4 100 exits left early; with 4096, once more
    // than 4096 waited, the oldest left until 2048 were held.
    if (hold == 64) {
      CHECK(streamed.streamed > 3500);
      left_early_with_64 = streamed.streamed;
    } else {
      CHECK(streamed.streamed > 0);
      CHECK(streamed.streamed + 2048 <= left_early_with_64 + 64);
    }
    CHECK(whole.ndjson.find("input-out-of-order") == std::string::npos);
  }
  for (const auto& p : halves) std::filesystem::remove(p);
}

TEST_CASE("several overlapping inputs beyond the held exits: said in the output, and joined when within them") {
  const std::string path = write_generated_export();
  REQUIRE(!path.empty());
  pipeline::ExitsQuery q = query_for(path);
  q.inputs.push_back(path);  // the same journal twice: every exit of the second is a copy
  const Output single = run(query_for(path), false);
  // Within the budget the copies are found and listed once, as by the whole run.
  q.hold_exits_across_inputs = 100000;
  CHECK(run(q, true).ndjson == run(q, false).ndjson);
  // Beyond it, the second input reaches back before exits already written: said so.
  q.hold_exits_across_inputs = 64;
  const Output streamed = run(q, true);
  std::filesystem::remove(path);
  CHECK(streamed.ndjson.find("\"input-out-of-order\"") != std::string::npos);
  CHECK(streamed.ndjson.find("several inputs are joined only within the last 64 exits") != std::string::npos);
  CHECK(streamed.ndjson.size() > single.ndjson.size());
}

namespace {

// The report built from exits handed over as they become final, or from the whole run.
std::string report_of(pipeline::ExitsQuery q, bool stream, bool json) {
  pipeline::IncidentOptions io;
  io.zone = Zone::utc();
  pipeline::IncidentBuilder builder(io, json, false);
  if (stream)
    q.on_final_exits = [&](std::vector<classify::Exit>& exits,
                           const std::vector<std::pair<size_t, report::CoreAttachment>>& cores,
                           const std::vector<InputReport>& inputs, const report::BatchSamples&) {
      for (size_t i = 0; i < exits.size(); ++i) builder.add(std::move(exits[i]), nullptr, "", report::core_at(cores, i), inputs);
    };
  auto inc = builder.finish(pipeline::run_exits(q));
  REQUIRE(inc);
  if (json) return report::format_incident_json(*inc, false);
  return report::format_incident_text(*inc, report::TextStyle{Zone::utc(), false, true}) +
         report::format_incident_markdown(*inc, report::TextStyle{Zone::utc(), false, true});
}

}  // namespace

TEST_CASE("a report built from streamed exits equals the one built from the whole run") {
  const std::string generated = write_generated_export();
  REQUIRE(!generated.empty());
  const std::string root = CRASHSIFT_TESTDATA;
  for (const std::string& path : {generated, root + "/journals/systemd-lab/journal.export",
                                  root + "/journals/systemd-lab/journal.json", root + "/incidents/dispatch/journal.export"}) {
    CAPTURE(path);
    for (bool json : {false, true}) {
      const std::string whole = report_of(query_for(path), false, json);
      const std::string streamed = report_of(query_for(path), true, json);
      CHECK(streamed == whole);
      CHECK(whole.size() > 200);
    }
  }
  // The generated days make failure modes, loops and a JSON exits array of thousands.
  const std::string json = report_of(query_for(generated), true, true);
  CHECK(json.find("\"loops\":[{") != std::string::npos);
  CHECK(std::count(json.begin(), json.end(), '\n') == 1);
  std::filesystem::remove(generated);
}
