#!/usr/bin/env python3
"""Damaged native journals for tests/golden/damaged_journals.sh (issue 12), python3 stdlib only.

  export  --prefix cl --exits 60 --seed 1 > X.export
      A journal export stream (systemd's Journal Export Format) in which N service deaths are
      spread evenly among filler entries. Each death is what systemd 252's PID 1 and the
      service write (field sets copied from testdata/journals/systemd-lab/journal.export):
      `Started U`, two lines of the service's own stdout (_PID = 1000 + n), `U: Main process
      exited, code=killed, status=11/SEGV` (or dumped 6/ABRT, or exited 1/FAILURE) and `U:
      Failed with result '...'.`. Some filler messages are 0.6 to 6 KB long, so that
      systemd-journal-remote stores them zstd-compressed (payloads from 512 bytes on).
  damage  GOOD.journal OUTDIR LABEL
      Reads GOOD (the object area, JOURNAL_FILE_FORMAT.md) and writes the damaged variants
      below into OUTDIR, with OUTDIR/LABEL.manifest (one JSON object a line: file, mode,
      kind, first_bad, what, expected [unit, pid] pairs, the units of GOOD's exits).
  score   MANIFEST... --results DIR [--known-gaps 'KIND...']
      Checks every `crashsift exits --format json` result (DIR/<file>.json and .rc) against
      its manifest line: not dead, not status 3, damage reported (damage_count or error;
      for the known-gap kinds only printed), >= 90 % of the expected exits with their pids
      (all for padding), no exit of a unit GOOD never had; prints the figures, exits 1 on
      any failure.
  keeps   RESULT --good G.journal... [--damaged MANIFEST:FILE]
      One run over good files and a damaged one: every exit of the good files, and the
      damaged file's share as in `score`.
  exits   GOOD.journal
      Prints each `Main process exited` entry: unit, pid, offset, end of its objects.

Damage modes (each on a copy of GOOD; `kind` in the manifest groups them for the score):
  cut-NN       the file cut at K offsets spread evenly over the object area (not 8-aligned);
               kind cut, or cut-boundary when the cut leaves less than an object header after
               the last whole object (it falls in a header or in the alignment bytes after one)
  cut-header   a cut 4 bytes into an ENTRY's object header (kind cut-boundary)
  padding      cut exactly at the end of the last object: only the zero padding is lost
  flip-type    the type byte of a death's `Main process exited` ENTRY
  flip-item    the item offset of that entry's MESSAGE (it then points at no object)
  flip-payload that MESSAGE's payload: "Main process exited" becomes "main process exited"
  flip-name    that MESSAGE's field name: "MESSAGE=" becomes "mESSAGE=" (libsystemd hands it
               over; journald never writes such a name)
  flip-size    the size field of an ENTRY (64 KiB of other objects become its items)
  flip-array   the item of the header's entry array chain that points at a death's exit entry
  flip-random  four seeded-random bits in bytes a reader of every entry reads (ENTRY
               objects, the header and payload of their DATA objects, the chain's used items)
  zstd-short   a zstd-compressed DATA object whose frame is cut short: the object's size
               (and so the frame) shrinks to half the frame, the freed bytes are zeroed, the
               frame header still announces the whole content size; libsystemd 252 fires
               `Assertion 'output.pos >= size' failed at src/basic/compress.c:304` on it
  bisect       the shape that fires `Assertion 'last_index <= right' failed at
               src/libsystemd/sd-journal/journal-file.c:2688` (generic_array_bisect): a header
               n_entries behind the tail entry array (a crash before the header page reached
               the disk) and, in that array, the last item the stale count covers pointing
               past the end of the file. Reading forward, generic_array_get skips the bad item
               and walks on, within the array's capacity and not the count, to the next good
               item, beyond n_entries, and caches that index as the chain's last_index. The
               next journal_file_next_entry bisects by offset: the cache sends it to that
               array, the bad item, the last one the count covers, is a larger offset than the
               needle (TEST_RIGHT), so right drops to that item's index, one below last_index. (systemd's own test journal
               test/test-journals/corrupted/id:000000,sig:06,... fires it the same way: the
               first entry its second entry array leads to is at index 486, beyond the 254
               entries its header counts.)

The expected exits of a damaged file are those whose `Main process exited` ENTRY object and
all its DATA objects lie wholly before the first damaged byte (for `bisect`: before the
first entry the stale count or the bad item hides).
"""
import argparse
import json
import os
import random
import struct
import sys

