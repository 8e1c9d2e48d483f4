#include "crashsift/input/journal_file_stream.hpp"

#include <algorithm>
#include <functional>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "crashsift/core/event_wire.hpp"
#include "crashsift/core/fd_io.hpp"
#include "crashsift/core/text.hpp"
#include "crashsift/input/journal_fields.hpp"
#include "crashsift/input/journal_index_read.hpp"
#include "crashsift/input/journal_salvage.hpp"

namespace crashsift::input {

// ---- the pipe protocol -----------------------------------------------------------------
// Frames: u8 kind, u32 payload size, payload. Entries travel in batches ('B': the u64 seqnum
// of the batch's last entry, then repeated u64 realtime, encoded Event) so that a pipe write
// carries many of them. One seqnum a batch is enough to resume after the batches received
// (a child that dies loses only its unsent batch), and spares a cursor per entry (sd-journal
// 252 gives the seqnum only inside its formatted cursor: 10% of the read time).
namespace {

constexpr size_t batch_bytes = 128 * 1024;

enum FrameKind : char {
  frame_batch = 'B',
  frame_damage = 'D',       // u64 entries read before it, text
  frame_opened = 'O',
  frame_open_failed = 'F',  // u8 permission denied, text
  frame_read_done = 'R',    // u8 wants salvage
  frame_salvaged = 'S',     // u64 entries, first byte, last byte
  frame_indexed = 'I',      // u64 entries the file holds: it was read through its index
};


// last_seqnum: the seqnum of the entry added last, asked only when a batch is sent; every
// flush (a full batch, any other frame) happens while that entry is still the current one.
class FrameWriter {
 public:
  FrameWriter(int fd, std::function<std::uint64_t()> last_seqnum) : fd_(fd), last_seqnum_(std::move(last_seqnum)) {}
  void entry(std::uint64_t realtime, const Event& e) {
    if (batch_.empty()) wire_put(batch_, std::uint64_t{0});
    wire_put(batch_, realtime);
    encode_event(e, batch_);
    if (batch_.size() >= batch_bytes) flush();
  }
  void frame(char kind, std::string_view payload) {
    flush();
    send(kind, payload);
  }
  void flush() {
    if (batch_.empty()) return;
    const std::uint64_t seqnum = last_seqnum_();
    std::memcpy(batch_.data(), &seqnum, sizeof seqnum);
    send(frame_batch, batch_);
    batch_.clear();
  }

