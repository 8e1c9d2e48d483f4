#include "crashsift/input/gatewayd_follow.hpp"

#include <poll.h>

#include <algorithm>
#include <cstring>

#include "crashsift/core/text.hpp"
#include "crashsift/input/http_source.hpp"

namespace crashsift::input {
namespace {

constexpr std::uint64_t max_binary_value = 64u << 20;
constexpr int max_pause_ms = 30'000;
// An export entry is at most a few fields of at most --max-line each; far more without an end
// is a stream gone wrong (its memory is bounded here, and its rescans with it).
constexpr size_t max_partial = 128u << 20;

class FollowSource final : public GatewaydFollowSource {
 public:
  FollowSource(GatewaydHost host, GatewaydOptions options, const GatewaydFollowStart& start, IdleHook idle)
      : host_(std::move(host)), options_(std::move(options)), idle_(std::move(idle)), cursor_(start.cursor),
        entries_back_(start.entries_back) {}

  size_t read(char* buf, size_t n) override {
    while (ready_at_ == ready_.size()) {
      if (stopped()) return 0;
      if (!http_ && !connect()) return 0;
      char chunk[64 << 10];
      const size_t got = http_->read(chunk, sizeof chunk);
      if (got == 0) {
        if (stopped()) return 0;
        if (!reached_) {  // never reached: a wrong URL or a host down is said at once, not retried
          error_ = http_->error().empty() ? "the server ended the stream at once" : http_->error();
          return 0;
        }
        lost_connection(http_->error());
        continue;
      }
      reached_ = true;
      partial_.append(chunk, got);
      release_whole_entries();
      if (partial_.size() > max_partial) {  // no entry ever ends: not a journal stream, or a broken one
        lost_connection("an entry of more than " + std::to_string(max_partial >> 20) + " MiB that never ends");
      }
    }
    const size_t k = std::min(n, ready_.size() - ready_at_);
    std::memcpy(buf, ready_.data() + ready_at_, k);
    ready_at_ += k;
    position_ += k;
    if (ready_at_ == ready_.size()) {
      ready_.clear();
      ready_at_ = 0;
    }
    return k;
  }

  std::uint64_t position() const override { return position_; }
  std::vector<std::string> notes() const override { return notes_; }

 private:
  bool stopped() const { return idle_.stop && idle_.stop(); }

  HttpRequest request(const std::string& range, bool follow) const {
    HttpRequest r;
    r.url = entries_url(host_.url, follow ? "follow" : "");
    r.headers = {"Accept: application/vnd.fdo.journal"};
    if (!range.empty()) r.headers.push_back("Range: entries=" + range);
    r.tls = options_.tls;
    r.connect_timeout_ms = options_.connect_timeout_ms;
    r.read_timeout_ms = follow ? 0 : options_.read_timeout_ms;  // a quiet journal sends nothing for hours
    r.response_timeout_ms = options_.read_timeout_ms;          // but its headers come at once
    r.idle = idle_;
    return r;
  }

  // The cursor of the host's last entry: the follow starts after it ("now").
  bool find_tail() {
    auto tail = open_http(request(":-1:2", false));
    std::string bytes;
    char chunk[16 << 10];
    for (size_t got; (got = tail->read(chunk, sizeof chunk)) > 0;) bytes.append(chunk, got);
    if (!tail->error().empty()) {
      last_error_ = tail->error();
      return false;
    }
    for (std::string_view rest(bytes); !rest.empty();) {
      std::string cursor;
      const size_t len = whole_export_entry(rest, cursor);
      if (len == 0 || len == std::string_view::npos) break;
      if (!cursor.empty()) cursor_ = cursor;
      rest.remove_prefix(len);
    }
    return true;
  }

  bool connect() {
    while (!stopped()) {
      if (!started_ && cursor_.empty()) {
        if (!find_tail()) {
          error_ = last_error_;
          return false;
        }
        reached_ = true;
      }
      std::string range;
      skip_cursor_.clear();
      if (!cursor_.empty()) {
        const bool replay = !started_ && entries_back_;
        range = cursor_ + (replay ? ":-" + std::to_string(entries_back_) + ":" : ":1:");
        // At the journal's tail there is no entry to skip to: gatewayd sends the cursor's own
        // entry again (sd_journal_next_skip stops short). It was handed on already.
        if (!replay) skip_cursor_ = cursor_;
      }
      if (started_ && cursor_.empty()) range.clear();  // the journal was empty: from its start
      http_ = open_http(request(range, true));
      started_ = true;
      return true;
    }
    return false;
  }