# ---------------------------------------------------------------------------------------
# Export generation

BOOT_ID = 'f2e2dfc4d76649b1bcf0012e99ebe81f'
MACHINE_ID = 'c4af6bb85fca44beb666ba0b920425b6'
REALTIME0 = 1795420661617199
MONOTONIC0 = 10463805307

PID1 = [
    ('SYSLOG_FACILITY', '3'), ('_UID', '0'), ('_GID', '0'), ('_MACHINE_ID', MACHINE_ID),
    ('_HOSTNAME', 'crashlab'), ('_RUNTIME_SCOPE', 'system'), ('TID', '1'),
    ('SYSLOG_IDENTIFIER', 'systemd'), ('_TRANSPORT', 'journal'), ('_PID', '1'),
    ('_COMM', 'systemd'), ('_EXE', '/usr/lib/systemd/systemd'),
    ('_CMDLINE', '/usr/lib/systemd/systemd systemd.log_color=0'), ('_CAP_EFFECTIVE', 'fcecafff'),
    ('_SYSTEMD_CGROUP', '/init.scope'), ('_SYSTEMD_UNIT', 'init.scope'), ('_SYSTEMD_SLICE', '-.slice'),
]
DEATHS = [  # (code, status, result)
    ('killed', '11/SEGV', 'signal'),
    ('dumped', '6/ABRT', 'core-dump'),
    ('exited', '1/FAILURE', 'exit-code'),
]
WORDS = ('queue shard lease flush retry backoff commit ledger replica snapshot compaction '
         'tombstone cursor segment checkpoint offset').split()


class Writer:
    """Export entries with increasing times; `at` is the time of the next entry."""

    def __init__(self, rng, boot):
        self.rng, self.boot, self.out, self.t = rng, boot, [], 0
        self.at = self.advance()

    def advance(self):
        self.t += self.rng.randint(400, 90000)
        return REALTIME0 + self.t

    def entry(self, fields):
        t = self.at - REALTIME0
        self.out.append('__REALTIME_TIMESTAMP=%d\n__MONOTONIC_TIMESTAMP=%d\n_BOOT_ID=%s\n'
                        % (REALTIME0 + t, MONOTONIC0 + t, self.boot))
        for k, v in fields:
            assert '\n' not in v
            self.out.append('%s=%s\n' % (k, v))
        self.out.append('\n')
        self.at = self.advance()


def hexid(rng):
    return '%032x' % rng.getrandbits(128)


def big_message(rng, n, size):
    # Text that compresses well but not to nothing, unique per message.
    words = ['[%d]' % n]
    while sum(len(w) + 1 for w in words) < size:
        words.append('%s=%d' % (rng.choice(WORDS), rng.randint(0, 99999)))
    return ' '.join(words)[:size]