 private:
  void send(char kind, std::string_view payload) {
    std::string head(1, kind);
    wire_put(head, static_cast<std::uint32_t>(payload.size()));
    // The parent is gone when a write fails: nobody is left to tell.
    if (!write_all(fd_, head) || !write_all(fd_, payload)) ::_exit(4);
  }
  int fd_;
  std::function<std::uint64_t()> last_seqnum_;
  std::string batch_;
};

std::string damage_payload(std::uint64_t entries, std::string_view text) {
  std::string p;
  wire_put(p, entries);
  p.append(text);
  return p;
}


std::optional<JournalHeader> header_of(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  char buf[512];
  const ssize_t n = ::pread(fd, buf, sizeof buf, 0);
  ::close(fd);
  if (n <= 0) return std::nullopt;
  return parse_journal_header(std::string_view(buf, static_cast<size_t>(n)));
}

std::uint64_t file_size_of(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
}

std::string hex_id(const std::array<std::uint8_t, 16>& id) {
  static const char digits[] = "0123456789abcdef";
  std::string s;
  for (auto b : id) s += digits[b >> 4], s += digits[b & 15];
  return s;
}

}  // namespace

// ---- child: libsystemd -------------------------------------------------------------------

namespace {

// The union `journalctl -u` uses (formats.md §1.1), plus kernel lines and the unit's coredumps
// (whose _UID is not 0 on current systemd, so journalctl -u misses them).
int add_unit_matches(sd_journal* j, const std::vector<std::string>& units) {
  auto match = [&](const std::string& m) { return sd_journal_add_match(j, m.data(), m.size()); };
  for (const auto& u : units) {
    int r = 0;
    if ((r = match("_SYSTEMD_UNIT=" + u)) < 0 || (r = sd_journal_add_disjunction(j)) < 0) return r;
    if ((r = match("UNIT=" + u)) < 0 || (r = match("_PID=1")) < 0 || (r = sd_journal_add_disjunction(j)) < 0)
      return r;
    if ((r = match("USER_UNIT=" + u)) < 0 || (r = sd_journal_add_disjunction(j)) < 0) return r;
    if ((r = match("COREDUMP_UNIT=" + u)) < 0 || (r = sd_journal_add_disjunction(j)) < 0) return r;
  }
  int r = match("_TRANSPORT=kernel");
  if (r < 0) return r;
  r = sd_journal_add_disjunction(j);
  if (r < 0) return r;
  r = match("SYSLOG_IDENTIFIER=systemd-oomd");
  return r < 0 ? r : sd_journal_add_disjunction(j);
}

// The same selection as add_unit_matches, for entries the salvage reader recovers.
bool salvaged_entry_matches(const SalvagedEntry& entry, const std::vector<std::string>& units) {
  if (units.empty()) return true;
  auto has = [&](std::string_view field) {
    return std::find(entry.fields.begin(), entry.fields.end(), field) != entry.fields.end();
  };
  if (has("_TRANSPORT=kernel") || has("SYSLOG_IDENTIFIER=systemd-oomd")) return true;
  for (const auto& u : units)
    if (has("_SYSTEMD_UNIT=" + u) || (has("UNIT=" + u) && has("_PID=1")) || has("USER_UNIT=" + u) ||
        has("COREDUMP_UNIT=" + u))
      return true;
  return false;
}

}  // namespace

// Fills e from the current entry; invalid counts the fields skipped for a damaged name.
int fill_event_from_journal(sd_journal* j, Event& e, std::uint64_t& invalid) {
  return fill_event_from_journal(j, e, invalid, nullptr);
}

int fill_event_from_journal(sd_journal* j, Event& e, std::uint64_t& invalid,
                            const std::function<void(std::string_view item)>& each) {
  const void* data = nullptr;
  size_t len = 0;
  int r = 0;
  sd_journal_restart_data(j);
  while ((r = sd_journal_enumerate_data(j, &data, &len)) > 0) {
    const std::string_view field(static_cast<const char*>(data), len);
    const size_t eq = field.find('=');
    if (eq == std::string_view::npos || !valid_journal_field_name(field.substr(0, eq))) {
      ++invalid;
      continue;
    }
    apply_journal_field(e, field.substr(0, eq), field.substr(eq + 1));
    if (each) each(field);
  }
  std::uint64_t realtime = 0;
  if (!e.time && sd_journal_get_realtime_usec(j, &realtime) >= 0) e.time = static_cast<UsecUtc>(realtime);
  sd_id128_t boot{};
  std::uint64_t mono = 0;
  if (e.boot_id.empty() && sd_journal_get_monotonic_usec(j, &mono, &boot) >= 0) {
    char buf[SD_ID128_STRING_MAX];
    e.boot_id = sd_id128_to_string(boot, buf);
    e.monotonic_usec = mono;
  }
  return r < 0 ? r : 0;
}

// The entry's seqnum, from its cursor ("s=...;i=<hex seqnum>;..."): sd_journal_get_seqnum is
// newer than systemd 252. Used to resume with the salvage reader after the last entry read.
std::uint64_t journal_seqnum(sd_journal* j) {
  char* cursor = nullptr;
  if (sd_journal_get_cursor(j, &cursor) < 0 || !cursor) return 0;
  const std::uint64_t seqnum = seqnum_in_cursor(cursor);
  std::free(cursor);
  return seqnum;
}

namespace {

std::string open_failure(int r) {
  const bool damaged = r == -ENODATA || r == -EBADMSG || r == -EPROTONOSUPPORT || r == -EIO || r == -EFBIG;
  if (r == -EIDRM) return "libsystemd cannot open the file: it has no name (a spilled copy on a file system without O_TMPFILE)";
  return "libsystemd cannot open the file: " + errno_message(r) +
         (damaged ? " (the file is truncated, corrupt or of an unsupported journal version)" : "");
}

// libsystemd trusts what it maps: a payload is never checked against its hash, an item may point
// at another object. The salvage walk checks both; its problems are this file's damage (what
// libsystemd delivered is kept: the notes say which bytes not to trust).
void verify_with_salvage_walk(const std::string& path, std::uint64_t entries, FrameWriter& out) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    out.frame(frame_damage, damage_payload(entries, "--verify cannot open the file: " + errno_message(errno)));
    return;
  }
  const SalvageResult result = salvage_journal(fd, SalvageOptions{}, [](const SalvagedEntry&) {});
  ::close(fd);
  for (const auto& p : result.problems) out.frame(frame_damage, damage_payload(entries, "verify: " + p));
  if (result.problem_count > result.problems.size())
    out.frame(frame_damage, damage_payload(entries, "verify: " +
                                                        std::to_string(result.problem_count - result.problems.size()) +
                                                        " more damaged object(s)"));
}

}  // namespace

