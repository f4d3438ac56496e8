// Status and Result<T>: the one error type of every Cairn binary (STYLE.md §3).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace cairn {

// A subset of gRPC's canonical codes; values match grpc::StatusCode so the gRPC edge can cast.
enum class StatusCode : int {
  kOk = 0,
  kInvalidArgument = 3,
  kDeadlineExceeded = 4,
  kNotFound = 5,
  kAlreadyExists = 6,
  kPermissionDenied = 7,
  kFailedPrecondition = 9,
  kResourceExhausted = 8,
  kAborted = 10,
  kUnavailable = 14,
  kDataLoss = 15,
  kInternal = 13,
  kUnauthenticated = 16,
};

// Name of a code as gRPC spells it ("NOT_FOUND").
std::string_view StatusCodeName(StatusCode code);

// An ok/error outcome. OK costs one null pointer; an error owns its code and message. On the RESP
// edge the message is the client-visible error text (without the leading '-').
class Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message);

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) {
    return {StatusCode::kInvalidArgument, std::move(m)};
  }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status FailedPrecondition(std::string m) {
    return {StatusCode::kFailedPrecondition, std::move(m)};
  }
  static Status ResourceExhausted(std::string m) {
    return {StatusCode::kResourceExhausted, std::move(m)};
  }
  static Status Aborted(std::string m) { return {StatusCode::kAborted, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status DataLoss(std::string m) { return {StatusCode::kDataLoss, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
  static Status DeadlineExceeded(std::string m) {
    return {StatusCode::kDeadlineExceeded, std::move(m)};
  }
  static Status PermissionDenied(std::string m) {
    return {StatusCode::kPermissionDenied, std::move(m)};
  }
  static Status Unauthenticated(std::string m) {
    return {StatusCode::kUnauthenticated, std::move(m)};
  }

  Status(const Status& other);
  Status& operator=(const Status& other);
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;

  bool ok() const { return rep_ == nullptr; }
  StatusCode code() const { return rep_ ? rep_->code : StatusCode::kOk; }
  // Empty for OK.
  std::string_view message() const { return rep_ ? std::string_view(rep_->message) : ""; }
  // "NOT_FOUND: snapshot nightly-3", or "OK".
  std::string ToString() const;

 private:
  struct Rep {
    StatusCode code;
    std::string message;
  };
  std::unique_ptr<Rep> rep_;
};

// Holds a T or a non-OK Status. Constructing from an OK Status is a bug (CAIRN_CHECK).
template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status status);                         // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(value_); }
  const Status& status() const;
  // REQUIRES: ok().
  T& value() & { return std::get<T>(value_); }
  const T& value() const& { return std::get<T>(value_); }
  T&& value() && { return std::get<T>(std::move(value_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> value_;
};

[[noreturn]] void CheckFailed(const char* file, int line, const char* expr);

// Out of memory is fatal (maxmemory and eviction exist to prevent it): logs and aborts.
[[noreturn]] void FatalOutOfMemory(size_t bytes);

}  // namespace cairn

// Invariant checks: always on. Failure means corrupt state, never bad outside input.
#define CAIRN_CHECK(cond)                              \
  do {                                                 \
    if (!(cond)) [[unlikely]] {                        \
      ::cairn::CheckFailed(__FILE__, __LINE__, #cond); \
    }                                                  \
  } while (0)

#ifdef NDEBUG
#define CAIRN_DCHECK(cond) \
  do {                     \
  } while (0)
#else
#define CAIRN_DCHECK(cond) CAIRN_CHECK(cond)
#endif

// Returns the Status of `expr` from the enclosing function when it is not OK.
#define CAIRN_RETURN_IF_ERROR(expr)         \
  do {                                      \
    ::cairn::Status cairn_status_ = (expr); \
    if (!cairn_status_.ok()) {              \
      return cairn_status_;                 \
    }                                       \
  } while (0)

namespace cairn {

template <typename T>
Result<T>::Result(Status status) : value_(std::move(status)) {
  CAIRN_CHECK(!std::get<Status>(value_).ok());
}

template <typename T>
const Status& Result<T>::status() const {
  static const Status kOkStatus;
  return ok() ? kOkStatus : std::get<Status>(value_);
}

}  // namespace cairn
