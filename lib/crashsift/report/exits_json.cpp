// The crashsift/exit/1 JSON contract (man/crashsift-json.5). Absent facts are null, never
// omitted; times are RFC 3339 UTC with microseconds and Z.
#include <map>

#include "crashsift/core/json_writer.hpp"
#include "crashsift/report/exits_report.hpp"
#include "crashsift/report/samples_format.hpp"

namespace crashsift::report {

namespace {

void time_field(JsonWriter& w, std::string_view key, const std::optional<UsecUtc>& t) { write_time_field(w, key, t); }

void write_evidence(JsonWriter& w, const classify::Exit& x, const std::vector<InputReport>& inputs) {
  w.key("evidence").begin_array();
  for (const auto& e : x.evidence) {
    w.begin_object();
    w.field("role", e.role);
    w.field("text", e.text);
    w.field("source", origin_label(e.origin, inputs));
    w.field_or_null("cursor", e.origin.cursor);
    if (e.origin.salvaged) w.field("salvaged", true);
    time_field(w, "at", e.time);
    w.end_object();
  }
  w.end_array();
}

// Every witness of this death and how it was joined to the others (crashsift-json(5)).
void write_witnesses(JsonWriter& w, const classify::Exit& x, const std::vector<InputReport>& inputs) {
  w.key("witnesses").begin_array();
  for (const auto& ref : x.witnesses) {
    w.begin_object();
    w.field("kind", ref.kind);
    w.field("joined_by", ref.joined_by);
    w.field("source", origin_label(ref.origin, inputs));
    w.end_object();
  }
  w.end_array();
}

void write_core(JsonWriter& w, const CoreAttachment* c) {
  if (!c) {
    w.null();
    return;
  }
  w.begin_object();
  w.field("source", c->source);
  w.field_or_null("path", c->path);
  w.field_or_null("matched_by", c->matched_by);
  w.field_or_null("signal", c->signal);
  w.field_or_null("fault", c->fault);
  w.key("signature");
  if (c->signature) {
    w.begin_object().field("hash", c->signature->hash).field("text", c->signature->text);
    w.field("symbolized", c->signature->symbolized).end_object();
  } else {
    w.null();
  }
  w.key("top_frames").begin_array();
  for (const auto& f : c->top_frames) w.value(f);
  w.end_array();
  w.field_or_null("error", c->error);
  w.end_object();
}

// type: the NDJSON line's "type" ("exit", "exit-update"); nullptr inside a JSON document.
void write_exit(JsonWriter& w, const classify::Exit& x, const std::vector<InputReport>& inputs, const char* type,
                const correlate::SamplesSummary* samples, std::string_view samples_how, const CoreAttachment* core) {
  w.begin_object();
  if (type) w.field("type", type);
  w.field("schema", exit_schema);
  w.field("id", classify::exit_id(x));
  w.field("unit", x.unit);
  w.field("pid", x.pid);
  w.field_or_null("pid_source", x.pid_source);
  w.field_or_null("process", x.process_name);
  w.field_or_null("host", x.hostname);
  w.field_or_null("boot_id", x.boot_id);
  w.field_or_null("invocation_id", x.invocation_id);
  time_field(w, "started_at", x.started_at);
  time_field(w, "exited_at", x.exited_at);
  w.field("time_precision", x.exited_at ? (x.time_has_usec ? "us" : "s") : "none");
  w.field("uptime_s", x.uptime_s());
  w.field("class", to_string(x.cls));
  w.field_or_null("oom_kind", to_string(x.oom_kind));
  w.field_or_null("cause", x.cause);
  w.field("confidence", to_string(x.confidence));
  w.field_or_null("exit_kind", x.exit_kind);
  w.field("code", x.code);
  w.field_or_null("signal", x.signal);
  w.field("signal_number", x.signal_number);
  w.field_or_null("unit_result", x.unit_result);
  w.field_or_null("reason", x.reason);
  w.field_or_null("reason_kind", x.reason_kind);
  w.field_or_null("runtime", x.runtime);
  w.field("restart_counter", x.restart_counter);
  w.field("start_limit_hit", x.start_limit_hit);
  w.field("stop_requested", x.stop_requested);
  w.field("memory_peak_bytes", x.memory_peak_bytes);
  write_evidence(w, x, inputs);
  write_witnesses(w, x, inputs);
  w.key("missing").begin_array();
  for (const auto& m : x.missing) w.value(m);
  w.end_array();
  w.key("samples");
  report::write_samples_json(samples ? std::optional<correlate::SamplesSummary>(*samples) : std::nullopt, w);
  w.field_or_null("samples_source", samples_how);
  w.key("core");
  write_core(w, core);
  w.end_object();
}

void write_input(JsonWriter& w, const InputReport& in, std::string_view kind);

void write_inputs(JsonWriter& w, const ExitsReport& r) {
  w.key("inputs").begin_array();
  for (const auto& in : r.inputs) write_input(w, in, "journal");
  for (const auto& in : r.app_inputs) write_input(w, in, "app");
  w.end_array();
}

void write_input(JsonWriter& w, const InputReport& in, std::string_view kind) {
  {
    w.begin_object();
    w.field("path", in.path);
    w.field("kind", kind);
    w.field_or_null("format", in.format);
    w.field_or_null("compression", in.compression);
    w.field("entries", in.entries);
    w.field("skipped", in.skipped);
    w.key("skipped_first").begin_array();
    for (const auto& s : in.first_skips) {
      w.begin_object().field("line", s.line).field("reason", s.reason).end_object();
    }
    w.end_array();
    time_field(w, "first_time", in.first_time);
    time_field(w, "last_time", in.last_time);
    w.key("notes").begin_array();
    for (const auto& n : in.notes) w.value(n);
    w.end_array();
    w.key("damage").begin_array();
    for (const auto& d : in.damage)
      w.begin_object().field("file", d.file).field("entry", d.entry).field("what", d.what).end_object();
    w.end_array();
    w.field("damage_count", in.damage_count);
    w.key("salvaged").begin_array();
    for (const auto& s : in.salvaged)
      w.begin_object()
          .field("file", s.file)
          .field("entries", s.entries)
          .field("first_byte", s.first_byte)
          .field("last_byte", s.last_byte)
          .end_object();
    w.end_array();
    w.field("salvaged_entries", in.salvaged_entries);
    w.field_or_null("error", in.fatal);
    w.end_object();
  }
}

void write_counts(JsonWriter& w, const ExitsReport& r) {
  std::map<std::string, std::uint64_t> by_class;
  for (auto c : classify::all_exit_classes()) by_class[std::string(to_string(c))] = 0;
  for (const auto& [k, v] : r.streamed_by_class) by_class[k] += v;
  for (const auto& x : r.exits) ++by_class[std::string(to_string(x.cls))];
  w.key("counts").begin_object();
  w.field("exits", static_cast<std::uint64_t>(r.exits.size()) + r.streamed_exits);
  w.field("exits_before_selection", static_cast<std::uint64_t>(r.exits_before_selection));
  w.key("by_class").begin_object();
  for (const auto& [k, v] : by_class) w.field(k, v);
  w.end_object();
  w.end_object();
}

void write_warnings(JsonWriter& w, const ExitsReport& r) {
  w.key("warnings").begin_array();
  for (const auto& x : r.warnings) w.begin_object().field("code", x.code).field("message", x.message).end_object();
  w.end_array();
}

}  // namespace

void write_time_field(JsonWriter& w, std::string_view key, const std::optional<UsecUtc>& t) {
  w.key(key);
  if (t) w.value(format_rfc3339_utc(*t));
  else w.null();
}

void write_exit_object(JsonWriter& w, const ExitsReport& r, size_t i) {
  write_exit(w, r.exits[i], r.inputs, nullptr, r.samples_of(i), i < r.samples_how.size() ? r.samples_how[i] : "",
             r.core_of(i));
}

void write_exit_object(JsonWriter& w, const classify::Exit& x, const std::vector<InputReport>& inputs,
                       const correlate::SamplesSummary* samples, std::string_view samples_how,
                       const CoreAttachment* core) {
  write_exit(w, x, inputs, nullptr, samples, samples_how, core);
}

void write_inputs_json(JsonWriter& w, const ExitsReport& r) { write_inputs(w, r); }
void write_counts_json(JsonWriter& w, const ExitsReport& r) { write_counts(w, r); }

namespace {

// The document is streamed exit by exit: a report with many exits never exists twice in
// memory (as data and as text). The exits come first and the accounting last, so exits that
// are final while the input is still read can go out at once.
class JsonExitsWriter final : public ExitsWriter {
 public:
  JsonExitsWriter(bool pretty, bool ndjson, Emit emit) : w_(pretty), ndjson_(ndjson), emit_(std::move(emit)) {}

