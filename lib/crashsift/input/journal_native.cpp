#include "crashsift/input/journal_native.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <filesystem>
#include <fstream>
#include <memory>
#include <new>
#include <system_error>
#include <thread>

#include "crashsift/core/text.hpp"
#include "crashsift/input/journal_file_stream.hpp"
#include "crashsift/input/journal_salvage.hpp"

namespace fs = std::filesystem;

namespace crashsift::input {

namespace {

bool is_journal_file_name(const std::string& name) {
  return ends_with(name, ".journal") || ends_with(name, ".journal~");
}

bool is_machine_id(const std::string& name) {
  return name.size() == 32 && std::all_of(name.begin(), name.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

// The files sd_journal_open_directory() reads: journal files in the directory and in its
// subdirectories named by a machine ID (/var/log/journal/<machine-id>/).
void add_journal_files(const std::string& dir, std::vector<std::string>& out, bool descend = true) {
  std::error_code ec;
  std::vector<std::string> found;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    std::error_code type_ec;
    if (it->is_directory(type_ec)) {
      if (descend && is_machine_id(name)) add_journal_files(it->path().string(), out, false);
    } else if (is_journal_file_name(name)) {
      found.push_back(it->path().string());
    }
  }
  std::sort(found.begin(), found.end());
  out.insert(out.end(), found.begin(), found.end());
}

std::string local_machine_id() {
  std::ifstream in("/etc/machine-id");
  std::string id;
  in >> id;
  return is_machine_id(id) ? id : std::string();
}

struct FileToRead {
  std::string path, label;
  std::uint64_t head_realtime = 0;  // from the header; 0 = unknown, read it first
};

std::vector<FileToRead> files_of(const NativeSource& src) {
  std::vector<std::string> paths;
  switch (src.kind) {
    case NativeSource::Kind::local: {
      // What sd_journal_open(SD_JOURNAL_LOCAL_ONLY) reads: this machine's persistent and
      // volatile journals.
      const std::string id = local_machine_id();
      for (const char* root : {"/var/log/journal/", "/run/log/journal/"})
        if (!id.empty()) add_journal_files(root + id, paths, false);
      break;
    }
    case NativeSource::Kind::directory: add_journal_files(src.directory, paths); break;
    case NativeSource::Kind::files: paths = src.files; break;
  }
  std::vector<FileToRead> files;
  for (size_t i = 0; i < paths.size(); ++i) {
    FileToRead f{paths[i], i < src.labels.size() && !src.labels[i].empty() ? src.labels[i] : paths[i], 0};
    const int fd = ::open(f.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      char head[512];
      const ssize_t n = ::pread(fd, head, sizeof head, 0);
      ::close(fd);
      if (n > 0)
        if (auto h = parse_journal_header(std::string_view(head, static_cast<size_t>(n)))) f.head_realtime = h->head_entry_realtime;
    }
    files.push_back(std::move(f));
  }
  // Files are started in the order their entries begin, so rotated files run one after the
  // other and only files written at the same time (system and user journals) run together.
  std::stable_sort(files.begin(), files.end(),
                   [](const FileToRead& a, const FileToRead& b) { return a.head_realtime < b.head_realtime; });
  return files;
}

// Files next in line, started before their turn (-j above 1): their readers work on the other
// cores while the files before them are merged, and what they send waits in memory, up to a
// bound (a reader that sends more waits for its turn). Without it rotated files run one after
// the other: a file's entries are merged only once the files before it are done, and its
// reader would start only then. The helpers only move bytes; frames are read in turn.
class ReadAhead {
 public:
  static constexpr size_t bytes_per_file = 8u << 20;

  ReadAhead(const std::vector<FileToRead>& files, size_t depth, const FileStreamSettings& settings,
            InputReport& report)
      : files_(files), depth_(depth), settings_(settings), report_(report) {}
  ReadAhead(const ReadAhead&) = delete;
  ReadAhead& operator=(const ReadAhead&) = delete;
  ~ReadAhead() {
    // Only when the merge stopped early (an exception): the readers not taken are stopped.
    for (auto& s : started_) {
      s.stream->stop_reader();
      if (s.helper.joinable()) s.helper.join();
    }
  }

  // The stream of files_[i], started ahead or now. Files are taken in order; the ones after i
  // are then started ahead, up to the depth.
  std::unique_ptr<JournalFileStream> take(size_t i) {
    std::unique_ptr<JournalFileStream> stream;
    if (!started_.empty() && started_.front().index == i) {
      if (started_.front().helper.joinable()) started_.front().helper.join();
      stream = std::move(started_.front().stream);
      started_.pop_front();
    } else {
      wait_for_helpers();
      stream = std::make_unique<JournalFileStream>(files_[i].path, files_[i].label, settings_, report_);
    }
    next_ahead_ = std::max(next_ahead_, i + 1);
    if (started_.size() >= depth_ || next_ahead_ >= files_.size()) return stream;
    // Readers are forked only while no helper runs: a fork copies the forking thread alone, and
    // a helper caught holding a lock the child needs (an allocator's: ASan's takes no care of
    // fork) would leave the child waiting for it forever. So readers start in groups once the
    // group before has sent what it may, and each group works while earlier files are merged.
    if (!helpers_done()) return stream;
    wait_for_helpers();
    const size_t first_new = started_.size();
    while (started_.size() < depth_ && next_ahead_ < files_.size()) {
      const size_t j = next_ahead_++;
      started_.push_back(
          Started{j, std::make_unique<JournalFileStream>(files_[j].path, files_[j].label, settings_, report_), {}});
    }
    for (size_t k = first_new; k < started_.size(); ++k) start_helper(started_[k]);
    return stream;
  }

  // A file is done: its buffer goes to the next file started ahead.
  void done_with(JournalFileStream& stream) {
    if (depth_ > 0 && spare_buffers_.size() < depth_) spare_buffers_.push_back(stream.release_buffer());
  }

 private:
  struct Started;

  bool helpers_done() const {
    for (const auto& s : started_)
      if (s.helper.joinable() && !s.done->load(std::memory_order_acquire)) return false;
    return true;
  }

  void wait_for_helpers() {
    for (auto& s : started_)
      if (s.helper.joinable()) s.helper.join();
  }

  void start_helper(Started& s) {
    JournalFileStream* ahead = s.stream.get();
    if (!spare_buffers_.empty()) {
      ahead->adopt_buffer(std::move(spare_buffers_.back()));
      spare_buffers_.pop_back();
    }
    std::atomic<bool>* done = s.done.get();
    try {
      s.helper = std::thread([ahead, done] {
        try {
          ahead->read_ahead(bytes_per_file);
        } catch (const std::bad_alloc&) {
          // Read in its turn instead.
        }
        done->store(true, std::memory_order_release);
      });
    } catch (const std::system_error&) {
      // No thread to spare (a process limit): the reader still runs ahead as far as its pipe
      // holds, and the rest is read in its turn.
    }
  }

  struct Started {
    size_t index;
    std::unique_ptr<JournalFileStream> stream;
    std::thread helper;  // runs read_ahead until the file's turn
    std::unique_ptr<std::atomic<bool>> done = std::make_unique<std::atomic<bool>>(false);  // helper returned
  };
  const std::vector<FileToRead>& files_;
  const size_t depth_;
  const FileStreamSettings& settings_;
  InputReport& report_;
  std::deque<Started> started_;
  std::vector<ForkPrivateBuffer> spare_buffers_;
  size_t next_ahead_ = 0;
};

// One file being read, with its next entry waiting to be merged.
struct OpenFile {
  std::string label;
  std::unique_ptr<JournalFileStream> stream;
  Event pending;
  std::uint64_t realtime = 0;
  bool has_pending = false;
  void advance() { has_pending = stream->next(pending, realtime); }
};

// Every file's outcome, for the input as a whole: unreadable only when no file gave anything.
struct Outcome {
  size_t files = 0, opened = 0, denied = 0;
  std::string first_open_error;
  std::uint64_t indexed_files = 0, indexed_read = 0, indexed_held = 0;
  void add(const JournalFileStream& s, const std::string& label) {
    ++files;
    if (s.indexed_file_entries()) {
      ++indexed_files;
      indexed_read += s.delivered();
      indexed_held += s.indexed_file_entries();
    }
    if (s.opened()) ++opened;
    if (s.permission_denied()) ++denied;
    if (!s.opened() && first_open_error.empty()) first_open_error = label + ": " + s.open_error();
  }
};

}  // namespace

bool looks_like_native_journal(std::string_view head) { return starts_with(head, "LPKSHHRH"); }

void read_native_journal(const NativeSource& src, const ParseOptions& options, InputReport& report,
                         const EventSink& sink) {
  const std::vector<FileToRead> files = files_of(src);
  if (files.empty()) {
    report.fatal = src.kind == NativeSource::Kind::local ? "no journal files found for this machine in /var/log/journal or /run/log/journal"
                                                         : "no journal files (*.journal, *.journal~) in " + src.directory;
    return;
  }
  FileStreamSettings settings{src.units, src.since, src.idle_timeout_sec, options.verify_journals,
                              options.native_by_index};
  std::vector<OpenFile> open;
  Outcome outcome;
  // `jobs` files ahead, not jobs - 1: a reader takes longer than the merge of what it sent, so
  // with one file ahead that one would mostly run alone. At most 4 (memory: 8 MiB each).
  ReadAhead ahead(files, options.jobs > 1 ? std::min<size_t>(options.jobs, 4) : 0, settings, report);
  size_t next_file = 0;
  std::uint64_t index = 0;
  // The next file is due when nothing is being merged, or when the merge has reached the time
  // its entries begin (journals written at the same time, a system and a user journal, are
  // merged together).
  auto start_due_files = [&] {
    while (next_file < files.size()) {
      if (!open.empty()) {
        std::uint64_t earliest = UINT64_MAX;
        for (const auto& o : open) earliest = std::min(earliest, o.realtime);
        if (files[next_file].head_realtime > earliest) return;
      }
      OpenFile o;
      o.label = files[next_file].label;
      o.stream = ahead.take(next_file++);
      o.advance();
      if (o.has_pending) {
        open.push_back(std::move(o));
      } else {
        outcome.add(*o.stream, o.label);
        ahead.done_with(*o.stream);
      }
    }
  };
  for (;;) {
    start_due_files();
    if (open.empty()) break;
    auto it = std::min_element(open.begin(), open.end(),
                               [](const OpenFile& a, const OpenFile& b) { return a.realtime < b.realtime; });
    Event& e = it->pending;
    e.origin.input = options.input_index;
    // The entry's sequence number (the i= of its cursor) names it whichever way it was read.
    ++index;
    if (!e.origin.line) e.origin.line = index;
    ++report.entries;
    if (e.time) report.saw_time(*e.time);
    sink(e);
    it->advance();
    if (!it->has_pending) {
      outcome.add(*it->stream, it->label);
      ahead.done_with(*it->stream);
      open.erase(it);
    }
  }
  if (outcome.indexed_files)
    report.note("read through the journal's index: " + std::to_string(outcome.indexed_read) + " of the " +
                std::to_string(outcome.indexed_held) + " entries in " + std::to_string(outcome.indexed_files) +
                " file(s), those around each exit (--native-read scan reads every entry)");
  if (outcome.denied)
    report.note(std::to_string(outcome.denied) + " journal file(s) could not be read: permission denied "
                "(run as root or as a member of the systemd-journal group)");
  if (report.entries > 0) return;
  if (outcome.opened > 0 || (outcome.denied > 0 && outcome.denied < outcome.files)) {
    // Read fine, nothing in it (or nothing matched): a valid, empty answer, not an unreadable input.
    report.empty_but_valid = true;
    report.note(src.units.empty() && !src.since ? "no entries: the journal is valid and empty"
                                                 : "no journal entries matched");
    return;
  }
  report.fatal = outcome.first_open_error.empty() ? "nothing could be read from the journal" : outcome.first_open_error;
  if (report.damage_count) report.fatal += "; nothing could be salvaged";
}

}  // namespace crashsift::input
