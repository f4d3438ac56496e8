// Bit operations on string values. (Being written.)
#include "dataplane/engine/types/bitops.h"
