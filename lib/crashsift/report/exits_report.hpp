#pragma once
// The plain data every exits writer formats: inputs accounting, the selected exits and the
// run's warnings. Writers never compute or read inputs; they only format this.
#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

#include "crashsift/classify/exit.hpp"
#include "crashsift/core/diag.hpp"
#include "crashsift/core/json_writer.hpp"
#include "crashsift/core/time.hpp"
#include "crashsift/correlate/sample_series.hpp"
#include "crashsift/correlate/window.hpp"
#include "crashsift/report/core_attachment.hpp"

namespace crashsift::report {

// The attachment of exit i in a list by exit index (ascending), or null.
using CoresByExit = std::vector<std::pair<size_t, CoreAttachment>>;
inline const CoreAttachment* core_at(const CoresByExit& cores, size_t i) {
  const auto it = std::lower_bound(cores.begin(), cores.end(), i, [](const auto& c, size_t k) { return c.first < k; });
  return it != cores.end() && it->first == i ? &it->second : nullptr;
}

// The app samples of a batch of exits written while the input is read (watch --app),
// parallel to the batch; empty when no app log was given.
struct BatchSamples {
  std::vector<std::optional<correlate::SamplesSummary>> summaries;
  std::vector<std::string> how;
  const correlate::SamplesSummary* of(size_t i) const {
    return i < summaries.size() && summaries[i] ? &*summaries[i] : nullptr;
  }
  std::string_view how_of(size_t i) const { return i < how.size() ? std::string_view(how[i]) : std::string_view(); }
};

struct ExitsReport {
  std::vector<InputReport> inputs;
  std::vector<classify::Exit> exits;          // selected, in time order
  std::size_t exits_before_selection = 0;
  // Exits already written while the input was read (ExitsWriter::write_final): counted here,
  // not held. exits holds the rest, later in time.
  std::uint64_t streamed_exits = 0;
  std::map<std::string, std::uint64_t> streamed_by_class;
  std::vector<Warning> warnings;
  bool kernel_input_present = false;
  // Lifetimes started and not ended when their input ends (all units, not only the selected).
  std::vector<classify::RunningLifetime> running;
  // --app: parallel to exits (empty when no app log was given); how the log was matched.
  std::vector<std::optional<correlate::SamplesSummary>> samples;
  std::vector<std::string> samples_how;
  std::vector<InputReport> app_inputs;
  std::vector<correlate::AppData> apps;      // the loaded app logs (for the memory verdict)
  // --cores / COREDUMP_FILENAME: the exits that have a core or a backtrace, by index into exits
  // (ascending; most exits have none, so nothing is kept for them).
  std::vector<std::pair<size_t, CoreAttachment>> cores;
  const CoreAttachment* core_of(size_t i) const { return core_at(cores, i); }
  const correlate::SamplesSummary* samples_of(size_t i) const {
    return i < samples.size() && samples[i] ? &*samples[i] : nullptr;
  }
  // At least one input gave usable entries; otherwise the run exits with status 2.
  bool usable() const;
  // An input could not be read at all (a file that would not open, a fleet host that was down):
  // an input error for the run's status, even when the others were usable.
  bool any_input_unreadable() const;
};

struct TextStyle {
  Zone zone;                 // --tz / --utc / local
  bool color = false;        // resolved by the tool (tty, NO_COLOR, --color)
  bool evidence = false;     // --evidence: print deciding lines under each exit
};

inline constexpr const char* exit_schema = "crashsift/exit/1";
inline constexpr const char* exits_document_schema = "crashsift/exits/1";
inline constexpr const char* summary_schema = "crashsift/summary/1";

using Emit = std::function<void(std::string_view)>;
std::string format_exits_text(const ExitsReport& r, const TextStyle& style);
void write_exits_text(const ExitsReport& r, const TextStyle& style, const Emit& emit);
std::string format_exits_markdown(const ExitsReport& r, const TextStyle& style);
// Streaming writers (the tool writes as they go); the format_* forms return one string.
void write_exits_json(const ExitsReport& r, bool pretty, const Emit& emit);
void write_exits_ndjson(const ExitsReport& r, const Emit& emit);
std::string format_exits_json(const ExitsReport& r, bool pretty);
// Pieces shared with the report document (crashsift/report/1).
void write_exit_object(JsonWriter& w, const ExitsReport& r, size_t i);
void write_exit_object(JsonWriter& w, const classify::Exit& x, const std::vector<InputReport>& inputs,
                       const correlate::SamplesSummary* samples, std::string_view samples_how,
                       const CoreAttachment* core);
void write_inputs_json(JsonWriter& w, const ExitsReport& r);
void write_counts_json(JsonWriter& w, const ExitsReport& r);
// key: RFC 3339 UTC time, or null.
void write_time_field(JsonWriter& w, std::string_view key, const std::optional<UsecUtc>& t);
std::string format_exits_ndjson(const ExitsReport& r);

// A writer that can start before the report is complete: exits that are final while the input
// is still read go out at once (write_final), the rest and the accounting at the end (finish,
// whose report counts the written ones in streamed_*). Text keeps the column widths of the
// first rows and widens them when a later row needs it.
class ExitsWriter {
 public:
  virtual ~ExitsWriter() = default;
  // cores: the attachments of those exits that have one, by index into exits (ascending).
  virtual void write_final(const std::vector<classify::Exit>& exits,
                           const std::vector<std::pair<size_t, CoreAttachment>>& cores,
                           const std::vector<InputReport>& inputs, const BatchSamples& samples = {}) = 0;
  virtual void finish(const ExitsReport& r) = 0;
};
std::unique_ptr<ExitsWriter> make_json_exits_writer(bool pretty, Emit emit);
std::unique_ptr<ExitsWriter> make_ndjson_exits_writer(Emit emit);
std::unique_ptr<ExitsWriter> make_text_exits_writer(const TextStyle& style, Emit emit);
// One line: an exit written before, classified again after a late record joined it (`watch`):
// the crashsift/exit/1 object with "type":"exit-update" and the same id.
std::string format_exit_update_ndjson(const classify::Exit& x, const std::vector<InputReport>& inputs,
                                      const CoreAttachment* core, const correlate::SamplesSummary* samples = nullptr,
                                      std::string_view samples_how = {});
// Who died, as the UNIT column names it: the unit, else — for a death no evidence ties to a unit
// (a dmesg line, a shell's message) — the process name in parentheses, else "-".
std::string exit_subject(const classify::Exit& x);
// One exit in one line for a message (the journal entry `watch --format journal` writes):
// "orders.service: oom/cgroup (SIGKILL), <why>  up 3 min".
std::string exit_summary_line(const classify::Exit& x, const CoreAttachment* core);
// The stderr digest of skipped lines, unreadable inputs and warnings ("" when all is clean).
std::string format_input_diagnostics(const ExitsReport& r);

// "journal.export:2355" or the cursor when the form has no lines.
std::string origin_label(const Origin& o, const std::vector<InputReport>& inputs);

}  // namespace crashsift::report