  void write_final(const std::vector<classify::Exit>& exits,
                   const std::vector<std::pair<size_t, CoreAttachment>>& cores, const std::vector<InputReport>& inputs,
                   const BatchSamples& samples) override {
    begin();
    for (size_t i = 0; i < exits.size(); ++i) {
      write_exit(w_, exits[i], inputs, ndjson_ ? "exit" : nullptr, samples.of(i), samples.how_of(i), core_at(cores, i));
      end_exit();
    }
    emit_(w_.flush());
  }

  void finish(const ExitsReport& r) override {
    begin();
    for (size_t i = 0; i < r.exits.size(); ++i) {
      write_exit(w_, r.exits[i], r.inputs, ndjson_ ? "exit" : nullptr, r.samples_of(i), i < r.samples_how.size() ? r.samples_how[i] : "",
                 r.core_of(i));
      end_exit();
    }
    if (ndjson_) {
      w_.begin_object();
      w_.field("type", "summary");
      w_.field("schema", summary_schema);
    } else {
      w_.end_array();
    }
    write_inputs(w_, r);
    write_counts(w_, r);
    write_warnings(w_, r);
    w_.end_object();
    emit_(w_.flush());
    emit_("\n");
  }

 private:
  void begin() {
    if (begun_ || ndjson_) return;
    begun_ = true;
    w_.begin_object();
    w_.field("schema", exits_document_schema);
    w_.key("exits").begin_array();
  }
  void end_exit() {
    if (ndjson_) {
      emit_(w_.flush());
      emit_("\n");
      w_.clear();
    } else if (w_.str().size() > (1u << 16)) {
      emit_(w_.flush());
    }
  }

