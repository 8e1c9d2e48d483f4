#include "crashsift/classify/exit_updates.hpp"

namespace crashsift::classify {

namespace {

// A record naming another process is never this exit's, however near in time: in a crash loop
// the next instance of the unit dies seconds later, and its record must not update this one.
template <typename Record, typename PidOf>
std::vector<Record*> hide_other_pids(std::vector<Record>& records, const Exit& x, PidOf pid_of) {
  std::vector<Record*> hidden;
  if (!x.pid) return hidden;
  for (auto& r : records) {
    const std::optional<std::int64_t> pid = pid_of(r);
    if (r.used || !pid || *pid == *x.pid) continue;
    r.used = true;
    hidden.push_back(&r);
  }
  return hidden;
}

template <typename Record>
void unhide(const std::vector<Record*>& hidden) {
  for (Record* r : hidden) r->used = false;
}

}  // namespace

void RecentExits::keep(const Exit& x, const ExitFacts& f) {
  if (!x.exited_at) return;  // an untimed exit cannot be placed against a late record
  kept_.emplace_back(x, f);
  if (kept_.size() > max_kept_) kept_.pop_front();
}

void RecentExits::join_late(std::vector<KernelRecord>& kernel, std::vector<CoredumpRecord>& cores, bool kernel_present,
                            std::vector<Exit>& updated) {
  for (auto& [x, f] : kept_) {
    const size_t evidence_before = x.evidence.size();
    auto hidden_cores = hide_other_pids(cores, x, [](const CoredumpRecord& c) { return c.pid; });
    auto hidden_kernel = hide_other_pids(kernel, x, [](const KernelRecord& k) {
      return k.oom ? std::optional<std::int64_t>(k.oom->pid) : std::nullopt;
    });
    join_coredump(cores, x, f);
    join_kernel(kernel, x, f);
    unhide(hidden_cores);
    unhide(hidden_kernel);
    if (x.evidence.size() == evidence_before) continue;
    note_joined_records(x, f, evidence_before);
    Exit out = x;
    ExitFacts facts = f;
    facts.kernel_input_present = facts.kernel_input_present || kernel_present;
    classify_exit(out, facts);
    updated.push_back(std::move(out));
  }
}

void RecentExits::forget_before(UsecUtc now) {
  while (!kept_.empty() && *kept_.front().first.exited_at + keep_for_ < now) kept_.pop_front();
}

}  // namespace crashsift::classify
