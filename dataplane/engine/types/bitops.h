// Bit operations on string values (SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD).
// (Being written.)
#pragma once
