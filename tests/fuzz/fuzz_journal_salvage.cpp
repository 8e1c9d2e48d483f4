// libFuzzer target for the native journal salvage reader (input/journal_salvage.cpp): header
// parsing, the object walk and resynchronisation, ENTRY items, DATA payloads (plain, zstd, xz,
// lz4) decompressed in chunks and checked against their Jenkins/SipHash hashes. The input is the
// whole journal file, put in a memfd because the reader takes a file descriptor (pread only).
// It runs twice with small limits, so the cut and the dropped-field paths run too. Nothing may
// crash, hang or throw, and what comes back must keep the reader's promises: entries in file
// order, every field a NAME=value within the limits, the result's counts consistent.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "crashsift/input/journal_salvage.hpp"

namespace {

int journal_fd() {
  // One memfd for the whole run, rewritten for each input.
  static const int fd = ::memfd_create("fuzz-journal", MFD_CLOEXEC);
  return fd;
}

bool write_all(int fd, const std::uint8_t* data, std::size_t size) {
  if (::ftruncate(fd, 0) != 0) return false;
  std::size_t done = 0;
  while (done < size) {
    const ssize_t w = ::pwrite(fd, data + done, size - done, static_cast<off_t>(done));
    if (w <= 0) return false;
    done += static_cast<std::size_t>(w);
  }
  return true;
}

void salvage_once(int fd, std::uint64_t file_size, const crashsift::input::SalvageOptions& options) {
  using namespace crashsift::input;
  std::uint64_t delivered = 0, last_offset = 0;
  const SalvageResult r = salvage_journal(fd, options, [&](const SalvagedEntry& e) {
    if (delivered && e.offset <= last_offset) std::abort();  // file order, each object once
    if (e.offset >= file_size || e.seqnum <= options.after_seqnum || e.fields.empty()) std::abort();
    std::size_t held = 0;
    for (std::string_view f : e.fields) {
      const std::size_t eq = f.find('=');
      if (eq == 0 || eq == std::string_view::npos || f.size() > options.max_field_bytes) std::abort();
      held += f.size();
    }
    if (held > options.max_entry_bytes) std::abort();
    last_offset = e.offset;
    ++delivered;
  });
  if (r.entries != delivered || r.file_size != file_size) std::abort();
  if (r.problems.size() > SalvageResult::max_listed_problems || r.problem_count < r.problems.size()) std::abort();
  if (delivered && (r.first_byte > r.last_byte || r.last_byte >= file_size)) std::abort();
  if (!delivered && (r.first_byte || r.last_byte)) std::abort();
  if (r.header_valid && file_size < 208) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace crashsift::input;
  const std::string_view bytes(size ? reinterpret_cast<const char*>(data) : "", size);
  (void)parse_journal_header(bytes);
  const int fd = journal_fd();
  if (fd < 0 || !write_all(fd, data, size)) std::abort();

  SalvageOptions options;
  options.max_field_bytes = 4096;
  options.max_entry_bytes = 64 * 1024;
  options.max_work_bytes = 8u << 20;  // keeps inflating inputs fast; the limit path runs too
  salvage_once(fd, size, options);

  // Tiny limits: fields cut, entries losing fields, the first seqnums skipped.
  options.max_field_bytes = 7;
  options.max_entry_bytes = 40;
  options.after_seqnum = 2;
  options.max_work_bytes = 64 * 1024;
  salvage_once(fd, size, options);
  return 0;
}
