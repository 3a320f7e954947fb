#include "analysis/report_job.h"

#include "common/log.h"

namespace dbinsight::analysis {

Result<std::string> StoreAnalysis(const pi::QueryEngine& engine, ReportStore& reports, const ReportRequest& request,
                                  WallTime now, const IndexAdvisor& advisor, Report* analyzed) {
  auto id = reports.Create(request.instance.id, now, request.start, request.end, request.tags);
  if (!id.ok()) return id.status();
  auto report = AnalyzeWindow(engine, request.instance, request.start, request.end, request.options, advisor);
  Status st = report.ok() ? reports.Finish(*id, ReportStatus::kSucceeded, report->ToJson(), "")
                          : reports.Finish(*id, ReportStatus::kFailed, "", report.status().ToString());
  if (!report.ok())
    log::Warn("analysis report {} of {} failed: {}", *id, request.instance.id, report.status().ToString());
  if (!st.ok() && st.code() != StatusCode::kNotFound) return st;  // NotFound: deleted meanwhile
  if (report.ok() && analyzed != nullptr) *analyzed = std::move(report).value();
  return id;
}

}  // namespace dbinsight::analysis