  void lost_connection(std::string why) {  // a copy: why may be the error of the source dropped here
    http_.reset();
    const bool cut = !partial_.empty();
    partial_.clear();
    last_error_ = why.empty() ? "the server ended the stream" : why;
    if (notes_.size() < 20)
      notes_.push_back("connection to " + host_.name + " lost (" + last_error_ + ")" +
                       (cut ? ", an entry cut in the middle dropped" : "") + "; asked again from the last whole entry");
    pause_after_failure();
  }

  // Waits before the next attempt (1 s, doubling to 30 s), time going on for the watch meanwhile.
  bool pause_after_failure() {
    pause_ms_ = pause_ms_ ? std::min(pause_ms_ * 2, max_pause_ms) : 1000;
    const int step = idle_.after_ms > 0 ? idle_.after_ms : 250;
    for (int waited = 0; waited < pause_ms_; waited += step) {
      if (stopped()) return false;
      ::poll(nullptr, 0, step);
      if (idle_.on_idle) idle_.on_idle();
    }
    return !stopped();
  }

  void release_whole_entries() {
    size_t taken = 0;
    for (;;) {
      std::string cursor;
      const size_t len = whole_export_entry(std::string_view(partial_).substr(taken), cursor);
      if (len == std::string_view::npos) {  // not export after all: hand it on as it is
        ready_.append(partial_, taken, std::string::npos);
        taken = partial_.size();
        break;
      }
      if (len == 0) break;
      const bool again = !skip_cursor_.empty() && cursor == skip_cursor_;
      skip_cursor_.clear();  // only the first entry of a connection can be the one sent again
      if (!again) ready_.append(partial_, taken, len);
      if (!cursor.empty()) cursor_ = cursor;
      taken += len;
      pause_ms_ = 0;
    }
    partial_.erase(0, taken);
  }

  GatewaydHost host_;
  GatewaydOptions options_;
  IdleHook idle_;
  std::string cursor_;
  std::string skip_cursor_;  // the entry a reconnect resumed after: not handed on twice
  unsigned entries_back_;
  bool started_ = false;
  bool reached_ = false;  // the host answered once: later failures are retried
  std::unique_ptr<ByteSource> http_;
  std::string partial_, ready_;
  size_t ready_at_ = 0;
  std::uint64_t position_ = 0;
  int pause_ms_ = 0;
  std::string last_error_;
  std::vector<std::string> notes_;
};

}  // namespace

size_t whole_export_entry(std::string_view s, std::string& cursor) {
  size_t pos = 0;
  for (;;) {
    const size_t nl = s.find('\n', pos);
    if (nl == std::string_view::npos) return 0;
    const std::string_view line = s.substr(pos, nl - pos);
    if (line.empty()) return nl + 1;
    if (line.find('=') != std::string_view::npos) {
      if (starts_with(line, "__CURSOR=")) cursor = std::string(line.substr(9));
      pos = nl + 1;
      continue;
    }
    // A binary field: NAME, LF, 64-bit little-endian length, the bytes, LF.
    if (s.size() < nl + 1 + 8) return 0;
    std::uint64_t len = 0;
    for (int i = 7; i >= 0; --i) len = (len << 8) | static_cast<unsigned char>(s[nl + 1 + static_cast<size_t>(i)]);
    if (len > max_binary_value) return std::string_view::npos;
    const size_t end = nl + 1 + 8 + static_cast<size_t>(len);
    if (s.size() < end + 1) return 0;
    pos = end + 1;
  }
}

std::unique_ptr<GatewaydFollowSource> follow_gatewayd_host(const GatewaydHost& host, const GatewaydOptions& options,
                                                           const GatewaydFollowStart& start, const IdleHook& idle) {
  return std::make_unique<FollowSource>(host, options, start, idle);
}

}  // namespace crashsift::input
