// dbinsight: the single binary. Subcommands: serve (and later top, anomaly).
#include <CLI/CLI.hpp>

#include "app/serve.h"

int main(int argc, char** argv) {
  CLI::App cli{"dbinsight: database performance insights for PostgreSQL"};
  cli.require_subcommand(1);
  std::string config_path;
  auto* serve = cli.add_subcommand("serve", "Sample the configured instances and serve the APIs");
  serve->add_option("--config,-c", config_path, "YAML config file")->required()->check(CLI::ExistingFile);
  CLI11_PARSE(cli, argc, argv);
  if (serve->parsed()) return dbinsight::app::Serve(config_path);
  return 0;
}
