"""The frozen build's entry point: the same ``playbook`` command as the console script."""

import sys

from desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
