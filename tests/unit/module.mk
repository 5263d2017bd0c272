# The top-level Makefile includes module.mk files only two directories
# deep; this one brings in the unit test fragments below tests/unit.
include tests/unit/kernel/module.mk
