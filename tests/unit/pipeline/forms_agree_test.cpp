// Golden facts over the REAL systemd 252 journal (testdata/journals/systemd-lab, copied from
// shared/real/systemd-lab): every unit classified right, and the same exits from every form.
#include <doctest/doctest.h>

#include <map>

#include "crashsift/pipeline/exits_run.hpp"

using namespace crashsift;
using namespace crashsift::classify;

namespace {

const std::string lab = std::string(CRASHSIFT_TESTDATA) + "/journals/systemd-lab/";

report::ExitsReport run(std::vector<std::string> inputs, std::vector<std::string> units = {"cl-*"}) {
  pipeline::ExitsQuery q;
  q.inputs = std::move(inputs);
  q.parse.zone = Zone::utc();
  q.parse.year = 2026;
  q.selection.unit_globs = std::move(units);
  return pipeline::run_exits(q);
}

const Exit* find(const report::ExitsReport& r, const std::string& unit, size_t nth = 0) {
  for (const auto& x : r.exits)
    if (x.unit == unit && nth-- == 0) return &x;
  return nullptr;
}

}  // namespace

TEST_CASE("real systemd 252 lab journal: every unit classified right (export form)") {
  const auto r = run({lab + "journal.export"});
  REQUIRE(r.usable());
  CHECK(r.inputs[0].format == "export");
  CHECK(r.inputs[0].entries == 436);
  CHECK(r.inputs[0].skipped == 0);
  struct Want {
    const char* unit;
    ExitClass cls;
    const char* cause;
    std::optional<int> code;
    const char* signal;
  };
  const Want wants[] = {
      {"cl-ok.service", ExitClass::clean, "deactivated", std::nullopt, ""},
      {"cl-exit.service", ExitClass::self_exit, "exit-code", 1, ""},
      {"cl-segv.service", ExitClass::segfault, "segv", std::nullopt, "SEGV"},
      {"cl-mt-segv.service", ExitClass::segfault, "segv", std::nullopt, "SEGV"},
      {"cl-abort.service", ExitClass::segfault, "abort", std::nullopt, "ABRT"},
      {"cl-transient-segv.service", ExitClass::segfault, "segv", std::nullopt, "SEGV"},
      {"cl-oom.service", ExitClass::killed, "sigkill", std::nullopt, "KILL"},
      {"cl-node-memcg.service", ExitClass::killed, "sigkill", std::nullopt, "KILL"},
      {"cl-hang.service", ExitClass::killed, "client-request", std::nullopt, "KILL"},
      {"cl-timeout.service", ExitClass::timeout, "runtime-max-sec", std::nullopt, ""},
      {"cl-stubborn.service", ExitClass::timeout, "stop-sigterm-timeout", std::nullopt, "KILL"},
      {"cl-watchdog.service", ExitClass::watchdog, "watchdog-timeout", std::nullopt, "ABRT"},
      {"cl-noexec.service", ExitClass::self_exit, "exec-failed", 203, ""},
      {"cl-node-throw.service", ExitClass::self_exit, "uncaught-exception", 1, ""},
      {"cl-node-reject.service", ExitClass::self_exit, "uncaught-exception", 1, ""},
      {"cl-node-heap.service", ExitClass::oom, "v8-heap-limit", std::nullopt, "ABRT"},
      {"cl-node-abort.service", ExitClass::segfault, "abort", std::nullopt, "ABRT"},
      {"cl-bun-throw.service", ExitClass::self_exit, "uncaught-exception", 1, ""},
      {"cl-bun-reject.service", ExitClass::self_exit, "uncaught-exception", 1, ""},
      {"cl-bun-ffi-segv.service", ExitClass::segfault, "bun-panic", std::nullopt, "SEGV"},
      {"cl-bun-segv.service", ExitClass::segfault, "bun-panic", std::nullopt, "SEGV"},
  };
  for (const auto& w : wants) {
    CAPTURE(w.unit);
    const Exit* x = find(r, w.unit);
    REQUIRE(x);
    CHECK(x->cls == w.cls);
    CHECK(x->cause == w.cause);
    CHECK(x->code == w.code);
    CHECK(x->signal == w.signal);
  }
  CHECK(find(r, "cl-node-heap.service")->oom_kind == OomKind::runtime_heap);
  CHECK(find(r, "cl-bun-segv.service")->reason == "panic(main thread): Segmentation fault at address 0x23");
  CHECK(find(r, "cl-bun-segv.service")->runtime == "Bun v1.4.5");
  CHECK(find(r, "cl-node-throw.service")->runtime == "Node.js v20.20.2");
  CHECK(find(r, "cl-hang.service")->pid == 38);
  // Restart loop: 4 runs, the last one hit the start limit, no extra exit for the repeated result.
  int restarts = 0;
  for (const auto& x : r.exits) restarts += x.unit == "cl-restart.service";
  CHECK(restarts == 4);
  CHECK(find(r, "cl-restart.service", 3)->start_limit_hit);
  CHECK(find(r, "cl-restart.service", 0)->restart_counter == 1);
  CHECK(r.exits.size() == 30);
}