def make_export(prefix, n_exits, seed, boot, fillers=5):
    rng = random.Random(seed)
    w = Writer(rng, boot)
    noise_pid = 500
    noise = [('SYSLOG_FACILITY', '3'), ('PRIORITY', '6'), ('_UID', '0'), ('_GID', '0'),
             ('_SYSTEMD_SLICE', 'system.slice'), ('_MACHINE_ID', MACHINE_ID), ('_HOSTNAME', 'crashlab'),
             ('_RUNTIME_SCOPE', 'system'), ('_CAP_EFFECTIVE', '0'), ('_TRANSPORT', 'stdout'),
             ('_COMM', 'indexer'), ('_EXE', '/opt/lab/indexer'), ('SYSLOG_IDENTIFIER', 'indexer'),
             ('_STREAM_ID', hexid(rng)), ('_PID', str(noise_pid)), ('_CMDLINE', '/opt/lab/indexer --serve'),
             ('_SYSTEMD_CGROUP', '/system.slice/indexer.service'), ('_SYSTEMD_UNIT', 'indexer.service'),
             ('_SYSTEMD_INVOCATION_ID', hexid(rng))]
    k = 0
    for n in range(n_exits):
        for _ in range(fillers):
            k += 1
            if k % 4 == 0:
                msg = big_message(rng, k, rng.choice((600, 900, 1500, 3000, 6000)))
            else:
                msg = 'indexed batch %d: %d documents in %d ms' % (k, rng.randint(1, 999), rng.randint(1, 99))
            w.entry(noise + [('MESSAGE', msg)])
        unit = '%s-%d.service' % (prefix, n)
        pid = 1000 + n
        inv = hexid(rng)
        code, status, result = DEATHS[n % len(DEATHS)]
        w.entry(PID1 + [
            ('PRIORITY', '6'), ('CODE_FILE', 'src/core/job.c'), ('CODE_LINE', '767'),
            ('CODE_FUNC', 'job_emit_done_message'), ('JOB_TYPE', 'start'), ('JOB_RESULT', 'done'),
            ('MESSAGE_ID', '39f53479d3a045ac8e11786248231fbf'),
            ('MESSAGE', 'Started %s - lab worker %d.' % (unit, n)), ('JOB_ID', str(100 + n)),
            ('INVOCATION_ID', inv), ('UNIT', unit)])
        svc = [('SYSLOG_FACILITY', '3'), ('PRIORITY', '6'), ('_UID', '0'), ('_GID', '0'),
               ('_SYSTEMD_SLICE', 'system.slice'), ('_MACHINE_ID', MACHINE_ID), ('_HOSTNAME', 'crashlab'),
               ('_RUNTIME_SCOPE', 'system'), ('_CAP_EFFECTIVE', '0'), ('_TRANSPORT', 'stdout'),
               ('_COMM', 'worker'), ('_EXE', '/opt/lab/worker'), ('SYSLOG_IDENTIFIER', 'worker'),
               ('_STREAM_ID', hexid(rng)), ('_PID', str(pid)), ('_CMDLINE', '/opt/lab/worker %d' % n),
               ('_SYSTEMD_CGROUP', '/system.slice/' + unit), ('_SYSTEMD_UNIT', unit),
               ('_SYSTEMD_INVOCATION_ID', inv)]
        w.entry(svc + [('MESSAGE', 'worker %d: serving' % n)])
        w.entry(svc + [('MESSAGE', 'worker %d: took job %d' % (n, rng.randint(1, 9999)))])
        fields = PID1 + [('INVOCATION_ID', inv), ('UNIT', unit), ('PRIORITY', '4'),
                         ('CODE_FILE', 'src/core/unit.c'), ('CODE_LINE', '5671'),
                         ('CODE_FUNC', 'unit_log_process_exit'),
                         ('MESSAGE_ID', '98e322203f7a4ed290d09fe03c09fe15'),
                         ('MESSAGE', '%s: Main process exited, code=%s, status=%s' % (unit, code, status)),
                         ('EXIT_CODE', code), ('EXIT_STATUS', status.split('/')[0]),
                         ('COMMAND', 'ExecStart'), ('_SOURCE_REALTIME_TIMESTAMP', str(w.at - 300))]
        w.entry(fields)
        w.entry(PID1 + [
            ('INVOCATION_ID', inv), ('UNIT', unit), ('PRIORITY', '4'), ('CODE_FILE', 'src/core/unit.c'),
            ('CODE_LINE', '5629'), ('CODE_FUNC', 'unit_log_failure'),
            ('MESSAGE_ID', 'd9b373ed55a64feb8242e02dbe79a49c'),
            ('MESSAGE', "%s: Failed with result '%s'." % (unit, result)), ('UNIT_RESULT', result),
            ('_SOURCE_REALTIME_TIMESTAMP', str(w.at - 200))])
    for _ in range(fillers):
        k += 1
        w.entry(noise + [('MESSAGE', 'indexed batch %d: idle' % k)])
    return ''.join(w.out)


