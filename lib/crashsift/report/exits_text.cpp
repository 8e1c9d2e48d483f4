// Text and Markdown for people: one line per exit, verdict first, aligned columns, units on
// every number. Times in the chosen zone (--tz), never in JSON's UTC.
#include <algorithm>
#include <cstdio>
#include <map>

#include "crashsift/core/text.hpp"
#include "crashsift/report/exits_report.hpp"
#include "crashsift/report/samples_format.hpp"

namespace crashsift::report {

namespace {

const char* class_color(classify::ExitClass c) {
  using classify::ExitClass;
  switch (c) {
    case ExitClass::clean: return "\x1b[32m";
    case ExitClass::self_exit: return "\x1b[33m";
    case ExitClass::segfault:
    case ExitClass::oom: return "\x1b[1;31m";
    case ExitClass::watchdog:
    case ExitClass::timeout:
    case ExitClass::killed: return "\x1b[35m";
    case ExitClass::unknown: return "\x1b[2m";
  }
  return "";
}

std::string time_text(const classify::Exit& x, const Zone& zone) {
  if (!x.exited_at) return "(no time)";
  return format_in_zone(*x.exited_at, zone, x.time_has_usec);
}

std::string class_text(const classify::Exit& x) {
  std::string s(to_string(x.cls));
  if (x.oom_kind != classify::OomKind::none) s += "/" + std::string(to_string(x.oom_kind));
  return s;
}

std::string status_text(const classify::Exit& x) {
  if (x.code) return "exit " + std::to_string(*x.code);
  if (!x.signal.empty()) return "SIG" + x.signal + (x.exit_kind == "dumped" ? " (core)" : "");
  if (x.unit_result == "success") return "-";
  if (!x.unit_result.empty()) return "result " + x.unit_result;
  return "-";
}

std::string detail_text(const classify::Exit& x, const correlate::SamplesSummary* samples, const CoreAttachment* core) {
  std::string s = x.reason.empty() ? x.cause : x.reason;
  if (core && core->signature) s += "  {" + core->signature->hash + " " + core->signature->text + "}";
  else if (core && !core->top_frames.empty()) s += "  {at " + core->top_frames[0] + "}";
  if (!x.runtime.empty()) s += "  [" + x.runtime + "]";
  if (samples) s += "  (" + report::format_samples_line(*samples) + ")";
  if (x.memory_peak_bytes) s += "  systemd memory peak " + format_bytes(*x.memory_peak_bytes);
  if (auto up = x.uptime_s()) s += "  up " + format_duration(*up);
  if (x.restart_counter) s += "  -> restart " + std::to_string(*x.restart_counter);
  if (x.start_limit_hit) s += "  start-limit-hit";
  if (x.confidence == classify::Confidence::inferred) s += "  (inferred)";
  return s;
}


// The table's narrow columns; WHY (the detail) is last and unpadded, so it is made only when
// its row is written.
struct Row {
  std::string time, unit, pid, cls, status;
};

Row row_of(const classify::Exit& x, const Zone& zone) {
  return {time_text(x, zone), exit_subject(x), x.pid ? std::to_string(*x.pid) : "-", class_text(x), status_text(x)};
}

std::string pad(const std::string& s, size_t w) { return s.size() >= w ? s : s + std::string(w - s.size(), ' '); }

std::string summary_line(const ExitsReport& r) {
  std::map<std::string, std::uint64_t> by_class = r.streamed_by_class;
  for (const auto& x : r.exits) ++by_class[std::string(to_string(x.cls))];
  const std::uint64_t total = r.exits.size() + r.streamed_exits;
  std::string s = std::to_string(total) + (total == 1 ? " exit" : " exits");
  if (!by_class.empty()) {
    s += ":";
    bool first = true;
    for (const auto& [k, v] : by_class) {
      s += (first ? " " : ", ") + std::to_string(v) + " " + k;
      first = false;
    }
  }
  if (r.exits_before_selection != total)
    s += " (" + std::to_string(r.exits_before_selection) + " before filtering)";
  return s;
}

}  // namespace

std::string exit_subject(const classify::Exit& x) {
  if (!x.unit.empty()) return x.unit;
  if (!x.process_name.empty()) return "(" + x.process_name + ")";
  return "-";
}

std::string exit_summary_line(const classify::Exit& x, const CoreAttachment* core) {
  std::string s = exit_subject(x) + ": " + class_text(x);
  if (const std::string status = status_text(x); status != "-") s += " (" + status + ")";
  if (const std::string detail = detail_text(x, nullptr, core); !detail.empty()) s += ", " + detail;
  return s;
}

std::string origin_label(const Origin& o, const std::vector<InputReport>& inputs) {
  std::string path = o.input < inputs.size() ? inputs[o.input].path : "?";
  if (o.line > 0) return path + ":" + std::to_string(o.line);
  return path;
}

bool ExitsReport::any_input_unreadable() const {
  for (const auto& r : inputs)
    if (!r.fatal.empty()) return true;
  return false;
}

bool ExitsReport::usable() const {
  for (const auto& r : inputs)
    if (r.fatal.empty() && (r.entries > 0 || r.empty_but_valid)) return true;
  if (!inputs.empty()) return false;  // app logs alone only count in app-only mode
  for (const auto& r : app_inputs)
    if (r.fatal.empty() && r.entries > 0) return true;
  return false;
}

namespace {

// Two passes over each batch of exits: the column widths first, then each row written and
// flushed in pieces, so no table of every row and no whole output string is held.
class TextExitsWriter final : public ExitsWriter {
 public:
  TextExitsWriter(const TextStyle& style, Emit emit) : style_(style), emit_(std::move(emit)) {}