int read_file_with_libsystemd(const std::string& path, const FileStreamSettings& settings, int out_fd) {
  sd_journal* j = nullptr;
  FrameWriter out(out_fd, [&j] { return journal_seqnum(j); });
  const char* paths[] = {path.c_str(), nullptr};
  int r = sd_journal_open_files(&j, paths, 0);
  if (r < 0) {
    std::string payload(1, r == -EACCES || r == -EPERM ? 1 : 0);
    payload += open_failure(r);
    out.frame(frame_open_failed, payload);
    out.frame(frame_read_done, std::string(1, r == -EACCES || r == -EPERM ? 0 : 1));
    return 0;
  }
  // Taken before reading: entries appended while we read (a live journal) must not look missing.
  // The header, and the second handle the index read wants, before "opened": after it the
  // parent may take away a spilled copy's transient name.
  const std::optional<JournalHeader> header = header_of(path);
  sd_journal* lines = nullptr;
  if (settings.by_index && sd_journal_open_files(&lines, paths, 0) < 0) lines = nullptr;
  out.frame(frame_opened, {});
  // Values above the threshold are truncated by sd-journal; 64 KiB keeps whole crash messages.
  sd_journal_set_data_threshold(j, 64 * 1024);
  Event e;
  std::uint64_t entries = 0;
  bool stopped_early = false;
  // Every entry is read where the index may not hold them all: a file journald did not close
  // (".journal~", or still "online": being written, or its writer died), or one to verify.
  IndexReadResult indexed;
  const bool closed = header && header->state != 1 && !path.ends_with(".journal~");
  if (lines && !settings.verify && closed)
    indexed = read_by_index(j, lines, settings, [&out](std::uint64_t realtime, const Event& ev) { out.entry(realtime, ev); });
  if (lines) sd_journal_close(lines);
  const bool matched = indexed.used || !settings.units.empty();
  if (indexed.used) {
    entries = indexed.entries;
    if (indexed.error < 0) {
      out.frame(frame_damage, damage_payload(entries, "libsystemd stopped reading after " + std::to_string(entries) +
                                                          " entries: " + errno_message(indexed.error)));
      stopped_early = true;
    }
    if (indexed.invalid_fields)
      out.frame(frame_damage, damage_payload(entries, "skipped " + std::to_string(indexed.invalid_fields) +
                                                          " field(s) without a valid name (a damaged DATA object)"));
  } else {
    if (!settings.units.empty() && (r = add_unit_matches(j, settings.units)) < 0)
      out.frame(frame_damage, damage_payload(0, "cannot add journal matches: " + errno_message(r)));
    if (settings.since && (r = sd_journal_seek_realtime_usec(j, static_cast<std::uint64_t>(*settings.since))) < 0)
      out.frame(frame_damage, damage_payload(0, "cannot seek to --since: " + errno_message(r)));
  }
  for (; !indexed.used;) {
    r = sd_journal_next(j);
    if (r == 0) break;
    if (r < 0) {
      out.frame(frame_damage, damage_payload(entries, "libsystemd stopped reading after " + std::to_string(entries) +
                                                          " entries: " + errno_message(r)));
      stopped_early = true;
      break;
    }
    e.clear();
    std::uint64_t invalid = 0;
    const int fields_read = fill_event_from_journal(j, e, invalid);
    e.origin.line = journal_seqnum(j);
    std::uint64_t realtime = 0;
    sd_journal_get_realtime_usec(j, &realtime);
    ++entries;
    out.entry(realtime, e);
    if (fields_read < 0)
      out.frame(frame_damage, damage_payload(entries, "entry " + std::to_string(entries) +
                                                          ": cannot read all its fields: " + errno_message(fields_read)));
    if (invalid)
      out.frame(frame_damage, damage_payload(entries, "entry " + std::to_string(entries) + ": skipped " +
                                                          std::to_string(invalid) +
                                                          " field(s) without a valid name (a damaged DATA object)"));
  }
  // sd_journal_next at the end or on an error leaves the last entry read current.
  const std::uint64_t last_seqnum = entries ? journal_seqnum(j) : 0;
  out.flush();
  // A damaged entry array ends the walk quietly: compare with what the header says it holds.
  if (!stopped_early) {
    if (header) {
      // With matches the last entry read need not be the file's last: ask for the tail itself.
      std::uint64_t tail = last_seqnum;
      if (matched) {
        sd_journal_flush_matches(j);
        tail = sd_journal_seek_tail(j) >= 0 && sd_journal_previous(j) > 0 ? journal_seqnum(j) : 0;
      }
      const bool short_count = !matched && !settings.since && entries < header->n_entries;
      const bool short_tail = (tail || !matched) && tail < header->tail_entry_seqnum && (entries || matched);
      if (short_count || short_tail) {
        out.frame(frame_damage, damage_payload(entries, "libsystemd stopped after " + std::to_string(entries) + " of " +
                                                            std::to_string(header->n_entries) +
                                                            " entries the header lists"));
        stopped_early = true;
      }
    }
  }
  sd_journal_close(j);
  if (!stopped_early && settings.verify) verify_with_salvage_walk(path, entries, out);
  if (indexed.used && header) {
    std::string payload;
    wire_put(payload, header->n_entries);
    out.frame(frame_indexed, payload);
  }
  out.frame(frame_read_done, std::string(1, stopped_early ? 1 : 0));
  return 0;
}

