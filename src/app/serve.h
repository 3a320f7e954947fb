// `dbinsight serve`: wires config → store → collectors → PI engine → API and
// runs until SIGTERM/SIGINT. The composition root for the serving process.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "analysis/index_advice.h"
#include "collect/sampler.h"
#include "config/config.h"
#include "sql/normalizer.h"

namespace dbinsight::app {

// The engine's sampler for a configured instance (serve and top share it).
// normalizer must outlive the sampler.
std::unique_ptr<collect::Sampler> MakeSampler(const config::InstanceConfig& ic, sql::NormalizerCache& normalizer);

// Index advice for the instances of a config (serve's reports and
// `dbinsight report` share it); the advisors live as long as the result.
analysis::IndexAdvisors MakeIndexAdvisors(const std::vector<config::InstanceConfig>& instances);

// Returns the process exit code: 0 after a graceful shutdown, 2 for a bad
// config, 1 when the store or the listener cannot start.
int Serve(const std::string& config_path);

}  // namespace dbinsight::app