  JsonWriter w_;
  bool ndjson_;
  Emit emit_;
  bool begun_ = false;
};

}  // namespace

std::unique_ptr<ExitsWriter> make_json_exits_writer(bool pretty, Emit emit) {
  return std::make_unique<JsonExitsWriter>(pretty, false, std::move(emit));
}
std::unique_ptr<ExitsWriter> make_ndjson_exits_writer(Emit emit) {
  return std::make_unique<JsonExitsWriter>(false, true, std::move(emit));
}

void write_exits_json(const ExitsReport& r, bool pretty, const Emit& emit) { make_json_exits_writer(pretty, emit)->finish(r); }
void write_exits_ndjson(const ExitsReport& r, const Emit& emit) { make_ndjson_exits_writer(emit)->finish(r); }

std::string format_exits_json(const ExitsReport& r, bool pretty) {
  std::string out;
  write_exits_json(r, pretty, [&](std::string_view s) { out.append(s); });
  return out;
}

std::string format_exit_update_ndjson(const classify::Exit& x, const std::vector<InputReport>& inputs,
                                      const CoreAttachment* core, const correlate::SamplesSummary* samples,
                                      std::string_view samples_how) {
  JsonWriter w;
  write_exit(w, x, inputs, "exit-update", samples, samples_how, core);
  return w.take() + "\n";
}

std::string format_exits_ndjson(const ExitsReport& r) {
  std::string out;
  write_exits_ndjson(r, [&](std::string_view s) { out.append(s); });
  return out;
}

}  // namespace crashsift::report
