// The client-visible error texts of cairn-server (without the leading '-'), byte for byte as
// Redis 7.0 sends them. Engine ops return them in Status messages; handlers use these names and
// never write error strings inline (STYLE.md §3).
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
inline constexpr char kErrExecAbort[] =
    "EXECABORT Transaction discarded because of previous errors.";
inline constexpr char kErrLoading[] = "LOADING Redis is loading the dataset in memory";
inline constexpr char kErrReadOnly[] = "READONLY You can't write against a read only replica.";
inline constexpr char kErrMisconf[] =
    "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to "
    "disk. Commands that may modify the data set are disabled, because this instance is "
    "configured to report errors during writes if RDB snapshotting fails "
    "(stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB "
    "error.";
inline constexpr char kErrMasterDown[] =
    "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";
inline constexpr char kErrNoReplicas[] = "NOREPLICAS Not enough good replicas to write.";
inline constexpr char kErrBusyKey[] = "BUSYKEY Target key name already exists.";
inline constexpr char kErrMultiNested[] = "ERR MULTI calls can not be nested";
inline constexpr char kErrExecNoMulti[] = "ERR EXEC without MULTI";
inline constexpr char kErrDiscardNoMulti[] = "ERR DISCARD without MULTI";
inline constexpr char kErrWatchInMulti[] = "ERR WATCH inside MULTI is not allowed";
inline constexpr char kErrStringTooLong[] =
    "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
inline constexpr char kErrBitOffset[] = "ERR bit offset is not an integer or out of range";
inline constexpr char kErrBitValue[] = "ERR bit is not an integer or out of range";
inline constexpr char kErrNotInResp3Ctx[] =
    "ERR Can't execute '%s': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are "
    "allowed in this context";
inline constexpr char kErrTimeoutNotFloat[] = "ERR timeout is not a float or out of range";
inline constexpr char kErrTimeoutNegative[] = "ERR timeout is negative";
inline constexpr char kErrUnsupportedProtocol[] = "NOPROTO unsupported protocol version";

// Transaction and Pub/Sub families.
// A rejected EXEC: this prefix, then the rejection without its "ERR " (execCommandAbort).
inline constexpr char kErrExecAbortBecause[] = "EXECABORT Transaction discarded because of: ";
// "... for '<subcommand as typed>'. Try <COMMAND> HELP." (addReplySubcommandSyntaxError).
inline constexpr char kErrSubcommandSyntaxPrefix[] =
    "ERR unknown subcommand or wrong number of arguments for '";
inline constexpr char kErrSsubscribeDenyBlocking[] =
    "ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client";

// Generic (keyspace) family.
inline constexpr char kErrInvalidCursor[] = "ERR invalid cursor";
inline constexpr char kErrInvalidFirstDbIndex[] = "ERR invalid first DB index";
inline constexpr char kErrInvalidSecondDbIndex[] = "ERR invalid second DB index";
// EXPIRE family options: "ERR Unsupported option " + the option as typed.
inline constexpr char kErrUnsupportedOptionPrefix[] = "ERR Unsupported option ";
inline constexpr char kErrExpireNxIncompatible[] =
    "ERR NX and XX, GT or LT options at the same time are not compatible";
inline constexpr char kErrExpireGtLtIncompatible[] =
    "ERR GT and LT options at the same time are not compatible";
inline constexpr char kErrLfuNotSelected[] =
    "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that "
    "when switching between policies at runtime LRU and LFU data will take some time to adjust.";
inline constexpr char kErrLfuSelected[] =
    "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when "
    "switching between policies at runtime LRU and LFU data will take some time to adjust.";

// Server and client families (INFO, COMMAND, CONFIG, SLOWLOG, LATENCY, DEBUG, SHUTDOWN, CLIENT,
// MONITOR). Texts ending in a quote or a space are prefixes: the handler appends the detail.
inline constexpr char kErrInvalidCommandSpecified[] = "ERR Invalid command specified";
inline constexpr char kErrCommandHasNoKeys[] = "ERR The command has no key arguments";
inline constexpr char kErrInvalidNumberOfArguments[] =
    "ERR Invalid number of arguments specified for command";
inline constexpr char kErrInvalidArgumentsForCommand[] =
    "ERR Invalid arguments specified for command";
