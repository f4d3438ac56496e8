// Writes RESP2 or RESP3 replies into an OutputBuffer. Where the two protocols differ (nulls,
// maps, sets, doubles, booleans, push) it writes what Redis 7.0 writes for the client's protocol.
#pragma once

#include <cstdint>
#include <string_view>

#include "dataplane/protocol/output_buffer.h"

namespace cairn::protocol {

// Notified of every error reply, for INFO errorstats. `code` is the first word ("ERR").
class ErrorObserver {
 public:
  virtual ~ErrorObserver() = default;
  virtual void OnErrorReply(std::string_view code) = 0;
  // An error reply counted earlier where it arose (ReplyWriter::UncountedError).
  virtual void OnUncountedErrorReply() {}
};

class ReplyWriter {
 public:
  explicit ReplyWriter(OutputBuffer* out, int protocol = 2) : out_(out), protocol_(protocol) {}

  int protocol() const { return protocol_; }
  void set_protocol(int protocol) { protocol_ = protocol; }
  void set_error_observer(ErrorObserver* observer) { observer_ = observer; }
  // When muted (CLIENT REPLY OFF/SKIP), nothing is written.
  void set_muted(bool muted) { muted_ = muted; }
  bool muted() const { return muted_; }
  OutputBuffer* buffer() { return out_; }

  void Ok() { Raw("+OK\r\n"); }
  // "+text\r\n"; `text` must not contain CR or LF.
  void Simple(std::string_view text);
  // "-text\r\n" where `text` starts with the error code ("ERR syntax error"). CR/LF in the text are
  // replaced with spaces, as Redis does, so a reply can never desynchronise the stream.
  void Error(std::string_view text);
  // Error() without notifying the observer: for an error already counted where it arose (a
  // script passing on the error of a command it called, Redis's ERR_REPLY_FLAG_NO_STATS_UPDATE).
  void UncountedError(std::string_view text);
  void Integer(int64_t value);
  void Bulk(std::string_view data);
  void BulkInteger(int64_t value);
  // RESP2 "$-1", RESP3 "_".
  void Null();
  // RESP2 "*-1", RESP3 "_".
  void NullArray();
  void ArrayHeader(int64_t n);
  // RESP3 "%n"; RESP2 an array of 2n elements.
  void MapHeader(int64_t n);
  // RESP3 "~n"; RESP2 an array.
  void SetHeader(int64_t n);
  // RESP3 ">n"; RESP2 an array (pub/sub messages).
  void PushHeader(int64_t n);
  // RESP3 ",%.17g"; RESP2 a bulk string of the same text.
  void Double(double value);
  // RESP3 "#t"/"#f"; RESP2 ":1"/":0".
  void Bool(bool value);
  // RESP3 "=len\r\ntxt:data"; RESP2 a bulk string of `data`.
  void Verbatim(std::string_view data, std::string_view format = "txt");
  void EmptyArray() { Raw("*0\r\n"); }
  // Pre-encoded RESP bytes.
  void Raw(std::string_view bytes);

 private:
  void Header(char type, int64_t n);

  OutputBuffer* out_;
  int protocol_;
  void WriteError(std::string_view text);

  ErrorObserver* observer_ = nullptr;
  bool muted_ = false;
};

}  // namespace cairn::protocol