  void write_final(const std::vector<classify::Exit>& exits,
                   const std::vector<std::pair<size_t, CoreAttachment>>& cores, const std::vector<InputReport>& inputs,
                   const BatchSamples& samples) override {
    if (!header_written_) {
      // The first rows of a stream may not show the widest values: start the columns whose
      // values are short and known wide enough that later rows rarely push them out.
      wp_ = std::max<size_t>(wp_, 7);   // PIDs up to pid_max 4194304
      wc_ = std::max<size_t>(wc_, 16);  // "oom/runtime-heap"
      ws_ = std::max<size_t>(ws_, 14);  // "SIGSEGV (core)"
    }
    widen(exits);
    for (size_t i = 0; i < exits.size(); ++i) row(exits[i], inputs, samples.of(i), core_at(cores, i));
    emit_(out_);
    out_.clear();
  }

  void finish(const ExitsReport& r) override {
    widen(r.exits);
    for (size_t i = 0; i < r.exits.size(); ++i) row(r.exits[i], r.inputs, r.samples_of(i), r.core_of(i));
    out_ += summary_line(r) + "\n";
    emit_(out_);
    out_.clear();
  }

 private:
  void widen(const std::vector<classify::Exit>& exits) {
    for (const auto& x : exits) {
      note_host(x.hostname);
      wh_ = std::max(wh_, x.hostname.size());
      const Row row = row_of(x, style_.zone);
      wt_ = std::max(wt_, row.time.size());
      wu_ = std::max(wu_, row.unit.size());
      wp_ = std::max(wp_, row.pid.size());
      wc_ = std::max(wc_, row.cls.size());
      ws_ = std::max(ws_, row.status.size());
    }
  }

  // The HOST column appears once exits of a second host do (a journal-remote directory, a
  // fleet's journals); in a stream the header is written again with it from there on.
  void note_host(const std::string& host) {
    if (host.empty() || show_host_) return;
    if (first_host_.empty()) first_host_ = host;
    else if (host != first_host_) {
      show_host_ = true;
      wh_ = std::max({wh_, first_host_.size(), host.size()});
      header_written_ = false;
    }
  }

  void row(const classify::Exit& x, const std::vector<InputReport>& inputs, const correlate::SamplesSummary* samples,
           const CoreAttachment* core) {
    if (!header_written_) {
      header_written_ = true;
      const std::string zone_name =
          style_.zone.is_utc() ? "UTC" : (style_.zone.name().empty() ? "local" : style_.zone.name());
      out_ += pad("TIME (" + zone_name + ")", wt_) + "  " + (show_host_ ? pad("HOST", wh_) + "  " : "") +
              pad("UNIT", wu_) + "  " + pad("PID", wp_) + "  " + pad("CLASS", wc_) + "  " + pad("STATUS", ws_) +
              "  WHY\n";
    }
    const Row row = row_of(x, style_.zone);
    const std::string cls = style_.color ? class_color(x.cls) + pad(row.cls, wc_) + "\x1b[0m" : pad(row.cls, wc_);
    out_ += pad(row.time, wt_) + "  " + (show_host_ ? pad(x.hostname.empty() ? "-" : x.hostname, wh_) + "  " : "") +
            pad(row.unit, wu_) + "  " + pad(row.pid, wp_) + "  " + cls + "  " + pad(row.status, ws_) + "  " +
            detail_text(x, samples, core) + "\n";
    if (style_.evidence) {
      for (const auto& e : x.evidence)
        out_ += "    " + pad(e.role, 16) + " " + e.text + "   (" + origin_label(e.origin, inputs) +
                (e.origin.salvaged ? ", salvaged" : "") + ")\n";
      for (const auto& m : x.missing) out_ += "    missing          " + m + "\n";
      if (core) {
        out_ += "    core             " + (core->path.empty() ? core->source : core->path) + " (" + core->matched_by +
                ")" + (core->error.empty() ? "" : ": " + core->error) + "\n";
        for (const auto& f : core->top_frames) out_ += "      at " + f + "\n";
      }
    }
    if (out_.size() >= 64 * 1024) {
      emit_(out_);
      out_.clear();
    }
  }

