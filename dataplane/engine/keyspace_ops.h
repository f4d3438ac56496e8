// Keyspace-wide operations on keys of any type: rename, copy, move, scan, random key.
// (Being written.)
#pragma once
