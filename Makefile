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
	-mgeneral-regs-only -mcmodel=small -fno-strict-aliasing -DGMV_GUEST \
	-fno-asynchronous-unwind-tables

# Sources. Each directory's files join their build by wildcard, so adding a
# file needs no Makefile change.
LIB_COMMON := lib/fmt.c lib/console.c lib/errno.c lib/ktap.c lib/memzero.c
# hv/ and its folders; a file ending _host.c is the host build's half of a
# module and one ending _hw.c the payload's (the machine's own), so neither
# needs an #ifdef.
HV_ALL := $(sort $(wildcard hv/*.c hv/*/*.c))
HV_SRCS := $(filter-out %_hw.c,$(HV_ALL))
HV_PAY_SRCS := $(filter-out %_host.c,$(HV_ALL))
# The helpers of every case written against hv/vmm.h, and the conformance
# cases: both in HOST_CORE and in the payload.
CASE_SRCS := guest-tests/vmm_case.c
CONF_SRCS := $(sort $(wildcard guest-tests/conformance/*.c))
COMMON_TEST_SRCS := $(sort $(wildcard tests/common/*.c))
# The host platform: console, test memory, the runners' command line.
HOST_PLAT_SRCS := $(sort $(wildcard plat/host/*.c))
HOST_TEST_SRCS := $(sort $(wildcard tests/host/*.c))
BOOT_C := $(sort $(wildcard boot/*.c))
BOOT_ASM := $(sort $(wildcard boot/*.asm))
HV_ASM := $(sort $(wildcard hv/*.asm hv/*/*.asm))
PAY_TEST_SRCS := $(sort $(wildcard tests/payload/*.c))

# The core and the shared suites, as built for the host.
HOST_CORE := $(LIB_COMMON) $(HV_SRCS) $(CASE_SRCS) $(CONF_SRCS) \
	$(COMMON_TEST_SRCS) $(HOST_PLAT_SRCS)

.PHONY: all deps payload host run test test-host test-san test-qemu bench \
	bench-golden \
	fuzz clean help format tools crosscheck test-cli test-crosscheck-sh \
	fuzz-diff test-fuzz-diff test-rmp-traces test-tdx-traces image test-image \
	test-console
all: payload host

help:
	@echo "make run      build and boot the suite under QEMU/OVMF"
	@echo "make run-bochs  the same under Bochs (RUN_ARGS=\"--cpu ryzen\" for SVM)"
	@echo "make test-bochs-vmx / test-bochs-svm  the payload's tests on Bochs tigerlake / ryzen"
	@echo "make test     host unit tests (plain and ASan+UBSan), QEMU run, script tests, Linux cross-check"
	@echo "make bench    benchmarks: host, native vs Linux gmem, guest paths, growth; CSVs and plots in $(B)/bench"
	@echo "make bench-golden  golden images against private copies: memory held, copy-on-write faults"
	@echo "make bench-check  the last make bench's ratios against bench/baseline.csv"
	@echo "make fuzz     fuzz the trace interpreter (FUZZ_SECONDS, default 60)"
	@echo "make fuzz-diff  differential fuzzing against Linux (FUZZ_DIFF_SECONDS, FUZZ_DIFF_OPS, FUZZ_DIFF_RUN)"
	@echo "make mutate   mutation testing of hv/ (MUTATE_SECONDS, default 600)"
	@echo "make payload  build $(B)/gmemvisor.efi only"
	@echo "make image    $(B)/gmemvisor.img, a bootable disk image (OPTIONS=\"filter=... pool=...\")"
	@echo "make test-guests  the guest-level cases on Linux /dev/kvm"
	@echo "make crosscheck-kernel  the cross-check against a Linux kernel booted under QEMU"

deps:
	@scripts/install-deps.sh

# ---------------------------------------------------------------- host
host: $(B)/host/unit-tests

# The host runners' --junit and --json run them under this script.
%/plat/host/kt_main.o: HOST_CFLAGS += \
	-DGMV_KTAP_REPORT='"$(abspath scripts/ktap-report.py)"'
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

# ------------------------------------------- Linux cross-check (host only)
# host-kernel/ (the linux VMM backend) and tools/ (gmem-replay, the fuzz
# target, the cross-check runner) use libc and /dev/kvm: they are never in
# the payload nor in HOST_CORE, and each binary lists what it links.
LINUX_SRCS := $(sort $(wildcard host-kernel/*.c))
REPLAY_LIB := tools/replay/trace_parse.c tools/replay/trace_exec.c \
	tools/replay/trace_rmp.c tools/replay/trace_tdx.c \
	tools/replay/backends.c
TOOL_CORE := $(HOST_CORE) $(LINUX_SRCS) $(REPLAY_LIB)
TOOL_OBJS := $(patsubst %.c,$(B)/host/%.o,$(TOOL_CORE))
TOOL_SAN_OBJS := $(patsubst %.c,$(B)/host-san/%.o,$(TOOL_CORE))

LINUX_TEST_SRCS := $(sort $(wildcard host-kernel/tests/*.c))

tools: $(B)/host/gmem-replay $(B)/host/linux-backend-tests \
	$(B)/host/conformance-linux

$(B)/host/conformance-linux: $(TOOL_OBJS) $(B)/host/tools/conformance/main.o
	$(call say,LD,$@)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) $^ -o $@
$(B)/host-san/conformance-linux: $(TOOL_SAN_OBJS) \
		$(B)/host-san/tools/conformance/main.o
	$(call say,LD,$@)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) $(SAN_FLAGS) $^ -o $@

$(B)/host/linux-backend-tests: $(TOOL_OBJS) \
		$(patsubst %.c,$(B)/host/%.o,$(LINUX_TEST_SRCS))
	$(call say,LD,$@)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) $^ -o $@
$(B)/host-san/linux-backend-tests: $(TOOL_SAN_OBJS) \
		$(patsubst %.c,$(B)/host-san/%.o,$(LINUX_TEST_SRCS))
	$(call say,LD,$@)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) $(SAN_FLAGS) $^ -o $@

$(B)/host/gmem-replay: $(TOOL_OBJS) $(B)/host/tools/replay/main.o
	$(call say,LD,$@)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) $^ -o $@
$(B)/host-san/gmem-replay: $(TOOL_SAN_OBJS) $(B)/host-san/tools/replay/main.o
	$(call say,LD,$@)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) $(SAN_FLAGS) $^ -o $@

# The fuzz target: the trace interpreter on the native backend.
FUZZ_SECONDS ?= 60
FUZZ_FLAGS := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
$(B)/fuzz/%.o: %.c
	$(call say,CC,$@)
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) $(FUZZ_FLAGS) -MMD -MP -c $< -o $@
$(B)/fuzz/fuzz-trace: $(patsubst %.c,$(B)/fuzz/%.o,$(TOOL_CORE) \
		tools/fuzz/fuzz_trace.c)
	$(call say,LD,$@)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) $(FUZZ_FLAGS) $^ -o $@

fuzz: deps $(B)/fuzz/fuzz-trace
	scripts/fuzz.sh $(B)/fuzz/fuzz-trace $(FUZZ_SECONDS)

crosscheck: tools
	scripts/crosscheck.sh

# Differential fuzzing, native against Linux (README, "make fuzz-diff").
# The seed traces and the fuzz allow-list are built into the binary so it
# runs alone inside a booted kernel.
FUZZ_DIFF_SRCS := $(sort $(wildcard tools/fuzzdiff/*.c))
FUZZ_DIFF_EMBED := traces/fuzz-divergences $(sort $(wildcard traces/*.trace))
$(B)/gen/fuzzdiff_embed.c: scripts/embed-text.sh $(FUZZ_DIFF_EMBED)
	@mkdir -p $(dir $@)
	$(Q)scripts/embed-text.sh $@ $(FUZZ_DIFF_EMBED)
$(B)/host/gen/fuzzdiff_embed.o: $(B)/gen/fuzzdiff_embed.c
	$(call say,CC,$@)
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) -c $< -o $@
$(B)/host/gmem-fuzz-diff: $(TOOL_OBJS) $(B)/host/gen/fuzzdiff_embed.o \
		$(patsubst %.c,$(B)/host/%.o,$(FUZZ_DIFF_SRCS))
	$(call say,LD,$@)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) $^ -o $@
FUZZ_DIFF_SECONDS ?= 60
FUZZ_DIFF_OPS ?=
fuzz-diff: $(B)/host/gmem-fuzz-diff
	FUZZ_DIFF_SECONDS=$(FUZZ_DIFF_SECONDS) FUZZ_DIFF_OPS=$(FUZZ_DIFF_OPS) \
		scripts/fuzz-diff.sh $(B)
# The fuzzer's own tests: a planted divergence is found, minimized and
# saved, an allowed one passes, bad options get their errors.
test-fuzz-diff: $(B)/host/gmem-fuzz-diff
	scripts/tests/fuzz-diff-test.sh $(B)/host/gmem-fuzz-diff
# The Linux-side runners linked -static, to run inside a booted kernel's
# minimal initramfs (scripts/linux-vm.sh): built by a second make into
# $(B)/static, with -Wno-unused-command-line-argument because -Werror
# would otherwise refuse -static on compile-only commands.
STATIC_RUNNERS := conformance-linux guests-linux linux-backend-tests \
	gmem-replay
.PHONY: static-runners crosscheck-kernel
static-runners:
	$(Q)$(MAKE) -s B=$(B)/static \
		HOST_CC='$(HOST_CC) -static -Wno-unused-command-line-argument' \
		$(addprefix $(B)/static/host/,$(STATIC_RUNNERS))

# The cross-check against a Linux kernel booted under QEMU (KERNEL= and
# MODULES= pick your own; default Debian's newest, built into the cache).
crosscheck-kernel: deps tools $(B)/host/guests-linux payload static-runners
	scripts/crosscheck-kernel.sh

# Mutation testing of hv/ (scripts/mutate.py, scripts/mutate-catalogue):
# slow, so not part of `make test`. MUTATE_SECONDS bounds it (default 600);
# MUTATE_ONLY, MUTATE_SEED, MUTATE_TIMEOUT, MUTATE_SAN, MUTATE_QEMU: see
# the script.
.PHONY: mutate
mutate: deps
	scripts/mutate.py

# --------------------------------------------------------- test guests
# Each guest-tests/guests/NAME.c is one guest program: linked with the
# guest runtime (guest-tests/lib/, lib/mem.c, lib/fmt.c) by ld.lld -T
# linker.ld, flattened to $(B)/guest/NAME.bin and embedded, by
# guest-tests/images.asm and the generated images.inc, in host binaries
# (-f elf64) and in the payload (-f win64). The host side (loader, runner,
# guest-level cases) is backend-neutral C in guest-tests/ and
# guest-tests/cases/; $(B)/host/guests-linux runs the cases on /dev/kvm.
GUEST_PROGS := $(sort $(wildcard guest-tests/guests/*.c))
GUEST_NAMES := $(notdir $(GUEST_PROGS:.c=))
GUEST_RT := $(sort $(wildcard guest-tests/lib/*.c)) lib/mem.c lib/fmt.c
GUEST_RT_OBJS := $(patsubst %.c,$(B)/guest/%.o,$(GUEST_RT))
GUEST_BINS := $(patsubst %,$(B)/guest/%.bin,$(GUEST_NAMES))
GUEST_HOST_SRCS := $(filter-out $(CASE_SRCS),$(sort $(wildcard \
	guest-tests/*.c guest-tests/cases/*.c)))
GUESTS_LINUX_SRCS := $(GUEST_HOST_SRCS) $(LINUX_SRCS) \
	$(sort $(wildcard host-kernel/guests/*.c))

.PHONY: guests test-guests FORCE
.PRECIOUS: $(B)/guest/%.o $(B)/guest/%.elf $(B)/host/bench/%.o
guests: $(GUEST_BINS)

$(B)/guest/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC,$@)
	$(Q)$(PAY_CC) $(GUEST_CFLAGS) -MMD -MP -c $< -o $@
$(B)/guest/%.elf: $(B)/guest/guest-tests/guests/%.o $(GUEST_RT_OBJS) linker.ld
	$(call say,LD,$@)
	$(Q)$(LD_LLD) -T linker.ld -nostdlib -static -z max-page-size=4096 \
		$(filter %.o,$^) -o $@
$(B)/guest/%.bin: $(B)/guest/%.elf
	$(call say,OBJCOPY,$@)
	$(Q)$(OBJCOPY) -O binary $< $@

# The image list, rewritten only when the set of guests changes; its
# temporary file is the shell's own, as make runs beside make in make test.
$(B)/guest/images.inc: FORCE
	@mkdir -p $(dir $@)
	@t=$@.$$$$.tmp; printf '%s\n' $(foreach n,$(GUEST_NAMES),\
		'GUEST_IMAGE $(n), "$(B)/guest/$(n).bin"') >$$t && \
	{ cmp -s $$t $@ && rm $$t || mv $$t $@; }
$(B)/host/guest-images.o: guest-tests/images.asm $(B)/guest/images.inc \
		$(GUEST_BINS)
	$(call say,AS,$@)
	$(Q)$(NASM) -f elf64 -I$(B)/guest/ $< -o $@
$(B)/efi/guest-images.obj: guest-tests/images.asm $(B)/guest/images.inc \
		$(GUEST_BINS)
	@mkdir -p $(dir $@)
	$(call say,AS,$@)
	$(Q)$(NASM) -f win64 -I$(B)/guest/ $< -o $@

$(B)/host/guests-linux: $(patsubst %.c,$(B)/host/%.o,$(HOST_CORE) \
		$(GUESTS_LINUX_SRCS)) $(B)/host/guest-images.o
	$(call say,CC,$@)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) $^ -o $@
$(B)/host-san/guests-linux: $(patsubst %.c,$(B)/host-san/%.o,$(HOST_CORE) \
		$(GUESTS_LINUX_SRCS)) $(B)/host/guest-images.o
	$(call say,CC,$@)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) $(SAN_FLAGS) $^ -o $@

# The side-by-side gmem benchmark, native against Linux, and the guest
# paths on Linux (bench/linux/; scripts/bench.sh runs it).
BENCH_LINUX_SRCS := $(sort $(wildcard bench/linux/*.c))
$(B)/host/bench-linux: $(TOOL_OBJS) $(patsubst %.c,$(B)/host/%.o, \
		$(BENCH_LINUX_SRCS) $(GUEST_HOST_SRCS)) $(B)/host/guest-images.o
	$(call say,LD,$@)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) $^ -o $@

test-guests: $(B)/host/guests-linux
	$(B)/host/guests-linux $(TEST_ARGS)

# The payload carries the images and the guest-level cases too.
$(B)/gmemvisor.efi: $(patsubst %.c,$(B)/efi/%.obj,$(GUEST_HOST_SRCS)) \
	$(B)/efi/guest-images.obj

# ------------------------------------------------------------- payload
payload: $(B)/gmemvisor.efi

PAY_OBJS := $(patsubst %.c,$(B)/efi/%.obj,$(BOOT_C) $(LIB_COMMON) lib/mem.c \
	$(HV_PAY_SRCS) $(CASE_SRCS) $(CONF_SRCS) $(COMMON_TEST_SRCS) \
	$(PAY_TEST_SRCS)) \
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

# --------------------------------------------------------------- image
# A disk image for real machines: GPT, EFI system partition, the payload
# as EFI/BOOT/BOOTX64.EFI and (with OPTIONS="...") the options file.
# Always rebuilt: it is quick and OPTIONS may have changed.
OPTIONS ?=
image: deps payload
	scripts/make-image.sh $(B)/gmemvisor.efi $(B)/gmemvisor.img "$(OPTIONS)"

# ---------------------------------------------------------------- runs
run: deps payload
	scripts/run-qemu.sh $(RUN_ARGS)
# The payload under Bochs (installed on first use): RUN_ARGS="--cpu ryzen"
# for its SVM, the default tigerlake for Intel.
.PHONY: run-bochs
run-bochs: deps payload
	scripts/run-bochs.sh $(RUN_ARGS)

test: deps
	scripts/test-all.sh

test-host: $(B)/host/unit-tests
	$(B)/host/unit-tests $(TEST_ARGS)
test-san: $(B)/host-san/unit-tests
	$(B)/host-san/unit-tests $(TEST_ARGS)
test-qemu: payload
	scripts/run-qemu.sh $(RUN_ARGS)
# Disk images booted with no fw_cfg options: the options file is used.
test-image: deps payload
	scripts/tests/image-test.sh
# Where the console goes: console=, ACPI SPCR, COM2, MMIO, the ConOut mirror.
test-console: deps payload
	scripts/tests/console-test.sh
# Bad command-line input and files get their clear error.
test-cli: tools host payload
	scripts/tests/cli-test.sh
# The native-only RMP traces against their reasoned outputs (no /dev/kvm).
test-rmp-traces: $(B)/host/gmem-replay
	scripts/model-traces.sh rmp
# The native-only TDX module traces against their reasoned outputs.
test-tdx-traces: $(B)/host/gmem-replay
	scripts/model-traces.sh tdx
# scripts/crosscheck.sh against fake runners: what must make it fail does.
test-crosscheck-sh: tools
	scripts/tests/crosscheck-test.sh
# The payload on Bochs, the two Bochs columns of the matrix (with the
# payload under QEMU): an Intel model (VMX) and an AMD one (SVM with NRIPS,
# decode assists, FlushByAsid and clean bits). The KTAP is kept for the
# cross-check table (scripts/crosscheck-kernel.sh).
.PHONY: test-bochs-vmx test-bochs-svm
test-bochs-vmx: deps payload
	rm -f $(B)/bochs-tigerlake.ktap
	scripts/run-bochs.sh --cpu tigerlake --timeout 900 --log $(B)/bochs-tigerlake.ktap $(RUN_ARGS)
test-bochs-svm: deps payload
	rm -f $(B)/bochs-ryzen.ktap
	scripts/run-bochs.sh --cpu ryzen --timeout 900 --log $(B)/bochs-ryzen.ktap $(RUN_ARGS)

# run-qemu.sh and run-bochs.sh on the real emulators, with a failing case,
# a triple fault and a hang planted on purpose (runner_endings).
.PHONY: test-run-endings
test-run-endings: deps payload
	scripts/tests/run-endings-test.sh

# scripts/run-bochs.sh against a fake Bochs: each failure gives its reason.
.PHONY: test-run-bochs-sh
test-run-bochs-sh: payload
	scripts/tests/run-bochs-test.sh
# scripts/ktap-report.py on hand-made KTAP (the exact JUnit XML and JSON)
# and through a host runner's --junit and --json.
.PHONY: test-ktap-report
test-ktap-report: $(B)/host/unit-tests
	scripts/tests/ktap-report-test.sh $(B)/host/unit-tests
# scripts/linux-vm.sh against a fake QEMU: each failure gives its reason.
.PHONY: test-linux-vm-sh
test-linux-vm-sh: deps
	scripts/tests/linux-vm-test.sh

# Benchmarks (scripts/bench.sh): the host benchmarks, native vs Linux in
# one run (here on /dev/kvm, else inside a booted kernel, hence the static
# build), the guest paths (payload under QEMU, Linux KVM), callgrind's
# counts; tables, $(B)/bench/*.csv and plots. bench-check compares the
# run's ratios with bench/baseline.csv (a report; exit 0 unless it cannot
# run).
.PHONY: bench-deps static-bench bench-check test-bench-check
bench-deps:
	@scripts/install-deps.sh bench
$(patsubst %.c,$(B)/host/%.o,$(BENCH_LINUX_SRCS)): | bench-deps
static-bench: bench-deps
	$(Q)$(MAKE) -s B=$(B)/static \
		HOST_CC='$(HOST_CC) -static -Wno-unused-command-line-argument' \
		$(B)/static/host/bench-linux
bench: deps bench-deps $(BENCH_BINS) $(B)/host/bench-linux payload \
		static-bench
	@B=$(B) scripts/bench.sh
BENCH_TIME_TOLERANCE ?= 1.0
bench-check:
	@scripts/bench-check.py --time-tolerance $(BENCH_TIME_TOLERANCE) \
		$(B)/bench/results.csv bench/baseline.csv
# bench-check's parsing and flagging on hand-made files.
test-bench-check:
	@scripts/tests/bench-check-test.sh

# Golden images against private copies (bench/golden.c).
bench-golden: deps $(B)/host/bench-golden
	$(B)/host/bench-golden

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(B)

-include $(shell find $(B) -name '*.d' 2>/dev/null)
