#pragma once
// A small, bounded reader for the parts of an ELF core that need no debug info: the program
// headers and the PT_NOTE segments (NT_PRSTATUS, NT_PRPSINFO, NT_SIGINFO, NT_FILE, NT_AUXV).
// It never trusts a size read from the file: every offset is overflow-checked against the file
// size and against fixed caps, so a hostile core costs at most a few MiB of memory. This is the
// cheap path for read_core_identity() and the crash header, and the fuzz target's entry point.
// The core's environment (the stack strings behind AT_* pointers) is never read.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crashsift/core/result.hpp"
#include "crashsift/symbolize/core_arch.hpp"

namespace crashsift::symbolize {

// Positioned reads over the core's bytes (a file, a memory buffer, a decompressing prefix).
class CoreBytes {
 public:
  virtual ~CoreBytes() = default;
  // Reads up to n bytes at off; returns how many were read (short at end of data).
  virtual size_t read_at(std::uint64_t off, void* buf, size_t n) = 0;
  // Total size when known (regular files, buffers), nullopt for a stream still being read.
  virtual std::optional<std::uint64_t> size() const = 0;
};

class MemoryCoreBytes final : public CoreBytes {
 public:
  explicit MemoryCoreBytes(std::string_view bytes) : bytes_(bytes) {}
  size_t read_at(std::uint64_t off, void* buf, size_t n) override;
  std::optional<std::uint64_t> size() const override { return bytes_.size(); }

 private:
  std::string_view bytes_;
};

class FdCoreBytes final : public CoreBytes {
 public:
  explicit FdCoreBytes(int fd);  // does not own fd
  size_t read_at(std::uint64_t off, void* buf, size_t n) override;
  std::optional<std::uint64_t> size() const override { return size_; }

 private:
  int fd_;
  std::optional<std::uint64_t> size_;
};

struct LoadSegment {
  std::uint64_t vaddr = 0, memsz = 0, offset = 0, filesz = 0;
};

struct FileMapping {
  std::uint64_t start = 0, end = 0, page_offset = 0;  // page_offset in units of page_size
  std::string path;
};

struct ThreadStatus {
  std::int64_t tid = 0;
  int cursig = 0;
  std::optional<std::uint64_t> pc, sp;
  double utime_sec = 0, stime_sec = 0;
};

struct SigInfo {
  int signo = 0, code = 0, err = 0;
  std::optional<std::uint64_t> addr;       // SIGSEGV/SIGBUS/SIGILL/SIGFPE/SIGTRAP
  std::optional<std::int64_t> sender_pid;  // SI_USER/SI_TKILL/SI_QUEUE
  std::optional<std::int64_t> sender_uid;
};

struct PsInfo {
  std::int64_t pid = 0, ppid = 0, uid = 0;
  std::string fname;   // comm, 16 bytes max
  std::string psargs;  // command line, 80 bytes max, NUL-separated args joined by spaces
};

struct CoreNotes {
  bool is64 = true;
  bool big_endian = false;
  std::uint16_t machine = 0;
  std::string arch;  // "x86_64", "aarch64", "i386", "ppc", "s390x", ... or "EM_<n>" (core_arch.hpp)
  std::vector<LoadSegment> loads;
  std::vector<ThreadStatus> threads;  // NT_PRSTATUS order: the kernel writes the dumping thread first
  std::optional<SigInfo> siginfo;
  std::optional<PsInfo> psinfo;
  std::uint64_t page_size = 4096;
  std::vector<FileMapping> files;
  std::optional<std::uint64_t> at_entry, at_phdr;
  bool notes_truncated = false;       // a PT_NOTE segment is cut short or malformed
  std::vector<std::string> problems;  // non-fatal: truncated notes, caps hit, ...
};

// Caps on what one core may make us allocate or read.
struct NoteLimits {
  std::uint64_t max_note_bytes = 64u << 20;  // sum of PT_NOTE sizes read
  std::uint32_t max_phdrs = 1u << 16;
  std::uint32_t max_threads = 1u << 16;
  std::uint32_t max_files = 1u << 16;
};

// Fails only when the bytes are not an ELF core at all; anything else becomes `problems`.
Result<CoreNotes> parse_core_notes(CoreBytes& bytes, const NoteLimits& limits = {});

// The executable: the NT_FILE mapping that contains AT_ENTRY (else the first mapping at page
// offset 0). Empty when unknown.
std::string core_executable(const CoreNotes& notes);

// The GNU build-id of the mapping that starts at `start`, read from its first page as dumped in
// the core (the kernel dumps ELF headers by default, coredump_filter bit 4). Empty if absent.
std::string build_id_at(CoreBytes& bytes, const CoreNotes& notes, std::uint64_t start);

// Names for the header: "SIGSEGV", "SEGV_MAPERR" (machine names: machine_name() in core_arch.hpp).
std::string signal_name(int signo);
std::string si_code_name(int signo, int code);

}  // namespace crashsift::symbolize
