#include "crashsift/correlate/sample_series.hpp"

#include <algorithm>
#include <limits>

#include "crashsift/correlate/app_lifetimes.hpp"
#include "crashsift/input/byte_source.hpp"
#include "crashsift/input/line_reader.hpp"

namespace crashsift::correlate {

SampleSeries::SampleSeries() { intern(""); }  // id 0 = "no name"

std::uint32_t SampleSeries::intern(std::string_view name) {
  auto it = ids_.find(name);
  if (it != ids_.end()) return it->second;
  const auto id = static_cast<std::uint32_t>(names_.size());
  names_.emplace_back(name);
  ids_.emplace(std::string(name), id);
  return id;
}

static std::int32_t clamp32(std::int64_t v) {
  return static_cast<std::int32_t>(std::clamp<std::int64_t>(v, std::numeric_limits<std::int32_t>::min(),
                                                            std::numeric_limits<std::int32_t>::max()));
}

Sample SampleSeries::make_sample(const input::AppRecord& r, std::vector<ActivityEntry>& act) {
  Sample s;
  s.time = *r.time;
  if (r.rss_bytes) s.rss = *r.rss_bytes;
  if (r.heap_used_bytes) s.heap = *r.heap_used_bytes;
  s.pid = r.pid.value_or(-1);
  s.version = r.version.empty() ? 0 : intern(r.version);
  act.clear();
  const size_t n = std::min<size_t>(r.activity.size(), 0xFFFF);
  for (size_t i = 0; i < n; ++i) act.push_back({intern(r.activity[i].name), clamp32(r.activity[i].value)});
  s.activity_count = static_cast<std::uint16_t>(n);
  s.input = static_cast<std::uint16_t>(r.input);
  s.line = static_cast<std::uint32_t>(std::min<std::uint64_t>(r.line, 0xFFFFFFFFu));
  return s;
}

void SampleSeries::push(std::vector<Sample>& into, Sample s, const std::vector<ActivityEntry>& act) {
  s.activity_begin = static_cast<std::uint32_t>(activity_.size());
  activity_.insert(activity_.end(), act.begin(), act.end());
  // Grow by 1.5x, not 2x: at the moment of a reallocation old and new buffers coexist, and
  // this vector is most of crashsift's memory on big logs.
  if (into.size() == into.capacity()) into.reserve(into.size() + into.size() / 2 + 1024);
  into.push_back(s);
}

void SampleSeries::set_retention(size_t max_samples, std::vector<std::pair<UsecUtc, UsecUtc>> keep) {
  cap_ = max_samples;
  // Address space only: pages are touched as samples arrive. Growing by steps instead would
  // copy the series into fresh memory at each step, and every fresh page is a fault.
  if (cap_ > 0) samples_.reserve(cap_ + 1);
  std::sort(keep.begin(), keep.end());
  keep_.clear();
  for (const auto& w : keep) {  // merged, so one lookup finds the only window that can hold t
    if (!keep_.empty() && w.first <= keep_.back().second) keep_.back().second = std::max(keep_.back().second, w.second);
    else keep_.push_back(w);
  }
}

bool SampleSeries::in_keep_window(UsecUtc t) const {
  auto it = std::upper_bound(keep_.begin(), keep_.end(), std::make_pair(t, std::numeric_limits<UsecUtc>::max()));
  return it != keep_.begin() && t <= std::prev(it)->second;
}

void SampleSeries::add(const input::AppRecord& r) {
  if (!r.time || !r.has_memory()) return;
  std::vector<ActivityEntry>& act = act_scratch_;
  Sample s = make_sample(r, act);
  if (cap_ == 0) return push(samples_, s, act);
  // A lifetime boundary: the sample before it and the one after it are both kept, so lifetimes
  // and their last samples stay exact whatever the decimation.
  constexpr UsecUtc long_gap = 300 * usec_per_sec;
  const bool boundary = have_last_ && (s.pid != last_.pid || s.version != last_.version || s.time - last_.time > long_gap);
  if (boundary && !last_kept_) push(kept_, last_, last_act_);
  bool kept = true;
  if (boundary || in_keep_window(s.time)) push(kept_, s, act);
  else if (counter_++ % stride_ == 0) push(samples_, s, act);
  else kept = false;
  last_ = s;
  last_act_.swap(act);  // the two buffers take turns: no allocation a sample
  have_last_ = true;
  last_kept_ = kept;
  if (samples_.size() > cap_) compact();
}

// Drops every other decimated sample and halves the rate for what follows; activity entries of
// the dropped samples are reclaimed.
void SampleSeries::compact() {
  // In place, and into a spare kept from the last time: the series then grows back into memory
  // it has already touched.
  size_t kept = 0;
  for (size_t i = 0; i < samples_.size(); i += 2) samples_[kept++] = samples_[i];
  samples_.resize(kept);
  stride_ *= 2;
  std::vector<ActivityEntry>& act = activity_spare_;
  act.clear();
  for (auto* v : {&samples_, &kept_})
    for (auto& smp : *v) {
      const auto begin = static_cast<std::uint32_t>(act.size());
      act.insert(act.end(), activity_.begin() + smp.activity_begin,
                 activity_.begin() + smp.activity_begin + smp.activity_count);
      smp.activity_begin = begin;
    }
  activity_.swap(act);
}

void SampleSeries::drop_before(UsecUtc t) {
  const size_t first = first_at_or_after(t);
  if (first == 0) return;
  samples_.erase(samples_.begin(), samples_.begin() + static_cast<std::ptrdiff_t>(first));
  // The activity entries of the dropped samples go too; the rest are re-based.
  std::uint32_t base = static_cast<std::uint32_t>(activity_.size());
  for (const auto& s : samples_)
    if (s.activity_count) base = std::min(base, s.activity_begin);
  activity_.erase(activity_.begin(), activity_.begin() + base);
  for (auto& s : samples_)
    if (s.activity_count) s.activity_begin -= base;
}

void SampleSeries::sort() {
  if (cap_ != 0) {
    if (have_last_ && !last_kept_) push(kept_, last_, last_act_), last_kept_ = true;  // the last sample
    samples_.insert(samples_.end(), kept_.begin(), kept_.end());
    kept_.clear();
    kept_.shrink_to_fit();
    // The buffers that made reading cheap are not needed once it is done.
    std::vector<ActivityEntry>().swap(activity_spare_);
    std::vector<ActivityEntry>().swap(act_scratch_);
  }
  if (std::is_sorted(samples_.begin(), samples_.end(),
                     [](const Sample& a, const Sample& b) { return a.time < b.time; }))
    return;
  std::stable_sort(samples_.begin(), samples_.end(),
                   [](const Sample& a, const Sample& b) { return a.time < b.time; });
}

std::optional<std::int64_t> SampleSeries::activity_total(const Sample& s) const {
  if (s.activity_count == 0) return std::nullopt;
  std::int64_t sum = 0;
  for (const auto& a : activity(s)) sum += a.value;
  return sum;
}

std::optional<size_t> SampleSeries::last_at_or_before(UsecUtc t) const {
  auto it = std::upper_bound(samples_.begin(), samples_.end(), t,
                             [](UsecUtc v, const Sample& s) { return v < s.time; });
  if (it == samples_.begin()) return std::nullopt;
  return static_cast<size_t>(it - samples_.begin()) - 1;
}

size_t SampleSeries::first_at_or_after(UsecUtc t) const {
  auto it = std::lower_bound(samples_.begin(), samples_.end(), t,
                             [](const Sample& s, UsecUtc v) { return s.time < v; });
  return static_cast<size_t>(it - samples_.begin());
}

std::string AppData::where(std::uint16_t input, std::uint32_t line) const {
  const std::string f = input < files.size() ? files[input] : "?";
  return f + ":" + std::to_string(line);
}

AppEvent to_app_event(const input::AppRecord& r, SampleSeries& series) {
  AppEvent e;
  e.time = *r.time;
  e.kind = r.kind;
  e.level = r.level;
  e.boot_marker = r.boot_marker;
  e.event = r.event.substr(0, 120);
  const std::string& text = !r.error_text.empty() ? r.error_text : r.message;
  e.text = text.substr(0, 240);
  e.pid = r.pid.value_or(-1);
  e.version = r.version.empty() ? 0 : series.intern(r.version);
  e.input = static_cast<std::uint16_t>(r.input);
  e.line = static_cast<std::uint32_t>(std::min<std::uint64_t>(r.line, 0xFFFFFFFFu));
  e.rss = r.rss_bytes;
  return e;
}

namespace {

void read_one(AppData& data, const std::string& path, const input::AppReadOptions& base) {
  InputReport report;
  report.path = path;
  auto src = input::open_source(path);
  if (!src) {
    report.fatal = src.error();
    data.inputs.push_back(std::move(report));
    return;
  }
  report.compression = (*src)->compression();
  input::AppReadOptions opt = base;
  opt.input_index = static_cast<std::uint32_t>(data.inputs.size());
  input::LineReader reader(**src, opt.max_line);
  input::AppFieldReport fields;
  input::read_app_log(reader, opt, report, fields, [&](const input::AppRecord& r) {
    data.series.add(r);
    if (r.kind == input::AppRecordKind::error || r.kind == input::AppRecordKind::lifecycle)
      data.events.push_back(to_app_event(r, data.series));
  });
  data.fields.merge(fields);
  data.inputs.push_back(std::move(report));
}

}  // namespace

void index_lifetimes(AppData& app) {
  app.lifetime_starts.clear();
  for (const auto& l : infer_lifetimes(app)) app.lifetime_starts.push_back(l.start);
}

Result<AppData> load_app(const input::AppInputSpec& spec, const input::AppReadOptions& options) {
  try {
    AppData data;
    data.unit = spec.unit;
    data.files = spec.files;
    data.notes = spec.notes;
    data.series.set_retention(options.max_samples, options.keep_windows);
    for (const auto& f : spec.files) read_one(data, f, options);
    data.series.sort();
    if (data.series.decimation() > 1)
      data.notes.push_back("memory bound: outside the windows before known exits, 1 in " +
                           std::to_string(data.series.decimation()) +
                           " samples was kept (lifetime boundaries and the last sample are exact)");
    // One log is in time order already: then there is nothing to sort, and stable_sort's
    // buffer (fresh memory as large as the events) is not made.
    const auto by_time = [](const AppEvent& a, const AppEvent& b) { return a.time < b.time; };
    if (!std::is_sorted(data.events.begin(), data.events.end(), by_time))
      std::stable_sort(data.events.begin(), data.events.end(), by_time);
    index_lifetimes(data);
    const bool any = std::any_of(data.inputs.begin(), data.inputs.end(),
                                 [](const InputReport& r) { return r.fatal.empty(); });
    if (!any) {
      std::string why = data.inputs.empty() ? "no files" : data.inputs.front().fatal;
      return make_error("failed to read app logs: " + why);
    }
    return data;
  } catch (const std::exception& e) {
    return make_error(std::string("failed to read app logs: ") + e.what());
  }
}

Result<std::vector<AppData>> load_app_inputs(const std::vector<std::string>& args,
                                             const input::AppReadOptions& options) {
  auto specs = input::expand_app_inputs(args);
  if (!specs) return make_error(specs.error());
  std::vector<AppData> out;
  for (const auto& s : *specs) {
    auto d = load_app(s, options);
    if (!d) return make_error(d.error());
    out.push_back(std::move(*d));
  }
  return out;
}

}  // namespace crashsift::correlate