// ---- child: the salvage reader ------------------------------------------------------------

int read_file_with_salvage(const std::string& path, const FileStreamSettings& settings, std::uint64_t after_seqnum,
                           int out_fd) {
  std::uint64_t last_seqnum = 0;
  FrameWriter out(out_fd, [&last_seqnum] { return last_seqnum; });
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    out.frame(frame_damage, damage_payload(0, "the salvage reader cannot open the file: " + errno_message(errno)));
    return 0;
  }
  Event e;
  SalvageOptions options;
  options.after_seqnum = after_seqnum;
  std::uint64_t entries = 0;
  const SalvageResult result = salvage_journal(fd, options, [&](const SalvagedEntry& entry) {
    if (settings.since && static_cast<UsecUtc>(entry.realtime) < *settings.since) return;
    if (!salvaged_entry_matches(entry, settings.units)) return;
    e.clear();
    for (std::string_view field : entry.fields) {
      const size_t eq = field.find('=');
      if (eq != std::string_view::npos) apply_journal_field(e, field.substr(0, eq), field.substr(eq + 1));
    }
    if (!e.time) e.time = static_cast<UsecUtc>(entry.realtime);
    if (e.boot_id.empty()) {
      e.boot_id = hex_id(entry.boot_id);
      e.monotonic_usec = entry.monotonic;
    }
    e.origin.salvaged = true;
    e.origin.line = entry.seqnum;
    ++entries;
    last_seqnum = entry.seqnum;
    out.entry(entry.realtime, e);
  });
  ::close(fd);
  for (const auto& p : result.problems) out.frame(frame_damage, damage_payload(0, "salvage: " + p));
  if (result.problem_count > result.problems.size())
    out.frame(frame_damage, damage_payload(0, "salvage: " + std::to_string(result.problem_count - result.problems.size()) +
                                                  " more damaged object(s)"));
  if (!result.header_valid) out.frame(frame_damage, damage_payload(0, "salvage: the file header is damaged"));
  std::string payload;
  wire_put(payload, entries);
  wire_put(payload, result.first_byte);
  wire_put(payload, result.last_byte);
  out.frame(frame_salvaged, payload);
  return 0;
}