# ---------------------------------------------------------------------------------------
# Reading a native journal (JOURNAL_FILE_FORMAT.md)

OBJ_DATA, OBJ_FIELD, OBJ_ENTRY, OBJ_DHT, OBJ_FHT, OBJ_ENTRY_ARRAY, OBJ_TAG = 1, 2, 3, 4, 5, 6, 7
OBJ_NAMES = {1: 'DATA', 2: 'FIELD', 3: 'ENTRY', 4: 'DATA_HASH_TABLE', 5: 'FIELD_HASH_TABLE', 6: 'ENTRY_ARRAY', 7: 'TAG'}
COMPRESSED_ZSTD = 4
INCOMPAT_COMPACT = 16


def align8(n):
    return (n + 7) & ~7


class Journal:
    def __init__(self, path):
        self.path = path
        self.d = d = open(path, 'rb').read()
        if d[:8] != b'LPKSHHRH':
            raise SystemExit('%s: not a journal file' % path)
        self.incompat = struct.unpack_from('<I', d, 12)[0]
        self.compact = bool(self.incompat & INCOMPAT_COMPACT)
        (self.header_size, self.arena_size, self.data_ht, self.data_ht_size, self.field_ht,
         self.field_ht_size, self.tail_object, self.n_objects, self.n_entries) = struct.unpack_from('<9Q', d, 0x58)
        self.entry_array_offset = struct.unpack_from('<Q', d, 0xb0)[0]
        self.used = self.tail_object + align8(self.obj_size(self.tail_object))
        self.first = max(self.data_ht + self.data_ht_size, self.field_ht + self.field_ht_size)
        self.objects = {}   # offset -> (type, flags, size)
        p = self.header_size
        while p < self.used:
            t, fl, sz = d[p], d[p + 1], self.obj_size(p)
            assert t and sz >= 16, 'bad object at %d in a good journal' % p
            self.objects[p] = (t, fl, sz)
            p += align8(sz)
        assert p == self.used
        self.entries = [o for o, (t, _, _) in self.objects.items() if t == OBJ_ENTRY]

    def obj_size(self, p):
        return struct.unpack_from('<Q', self.d, p + 8)[0]

    def payload_at(self):
        return 72 if self.compact else 64

    def data_payload(self, p):
        t, fl, sz = self.objects[p]
        assert t == OBJ_DATA
        return fl, self.d[p + self.payload_at():p + sz]

    def entry_items(self, p):
        t, _, sz = self.objects[p]
        assert t == OBJ_ENTRY
        if self.compact:
            return [struct.unpack_from('<I', self.d, q)[0] for q in range(p + 64, p + sz, 4)]
        return [struct.unpack_from('<Q', self.d, q)[0] for q in range(p + 64, p + sz, 16)]

    def entry_fields(self, p):
        fields = {}
        for q in self.entry_items(p):
            fl, pl = self.data_payload(q)
            if not fl & 7 and b'=' in pl:
                k, v = pl.split(b'=', 1)
                fields[k.decode()] = v.decode(errors='replace')
        return fields

    def entry_end(self, p):
        """The end of the entry's ENTRY object and of all its DATA objects."""
        end = p + self.objects[p][2]
        for q in self.entry_items(p):
            end = max(end, q + self.objects[q][2])
        return end

    def exits(self):
        """[(unit, pid, entry offset, end)] of every `Main process exited` entry."""
        pids = {}
        out = []
        for p in self.entries:
            f = self.entry_fields(p)
            u = f.get('_SYSTEMD_UNIT', '')
            if f.get('_PID') not in (None, '1') and u.endswith('.service'):
                pids[u] = int(f['_PID'])
            if f.get('_PID') == '1' and ': Main process exited,' in f.get('MESSAGE', ''):
                out.append((f['UNIT'], pids.get(f['UNIT']), p, self.entry_end(p)))
        return out

    def entry_array_chain(self):
        """[(offset, capacity, items)] of the header's entry array chain."""
        chain, a = [], self.entry_array_offset
        w = 4 if self.compact else 8
        while a:
            _, _, sz = self.objects[a]
            cap = (sz - 24) // w
            items = [struct.unpack_from('<I' if self.compact else '<Q', self.d, a + 24 + i * w)[0]
                     for i in range(cap)]
            chain.append((a, cap, items))
            a = struct.unpack_from('<Q', self.d, a + 16)[0]
        return chain


