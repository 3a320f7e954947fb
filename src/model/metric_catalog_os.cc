// The os.* family: Enhanced Monitoring's OS metrics under their Performance
// Insights names, as collect/os/HostMetrics computes them from /proc and
// statvfs (formulas: docs/os-metrics.md). Constant table; safe from any thread.
#include "model/metric_catalog.h"

namespace dbinsight::model {

namespace {

constexpr MetricInfo kOsMetrics[] = {
    {"os.cpuUtilization.user", "Percent", "CPU time in user programs, guest time excluded."},
    {"os.cpuUtilization.nice", "Percent", "CPU time in user programs at lowered priority (nice), guest time excluded."},
    {"os.cpuUtilization.system", "Percent", "CPU time in the kernel."},
    {"os.cpuUtilization.wait", "Percent", "CPU time idle while waiting for I/O."},
    {"os.cpuUtilization.irq", "Percent", "CPU time serving hardware and software interrupts."},
    {"os.cpuUtilization.steal", "Percent", "CPU time taken by other virtual machines on the same host."},
    {"os.cpuUtilization.guest", "Percent", "CPU time running guest virtual machines."},
    {"os.cpuUtilization.idle", "Percent", "CPU time idle."},
    {"os.cpuUtilization.total", "Percent", "CPU time in use: 100 minus idle (includes nice and I/O wait)."},
    {"os.loadAverageMinute.one", "Processes",
     "Load average over the last minute: runnable plus uninterruptible tasks."},
    {"os.loadAverageMinute.five", "Processes", "Load average over the last 5 minutes."},
    {"os.loadAverageMinute.fifteen", "Processes", "Load average over the last 15 minutes."},
    {"os.memory.total", "KB", "Total usable memory."},
    {"os.memory.free", "KB", "Memory not used for anything."},
    {"os.memory.cached", "KB", "Page cache: memory caching file contents."},
    {"os.memory.buffers", "KB", "Memory buffering block-device I/O."},
    {"os.memory.active", "KB", "Memory used recently, not reclaimed unless needed."},
    {"os.memory.inactive", "KB", "Memory used less recently, first to be reclaimed."},
    {"os.memory.dirty", "KB", "Memory modified and not yet written to storage."},
    {"os.memory.writeback", "KB", "Dirty memory being written to storage now."},
    {"os.memory.slab", "KB", "Kernel data-structure caches."},
    {"os.memory.mapped", "KB", "File contents mapped into process address spaces."},
    {"os.memory.pageTables", "KB", "Memory used by page tables."},
    {"os.memory.hugePagesTotal", "Pages", "Huge pages in the pool."},
    {"os.memory.hugePagesFree", "Pages", "Huge pages in the pool not allocated."},
    {"os.memory.hugePagesSize", "KB", "Size of one huge page."},
    {"os.memory.available", "KB", "Memory available to new work without swapping (MemAvailable)."},
    {"os.swap.total", "KB", "Total swap space."},
    {"os.swap.free", "KB", "Unused swap space."},
    {"os.swap.cached", "KB", "Memory that is also in swap, freeable without I/O."},
    {"os.swap.in", "KB per second", "Memory swapped in from disk."},
    {"os.swap.out", "KB per second", "Memory swapped out to disk."},
    {"os.tasks.running", "Processes", "Threads runnable now (procs_running)."},
    {"os.tasks.blocked", "Processes", "Threads blocked in uninterruptible wait, usually I/O (procs_blocked)."},
    {"os.tasks.sleeping", "Processes", "Processes sleeping."},
    {"os.tasks.stopped", "Processes", "Processes stopped by a signal or a debugger."},
    {"os.tasks.zombie", "Processes", "Processes that exited and wait for their parent to collect them."},
    {"os.tasks.total", "Processes", "All processes."},
    {"os.diskIO.readIOsPS", "Requests per second", "Read requests completed on the data directory's device."},
    {"os.diskIO.writeIOsPS", "Requests per second", "Write requests completed on the data directory's device."},
    {"os.diskIO.readKbPS", "KB per second", "Data read from the data directory's device."},
    {"os.diskIO.writeKbPS", "KB per second", "Data written to the data directory's device."},
    {"os.diskIO.readKb", "KB", "Data read from the data directory's device in the interval."},
    {"os.diskIO.writeKb", "KB", "Data written to the data directory's device in the interval."},
    {"os.diskIO.rrqmPS", "Requests per second",
     "Read requests merged with an adjacent one before reaching the device."},
    {"os.diskIO.wrqmPS", "Requests per second",
     "Write requests merged with an adjacent one before reaching the device."},
    {"os.diskIO.tps", "Transactions per second", "Read and write requests completed."},
    {"os.diskIO.await", "Milliseconds per request", "Average time per request, queueing included."},
    {"os.diskIO.util", "Percent", "Share of the interval the device had requests in flight."},
    {"os.diskIO.avgQueueLen", "Requests", "Average number of requests queued or in service."},
    {"os.diskIO.avgReqSz", "KB", "Average size of a completed request."},
    {"os.network.rx", "Bytes per second", "Bytes received on all non-loopback interfaces."},
    {"os.network.tx", "Bytes per second", "Bytes sent on all non-loopback interfaces."},
    {"os.fileSys.total", "KB", "Size of the data directory's file system."},
    {"os.fileSys.used", "KB", "Space used on the data directory's file system."},
    {"os.fileSys.usedPercent", "Percent", "Used space as a share of the space usable by the database (as df)."},
    {"os.fileSys.maxFiles", "Files", "Files (inodes) the data directory's file system can hold."},
    {"os.fileSys.usedFiles", "Files", "Files (inodes) in use on the data directory's file system."},
    {"os.fileSys.usedFilePercent", "Percent", "Inodes in use as a share of maxFiles."},
};

}  // namespace

std::span<const MetricInfo> OsMetrics() { return kOsMetrics; }

}  // namespace dbinsight::model
