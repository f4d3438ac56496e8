// The client-visible error texts of cairn-server (without the leading '-'), byte for byte as Redis 7.0 sends
// them. Engine ops return them in Status messages; handlers use these names and never write error strings inline (STYLE.md §3).
#pragma once

namespace cairn {

inline constexpr char kErrWrongType[] =
    "WRONGTYPE Operation against a key holding the wrong kind of value";
inline constexpr char kErrNoSuchKey[] = "ERR no such key";
inline constexpr char kErrSyntax[] = "ERR syntax error";
inline constexpr char kErrSameObject[] = "ERR source and destination objects are the same";
inline constexpr char kErrOutOfRange[] = "ERR index out of range";
inline constexpr char kErrNotInteger[] = "ERR value is not an integer or out of range";
inline constexpr char kErrNotFloat[] = "ERR value is not a valid float";
inline constexpr char kErrOverflow[] = "ERR increment or decrement would overflow";
inline constexpr char kErrIncrFloatNanInf[] = "ERR increment would produce NaN or Infinity";
inline constexpr char kErrInvalidDbIndex[] = "ERR DB index is out of range";
inline constexpr char kErrSelectNotInt[] = "ERR value is not an integer or out of range";
inline constexpr char kErrInvalidExpire[] = "ERR invalid expire time in '%s' command";
inline constexpr char kErrNoAuth[] = "NOAUTH Authentication required.";
inline constexpr char kErrWrongPass[] =
    "WRONGPASS invalid username-password pair or user is disabled.";
inline constexpr char kErrAuthNotConfigured[] =
    "ERR AUTH <password> called without any password configured for the default user. Are you "
    "sure your configuration is correct?";
inline constexpr char kErrOom[] = "OOM command not allowed when used memory > 'maxmemory'.";
inline constexpr char kErrExecAbort[] = "EXECABORT Transaction discarded because of previous errors.";
inline constexpr char kErrLoading[] = "LOADING Redis is loading the dataset in memory";
inline constexpr char kErrReadOnly[] = "READONLY You can't write against a read only replica.";
inline constexpr char kErrBusyKey[] = "BUSYKEY Target key name already exists.";
inline constexpr char kErrMultiNested[] = "ERR MULTI calls can not be nested";
inline constexpr char kErrExecNoMulti[] = "ERR EXEC without MULTI";
inline constexpr char kErrDiscardNoMulti[] = "ERR DISCARD without MULTI";
inline constexpr char kErrWatchInMulti[] = "ERR WATCH inside MULTI is not allowed";
inline constexpr char kErrStringTooLong[] = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
inline constexpr char kErrBitOffset[] = "ERR bit offset is not an integer or out of range";
inline constexpr char kErrBitValue[] = "ERR bit is not an integer or out of range";
inline constexpr char kErrNotInResp3Ctx[] =
    "ERR Can't execute '%s': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are "
    "allowed in this context";
inline constexpr char kErrTimeoutNotFloat[] = "ERR timeout is not a float or out of range";
inline constexpr char kErrTimeoutNegative[] = "ERR timeout is negative";
inline constexpr char kErrUnsupportedProtocol[] = "NOPROTO unsupported protocol version";

}  // namespace cairn
