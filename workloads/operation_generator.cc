// Stub (being implemented): KeySpace and OperationGenerator.
#include "workloads/workload.h"