// ---- parent ------------------------------------------------------------------------------

JournalFileStream::JournalFileStream(std::string path, std::string label, const FileStreamSettings& settings,
                                     InputReport& report)
    : path_(std::move(path)), label_(std::move(label)), settings_(settings), report_(report) {
  start(Phase::libsystemd);
}

JournalFileStream::~JournalFileStream() { remove_transient_name(); }

namespace {

// A spilled journal is an O_TMPFILE file known only as /proc/self/fd/N, so that nothing outlives
// the run; libsystemd refuses a file without a name (EIDRM: "deleted"). It gets one in TMPDIR for
// the moment libsystemd opens it, removed as soon as the child says it opened the file (or ended).
std::string give_spilled_file_a_name(const std::string& path) {
  if (path.rfind("/proc/self/fd/", 0) != 0) return {};
  const char* tmpdir = std::getenv("TMPDIR");
  static unsigned counter = 0;
  for (int attempt = 0; attempt < 8; ++attempt) {
    const std::string name = std::string(tmpdir && *tmpdir ? tmpdir : "/tmp") + "/crashsift-" +
                             std::to_string(::getpid()) + "-" + std::to_string(++counter) + ".journal";
    if (::linkat(AT_FDCWD, path.c_str(), AT_FDCWD, name.c_str(), AT_SYMLINK_FOLLOW) == 0) return name;
    if (errno != EEXIST) return {};
  }
  return {};
}

}  // namespace

void JournalFileStream::remove_transient_name() {
  if (transient_name_.empty()) return;
  ::unlink(transient_name_.c_str());
  transient_name_.clear();
}

void JournalFileStream::start(Phase phase) {
  phase_ = phase;
  phase_entries_ = 0;
  phase_result_seen_ = false;
  buffer_.clear();
  parsed_ = 0;
  batch_left_ = {};
  if (phase == Phase::done) return;
  // libsystemd maps the file in windows; the limit leaves room for that and its caches.
  const std::uint64_t size = file_size_of(path_);
  ChildLimits limits;
  limits.address_space = (2ull << 30) + 2 * size;
  limits.cpu_seconds = static_cast<unsigned>(60 + size / (10u << 20));
  limits.idle_timeout_sec = settings_.idle_timeout_sec;
  const std::uint64_t after = last_seqnum_;
  if (phase == Phase::libsystemd) transient_name_ = give_spilled_file_a_name(path_);
  const std::string& libsystemd_path = transient_name_.empty() ? path_ : transient_name_;
  auto child = IsolatedChild::start(limits, [&](int out) {
    return phase == Phase::libsystemd ? read_file_with_libsystemd(libsystemd_path, settings_, out)
                                      : read_file_with_salvage(path_, settings_, after, out);
  });
  if (!child) {
    // Said when the file's turn comes (next()), so that the damage list is in file order
    // whether or not the file was started ahead of its turn.
    start_failure_ = "cannot start a reader: " + child.error();
    phase_ = Phase::done;
    return;
  }
  child_ = std::move(child.value());
}

bool JournalFileStream::next(Event& e, std::uint64_t& realtime) {
  for (;;) {
    if (!start_failure_.empty()) report_.damaged(label_, delivered_, std::exchange(start_failure_, std::string()));
    if (!batch_left_.empty()) {
      if (wire_take(batch_left_, realtime) && decode_event(batch_left_, e)) {
        ++delivered_;
        ++phase_entries_;
        return true;
      }
      batch_left_ = {};  // cannot happen: both ends are this binary
    }
    if (phase_ == Phase::done) return false;
    if (!fill()) end_phase();
  }
}

