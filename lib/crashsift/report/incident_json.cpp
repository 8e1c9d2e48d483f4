// The crashsift/report/1 document (man/crashsift-json.5).
#include "crashsift/core/json_writer.hpp"
#include "crashsift/report/incident.hpp"

namespace crashsift::report {

namespace {

void time_field(JsonWriter& w, std::string_view key, const std::optional<UsecUtc>& t) { write_time_field(w, key, t); }

void write_mode(JsonWriter& w, const FailureMode& m) {
  w.begin_object();
  w.field("key", m.key);
  w.field("title", m.title);
  w.field("class", to_string(m.cls));
  w.field_or_null("cause", m.cause);
  w.field("count", static_cast<std::uint64_t>(m.exits.size()));
  time_field(w, "first", m.first);
  time_field(w, "last", m.last);
  w.key("runtimes").begin_array();
  for (const auto& v : m.runtimes) w.string_or_null(v);
  w.end_array();
  w.key("hosts").begin_array();
  for (const auto& h : m.hosts) {
    w.begin_object().field("host", h.host).field("count", static_cast<std::uint64_t>(h.count));
    time_field(w, "first", h.first);
    time_field(w, "last", h.last);
    w.end_object();
  }
  w.end_array();
  w.field_or_null("version_note", m.version_note);
  w.field_or_null("memory_note", m.memory_note);
  w.field("new", m.is_new);
  w.field("more_frequent", m.more_frequent);
  w.key("baseline_count");
  if (m.baseline_count) w.value(static_cast<std::uint64_t>(*m.baseline_count));
  else w.null();
  w.key("exits").begin_array();
  for (size_t i : m.exits) w.value(static_cast<std::uint64_t>(i));
  w.end_array();
  w.end_object();
}

void write_loop(JsonWriter& w, const CrashLoop& l) {
  w.begin_object();
  w.field_or_null("host", l.host);
  w.field("unit", l.unit);
  w.field("exits", static_cast<std::uint64_t>(l.exits));
  time_field(w, "first", l.first);
  time_field(w, "last", l.last);
  w.field("restarts_per_hour", l.restarts_per_hour);
  w.field("start_limit_hits", static_cast<std::uint64_t>(l.start_limit_hits));
  w.field("what", l.what);
  w.end_object();
}

}  // namespace

bool write_incident_json(Incident& r, bool pretty, const Emit& emit) {
  JsonWriter w(pretty);
  w.begin_object();
  w.field("schema", report_schema);
  write_inputs_json(w, r.exits);
  time_field(w, "first_exit", r.span_first);
  time_field(w, "last_exit", r.span_last);
  write_counts_json(w, r.exits);
  w.key("modes").begin_array();
  for (const auto& m : r.modes) write_mode(w, m);
  w.end_array();
  w.key("loops").begin_array();
  for (const auto& l : r.loops) write_loop(w, l);
  w.end_array();
  w.key("memory").begin_object();
  w.field_or_null("verdict", r.memory_verdict);
  w.key("lines").begin_array();
  for (const auto& l : r.memory_lines) w.value(l);
  w.end_array();
  w.key("limit_bytes");
  if (r.memory_limit) w.value(*r.memory_limit);
  else w.null();
  w.end_object();
  w.key("gaps").begin_array();
  for (const auto& g : r.gaps) w.value(g);
  w.end_array();
  w.key("exits").begin_array();
  bool read = true;
  if (r.exits_json && !r.exits_json->empty()) {
    emit(w.flush());
    read = r.exits_json->read_back(emit);
    w.raw_elements({}, true);
  }
  for (size_t i = 0; i < r.exits.exits.size(); ++i) write_exit_object(w, r.exits, i);
  w.end_array();
  w.end_object();
  emit(w.flush());
  emit("\n");
  return read;
}

std::string format_incident_json(Incident& r, bool pretty) {
  std::string out;
  write_incident_json(r, pretty, [&](std::string_view s) { out.append(s); });
  return out;
}

}  // namespace crashsift::report
