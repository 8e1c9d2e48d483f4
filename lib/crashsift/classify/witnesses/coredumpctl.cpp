// `coredumpctl info` blocks and `coredumpctl list` tables pasted into a report (formats.md §3,
// §11; real output in shared/real/coredump/ and testdata/captures/coredumpctl/):
//
//              PID: 4242 (myapp)
//           Signal: 11 (SEGV)
//        Timestamp: Tue 2024-03-05 10:11:12 CET (2min ago)
//             Unit: myapp.service
//          Storage: /var/lib/systemd/coredump/core.myapp.0.<boot>.4242.<usec>.zst (present)
//          Message: Process 4242 (myapp) of user 0 dumped core.
//                   <blank>, "Stack trace of thread 4242:", "#0  0x… fn (lib + 0x…)" …
//
//   TIME                            PID   UID   GID SIG COREFILE EXE [SIZE]
//   Tue 2024-03-05 10:11:12 CET    4242     0     0  11 present  /usr/bin/myapp
//
// Each info block and each list row is one death by a core-dumping signal. The `list` of old
// systemd prints SIG as a number and a PRESENT column ("*" or nothing); newer ones print
// "SIGSEGV" and a COREFILE word (present, missing, none, error, …).
#include <memory>
#include <vector>

#include "crashsift/classify/witness.hpp"
#include "crashsift/classify/witnesses/text_lines.hpp"
#include "crashsift/core/text.hpp"