namespace {
constexpr size_t read_size = 1 << 16;  // what one read from the child asks for
}  // namespace

void JournalFileStream::read_ahead(size_t limit) {
  if (!child_) return;
  buffer_.reserve(limit + read_size);  // address space: the pages are touched as bytes arrive
  while (buffer_.size() < limit) {
    const size_t got = child_->read(buffer_.make_room(read_size), read_size);
    if (got == 0) return;  // the reader ended: fill() sees the end and ends the phase
    buffer_.grow(got);
  }
}

bool JournalFileStream::fill() {
  for (;;) {
    // Parse what is buffered first: frames up to the first batch.
    while (buffer_.size() - parsed_ >= 5) {
      std::uint32_t n = 0;
      std::memcpy(&n, buffer_.data() + parsed_ + 1, sizeof n);
      if (buffer_.size() - parsed_ - 5 < n) break;
      const char kind = buffer_.data()[parsed_];
      std::string_view payload(buffer_.data() + parsed_ + 5, n);
      parsed_ += 5 + n;
      if (kind == frame_batch) {
        batch_.assign(payload);
        batch_left_ = batch_;
        std::uint64_t seqnum = 0;
        if (wire_take(batch_left_, seqnum)) last_seqnum_ = std::max(last_seqnum_, seqnum);
        return true;
      }
      handle_frame(kind, payload);
    }
    buffer_.erase_front(parsed_);
    parsed_ = 0;
    const size_t got = child_->read(buffer_.make_room(read_size), read_size);
    if (got == 0) return false;
    buffer_.grow(got);
  }
}

void JournalFileStream::handle_frame(char kind, std::string_view payload) {
  switch (kind) {
    case frame_damage: {
      std::uint64_t entries = 0;
      wire_take(payload, entries);
      report_.damaged(label_, entries ? entries : delivered_, std::string(payload));
      break;
    }
    case frame_indexed:
      wire_take(payload, indexed_file_entries_);
      break;
    case frame_opened:
      opened_ = true;
      remove_transient_name();
      break;
    case frame_open_failed: {
      remove_transient_name();
      std::uint8_t denied = 0;
      wire_take(payload, denied);
      permission_denied_ = denied != 0;
      open_error_ = std::string(payload);
      break;
    }
    case frame_read_done: {
      std::uint8_t wants = 0;
      wire_take(payload, wants);
      wants_salvage_ = wants != 0;
      phase_result_seen_ = true;
      break;
    }
    case frame_salvaged: {
      Salvage s{label_, 0, 0, 0};
      wire_take(payload, s.entries), wire_take(payload, s.first_byte), wire_take(payload, s.last_byte);
      phase_result_seen_ = true;
      if (s.entries) {
        // libsystemd's refusal is the first sign of the damage: kept beside what was salvaged.
        if (!opened_ && !open_error_.empty()) report_.damaged(label_, 0, open_error_);
        report_.salvaged_entries += s.entries;
        report_.salvaged.push_back(std::move(s));
      }
      break;
    }
    default: break;
  }
}

void JournalFileStream::end_phase() {
  const ChildEnd end = child_->wait();
  child_.reset();
  remove_transient_name();
  const Phase finished = phase_;
  if (!phase_result_seen_) {
    // The reader died: what it sent is kept; say how it ended, in its own words if it left any.
    const std::string who = finished == Phase::libsystemd ? "libsystemd" : "the salvage reader";
    std::string what = who + " " + end.describe() + " after " + std::to_string(phase_entries_) + " entries";
    const std::string said = end.last_stderr_line();
    if (!said.empty()) what += ": " + said;
    report_.damaged(label_, delivered_, what);
    if (finished == Phase::libsystemd) wants_salvage_ = true;
  }
  if (finished == Phase::libsystemd && wants_salvage_ && !permission_denied_) return start(Phase::salvage);
  start(Phase::done);
}

}  // namespace crashsift::input
