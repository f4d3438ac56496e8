// Keyspace-wide operations. (Being written.)
#include "dataplane/engine/keyspace_ops.h"