# ---------------------------------------------------------------------------------------
# Damage

def zstd_frame_content_size(frame):
    """The Frame_Content_Size a zstd frame header announces, or None (RFC 8878 3.1.1.1)."""
    if frame[:4] != b'\x28\xb5\x2f\xfd':
        return None
    fhd = frame[4]
    fcs_flag, single = fhd >> 6, (fhd >> 5) & 1
    did = (0, 1, 2, 4)[fhd & 3]
    fcs_len = (1 if single else 0, 2, 4, 8)[fcs_flag]
    if fcs_len == 0:
        return None
    pos = 5 + (0 if single else 1) + did
    v = int.from_bytes(frame[pos:pos + fcs_len], 'little')
    return v + 256 if fcs_len == 2 else v


def make_variants(j, outdir, label, cuts):
    good = j.d
    exits = j.exits()
    variants = []
    w = 4 if j.compact else 8   # entry array item size

    def emit(mode, data, first_bad, what, need_all=False, kind=None):
        name = '%s.%s.journal' % (label, mode)
        with open(os.path.join(outdir, name), 'wb') as f:
            f.write(data)
        expected = [(u, pid) for (u, pid, _, end) in exits if end <= first_bad]
        variants.append({'file': name, 'mode': mode, 'kind': kind or mode, 'first_bad': first_bad, 'what': what,
                         'expected': expected, 'units': sorted(u for (u, _, _, _) in exits), 'need_all': need_all})

    def flipped(*at_masks):
        d = bytearray(good)
        for at, mask in at_masks:
            d[at] ^= mask
        return bytes(d)

    def object_at(x):
        return max(p for p in j.objects if p <= x)

    # Cuts at `cuts` offsets spread evenly over the object area (not 8-aligned). A cut that
    # leaves less than an object header after the last whole object (it falls in an object's
    # 16-byte header or in the alignment bytes after an object) is of kind cut-boundary.
    def cut_kind(at):
        p = object_at(at)
        return 'cut-boundary' if at < p + 16 or at >= p + j.objects[p][2] else 'cut'

    for k in range(1, cuts + 1):
        at = j.first + (j.used - j.first) * k // (cuts + 1) + 3
        emit('cut-%02d' % k, good[:at], at, 'cut at byte %d of %d (%s)' % (at, len(good), cut_kind(at)),
             kind=cut_kind(at))
    # A cut 4 bytes into an ENTRY's object header, in the middle of the object area.
    mid = [p for p in j.entries if p > j.first + (j.used - j.first) // 2]
    emit('cut-header', good[:mid[0] + 4], mid[0], 'cut 4 bytes into the header of the ENTRY at %d' % mid[0],
         kind=cut_kind(mid[0] + 4))

    # Only the padding after the last object cut away: nothing is lost.
    assert j.used < len(good), 'the journal has no padding'
    emit('padding', good[:j.used], j.used, 'cut at the end of the last object (%d of %d)'
         % (j.used, len(good)), need_all=True)

    # Byte flips, around the death in the middle of the file.
    unit, _, ep, _ = exits[len(exits) // 2]
    items = j.entry_items(ep)
    mi = next(i for i, q in enumerate(items) if j.data_payload(q)[1].startswith(b'MESSAGE='))
    # The ENTRY's type byte: libsystemd no longer finds it an entry.
    emit('flip-type', flipped((ep, 0x10)), ep, 'flipped byte %d: the type of %s\'s exit ENTRY' % (ep, unit))
    # The item offset of its MESSAGE: the item points at no object.
    at = ep + 64 + mi * (4 if j.compact else 16) + 1
    emit('flip-item', flipped((at, 0x5a)), ep, 'flipped byte %d: the MESSAGE item of %s\'s exit ENTRY' % (at, unit))
    # Its MESSAGE payload: "Main process exited" becomes "main process exited".
    q = items[mi]
    at = q + j.payload_at() + j.data_payload(q)[1].index(b'Main process')
    emit('flip-payload', flipped((at, 0x20)), q, 'flipped byte %d: %s\'s exit MESSAGE says "main process"' % (at, unit))
    # Its MESSAGE field name: "MESSAGE=" becomes "mESSAGE=", a name journald never writes.
    at = q + j.payload_at()
    emit('flip-name', flipped((at, 0x20)), q, 'flipped byte %d: %s\'s exit MESSAGE is named "mESSAGE"' % (at, unit))
    # The size field of an ENTRY at 70% of the object area: 64 KiB of other objects become items.
    p = next(p for p in j.entries if p > j.first + (j.used - j.first) * 7 // 10)
    emit('flip-size', flipped((p + 10, 0x01)), p, 'flipped byte %d: the size field of the ENTRY at %d' % (p + 10, p))
    # The item of the header's entry array chain that points at a death's exit entry, in the
    # array nearest the middle of the object area.
    chain = j.entry_array_chain()
    a, cap, aitems = min(chain, key=lambda c: abs(c[0] - (j.first + j.used) // 2))
    exit_entries = {p: u for (u, _, p, _) in exits}
    i = next(i for i, x in enumerate(aitems) if x in exit_entries)
    at = a + 24 + i * w
    emit('flip-array', flipped((at, 0x08)), min(at, aitems[i]),
         'flipped byte %d: item %d of the entry array at %d, %s\'s exit entry' % (at, i, a, exit_entries[aitems[i]]))
    # Seeded-random bits in the second half of the object area, in bytes a reader of every
    # entry reads: ENTRY objects, the header and payload of the DATA objects they use, the
    # used items of the header's entry array chain.
    half = j.first + (j.used - j.first) // 2
    ranges = []
    for p in j.entries:
        if p >= half:
            ranges.append((p, p + j.objects[p][2]))
            for q in j.entry_items(p):
                if q >= half:
                    ranges += [(q, q + 16), (q + j.payload_at(), q + j.objects[q][2])]
    for a, cap, aitems in chain:
        n = sum(1 for x in aitems if x)
        if a + 24 >= half and n:
            ranges.append((a + 24, a + 24 + n * w))
    rng = random.Random(label)
    at = sorted(rng.randrange(*rng.choice(ranges)) for _ in range(4))
    emit('flip-random', flipped(*[(x, 1 << rng.randrange(8)) for x in at]), at[0],
         'flipped bytes %s' % ', '.join('%d (%s +%d)' % (x, OBJ_NAMES[j.objects[object_at(x)][0]], x - object_at(x))
                                         for x in at))

    # A zstd frame cut short inside a compressed DATA object near the middle: the object's size
    # shrinks to half the frame, the freed tail is zeroed, the frame header still announces all.
    cands = [p for p, (t, fl, sz) in sorted(j.objects.items())
             if t == OBJ_DATA and fl & COMPRESSED_ZSTD and p > j.first + (j.used - j.first) * 2 // 5]
    assert cands, 'no zstd-compressed DATA object: is systemd-journal-remote built with zstd?'
    p = cands[0]
    _, _, sz = j.objects[p]
    frame = good[p + j.payload_at():p + sz]
    announced = zstd_frame_content_size(frame)
    assert announced and announced > 512, 'the zstd frame does not announce its content size'
    keep = len(frame) // 2
    newsize = j.payload_at() + keep
    d = bytearray(good)
    struct.pack_into('<Q', d, p + 8, newsize)
    d[p + newsize:p + align8(sz)] = bytes(align8(sz) - newsize)
    emit('zstd-short', bytes(d), p, 'DATA at %d: zstd frame cut from %d to %d bytes, its header announces %d'
         % (p, len(frame), keep, announced))

    # The generic_array_bisect shape: a stale header n_entries and one bad item before its end.
    assert len(chain) >= 2, 'one entry array only: too few entries for the bisect shape'
    a, cap, aitems = chain[-1]
    t = sum(c for (_, c, _) in chain[:-1])
    filled = sum(1 for x in aitems if x)
    assert t + filled == j.n_entries and filled >= 8, (t, filled, j.n_entries)
    stale = 3
    bad = filled - stale - 1          # the bad item's index in the tail array
    past = align8(len(good) * 2)      # past the end of the file
    d = bytearray(good)
    struct.pack_into('<Q', d, 0x98, j.n_entries - stale)
    struct.pack_into('<I' if j.compact else '<Q', d, a + 24 + bad * w, past)
    emit('bisect', bytes(d), aitems[bad],
         'header n_entries %d -> %d; item %d of the tail entry array at %d (entry %d, at %d) -> %d'
         % (j.n_entries, j.n_entries - stale, bad, a, t + bad, aitems[bad], past))
    return variants


# ---------------------------------------------------------------------------------------
# Scoring

def exits_of(doc):
    got = {}
    for x in doc['exits']:
        got.setdefault(x.get('unit'), set()).add(x.get('pid'))
    return got


def recovered(got, expected, need_all, name, what, failures):
    """Checks `expected` [(unit, pid)] against `got`; returns how many were found."""
    found = [(u, pid) for (u, pid) in expected if u in got]
    for u, pid in found:
        pids = got[u] - {None}
        if pid is not None and pids and pid not in pids:
            failures.append('%s: %s has pid %s, want %d' % (name, u, sorted(pids), pid))
    need = len(expected) if need_all else -(-len(expected) * 9 // 10)
    if len(found) < need:
        missing = sorted(u for (u, _) in expected if u not in got)
        failures.append('%s: %d of %d expected exits recovered, want >= %d (missing %s; %s)'
                        % (name, len(found), len(expected), need, ' '.join(missing[:6]), what))
    return len(found)


def load_result(base, name, failures):
    rc = int(open(base + '.rc').read().strip())
    if rc >= 128:
        failures.append('%s: crashsift died (status %d)' % (name, rc))
    elif rc == 3:
        failures.append('%s: internal error (status 3)' % name)
    try:
        return rc, json.load(open(base + '.json'))
    except (OSError, ValueError) as e:
        failures.append('%s: no JSON on stdout (status %d, %s)' % (name, rc, e))
        return rc, None


def score(manifests, results, known_gaps):
    failures, lines, gaps, fixed, notes = [], [], [], [], []
    totals = {}
    for m in manifests:
        for line in open(m):
            v = json.loads(line)
            name = v['file']
            rc, doc = load_result(os.path.join(results, name), name, failures)
            if doc is None:
                continue
            inp = doc['inputs'][0]
            damage = inp.get('damage_count') or 0
            reported = damage >= 1 or inp.get('error') is not None
            if rc not in (0, 1) and not (rc == 2 and inp.get('error') and not v['expected']):
                failures.append('%s: status %d' % (name, rc))
            if not reported and v['kind'] in known_gaps:
                gaps.append('%s (%s)' % (name, v['what']))
            elif not reported:
                failures.append('%s: damage not reported (%s)' % (name, v['what']))
            elif v['kind'] in known_gaps:
                fixed.append('%s (%s)' % (name, v['kind']))
            got = exits_of(doc)
            invented = sorted(set(got) - set(v['units']))
            if invented and v['kind'].startswith('flip-'):
                notes.append('%s: exits of units the damaged journal names, not the good one: %s (%s)'
                             % (name, ' '.join(map(ascii, invented[:6])), v['what']))
            elif invented:
                failures.append('%s: exits of units the journal never had: %s' % (name, ' '.join(map(ascii, invented[:6]))))
            n = recovered(got, v['expected'], v['need_all'], name, v['what'], failures)
            t = totals.setdefault(v['kind'], [0, 0, 0])
            t[0] += 1
            t[1] += len(v['expected'])
            t[2] += n
            lines.append('%-26s expected %2d of %2d, recovered %2d (%2d exits in all), damage notes %d%s, salvaged %s, status %d'
                         % (name, len(v['expected']), len(v['units']), n, len(doc['exits']), damage,
                            '' if reported else ' NOT REPORTED', inp.get('salvaged_entries'), rc))
    print('\n'.join(lines))
    for g in gaps:
        print('KNOWN GAP, damage not reported: ' + g)
    for n in notes:
        print('NOTE: ' + n)
    for f in fixed:
        print('NOW REPORTED, a known gap no longer: %s: take it out of KNOWN_GAPS once every file of its mode is' % f)
    for f in failures:
        print('FAIL: ' + f)
    families = {}
    for kind, t in totals.items():
        f = families.setdefault('flips' if kind.startswith('flip-') else 'cuts' if kind.startswith('cut') else kind, [0, 0, 0])
        for i in range(3):
            f[i] += t[i]
    print('SUMMARY ' + ', '.join('%s %d/%d' % (k, f[2], f[1]) for k, f in families.items())
          + ('; damage not reported in %d files (known gaps: %s)' % (len(gaps), ' '.join(sorted(known_gaps)))
             if gaps else '; every damage reported'))
    return 1 if failures else 0


def keeps(result, goods, damaged):
    """A run over good journals and one damaged one: every good exit, and the damaged one's share."""
    failures = []
    rc, doc = load_result(result, result, failures)
    if doc is not None:
        got = exits_of(doc)
        for g in goods:
            exits = Journal(g).exits()
            recovered(got, [(u, pid) for (u, pid, _, _) in exits], True, result, 'good file ' + g, failures)
        if damaged:
            manifest, name = damaged.rsplit(':', 1)
            v = next(v for v in map(json.loads, open(manifest)) if v['file'] == name)
            recovered(got, v['expected'], v['need_all'], result, v['what'], failures)
    for f in failures:
        print('FAIL: ' + f)
    return 1 if failures else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest='cmd', required=True)
    e = sub.add_parser('export')
    e.add_argument('--prefix', default='cl')
    e.add_argument('--exits', type=int, default=60)
    e.add_argument('--seed', type=int, default=1)
    e.add_argument('--boot', default=BOOT_ID)
    dm = sub.add_parser('damage')
    dm.add_argument('good')
    dm.add_argument('outdir')
    dm.add_argument('label')
    dm.add_argument('--cuts', type=int, default=12)
    i = sub.add_parser('exits')
    i.add_argument('journal')
    s = sub.add_parser('score')
    s.add_argument('manifests', nargs='+')
    s.add_argument('--results', required=True)
    s.add_argument('--known-gaps', default='', help='modes whose damage crashsift is known not to report')
    k = sub.add_parser('keeps')
    k.add_argument('result', help='crashsift exits --format json output; RESULT.rc holds its status')
    k.add_argument('--good', nargs='+', default=[])
    k.add_argument('--damaged', help='MANIFEST:FILE')
    a = ap.parse_args()
    if a.cmd == 'export':
        sys.stdout.write(make_export(a.prefix, a.exits, a.seed, a.boot))
    elif a.cmd == 'damage':
        j = Journal(a.good)
        vs = make_variants(j, a.outdir, a.label, a.cuts)
        with open(os.path.join(a.outdir, a.label + '.manifest'), 'w') as f:
            for v in vs:
                f.write(json.dumps(v) + '\n')
    elif a.cmd == 'exits':
        for u, pid, p, end in Journal(a.journal).exits():
            print(u, pid, p, end)
    elif a.cmd == 'score':
        return score(a.manifests, a.results, set(a.known_gaps.split()))
    elif a.cmd == 'keeps':
        return keeps(a.result, a.good, a.damaged)
    return 0


if __name__ == '__main__':
    sys.exit(main())
