// String utilities with Redis's exact parsing rules (util.c's string2ll, string2ld,
// stringmatchlen).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cairn {

// Parses a base-10 int64 the way Redis's string2ll does: optional '-', no '+', no leading zeros
// (except "0"), no spaces, no overflow, 1..20 characters. nullopt otherwise.
std::optional<int64_t> ParseInt64(std::string_view s);

// Parses an unsigned 64-bit integer with the same strictness (no sign at all).
std::optional<uint64_t> ParseUint64(std::string_view s);

// Parses a double as Redis's string2d/getDoubleFromObject: strtod over the whole string, no
// leading space, not NaN. Accepts "inf", "-inf", "+inf".
std::optional<double> ParseDouble(std::string_view s);

// Parses a long double as Redis's string2ld (INCRBYFLOAT, HINCRBYFLOAT): no spaces, not NaN.
std::optional<long double> ParseLongDouble(std::string_view s);

// Formats an int64 in base 10 (Redis's ll2string).
std::string FormatInt64(int64_t v);

// Formats a double as a RESP2 bulk / RESP3 double payload, as Redis's addReplyDouble does:
// "inf", "-inf", "nan", else "%.17g".
std::string FormatDouble(double v);

// Formats a long double as INCRBYFLOAT replies do (ld2string LD_STR_HUMAN): "%.17Lf" with
// trailing zeros and a trailing '.' removed, "-0" folded to "0". nullopt for inf/nan.
std::optional<std::string> FormatLongDoubleHuman(long double v);

// Glob-style match of `str` against `pattern` as Redis's stringmatchlen: * ? [abc] [^a] [a-z]
// and backslash escapes. `nocase` folds ASCII case.
bool GlobMatch(std::string_view pattern, std::string_view str, bool nocase = false);

// Quotes bytes as Redis's sdscatrepr: "..." with \\ \" \n \r \t \a \b escapes and \xhh for other
// non-printable bytes (MONITOR lines, CLIENT LIST, log lines).
std::string QuoteRepr(std::string_view s);

// ASCII lower-casing, and case-insensitive equality of ASCII text (command and option names).
std::string AsciiLower(std::string_view s);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace cairn
