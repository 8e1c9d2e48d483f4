#include "crashsift/pipeline/exits_app.hpp"

#include <algorithm>

#include "crashsift/classify/rules.hpp"
#include "crashsift/correlate/window.hpp"

namespace crashsift::pipeline {

namespace {

// An exit known only from the app log: the lifetime's end, classified by the same rules as
// every other exit (unknown, or an inferred OOM near --memory-limit).
classify::Exit app_only_exit(const ExitsQuery& q, const correlate::AppData& app, const correlate::AppLifetime& life,
                             bool restarted) {
  classify::Exit x;
  x.unit = app.unit.empty() ? "(app log)" : app.unit;
  if (life.pid >= 0) x.pid = life.pid, x.pid_source = "app-log";
  x.started_at = life.start;
  x.exited_at = life.end;
  x.runtime = life.version;
  x.evidence.push_back({"app-lifetime",
                        "last record of the lifetime that began with " + life.start_reason +
                            (restarted ? "; a new lifetime follows" : "; the log ends here"),
                        Origin{}, life.end});
  x.witnesses.push_back({"app-lifetime", "created", Origin{}});
  classify::ExitFacts f;
  f.app_lifetime_only = true;
  if (q.memory_limit && correlate::ends_near_limit(app, life, *q.memory_limit)) f.near_memory_limit = *q.memory_limit;
  classify::classify_exit(x, f);
  return x;
}

void attach_samples_from(const ExitsQuery& q, ExitsRun& run, const std::vector<correlate::AppData>& apps) {
  std::vector<std::string> units;
  for (const auto& x : run.exits)
    if (std::find(units.begin(), units.end(), x.unit) == units.end()) units.push_back(x.unit);
  samples_before_exits(run.exits, apps, units.size() == 1, q.window_s, run.samples, run.samples_how);
}

}  // namespace

ExitsRun run_app_only(const ExitsQuery& q) {
  ExitsRun run;
  auto apps = correlate::load_app_inputs(q.app_args, q.app_options);
  if (!apps) {
    InputReport bad;
    bad.path = "--app";
    bad.fatal = apps.error();
    run.app_inputs.push_back(std::move(bad));
    return run;
  }
  for (const auto& app : *apps) {
    for (const auto& in : app.inputs) run.app_inputs.push_back(in);
    for (const auto& life : correlate::infer_lifetimes(app)) {
      const bool restarted = life.end_kind == correlate::LifetimeEnd::next_start;
      // A lifetime the log simply stops in may still be running: only one that ended near
      // the memory limit is reported (the external SIGKILL of an OOM killer leaves no line).
      const bool near_limit = q.memory_limit && correlate::ends_near_limit(app, life, *q.memory_limit);
      if (restarted || near_limit) run.exits.push_back(app_only_exit(q, app, life, restarted));
    }
  }
  run.exits_before_selection = run.exits.size();
  std::vector<classify::Exit> kept;
  for (auto& x : run.exits)
    if (exit_selected(x, q.selection, {})) kept.push_back(std::move(x));
  run.exits = std::move(kept);
  run.warnings.push_back({"app-only", "no journal given: exits are inferred from the app log alone (lifetime "
                                      "boundaries), so their class is unknown unless memory was near a limit"});
  run.apps = std::move(*apps);
  attach_samples_from(q, run, run.apps);
  return run;
}

void attach_app_samples(const ExitsQuery& q, ExitsRun& run) {
  // Samples before each exit are kept at full resolution; the rest may be decimated to bound
  // memory on huge app logs.
  input::AppReadOptions options = q.app_options;
  const auto before = static_cast<UsecUtc>((std::max(q.window_s, 600.0) + 60) * 1e6);
  for (const auto& x : run.exits)
    if (x.exited_at) options.keep_windows.emplace_back(*x.exited_at - before, *x.exited_at + 5 * usec_per_sec);
  auto apps = correlate::load_app_inputs(q.app_args, options);
  if (!apps) {
    run.warnings.push_back({"app-log-unreadable", "--app: " + apps.error()});
    run.samples.assign(run.exits.size(), std::nullopt);
    run.samples_how.assign(run.exits.size(), std::string());
    return;
  }
  for (const auto& app : *apps)
    for (const auto& in : app.inputs) run.app_inputs.push_back(in);
  run.apps = std::move(*apps);
  attach_samples_from(q, run, run.apps);
}

void samples_before_exits(const std::vector<classify::Exit>& exits, const std::vector<correlate::AppData>& apps,
                          bool single_unit, double window_s,
                          std::vector<std::optional<correlate::SamplesSummary>>& samples, std::vector<std::string>& how) {
  samples.assign(exits.size(), std::nullopt);
  how.assign(exits.size(), std::string());
  for (size_t i = 0; i < exits.size(); ++i) {
    const auto& x = exits[i];
    if (!x.exited_at) continue;
    std::string picked;
    const correlate::AppData* app = correlate::pick_app_for_exit(apps, x.unit, x.pid, *x.exited_at, single_unit, picked);
    if (!app) continue;
    samples[i] = correlate::summarize_before(*app, *x.exited_at, window_s);
    if (samples[i]) how[i] = picked;
  }
}

}  // namespace crashsift::pipeline
