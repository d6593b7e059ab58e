"""Pure-Python rules of Playbook. Imports nothing internal and nothing from Qt."""
