#include "crashsift/input/journal_native.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>

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
  size_t next_file = 0;
  std::uint64_t index = 0;
  auto start_due_files = [&](std::uint64_t now) {
    while (next_file < files.size() && (open.empty() || files[next_file].head_realtime <= now)) {
      const FileToRead& f = files[next_file++];
      OpenFile o;
      o.label = f.label;
      o.stream = std::make_unique<JournalFileStream>(f.path, f.label, settings, report);
      o.advance();
      if (o.has_pending) {
        open.push_back(std::move(o));
      } else {
        outcome.add(*o.stream, f.label);
      }
    }
  };
  for (;;) {
    std::uint64_t earliest = UINT64_MAX;
    for (const auto& o : open) earliest = std::min(earliest, o.realtime);
    start_due_files(earliest);
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
