"""Entry point of the `keras-fgan` command.

`import keras_fgan` imports Keras and with it a backend, which takes seconds.
The command line module, `keras_fgan/cli.py`, imports nothing from the
package until a command runs, so this entry point executes it as
`keras_fgan.cli` without running the package's `__init__` first:
`keras-fgan --help`, `--version` and argument errors answer at once. The
commands then import `keras_fgan` as usual.
"""

import importlib.util
import sys
from pathlib import Path


def main():
    """Runs `keras_fgan.cli.main()` and returns its exit status."""
    module = sys.modules.get("keras_fgan.cli")
    if module is None:
        package = importlib.util.find_spec("keras_fgan")
        location = Path(next(iter(package.submodule_search_locations)), "cli.py")
        spec = importlib.util.spec_from_file_location("keras_fgan.cli", location)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    return module.main()


if __name__ == "__main__":
    sys.exit(main())