TEST_CASE("the same exits from every form of the lab journal") {
  const auto truth = run({lab + "journal.export"});
  struct Form {
    const char* file;
    bool has_pids;   // journal forms record the unit of output lines; text forms may not
    bool has_usec;
  };
  const Form forms[] = {{"journal.json", true, true},        {"journal.json-seq", true, true},
                        {"journal.verbose.txt", true, true}, {"system.journal.xz", true, true},
                        {"journal.short-iso-precise.txt", false, true},
                        {"journal.short-iso.txt", false, false},
                        {"journal.short.txt", false, false}};
  for (const auto& f : forms) {
    CAPTURE(f.file);
    const auto r = run({lab + f.file});
    REQUIRE(r.usable());
    REQUIRE(r.exits.size() == truth.exits.size());
    for (size_t i = 0; i < r.exits.size(); ++i) {
      const Exit& a = truth.exits[i];
      const Exit& b = r.exits[i];
      CAPTURE(a.unit);
      CHECK(b.unit == a.unit);
      CHECK(b.code == a.code);
      CHECK(b.signal == a.signal);
      REQUIRE(b.exited_at);
      const UsecUtc precision = f.has_usec ? 1 : 1000000;
      CHECK(*b.exited_at / precision == *a.exited_at / precision);
      if (f.has_pids) {
        CHECK(b.pid == a.pid);
        CHECK(b.cls == a.cls);
        CHECK(b.cause == a.cause);
      } else if (b.pid) {
        CHECK(b.pid == a.pid);  // text forms may not know the PID, but must never guess wrong
      }
    }
  }
}

TEST_CASE("a single-unit text excerpt (journalctl -u) gives the same answer as the export") {
  for (const char* unit : {"cl-bun-segv", "cl-node-heap", "cl-restart", "cl-exit", "cl-hang", "cl-stubborn"}) {
    CAPTURE(unit);
    const auto text = run({lab + "units/unit-" + unit + ".txt"}, {});
    const auto truth = run({lab + "journal.export"}, {unit});
    REQUIRE(text.exits.size() == truth.exits.size());
    for (size_t i = 0; i < text.exits.size(); ++i) {
      CHECK(text.exits[i].pid == truth.exits[i].pid);
      CHECK(text.exits[i].cls == truth.exits[i].cls);
      CHECK(text.exits[i].cause == truth.exits[i].cause);
      CHECK(text.exits[i].reason == truth.exits[i].reason);
    }
  }
}

TEST_CASE("real host kernel lines join the container's exits (cgroup v1 OOM, segfault in a named thread)") {
  pipeline::ExitsQuery q;
  q.inputs = {lab + "journal.export", std::string(CRASHSIFT_TESTDATA) + "/kernel/systemd-lab/host-dmesg.txt"};
  q.parse.zone = Zone::utc();
  // The capture script wrote a marker with its realtime (ns) at dmesg time 10463.629344 s.
  q.parse.kernel_boot_time = 1795420661438609 - 10463629344;
  q.selection.unit_globs = {"cl-*"};
  const auto r = pipeline::run_exits(q);
  const Exit* oom = find(r, "cl-oom.service");
  REQUIRE(oom);
  CHECK(oom->cls == ExitClass::oom);
  CHECK(oom->oom_kind == OomKind::cgroup);
  CHECK(oom->confidence == Confidence::inferred);
  const Exit* node = find(r, "cl-node-memcg.service");
  REQUIRE(node);
  CHECK(node->cls == ExitClass::oom);
  const Exit* mt = find(r, "cl-mt-segv.service");
  REQUIRE(mt);
  bool plugin_loader = false;
  for (const auto& e : mt->evidence) plugin_loader |= e.text.find("plugin-loader[13207]: segfault") == 0;
  CHECK(plugin_loader);
  // A Bun panic is handled by Bun's crash handler: no kernel line may be pinned on it.
  for (const auto& e : find(r, "cl-bun-segv.service")->evidence) CHECK(e.role != "kernel-fault");
}