inline constexpr char kErrConfigSetUnknownPrefix[] =
    "ERR Unknown option or number of arguments for CONFIG SET - '";
inline constexpr char kErrConfigSetFailedPrefix[] =
    "ERR CONFIG SET failed (possibly related to argument '";
inline constexpr char kReasonImmutableConfig[] = "can't set immutable config";
inline constexpr char kReasonProtectedConfig[] = "can't set protected config";
inline constexpr char kReasonDuplicateParameter[] = "duplicate parameter";
inline constexpr char kErrNoConfigFile[] = "ERR The server is running without a config file";
inline constexpr char kErrRewritingConfigPrefix[] = "ERR Rewriting config file: ";
inline constexpr char kErrSlowlogCount[] = "ERR count should be greater than or equal to -1";
inline constexpr char kErrNoLatencySamplesPrefix[] = "ERR No samples available for event '";
inline constexpr char kErrNoShutdownInProgress[] = "ERR No shutdown in progress.";
inline constexpr char kErrShutdownFailed[] = "ERR Errors trying to SHUTDOWN. Check logs.";
inline constexpr char kErrNoSuchClient[] = "ERR No such client";
inline constexpr char kErrClientIdNotPositive[] = "ERR client-id should be greater than 0";
inline constexpr char kErrUnknownClientTypePrefix[] = "ERR Unknown client type '";
inline constexpr char kErrNoSuchUserPrefix[] = "ERR No such user '";
inline constexpr char kErrInvalidClientId[] = "ERR Invalid client ID";
inline constexpr char kErrInvalidClientName[] =
    "ERR Client names cannot contain spaces, newlines or special characters.";
inline constexpr char kErrClientPauseMode[] = "ERR CLIENT PAUSE mode must be WRITE or ALL";
inline constexpr char kErrTimeoutNotInteger[] = "ERR timeout is not an integer or out of range";
inline constexpr char kErrMonitorDenyBlocking[] =
    "ERR MONITOR isn't allowed for DENY BLOCKING client";
inline constexpr char kErrReplicaKeyspace[] = "ERR Replica can't interact with the keyspace";
inline constexpr char kErrDebugProtocolType[] =
    "ERR Wrong protocol type name. Please use one of the following: "
    "string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false";
inline constexpr char kErrResp2NotSupported[] = "ERR RESP2 is not supported by this command";

// String and bitmap families. Texts ending in a quote are prefixes: the handler appends the
// command name and "' command".
inline constexpr char kErrWrongArgCountPrefix[] = "ERR wrong number of arguments for '";
inline constexpr char kErrInvalidExpirePrefix[] = "ERR invalid expire time in '";
inline constexpr char kErrDecrementOverflow[] = "ERR decrement would overflow";
inline constexpr char kErrOffsetOutOfRange[] = "ERR offset is out of range";
inline constexpr char kErrLcsWrongType[] = "ERR The specified keys must contain string values";
inline constexpr char kErrLcsLenAndIdx[] =
    "ERR If you want both the length and indexes, please just use IDX.";
inline constexpr char kErrLcsStringTooLong[] = "ERR String too long for LCS";
inline constexpr char kErrLcsTableTooLarge[] =
    "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len";
inline constexpr char kErrLcsAllocFailed[] =
    "ERR Insufficient memory, failed allocating transient memory for LCS";
inline constexpr char kErrBitArgument[] = "ERR The bit argument must be 1 or 0.";
inline constexpr char kErrBitopNotSingleKey[] =
    "ERR BITOP NOT must be called with a single source key.";
inline constexpr char kErrBitfieldType[] =
    "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 "
    "is.";
inline constexpr char kErrBitfieldOverflowType[] = "ERR Invalid OVERFLOW type specified";
inline constexpr char kErrBitfieldRoWrite[] = "ERR BITFIELD_RO only supports the GET subcommand";

// Collection families (lists, hashes, sets). Texts ending in a space are prefixes.
inline constexpr char kErrValueRangePrefix[] = "ERR value is out of range, value must between ";
inline constexpr char kErrMustBePositive[] = "ERR value is out of range, must be positive";
inline constexpr char kErrTimeoutOutOfRange[] = "ERR timeout is out of range";
inline constexpr char kErrLposRankZero[] =
    "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use "
    "negative to start from the end of the list";
