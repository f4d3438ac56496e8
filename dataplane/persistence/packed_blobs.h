// Decoders of the packed blobs Redis writes inside RDB values: listpack (RDB_TYPE_HASH_LISTPACK,
// QUICKLIST_2 packed nodes), ziplist (HASH_ZIPLIST, LIST_ZIPLIST, LIST_QUICKLIST nodes) and
// intset (SET_INTSET). Every blob is validated completely before any element is used: header
// sizes, each entry's encoding and bounds, listpack back-lengths, ziplist prev-lengths and tail
// offset, the element count, the terminator, and an intset's ordering. A bad blob is an error
// (InvalidArgument with the reason), never a crash. Integers come back as their decimal text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "dataplane/base/status.h"

namespace cairn::persistence {

// The elements of a listpack, in order.
Result<std::vector<std::string>> DecodeListpack(std::string_view blob);
// The elements of a ziplist, in order.
Result<std::vector<std::string>> DecodeZiplist(std::string_view blob);
// The members of an intset, ascending (strictly: duplicates are corruption).
Result<std::vector<std::string>> DecodeIntset(std::string_view blob);

// Encodes `items` as Redis 7.0's listpack.c writes them (listpack_writer.cc): elements that are
// canonical integers (string2ll) take the integer encodings, others the 6/12/32-bit string
// encodings, each followed by its back-length; the header counts at most 65535 elements
// (65535 = "count it"). The bytes equal Redis's for the same elements.
std::string EncodeListpack(const std::vector<std::string>& items);

}  // namespace cairn::persistence
