// The CloudWatch AWS/RDS instance metrics, under their CloudWatch names and
// units. DatabaseConnections and ReplicaLag come from the engine samplers;
// the rest from collect/os/HostMetrics (docs/os-metrics.md). Constant table;
// safe from any thread.
#include "model/metric_catalog.h"

namespace dbinsight::model {

namespace {

constexpr MetricInfo kInstanceMetrics[] = {
    {"DatabaseConnections", "Count", "Client connections to the database."},
    {"CPUUtilization", "Percent", "Share of the host's CPU time in use."},
    {"ReadIOPS", "Count/Second", "Read requests per second on the data directory's device."},
    {"WriteIOPS", "Count/Second", "Write requests per second on the data directory's device."},
    {"ReadLatency", "Seconds", "Average time per read request on the data directory's device."},
    {"WriteLatency", "Seconds", "Average time per write request on the data directory's device."},
    {"ReadThroughput", "Bytes/Second", "Bytes read per second from the data directory's device."},
    {"WriteThroughput", "Bytes/Second", "Bytes written per second to the data directory's device."},
    {"FreeableMemory", "Bytes", "Memory available without swapping (MemAvailable)."},
    {"FreeStorageSpace", "Bytes", "Space available to the database on the data directory's file system."},
    {"ReplicaLag", "Seconds", "How far a replica's replay is behind its primary."},
};

}  // namespace

std::span<const MetricInfo> InstanceMetrics() { return kInstanceMetrics; }

}  // namespace dbinsight::model