TEST_CASE("synthetic cgroup v2 and systemd-oomd journals, rendered by real journalctl") {
  const std::string syn = std::string(CRASHSIFT_TESTDATA) + "/journals/synthetic/";
  for (const char* form : {".export", ".json", ".short-iso-precise", ".verbose"}) {
    CAPTURE(form);
    const auto cg = run({syn + "cgroup2-oom-kill" + form}, {});
    const Exit* app = find(cg, "app.service");
    REQUIRE(app);
    CHECK(app->cls == ExitClass::oom);
    CHECK(app->oom_kind == OomKind::cgroup);
    CHECK(app->confidence == Confidence::confirmed);
    CHECK(app->pid == 2817);
    const auto od = run({syn + "oomd-kill" + form}, {});
    const Exit* w = find(od, "worker.service");
    REQUIRE(w);
    CHECK(w->oom_kind == OomKind::oomd);
    const auto misc = run({syn + "misc-v252" + form}, {});
    CHECK(find(misc, "gosvc.service")->cause == "go-panic");
    CHECK(find(misc, "gosvc.service")->code == 2);
    CHECK(find(misc, "rustsvc.service")->cause == "rust-panic");
    CHECK(find(misc, "pysvc.service")->cause == "python-exception");
    CHECK(find(misc, "web.service")->cause == "stopped");
  }
}

TEST_CASE("the dispatch incident: Bun 1.3.13 panics end in SIGILL and are segfaults") {
  const auto r = run({std::string(CRASHSIFT_TESTDATA) + "/incidents/dispatch/journal.export"}, {"dispatch"});
  int segv = 0, self = 0;
  for (const auto& x : r.exits) {
    if (x.cls == ExitClass::segfault) {
      ++segv;
      CHECK(x.signal == "ILL");
      CHECK(x.cause == "bun-panic");
      CHECK(x.runtime == "Bun v1.3.13");
      CHECK(x.reason == "panic(main thread): Segmentation fault at address 0x0");
    }
    if (x.cls == ExitClass::self_exit) {
      ++self;
      CHECK(x.reason == "error: Timed out while waiting for handshake");
      CHECK(x.runtime == "Bun v1.3.14");
      CHECK(x.memory_peak_bytes.value_or(0) > 2700000000ull);
    }
  }
  CHECK(segv == 5);
  CHECK(self == 1);
  CHECK(r.exits.size() == 20);
}

TEST_CASE("selection: units, classes, time window, pid") {
  pipeline::Selection s;
  Exit x;
  x.unit = "app.service";
  x.cls = ExitClass::oom;
  x.exited_at = 1000;
  x.pid = 5;
  CHECK(pipeline::exit_selected(x, s, {}));
  s.unit_globs = {"app"};
  CHECK(pipeline::exit_selected(x, s, {}));
  s.unit_globs = {"ap*.service"};
  CHECK(pipeline::exit_selected(x, s, {}));
  s.unit_globs = {"web"};
  CHECK_FALSE(pipeline::exit_selected(x, s, {}));
  s.unit_globs = {};
  s.classes = {ExitClass::segfault};
  CHECK_FALSE(pipeline::exit_selected(x, s, {}));
  s.classes = {};
  s.since = 2000;
  CHECK_FALSE(pipeline::exit_selected(x, s, {}));
  s.since.reset();
  s.pids = {6};
  CHECK_FALSE(pipeline::exit_selected(x, s, {}));
}
