"""Suite-wide set-up: Qt draws offscreen so the tests run on machines with no display."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Keep Qt from reading the developer's own settings or accessibility bus.
os.environ.setdefault("QT_ACCESSIBILITY", "0")
os.environ.setdefault("NO_AT_BRIDGE", "1")
# A managed-settings file on the developer's machine (/etc/playbook) must not change what
# the tests see; tests about it point this at their own file.
os.environ.setdefault("PLAYBOOK_MANAGED_SETTINGS", os.devnull + ".playbook-tests-none")
