#pragma once
// `crashsift watch http://HOST:19531`: one host's journal followed through gatewayd's ?follow,
// as export bytes for the export parser. It starts after the host's last entry (now), or, for a
// restart with --state, some entries before the saved cursor. When the connection breaks (the
// server restarts, the network drops) the entry cut in the middle is dropped and the stream is
// asked again from the last whole entry handed on (Range: entries=CURSOR:1:), after a pause
// that doubles up to 30 s: the parser sees one unbroken stream.
#include <memory>
#include <string>
#include <vector>

#include "crashsift/input/byte_source.hpp"
#include "crashsift/input/gatewayd.hpp"

namespace crashsift::input {

struct GatewaydFollowStart {
  std::string cursor;         // resume here (the --state position); "" = from now
  unsigned entries_back = 0;  // with cursor: also re-read this many entries before it
};

class GatewaydFollowSource : public ByteSource {
 public:
  virtual std::vector<std::string> notes() const = 0;  // reconnects, for the input's report
};

std::unique_ptr<GatewaydFollowSource> follow_gatewayd_host(const GatewaydHost& host, const GatewaydOptions& options,
                                                           const GatewaydFollowStart& start, const IdleHook& idle);

// The length of the first whole export entry at the front of bytes (through its empty line), 0
// when it is not all there yet; npos when the bytes are not the export form. Sets cursor from
// the entry's __CURSOR= line.
size_t whole_export_entry(std::string_view bytes, std::string& cursor);

}  // namespace crashsift::input