inline constexpr char kErrLposCountNegative[] = "ERR COUNT can't be negative";
inline constexpr char kErrLposMaxlenNegative[] = "ERR MAXLEN can't be negative";
inline constexpr char kErrNumkeysPositive[] = "ERR numkeys should be greater than 0";
inline constexpr char kErrCountPositive[] = "ERR count should be greater than 0";
inline constexpr char kErrUnblockReason[] = "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR";
inline constexpr char kErrUnblocked[] = "UNBLOCKED client unblocked via CLIENT UNBLOCK";
inline constexpr char kErrHashNotInteger[] = "ERR hash value is not an integer";
inline constexpr char kErrHashNotFloat[] = "ERR hash value is not a float";
inline constexpr char kErrNumkeysTooBig[] =
    "ERR Number of keys can't be greater than number of args";
inline constexpr char kErrLimitNegative[] = "ERR LIMIT can't be negative";
inline constexpr char kErrValueOutOfRange[] = "ERR value is out of range";
inline constexpr char kErrValueNanInf[] = "ERR value is NaN or Infinity";
// Sorted sets (t_zset.c).
inline constexpr char kErrZAddNxXx[] = "ERR XX and NX options at the same time are not compatible";
inline constexpr char kErrZAddGtLtNx[] =
    "ERR GT, LT, and/or NX options at the same time are not compatible";
inline constexpr char kErrZAddIncrPair[] =
    "ERR INCR option supports a single increment-element pair";
inline constexpr char kErrZScoreNaN[] = "ERR resulting score is not a number (NaN)";
inline constexpr char kErrZMinMaxNotFloat[] = "ERR min or max is not a float";
inline constexpr char kErrZLexRange[] = "ERR min or max not valid string range item";
inline constexpr char kErrZLimitRank[] =
    "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX";
inline constexpr char kErrZWithscoresLex[] =
    "ERR syntax error, WITHSCORES not supported in combination with BYLEX";
inline constexpr char kErrZWeightNotFloat[] = "ERR weight value is not a float";
inline constexpr char kErrZNoInputKeyPrefix[] = "ERR at least 1 input key is needed for '";

// Streams (Redis 7.0 t_stream.c).
inline constexpr char kErrStreamInvalidId[] =
    "ERR Invalid stream ID specified as stream command argument";
inline constexpr char kErrStreamIdTooSmall[] =
    "ERR The ID specified in XADD is equal or smaller than the target stream top item";
inline constexpr char kErrStreamIdZero[] = "ERR The ID specified in XADD must be greater than 0-0";
inline constexpr char kErrStreamExhausted[] =
    "ERR The stream has exhausted the last possible ID, unable to add more items";
inline constexpr char kErrStreamMaxlenNegative[] = "ERR The MAXLEN argument must be >= 0.";
inline constexpr char kErrStreamLimitNegative[] = "ERR The LIMIT argument must be >= 0.";
inline constexpr char kErrStreamLimitNoApprox[] =
    "ERR syntax error, LIMIT cannot be used without the special ~ option";
inline constexpr char kErrStreamSetIdSmaller[] =
    "ERR The ID specified in XSETID is smaller than the target stream top item";
inline constexpr char kErrStreamSetIdEntriesAdded[] =
    "ERR The entries_added specified in XSETID is smaller than the target stream length";
inline constexpr char kErrStreamSetIdMaxDeleted[] =
    "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id";
inline constexpr char kErrStreamElementsTooLarge[] = "ERR Elements are too large to be stored";
inline constexpr char kErrStreamMaxlenMinidTogether[] =
    "ERR syntax error, MAXLEN and MINID options at the same time are not compatible";
inline constexpr char kErrStreamLimitNoStrategy[] =
    "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy";
inline constexpr char kErrStreamXtrimNoStrategy[] =
    "ERR syntax error, XTRIM must be called with a trimming strategy";
inline constexpr char kErrStreamEntriesAddedPositive[] = "ERR entries_added must be positive";
inline constexpr char kErrStreamInvalidStart[] = "ERR invalid start ID for the interval";
inline constexpr char kErrStreamInvalidEnd[] = "ERR invalid end ID for the interval";
inline constexpr char kErrStreamUnbalancedPrefix[] = "ERR Unbalanced ";
inline constexpr char kErrStreamUnbalancedSuffix[] =
    " list of streams: for each stream key an ID or '";
