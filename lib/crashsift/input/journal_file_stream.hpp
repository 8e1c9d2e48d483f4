#pragma once
// One native journal file, read in isolation: libsystemd reads it in a forked child and sends
// the entries over a pipe in batches; if libsystemd refuses the file, stops early or dies, a
// second child runs the salvage reader over the rest of the file. The parent sees one stream
// of entries in file order, and every problem lands in the input's accounting with the file
// and the number of entries read before it.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "crashsift/core/diag.hpp"
#include "crashsift/core/event.hpp"
#include "crashsift/core/fork_private_buffer.hpp"
#include "crashsift/core/isolated_child.hpp"

namespace crashsift::input {

struct FileStreamSettings {
  std::vector<std::string> units;        // exact unit names pushed down as sd-journal matches
  std::optional<UsecUtc> since;
  double idle_timeout_sec = 30;          // a reader that sends nothing for this long is stopped
  bool verify = false;                   // check a file libsystemd read cleanly with the salvage walk
  bool by_index = false;                 // read through the field index (journal_index_read.hpp)
};

class JournalFileStream {
 public:
  // path is what the children open (it may be /proc/self/fd/N for a spilled, unlinked copy);
  // label is how messages name the file.
  JournalFileStream(std::string path, std::string label, const FileStreamSettings& settings, InputReport& report);
  ~JournalFileStream();
  JournalFileStream(const JournalFileStream&) = delete;
  JournalFileStream& operator=(const JournalFileStream&) = delete;

  // The next entry of the file; false when the file is done. realtime is the entry's own
  // timestamp (what files are interleaved by), which e.time need not be.
  bool next(Event& e, std::uint64_t& realtime);

  // Reads the reader's output ahead into memory, up to about `limit` bytes or its end, without
  // looking at it: a helper thread runs this for a file whose turn has not come, so that its
  // reader works on another core while the files before it are merged. Nothing else may use
  // the stream until it returns.
  void read_ahead(size_t limit);
  // The buffer read_ahead fills, passed from a stream that is done to the next one: its pages
  // are already there (a fresh page costs a fault, and on a VM a fault costs more than the
  // bytes it holds are worth).
  void adopt_buffer(ForkPrivateBuffer&& spare) {
    spare.clear();
    if (buffer_.empty() && spare.capacity() > buffer_.capacity()) buffer_.swap(spare);
  }
  ForkPrivateBuffer release_buffer() { return std::exchange(buffer_, ForkPrivateBuffer()); }
  // Kills the reader (from another thread than read_ahead's): a read_ahead blocked on it returns.
  void stop_reader() {
    if (child_) child_->terminate();
  }

  // Whether libsystemd could open the file, and the reason when it could not.
  bool opened() const { return opened_; }
  const std::string& open_error() const { return open_error_; }
  bool permission_denied() const { return permission_denied_; }
  // Read through the file's index: the entries the file holds (its header), else 0.
  std::uint64_t indexed_file_entries() const { return indexed_file_entries_; }
  std::uint64_t delivered() const { return delivered_; }

 private:
  enum class Phase { libsystemd, salvage, done };
  void start(Phase phase);
  bool fill();                 // reads until a batch with events is pending; false at the end
  void handle_frame(char kind, std::string_view payload);
  void end_phase();

  std::string path_, label_;
  // A name for a spilled copy while libsystemd opens it (it refuses a file without one).
  std::string transient_name_;
  void remove_transient_name();
  FileStreamSettings settings_;
  InputReport& report_;
  Phase phase_ = Phase::libsystemd;
  std::unique_ptr<IsolatedChild> child_;
  ForkPrivateBuffer buffer_;   // bytes read from the child, not yet parsed into frames
  size_t parsed_ = 0;          // frames before this offset of buffer_ are consumed
  std::string batch_;          // the current batch of events
  std::string_view batch_left_;
  std::uint64_t delivered_ = 0;        // entries given to the caller from this file
  std::uint64_t indexed_file_entries_ = 0;
  std::uint64_t phase_entries_ = 0;
  std::uint64_t last_seqnum_ = 0;
  bool phase_result_seen_ = false;
  bool wants_salvage_ = false;
  bool opened_ = false;
  bool permission_denied_ = false;
  std::string open_error_;
  std::string start_failure_;  // a reader that could not be started, reported by next()
};

// The child bodies (run in the forked child; exposed for tests that run them in-process).
int read_file_with_libsystemd(const std::string& path, const FileStreamSettings& settings, int out_fd);
int read_file_with_salvage(const std::string& path, const FileStreamSettings& settings, std::uint64_t after_seqnum,
                           int out_fd);

}  // namespace crashsift::input