  TextStyle style_;
  Emit emit_;
  std::string out_;
  size_t wt_ = 4, wu_ = 4, wp_ = 3, wc_ = 5, ws_ = 6, wh_ = 4;
  bool header_written_ = false;
  std::string first_host_;
  bool show_host_ = false;
};

}  // namespace

std::unique_ptr<ExitsWriter> make_text_exits_writer(const TextStyle& style, Emit emit) {
  return std::make_unique<TextExitsWriter>(style, std::move(emit));
}

void write_exits_text(const ExitsReport& r, const TextStyle& style, const Emit& emit) {
  make_text_exits_writer(style, emit)->finish(r);
}

std::string format_exits_text(const ExitsReport& r, const TextStyle& style) {
  std::string out;
  write_exits_text(r, style, [&out](std::string_view s) { out.append(s); });
  return out;
}

std::string format_exits_markdown(const ExitsReport& r, const TextStyle& style) {
  auto cell = [](std::string s) {
    std::string o;
    for (char c : s) o += (c == '|') ? std::string("\\|") : std::string(1, c);
    return o;
  };
  std::string out = "## Service exits\n\n" + summary_line(r) + "\n\n";
  if (r.exits.empty()) return out;
  const std::string zone_name = style.zone.is_utc() ? "UTC" : (style.zone.name().empty() ? "local" : style.zone.name());
  const bool with_samples = !r.samples.empty();
  out += "| Time (" + zone_name + ") | Unit | PID | Class | Status | Why | Runtime | Confidence |" +
         std::string(with_samples ? " Memory before exit |" : "") + "\n";
  out += "|---|---|---:|---|---|---|---|---|" + std::string(with_samples ? "---|" : "") + "\n";
  for (size_t i = 0; i < r.exits.size(); ++i) {
    const auto& x = r.exits[i];
    const Row row = row_of(x, style.zone);
    std::string why = x.reason.empty() ? x.cause : "`" + x.reason + "`";
    if (const auto* c = r.core_of(i); c && c->signature) why += " — crash `" + c->signature->hash + "`: " + c->signature->text;
    out += "| " + row.time + " | " + cell(x.unit) + " | " + row.pid + " | " + row.cls + " | " + row.status + " | " +
           cell(why) + " | " + cell(x.runtime) + " | " + std::string(to_string(x.confidence)) + " |";
    if (with_samples) {
      const auto* smp = r.samples_of(i);
      out += " " + cell(smp ? report::format_samples_line(*smp) : "no sample") + " |";
    }
    out += "\n";
  }
  if (style.evidence) {
    out += "\n### Evidence\n";
    for (size_t i = 0; i < r.exits.size(); ++i) {
      const auto& x = r.exits[i];
      out += "\n**" + x.unit + "** " + (x.exited_at ? format_in_zone(*x.exited_at, style.zone, x.time_has_usec) : "") +
             "\n\n```\n";
      for (const auto& e : x.evidence) out += e.text + "\n";
      out += "```\n";
      if (const auto* c = r.core_of(i); c && !c->top_frames.empty()) {
        out += "\nBacktrace (" + (c->source == "journal" ? std::string("from the systemd-coredump journal entry") : c->path) +
               "):\n\n```\n";
        for (const auto& f : c->top_frames) out += "at " + f + "\n";
        out += "```\n";
      }
      for (const auto& m : x.missing) out += "- missing: " + m + "\n";
    }
  }
  return out;
}

std::string format_input_diagnostics(const ExitsReport& r) {
  std::string out;
  std::vector<const InputReport*> all;
  for (const auto& in : r.inputs) all.push_back(&in);
  for (const auto& in : r.app_inputs) all.push_back(&in);
  for (const InputReport* inp : all) {
    const InputReport& in = *inp;
    if (!in.fatal.empty()) {
      out += "crashsift: error: " +
             (in.fatal.find(in.path) != std::string::npos ? in.fatal : "cannot read " + in.path + ": " + in.fatal) + "\n";
      continue;
    }
    if (in.damage_count > 0) {
      out += "crashsift: warning: " + in.path + ": damaged: " + std::to_string(in.damage_count) + " problem(s)" +
             (in.salvaged_entries ? ", " + std::to_string(in.salvaged_entries) + " entries salvaged" : "") + "\n";
      for (const auto& d : in.damage)
        out += "  --> " + (d.file == in.path ? d.file : in.path + ": " + d.file) + ": " + d.what + "\n";
      if (in.damage_count > in.damage.size())
        out += "  ... and " + std::to_string(in.damage_count - in.damage.size()) + " more\n";
      for (const auto& s : in.salvaged)
        out += "  salvaged " + std::to_string(s.entries) + " entries from " + s.file + " bytes " +
               std::to_string(s.first_byte) + "-" + std::to_string(s.last_byte) + "\n";
    }
    if (in.skipped > 0) {
      out += "crashsift: warning: " + in.path + ": skipped " + std::to_string(in.skipped) +
             (in.skipped == 1 ? " line" : " lines") + " that could not be used (" + in.format + ")\n";
      for (const auto& s : in.first_skips)
        out += "  --> " + in.path + ":" + std::to_string(s.line) + ": " + s.reason + "\n";
      if (in.skipped > in.first_skips.size())
        out += "  ... and " + std::to_string(in.skipped - in.first_skips.size()) + " more\n";
    }
  }
  for (const auto& w : r.warnings) out += "crashsift: warning: " + w.message + "\n";
  return out;
}

}  // namespace crashsift::report
