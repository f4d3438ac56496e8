// cairnctl: the command-line client of the Cairn control plane (docs/cairnctl.md).
#include <iostream>

#include "controlplane/cli/app.h"

int main(int argc, char** argv) {
  return cairn::controlplane::cli::RunCairnctl(argc, argv, cairn::controlplane::cli::ProcessEnv(),
                                               std::cout, std::cerr);
}
