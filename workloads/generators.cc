// Stub (being implemented): generators.
#include "workloads/generators.h"
