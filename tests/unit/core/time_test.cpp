#include <doctest/doctest.h>

#include "crashsift/core/time.hpp"

using namespace crashsift;

TEST_CASE("RFC 3339 UTC with microseconds and Z") {
  CHECK(format_rfc3339_utc(1795420661617199) == "2026-11-23T07:57:41.617199Z");
  CHECK(format_rfc3339_utc(0) == "1970-01-01T00:00:00.000000Z");
  CHECK(format_rfc3339_utc(-1) == "1969-12-31T23:59:59.999999Z");
}

TEST_CASE("ISO 8601 with offsets, fractions and zones") {
  const Zone utc = Zone::utc();
  CHECK(parse_iso8601("2026-11-23T07:57:41.617199+0000", utc) == 1795420661617199);
  CHECK(parse_iso8601("2026-11-23T16:57:41.617199+09:00", utc) == 1795420661617199);
  CHECK(parse_iso8601("2026-11-23 07:57:41Z", utc) == 1795420661000000);
  CHECK(parse_iso8601("2026-11-23", utc) == 1795392000000000);
  CHECK_FALSE(parse_iso8601("2026-13-01", utc));
  CHECK_FALSE(parse_iso8601("yesterday", utc));
  const Zone tokyo("Asia/Tokyo");
  CHECK(parse_iso8601("2026-06-28 09:22:04", tokyo) == parse_iso8601("2026-06-28T00:22:04Z", utc));
  CHECK(format_in_zone(*parse_iso8601("2026-06-28T00:22:04Z", utc), tokyo) == "2026-06-28 09:22:04");
}

TEST_CASE("--since/--until specs: relative, time of day, words") {
  const Zone utc = Zone::utc();
  const UsecUtc now = 1795420661000000;  // 2026-11-23T07:57:41Z
  CHECK(parse_time_spec("-2h", utc, now) == now - 7200 * usec_per_sec);
  CHECK(parse_time_spec("30min ago", utc, now) == now - 1800 * usec_per_sec);
  CHECK(parse_time_spec("09:00", utc, now) == *parse_iso8601("2026-11-23T09:00:00Z", utc));
  CHECK(parse_time_spec("today", utc, now) == *parse_iso8601("2026-11-23T00:00:00Z", utc));
  CHECK(parse_time_spec("yesterday", utc, now) == *parse_iso8601("2026-11-22T00:00:00Z", utc));
  CHECK_FALSE(parse_time_spec("soon", utc, now));
}

TEST_CASE("--since/--until specs in a zone ahead of UTC by 14 h: 'today' is the zone's day") {
  const Zone kiritimati("Pacific/Kiritimati");       // UTC+14, no DST
  const UsecUtc now = 1795420661000000;             // 2026-11-23T07:57:41Z = 21:57:41 local
  const Zone utc = Zone::utc();
  CHECK(parse_time_spec("today", kiritimati, now) == *parse_iso8601("2026-11-22T10:00:00Z", utc));
  CHECK(parse_time_spec("09:00", kiritimati, now) == *parse_iso8601("2026-11-22T19:00:00Z", utc));
  const Zone st_johns("America/St_Johns");          // UTC-3:30 in November
  CHECK(parse_time_spec("yesterday", st_johns, now) == *parse_iso8601("2026-11-22T03:30:00Z", utc));
}

TEST_CASE("the one clock seam: CRASHSIFT_NOW pins now") {
  CHECK(pinned_now("2028-02-29T12:00:00Z") == *parse_iso8601("2028-02-29T12:00:00Z", Zone::utc()));
  CHECK(pinned_now("2026-12-31T23:59:59+09:00") == *parse_iso8601("2026-12-31T14:59:59Z", Zone::utc()));
  CHECK(pinned_now("@1795420661") == 1795420661000000);
  CHECK_FALSE(pinned_now(nullptr));
  CHECK_FALSE(pinned_now(""));
  CHECK_FALSE(pinned_now("someday"));
}
