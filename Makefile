# umk top-level build. Each layer adds its targets through a module.mk
# fragment so that parts can grow without editing one shared list.
.DEFAULT_GOAL := all

# Two phases, so that `make test`, `make run` and `make bench` work on a
# fresh Debian 12 that has nothing but make. Reading the build below
# already needs tools: $(shell $(CC) ...), and any module.mk may run a
# compiler, find, pkg-config, ... with $(shell) or look for files with
# $(wildcard) when it is read. So for those goals this Makefile first
# reads only the few lines below, which install what is missing
# (scripts/install-deps.sh), and then runs the real build in a second
# make of this same Makefile (UMK_DEPS_DONE=1), which reads everything
# with the tools in place. Nothing in a module.mk has to care; `-j` and
# every command-line variable (TESTS=, CC=, ...) reach the second make.
# Other goals (all, rootfs, file targets, clean) build at once.
DEPS_GOALS := test run bench
ifndef UMK_DEPS_DONE
ifneq ($(filter $(DEPS_GOALS),$(MAKECMDGOALS)),)
UMK_INSTALL_PHASE := 1
endif
endif

ifdef UMK_INSTALL_PHASE
.PHONY: $(MAKECMDGOALS) umk-install-then-build
$(MAKECMDGOALS): umk-install-then-build
	@:
umk-install-then-build:
	@sh scripts/install-deps.sh
	@$(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST)) UMK_DEPS_DONE=1 $(MAKECMDGOALS)

else
B := build
CC ?= gcc
ifeq ($(CC),cc)
CC := gcc
endif
# Any other goal that builds, without a compiler: one clear line instead of
# a cascade of errors.
ifneq ($(filter-out clean deps,$(or $(MAKECMDGOALS),$(.DEFAULT_GOAL))),)
ifeq ($(shell command -v $(firstword $(CC)) 2>/dev/null),)
$(error $(firstword $(CC)) is not installed: run `make deps` first (make test, make run and make bench install what is missing themselves))
endif
endif
WARN := -Wall -Wextra -Werror
CFLAGS_COMMON := -std=gnu11 -O2 -g $(WARN) -fno-strict-aliasing
HOST_CFLAGS := $(CFLAGS_COMMON) -D_GNU_SOURCE -Iinclude
SANITIZE := -fsanitize=address,undefined -fno-omit-frame-pointer

# kernel-glue may include only freestanding compiler headers and the Linux
# uapi headers: enforce it by building with an include path that holds
# nothing else (see scripts/uapi-dir.sh).
UAPI_DIR := $(B)/uapi
KERNEL_CFLAGS := $(CFLAGS_COMMON) -nostdinc -isystem $(shell $(CC) -print-file-name=include 2>/dev/null) \
	-isystem $(UAPI_DIR) -Ikernel-glue/include -Iinclude -fno-builtin-printf \
	-ffreestanding -fno-stack-protector -fno-omit-frame-pointer -mgeneral-regs-only

ALL_TARGETS :=
TEST_DEPS :=
CLEAN_FILES :=

$(UAPI_DIR)/.stamp: scripts/uapi-dir.sh
	@sh scripts/uapi-dir.sh $(UAPI_DIR)
	@touch $@

include $(wildcard */module.mk) $(wildcard */*/module.mk)

.PHONY: all test run bench clean deps rootfs
all: $(ALL_TARGETS)

deps:
	@sh scripts/install-deps.sh

# `make test TESTS="tests/bats/boot.bats ..."` runs only those bats files
# (and no C unit tests); the build is the same.
test: all $(TEST_DEPS)
	@bash tests/run-all.sh $(TESTS)

run: all rootfs
	@bash scripts/run-default.sh

bench: all $(TEST_DEPS)
	@bash tests/bench/run.sh

clean:
	rm -rf $(B)

endif