namespace crashsift::classify {

namespace {

namespace wt = witness_text;

constexpr size_t max_message = 64 * 1024;  // as the tracker caps systemd-coredump's entry
constexpr int unknown_lines_max = 4;       // wrapped Command Line pieces and the like

std::string basename_of(std::string_view path) {
  const size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

// "PID: 4242 (myapp)" -> the label and the value; nullopt when the line is no "Label: value".
// Labels are short words right-aligned by coredumpctl ("Control Group", "Size on Disk").
std::optional<std::pair<std::string_view, std::string_view>> split_field(std::string_view t) {
  const size_t colon = t.find(": ");
  if (colon == std::string_view::npos || colon == 0 || colon > 16) {
    if (t.size() > 1 && t.size() <= 17 && t.back() == ':') return std::pair{t.substr(0, t.size() - 1), std::string_view()};
    return std::nullopt;
  }
  for (char c : t.substr(0, colon))
    if (!std::isalpha(static_cast<unsigned char>(c)) && c != ' ') return std::nullopt;
  return std::pair{t.substr(0, colon), t.substr(colon + 2)};
}

// A line of the Message field's body: systemd-coredump's stack trace report.
bool is_report_line(std::string_view t) {
  return t.empty() || t[0] == '#' || starts_with(t, "Stack trace of thread ") || starts_with(t, "Module ") ||
         starts_with(t, "Found module ") || starts_with(t, "Metadata for module ") ||
         starts_with(t, "ELF object binary architecture") || starts_with(t, "Coredump diverted to ");
}

// "4242 (myapp)" -> 4242, "myapp"
void pid_and_name(std::string_view v, std::optional<std::int64_t>& pid, std::string& name) {
  std::int64_t n = 0;
  if (parse_int64(v.substr(0, v.find(' ')), n) && n > 0) pid = n;
  const size_t open = v.find('('), close = v.rfind(')');
  if (open != std::string_view::npos && close != std::string_view::npos && close > open)
    name = std::string(v.substr(open + 1, close - open - 1));
}

struct InfoBlock {
  bool open = false, in_message = false;
  Witness w;
  std::string storage_state;  // "present", "missing", "none", "journal", …
  int unknown = 0;
};

class Coredumpctl final : public WitnessRecognizer {
 public:
  std::string_view name() const override { return "coredumpctl"; }

  void on_event(const Event& e, const WitnessSink& out) override {
    if (!wt::is_text_line(e)) {
      if (b_.open) close(out);
      table_ = Table{};
      return;
    }
    const std::string_view raw = wt::chomp(e.message);
    const std::string_view t = wt::skip_indent(raw);
    if (t.empty()) return;
    // Cheap exit: only "PID:" starts a block, only "TIME …" or a dated row is a table line.
    if (!b_.open && !table_.seen && t[0] != 'P' && t[0] != 'T' && !is_row_start(t)) return;
    if (starts_with(t, "PID: ")) return open_block(t.substr(5), e, out);
    if (b_.open) return block_line(t, raw.size() - t.size(), e, out);
    if (starts_with(t, "TIME ")) return header(t);
    if (!row(t, e, out)) table_ = Table{};
  }

  void end_input(const WitnessSink& out) override {
    if (b_.open) close(out);
    table_ = Table{};
  }

 private:
  // ---- coredumpctl info ----------------------------------------------------------------

  void open_block(std::string_view value, const Event& e, const WitnessSink& out) {
    if (b_.open) close(out);
    table_ = Table{};
    b_ = InfoBlock{};
    b_.open = true;
    Witness& w = b_.w;
    w.kind = "coredumpctl-info";
    w.exit_kind = "dumped";
    w.time_has_usec = false;
    pid_and_name(value, w.pid, w.comm);
    w.lines.push_back(Evidence{"coredumpctl-info", "PID: " + std::string(value.substr(0, 256)), e.origin, {}});
  }

  void block_line(std::string_view t, size_t indent, const Event& e, const WitnessSink& out) {
    // The Message body is indented under its value in `-o cat` input; the short parser strips
    // the indentation, so the report's own shapes are recognized too.
    if (b_.in_message && (indent >= 10 || is_report_line(t))) return add_message(t);
    if (auto f = split_field(t)) return block_field(f->first, trim(f->second), t, e);
    const bool ends_block = t.find("]: ") != std::string_view::npos || t[0] == '[' || starts_with(t, "$ ") ||
                            starts_with(t, "# ") || starts_with(t, "```") || starts_with(t, "-- ");
    if (ends_block || b_.in_message || ++b_.unknown > unknown_lines_max) close(out);
  }

  void add_message(std::string_view t) {
    std::string& m = b_.w.coredump_message;
    if (m.size() + t.size() + 1 > max_message) return;
    m.push_back('\n');
    m.append(t);
  }

  void block_field(std::string_view label, std::string_view v, std::string_view line, const Event& e) {
    Witness& w = b_.w;
    b_.in_message = false;
    if (label == "Signal") {
      // "11 (SEGV)": the name when given, else the number.
      const size_t open = v.find('(');
      w.signal = wt::signal_name_of(open == std::string_view::npos ? v : v.substr(open + 1, v.find(')') - open - 1));
      if (w.signal.empty()) w.signal = wt::signal_name_of(v.substr(0, v.find(' ')));
    } else if (label == "Timestamp") {
      if (auto st = wt::parse_systemd_stamp(v)) w.time = st->utc;
      w.when = w.time ? WhenKnown::absolute : WhenKnown::none;
      w.lines.push_back(Evidence{"coredumpctl-info", std::string(line.substr(0, 256)), e.origin, w.time});
    } else if (label == "Executable") {
      w.exe = std::string(v);
    } else if (label == "Control Group") {
      w.cgroup = std::string(v);
    } else if (label == "Unit" || (label == "User Unit" && w.unit.empty())) {
      w.unit = std::string(v.substr(0, v.find(' ')));
    } else if (label == "Boot ID") {
      if (is_hex_id(v)) w.boot_id = std::string(v);
    } else if (label == "Hostname") {
      w.host = std::string(v);
    } else if (label == "Storage") {
      storage(v);
    } else if (label == "Message") {
      b_.in_message = true;
      w.coredump_message = std::string(v.substr(0, max_message));
    }
  }

  // "/var/lib/systemd/coredump/core.x….zst (present)", "none", "journal", "… (missing)".
  void storage(std::string_view v) {
    std::string_view path = v;
    if (const size_t open = v.rfind(" ("); open != std::string_view::npos && v.back() == ')') {
      b_.storage_state = std::string(v.substr(open + 2, v.size() - open - 3));
      path = v.substr(0, open);
    } else {
      b_.storage_state = starts_with(v, "/") ? "present" : std::string(v);
    }
    if (starts_with(path, "/")) b_.w.coredump_filename = std::string(path);
  }

  void close(const WitnessSink& out) {
    InfoBlock b = std::move(b_);
    b_ = InfoBlock{};
    Witness& w = b.w;
    if (!w.pid) return;  // "PID:" with no number is not coredumpctl's
    if (b.storage_state == "missing" || b.storage_state == "none" || b.storage_state == "inaccessible")
      w.missing.push_back("the core file is " + b.storage_state + " (coredumpctl Storage:)");
    if (w.comm.empty() && !w.exe.empty()) w.comm = basename_of(w.exe);
    for (auto& l : w.lines) l.time = w.time;
    out(std::move(w));
  }

  // ---- coredumpctl list ----------------------------------------------------------------

  struct Table {
    bool seen = false;         // a header was read; rows follow
    bool corefile = false;     // COREFILE column (v233+) instead of PRESENT ("*")
    bool size = false;         // SIZE column (v246+)
  };

  void header(std::string_view t) {
    table_ = Table{};
    if (t.find(" PID") == std::string_view::npos || t.find(" SIG") == std::string_view::npos ||
        t.find(" EXE") == std::string_view::npos)
      return;
    table_.seen = true;
    table_.corefile = t.find(" COREFILE") != std::string_view::npos;
    table_.size = t.find(" SIZE") != std::string_view::npos;
  }

  // A row starts with systemd's stamp: "Tue 2024-03-05 …" (the weekday may be localized).
  static bool is_row_start(std::string_view t) {
    const unsigned char c = t.empty() ? 0 : static_cast<unsigned char>(t[0]);
    if (!std::isalpha(c) && c < 0x80) return false;
    const size_t sp = t.substr(0, 13).find(' ');
    return sp != std::string_view::npos && sp + 5 < t.size() &&
           std::isdigit(static_cast<unsigned char>(t[sp + 1])) && t[sp + 5] == '-';
  }

  static bool is_corefile_word(std::string_view s) {
    for (std::string_view w : {"present", "missing", "none", "error", "journal", "truncated", "inaccessible", "*"})
      if (s == w) return true;
    return false;
  }

  // One row; false when the line is none (the table is over).
  bool row(std::string_view t, const Event& e, const WitnessSink& out) {
    auto st = wt::parse_systemd_stamp(t);
    if (!st) return false;
    std::vector<std::string_view> cols;
    for (std::string_view rest = t.substr(st->end); !rest.empty();) {
      rest = trim(rest);
      if (rest.empty()) break;
      const size_t sp = rest.find(' ');
      cols.push_back(rest.substr(0, sp));
      rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp);
    }
    // A zone the stamp parser did not know is still a column of its own: skip it.
    if (!st->utc && !cols.empty() && !std::isdigit(static_cast<unsigned char>(cols[0][0]))) cols.erase(cols.begin());
    if (table_.size && cols.size() >= 6) cols.pop_back();
    if (cols.size() < 5) return false;
    std::int64_t pid = 0, id = 0;
    if (!parse_int64(cols[0], pid) || pid <= 0 || !parse_int64(cols[1], id) || !parse_int64(cols[2], id)) return false;
    Witness w;
    w.kind = "coredumpctl-list";
    w.pid = pid;
    w.signal = wt::signal_name_of(cols[3]);
    w.exit_kind = "dumped";
    size_t k = 4;
    std::string_view corefile;
    if (k + 1 < cols.size() && is_corefile_word(cols[k])) corefile = cols[k++];
    w.exe = std::string(cols[k]);
    if (!table_.seen && !starts_with(w.exe, "/")) return false;  // a dated line of something else
    w.comm = basename_of(w.exe);
    w.time = st->utc;
    w.when = st->utc ? WhenKnown::absolute : WhenKnown::none;
    w.time_has_usec = false;
    if (corefile == "missing" || corefile == "none" || corefile == "error")
      w.missing.push_back("the core file is " + std::string(corefile) + " (coredumpctl list COREFILE)");
    w.lines.push_back(Evidence{"coredumpctl-list", std::string(t.substr(0, 512)), e.origin, w.time});
    out(std::move(w));
    return true;
  }

  InfoBlock b_;
  Table table_;
};

}  // namespace

std::unique_ptr<WitnessRecognizer> make_witness_coredumpctl() { return std::make_unique<Coredumpctl>(); }

}  // namespace crashsift::classify
