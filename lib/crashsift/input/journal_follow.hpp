#pragma once
// Following a native journal as journald writes it (`crashsift watch` with no INPUT, or -D):
// one sd_journal over the local journal or a directory, sd_journal_wait() between entries (new
// entries, new and rotated files), from its end or from --since. In this process, not in a
// reader child: the files are being written by journald, not handed over by someone else, and
// a child's batches would hold entries back. The idle hook runs when a wait times out; its stop
// ends the following (a signal).
#include "crashsift/core/diag.hpp"
#include "crashsift/core/event.hpp"
#include "crashsift/input/byte_source.hpp"
#include "crashsift/input/journal_native.hpp"
#include "crashsift/input/parser.hpp"

namespace crashsift::input {

// src: Kind::local or Kind::directory (src.since: where to start; else after the last entry).
void follow_native_journal(const NativeSource& src, const ParseOptions& options, const IdleHook& idle,
                           InputReport& report, const EventSink& sink);

}  // namespace crashsift::input
