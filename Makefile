# umk top-level build. Each layer adds its targets through a module.mk
# fragment so that parts can grow without editing one shared list.
.DEFAULT_GOAL := all
B := build
CC ?= gcc
ifeq ($(CC),cc)
CC := gcc
endif
WARN := -Wall -Wextra -Werror
CFLAGS_COMMON := -std=gnu11 -O2 -g $(WARN) -fno-strict-aliasing
HOST_CFLAGS := $(CFLAGS_COMMON) -D_GNU_SOURCE -Iinclude
SANITIZE := -fsanitize=address,undefined -fno-omit-frame-pointer

# kernel-glue may include only freestanding compiler headers and the Linux
# uapi headers: enforce it by building with an include path that holds
# nothing else (see scripts/uapi-dir.sh).
UAPI_DIR := $(B)/uapi
KERNEL_CFLAGS := $(CFLAGS_COMMON) -nostdinc -isystem $(shell $(CC) -print-file-name=include) \
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

test: deps all $(TEST_DEPS)
	@bash tests/run-all.sh

run: deps all rootfs
	@bash scripts/run-default.sh

bench: deps all $(TEST_DEPS)
	@bash tests/bench/run.sh

clean:
	rm -rf $(B)
