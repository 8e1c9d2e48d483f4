#include "crashsift/report/incident_sentences.hpp"

#include <algorithm>
#include <map>

#include "crashsift/core/text.hpp"

namespace crashsift::report {

std::string when(const std::optional<UsecUtc>& t, const Zone& z) { return t ? format_in_zone(*t, z) : "?"; }
std::string hhmm(const std::optional<UsecUtc>& t, const Zone& z) { return t ? format_in_zone(*t, z).substr(11, 5) : "?"; }

std::string span_text(const std::optional<UsecUtc>& a, const std::optional<UsecUtc>& b, const Zone& z) {
  if (!a || !b) return "";
  const std::string da = format_in_zone(*a, z), db = format_in_zone(*b, z);
  if (*a == *b) return da.substr(0, 16);
  return da.substr(0, 16) + " – " + (da.substr(0, 10) == db.substr(0, 10) ? db.substr(11, 5) : db.substr(0, 16));
}

std::string counts_line(const Incident& r) {
  std::map<std::string, std::uint64_t> by;
  for (const auto& [k, v] : r.exits.streamed_by_class)
    if (v) by[k] += v;
  for (const auto& x : r.exits.exits) ++by[std::string(to_string(x.cls))];
  std::string s = std::to_string(r.exit_count) + " exits";
  if (r.span_first && r.span_last && *r.span_last > *r.span_first)
    s += " over " + format_duration(static_cast<double>(*r.span_last - *r.span_first) / 1e6);
  s += ":";
  bool first = true;
  for (const auto& [k, v] : by) s += (first ? " " : ", ") + std::to_string(v) + " " + k, first = false;
  return s;
}

std::string mode_line(const FailureMode& m, const Zone&) {
  std::string s = std::to_string(m.exits.size()) + " × " + m.title;
  return s;
}

// A failure mode of a fleet: "on 3 hosts since 07:57 (first web1)"; "" for one host.
std::string hosts_summary(const FailureMode& m, const Zone& z) {
  if (m.hosts.size() < 2) return {};
  const ModeHost* first = &m.hosts.front();
  for (const auto& h : m.hosts)
    if (h.first && (!first->first || *h.first < *first->first)) first = &h;
  return "on " + std::to_string(m.hosts.size()) + " hosts since " + hhmm(first->first, z) + " (first " + first->host + ")";
}

// "web1 ×12, web2 ×10, web3 ×9" (the most hit first; at most 8 named).
std::string hosts_list(const FailureMode& m) {
  std::vector<const ModeHost*> order;
  for (const auto& h : m.hosts) order.push_back(&h);
  std::stable_sort(order.begin(), order.end(), [](const ModeHost* a, const ModeHost* b) { return a->count > b->count; });
  std::string s;
  for (size_t i = 0; i < order.size() && i < 8; ++i)
    s += (s.empty() ? "" : ", ") + order[i]->host + " ×" + std::to_string(order[i]->count);
  if (order.size() > 8) s += ", ... (" + std::to_string(order.size() - 8) + " more)";
  return s;
}

// A crash loop names its host when the report covers several.
std::string loop_subject(const CrashLoop& l, const Incident& r) {
  return r.hosts.size() > 1 && !l.host.empty() ? l.host + " " + l.unit : l.unit;
}

std::string mode_detail(const FailureMode& m, const Zone& z) {
  std::string s = m.version_note;
  const std::string span = m.exits.size() > 1 ? hhmm(m.first, z) + " – " + hhmm(m.last, z) : hhmm(m.first, z);
  s += (s.empty() ? "" : " · ") + span;
  if (const std::string hosts = hosts_summary(m, z); !hosts.empty()) s += " · " + hosts;
  if (m.is_new) s += " · NEW since the baseline";
  else if (m.more_frequent) s += " · more frequent than the baseline (" + std::to_string(*m.baseline_count) + ")";
  return s;
}

std::string unit_list(const Incident& r) {
  const std::vector<std::string>& units = r.units;
  if (units.size() > 3) return std::to_string(units.size()) + " units";
  std::string s;
  for (const auto& u : units) s += (s.empty() ? "" : ", ") + u;
  return s;
}


Example example_of(const FailureMode& m) {
  return {&m.example, m.example_samples ? &*m.example_samples : nullptr, m.example_core ? &*m.example_core : nullptr};
}


}  // namespace crashsift::report
