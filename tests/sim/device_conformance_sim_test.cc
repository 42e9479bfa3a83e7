// The device-conformance suite (tests/env/device_conformance.h) on SimDevice
// without faults: the simulator must be observably the same device as the
// real ones.
#include <memory>
#include <string>

#include "sim/sim_device.h"
#include "tests/env/device_conformance.h"

namespace kvlab {
namespace {

INSTANTIATE_TEST_SUITE_P(Sim, DeviceConformanceTest,
                         ::testing::Values(DeviceFactory([](std::string /*root*/) {
                           return std::unique_ptr<Device>(
                               new sim::SimDevice(/*seed=*/1, sim::FaultProfile::None()));
                         })));

}  // namespace
}  // namespace kvlab