inline constexpr char kErrStreamGroupOnlyXReadGroup[] =
    "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.";
inline constexpr char kErrStreamNoackOnlyXReadGroup[] =
    "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.";
inline constexpr char kErrStreamMissingGroup[] = "ERR Missing GROUP option for XREADGROUP";
inline constexpr char kErrStreamKeyGone[] = "UNBLOCKED the stream key no longer exists";
inline constexpr char kErrStreamGroupGone[] =
    "NOGROUP the consumer group this client was blocked on no longer exists";
inline constexpr char kErrStreamGtOnlyGroup[] =
    "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> "
    "<consumer> option.";
inline constexpr char kErrStreamDollarInGroup[] =
    "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of "
    "this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would "
    "just return an empty result set.";
inline constexpr char kErrBusyGroup[] = "BUSYGROUP Consumer Group name already exists";
inline constexpr char kErrXGroupKeyMissing[] =
    "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to "
    "use the MKSTREAM option to create an empty stream automatically.";
inline constexpr char kErrXClaimMinIdle[] = "ERR Invalid min-idle-time argument for XCLAIM";
inline constexpr char kErrXClaimIdle[] = "ERR Invalid IDLE option argument for XCLAIM";
inline constexpr char kErrXClaimTime[] = "ERR Invalid TIME option argument for XCLAIM";
inline constexpr char kErrXClaimRetryCount[] = "ERR Invalid RETRYCOUNT option argument for XCLAIM";
inline constexpr char kErrXAutoClaimMinIdle[] = "ERR Invalid min-idle-time argument for XAUTOCLAIM";
inline constexpr char kErrXAutoClaimCount[] = "ERR COUNT must be > 0";
inline constexpr char kErrEntriesReadRange[] = "ERR value for ENTRIESREAD must be positive or -1";
inline constexpr char kErrHllNotHll[] = "WRONGTYPE Key is not a valid HyperLogLog string value.";
inline constexpr char kErrHllCorrupt[] = "INVALIDOBJ Corrupted HLL object detected";
inline constexpr char kErrPfdebugNoKey[] = "ERR The specified key does not exist";
inline constexpr char kErrPfdebugNotSparse[] = "ERR HLL encoding is not sparse";
inline constexpr char kErrPfdebugUnknownPrefix[] = "ERR Unknown PFDEBUG subcommand '";

// Geo commands (Redis 7.0 geo.c). kErrGeoInvalidPair is a printf format: longitude, latitude.
inline constexpr char kErrGeoInvalidPair[] = "ERR invalid longitude,latitude pair %f,%f";
inline constexpr char kErrGeoUnit[] = "ERR unsupported unit provided. please use M, KM, FT, MI";
inline constexpr char kErrGeoMember[] = "ERR could not decode requested zset member";
inline constexpr char kErrGeoRadiusNotNumeric[] = "ERR need numeric radius";
inline constexpr char kErrGeoRadiusNegative[] = "ERR radius cannot be negative";
inline constexpr char kErrGeoWidthNotNumeric[] = "ERR need numeric width";
inline constexpr char kErrGeoHeightNotNumeric[] = "ERR need numeric height";
inline constexpr char kErrGeoBoxNegative[] = "ERR height or width cannot be negative";
inline constexpr char kErrGeoCountPositive[] = "ERR COUNT must be > 0";
inline constexpr char kErrGeoAnyNeedsCount[] = "ERR the ANY argument requires COUNT argument";
inline constexpr char kErrGeoSearchStoreWith[] =
    "ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options";
inline constexpr char kErrGeoRadiusStoreWith[] =
    "ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD "
    "options";
// %s: the command name as the client sent it.
inline constexpr char kErrGeoFromPrefix[] =
    "ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ";
inline constexpr char kErrGeoByPrefix[] =
    "ERR exactly one of BYRADIUS and BYBOX can be specified for ";
// SORT (Redis 7.0 sort.c).
inline constexpr char kErrSortScores[] = "ERR One or more scores can't be converted into double";

}  // namespace cairn
