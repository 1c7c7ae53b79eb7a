# gmemvisor - one build for the UEFI payload, the test guests and the host
# tools. `make help` lists the targets.
#
# Payload route: clang --target=x86_64-unknown-windows + lld-link
# /subsystem:efi_application. It makes a PE32+ image in one link with no
# ELF->PE conversion (objcopy's -j list silently drops sections), uses
# GNU-EFI only for its headers, and makes every call MS-ABI, as UEFI wants.
# The test guests are ELF images linked by ld.lld with linker.ld at fixed
# guest addresses, flattened to binaries and embedded in the payload.

B := build
# V=1 shows the full commands.
ifeq ($(V),1)
Q :=
say = @true
else
Q := @
say = @printf '  %-8s %s\n' $(1) $(2)
endif
HOST_CC := clang
PAY_CC := clang
NASM := nasm
LLD_LINK := lld-link
LD_LLD := ld.lld
OBJCOPY := llvm-objcopy

WARN := -Wall -Wextra -Werror -Wno-unused-parameter
HOST_CFLAGS := -std=gnu11 -O2 -g $(WARN) -I. -DGMV_HOST -fno-strict-aliasing
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
PAY_CFLAGS := -std=gnu11 -O2 $(WARN) -I. -I/usr/include/efi \
	-I/usr/include/efi/x86_64 --target=x86_64-unknown-windows \
	-ffreestanding -fshort-wchar -mno-red-zone -fno-stack-protector \
	-mno-stack-arg-probe -mgeneral-regs-only -fno-strict-aliasing \
	-DGMV_PAYLOAD
GUEST_CFLAGS := -std=gnu11 -O2 $(WARN) -I. --target=x86_64-unknown-none-elf \
	-ffreestanding -fno-pic -mno-red-zone -fno-stack-protector \
	-mgeneral-regs-only -mcmodel=kernel -fno-strict-aliasing -DGMV_GUEST

# Sources. Each directory's files join their build by wildcard, so adding a
# file needs no Makefile change.
LIB_COMMON := lib/fmt.c lib/console.c lib/errno.c lib/ktap.c lib/memzero.c
HV_SRCS := $(sort $(wildcard hv/*.c))
CONF_SRCS := $(sort $(wildcard guest-tests/conformance/*.c))
COMMON_TEST_SRCS := $(sort $(wildcard tests/common/*.c))
HOST_PLAT_SRCS := $(sort $(wildcard tests/host/plat/*.c))
HOST_TEST_SRCS := $(sort $(wildcard tests/host/*.c))
BOOT_C := $(sort $(wildcard boot/*.c))
BOOT_ASM := $(sort $(wildcard boot/*.asm))
HV_ASM := $(sort $(wildcard hv/*.asm))
PAY_TEST_SRCS := $(sort $(wildcard tests/payload/*.c))

# The core and the shared suites, as built for the host.
HOST_CORE := $(LIB_COMMON) $(HV_SRCS) $(CONF_SRCS) $(COMMON_TEST_SRCS) \
	$(HOST_PLAT_SRCS)

.PHONY: all deps payload host run test test-host test-san test-qemu bench \
	fuzz clean help format
all: payload host

help:
	@echo "make run      build and boot the suite under QEMU/OVMF"
	@echo "make test     host unit tests (plain and ASan+UBSan), QEMU run, Linux cross-check"
	@echo "make bench    host benchmarks (allocator, gmem, npt)"
	@echo "make fuzz     fuzz the trace interpreter (FUZZ_SECONDS, default 60)"
	@echo "make payload  build $(B)/gmemvisor.efi only"

deps:
	@scripts/install-deps.sh

# ---------------------------------------------------------------- host
host: $(B)/host/unit-tests

$(B)/host/%.o: %.c
	$(call say,CC,$@)
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) -MMD -MP -c $< -o $@
$(B)/host-san/%.o: %.c
	$(call say,CC,$@)
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) $(SAN_FLAGS) -MMD -MP -c $< -o $@

HOST_OBJS := $(patsubst %.c,$(B)/host/%.o,$(HOST_CORE) $(HOST_TEST_SRCS))
SAN_OBJS := $(patsubst %.c,$(B)/host-san/%.o,$(HOST_CORE) $(HOST_TEST_SRCS))

$(B)/host/unit-tests: $(HOST_OBJS)
	$(call say,LD,$@)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) $^ -o $@
$(B)/host-san/unit-tests: $(SAN_OBJS)
	$(call say,LD,$@)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) $(SAN_FLAGS) $^ -o $@

# Benchmarks: one binary per file in bench/, linked with the core.
BENCH_SRCS := $(sort $(wildcard bench/*.c))
BENCH_BINS := $(patsubst bench/%.c,$(B)/host/bench-%,$(BENCH_SRCS))
$(B)/host/bench-%: $(B)/host/bench/%.o $(patsubst %.c,$(B)/host/%.o,$(HOST_CORE))
	$(call say,LD,$@)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) $^ -o $@

# ------------------------------------------------------------- payload
payload: $(B)/gmemvisor.efi

PAY_OBJS := $(patsubst %.c,$(B)/efi/%.obj,$(BOOT_C) $(LIB_COMMON) lib/mem.c \
	$(HV_SRCS) $(CONF_SRCS) $(COMMON_TEST_SRCS) $(PAY_TEST_SRCS)) \
	$(patsubst %.asm,$(B)/efi/%.obj,$(BOOT_ASM) $(HV_ASM))

$(B)/efi/%.obj: %.c
	$(call say,CC,$@)
	@mkdir -p $(dir $@)
	$(Q)$(PAY_CC) $(PAY_CFLAGS) -MMD -MP -c $< -o $@
$(B)/efi/%.obj: %.asm
	$(call say,AS,$@)
	@mkdir -p $(dir $@)
	$(Q)$(NASM) -f win64 -I. -MD $(@:.obj=.d) $< -o $@

$(B)/gmemvisor.efi: $(PAY_OBJS)
	$(call say,LINK,$@)
	$(Q)$(LLD_LINK) /nologo /subsystem:efi_application /entry:efi_main \
		/nodefaultlib /debug:none /out:$@ $^

# ---------------------------------------------------------------- runs
run: deps payload
	scripts/run-qemu.sh $(RUN_ARGS)

test: deps
	scripts/test-all.sh

test-host: $(B)/host/unit-tests
	$(B)/host/unit-tests $(TEST_ARGS)
test-san: $(B)/host-san/unit-tests
	$(B)/host-san/unit-tests $(TEST_ARGS)
test-qemu: payload
	scripts/run-qemu.sh $(RUN_ARGS)

bench: deps $(BENCH_BINS)
	@for b in $(BENCH_BINS); do $$b || exit 1; done

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(B)

-include $(shell find $(B) -name '*.d' 2>/dev/null)
