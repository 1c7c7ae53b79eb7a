/* SPDX-License-Identifier: MIT */
/*
 * guest-tests/guests/programs.h - the protocol of each test guest program:
 * its arguments, its GUEST_SYNC stages and what the host does at each,
 * and the constants both sides use. Guest programs are NAME.c in this
 * directory; the matching host side is in guest-tests/cases/.
 */
#ifndef GMV_GUEST_TESTS_GUESTS_PROGRAMS_H
#define GMV_GUEST_TESTS_GUESTS_PROGRAMS_H

#include "lib/types.h"

/*
 * harness(key, mask): the report channel itself.
 *  SYNC(1, key ^ mask); OUT 1, 2, 4 bytes of HARNESS_OUT* to
 *  GUEST_TEST_PORT; IN 4 bytes from it, which must be ~key; a PRINT;
 *  SYNC(2, line of the next statement); then an assertion that fails on
 *  purpose (GUEST_ASSERT_EQ(in, mask)) for the host to inspect.
 */
#define HARNESS_OUT8 0x5aU
#define HARNESS_OUT16 0xbeefU
#define HARNESS_OUT32 0xcafef00dU

/*
 * shared_rw(gpa, len): guest writes SHARED_RW_GUEST_SEED over the range;
 *  SYNC(1): host checks it through the gmem mapping and by GPA, then
 *  writes SHARED_RW_HOST_SEED; the guest then verifies the host's data.
 */
#define SHARED_RW_GUEST_SEED 0x5e1ULL
#define SHARED_RW_HOST_SEED 0x405eULL

/*
 * punch(gpa, len = PUNCH_PAGES pages): guest writes PUNCH_SEED;
 *  SYNC(1): host punches PUNCH_HOLE_COUNT pages from PUNCH_HOLE_FIRST and
 *  writes PUNCH_HOST_SEED into page PUNCH_HOST_PAGE; the guest verifies
 *  zeros in the hole, the host page, PUNCH_SEED elsewhere, then writes
 *  PUNCH_REFILL_SEED into the hole;
 *  SYNC(2): host sees the refill through the gmem mapping.
 */
#define PUNCH_PAGES 8
#define PUNCH_HOLE_FIRST 2
#define PUNCH_HOLE_COUNT 2
#define PUNCH_HOST_PAGE 5
#define PUNCH_SEED 0x9c1ULL
#define PUNCH_HOST_SEED 0x9c2ULL
#define PUNCH_REFILL_SEED 0x9c3ULL

/*
 * slot_delete(gpa, len): guest writes SLOT_DELETE_SEED;
 *  SYNC(1): host deletes the slot; the guest stores SLOT_DELETE_STORE at
 *  gpa + SLOT_DELETE_STORE_OFF (an MMIO write exit) and loads from
 *  gpa + SLOT_DELETE_LOAD_OFF (an MMIO read exit the host answers with
 *  SLOT_DELETE_ANSWER);
 *  SYNC(2): host re-creates the slot on the same gmem; the guest finds
 *  SLOT_DELETE_SEED intact.
 */
#define SLOT_DELETE_SEED 0xde1ULL
#define SLOT_DELETE_STORE 0x1122334455667788ULL
#define SLOT_DELETE_STORE_OFF 0x8
#define SLOT_DELETE_ANSWER 0x8877665544332211ULL
#define SLOT_DELETE_LOAD_OFF 0x10

/*
 * gmem_closed(gpa, len): guest writes GMEM_CLOSED_SEED;
 *  SYNC(1): host closes the gmem; the guest loads from
 *  gpa + GMEM_CLOSED_LOAD_OFF: a memory-fault exit, which the host
 *  answers by binding a fresh gmem; the load then returns 0 and the
 *  guest finds the whole range zero and writes GMEM_CLOSED_NEW_SEED;
 *  SYNC(2): host sees it in the new gmem.
 */
#define GMEM_CLOSED_SEED 0xc105edULL
#define GMEM_CLOSED_NEW_SEED 0xc105ed2ULL
#define GMEM_CLOSED_LOAD_OFF (3 * PAGE_SIZE + 0x18)

/*
 * no_slot(gpa): for size 1, 2, 4, 8: store NO_SLOT_STORE (truncated) at
 *  NO_SLOT_ADDR(gpa, size), then load from there; the host answers the
 *  load with NO_SLOT_ANSWER (truncated).
 */
#define NO_SLOT_STORE 0x0102030405060708ULL
#define NO_SLOT_ANSWER 0xf1f2f3f4f5f6f7f8ULL
#define NO_SLOT_ADDR(gpa, size) ((gpa) + 0x100 * (u64)(size))

/*
 * spin(): SYNC(1, GPA of a flag word), then a loop that only reads the
 *  flag, so it makes no exit: the host's vcpu_run ends with -EINTR after
 *  VMM_RUN_LIMIT_MS; the host sets the flag by GPA and runs the guest on,
 *  which leaves the loop and is done.
 */

/*
 * fault(mode): SYNC(1, address), then an exception with no IDT:
 *  FAULT_UD: ud2 at 'address'; FAULT_PF: a load from 'address', which
 *  is beyond the identity map (GUEST_MAP_LIMIT).
 */
#define FAULT_UD 0
#define FAULT_PF 1

/*
 * private_explicit(gpa, len = 8 pages), sw_protected VM, all shared at
 * start: guest writes PRIV_SHARED_SEED;
 *  SYNC(1): host checks it by GPA;
 *  MAP_GPA_RANGE(pages 2..5, private): the guest reads zeros there,
 *  writes PRIV_PRIVATE_SEED;
 *  SYNC(2): host still sees PRIV_SHARED_SEED by GPA everywhere;
 *  MAP_GPA_RANGE(page 3, shared): the guest sees PRIV_SHARED_SEED on page
 *  3, its private data on page 2, writes PRIV_SHARED2_SEED to page 3;
 *  SYNC(3): host sees PRIV_SHARED2_SEED on page 3.
 */
#define PRIV_PAGES 8
#define PRIV_SHARED_SEED 0x5a5ULL
#define PRIV_PRIVATE_SEED 0x9a9ULL
#define PRIV_SHARED2_SEED 0x5a52ULL

/*
 * private_fault(gpa, len = 2 pages), sw_protected VM, normal slot with
 * host data PRIV_FAULT_SEED, page 1 marked private by the host: the guest
 * checks page 0, then page 1: a private memory-fault exit, answered by
 * making page 1 shared; then the guest sees PRIV_FAULT_SEED there.
 */
#define PRIV_FAULT_SEED 0xfa17ULL

/*
 * private_zero(gpa, len), sw_protected VM, gmem slot, host data
 * PRIV_ZERO_HOST_SEED in the shared memory, whole range private:
 *  the guest reads zeros, writes PRIV_ZERO_GUEST_SEED;
 *  SYNC(1): host sees only its own data by GPA, and cannot map the gmem;
 *  it makes the range shared;
 *  the guest sees PRIV_ZERO_HOST_SEED.
 */
#define PRIV_ZERO_HOST_SEED 0x2e01ULL
#define PRIV_ZERO_GUEST_SEED 0x2e02ULL

/*
 * private_deleted(gpa, len), sw_protected VM, gmem slot, range private:
 *  guest writes PRIV_DEL_SEED;
 *  SYNC(1): host deletes the slot; the guest's next load is a private
 *  memory-fault exit, answered by re-creating the slot on the same gmem;
 *  the guest finds PRIV_DEL_SEED.
 */
#define PRIV_DEL_SEED 0xde1e7eULL

/*
 * inplace(gpa, len = 4 pages), gmem-only slot, in-place conversion:
 *  guest writes INPLACE_SEED;
 *  SYNC(1): host checks it, converts pages 1..2 to private, finds them
 *  unreadable;
 *  the guest writes INPLACE_PRIVATE_SEED to pages 1..2, checks pages 0, 3;
 *  SYNC(2): host converts pages 1..2 back to shared and writes
 *  INPLACE_HOST_SEED there;
 *  the guest sees INPLACE_HOST_SEED on pages 1..2, INPLACE_SEED elsewhere.
 */
#define INPLACE_PAGES 4
#define INPLACE_SEED 0x1e01ULL
#define INPLACE_PRIVATE_SEED 0x1e02ULL
#define INPLACE_HOST_SEED 0x1e03ULL

/*
 * split_merge(gpa, len = 2 * 2 MiB, 2 MiB aligned), gmem-only slot,
 * in-place conversion: guest writes SPLIT_SEED;
 *  SYNC(1): host converts page SPLIT_PAGE of the first 2 MiB to private;
 *  the guest writes SPLIT_PRIVATE_SEED there, checks every other page;
 *  SYNC(2): host checks the neighbours, converts the page back to shared
 *  and writes SPLIT_HOST_SEED there, then converts the whole second 2 MiB
 *  to private;
 *  the guest checks the first 2 MiB, finds SPLIT_SEED kept in the second
 *  (in-place conversion preserves contents, README) and writes
 *  SPLIT_PRIVATE_SEED there;
 *  SYNC(3): host converts the second 2 MiB back to shared.
 */
#define SPLIT_PAGE 300
#define SPLIT_SEED 0x5b1ULL
#define SPLIT_PRIVATE_SEED 0x5b2ULL
#define SPLIT_HOST_SEED 0x5b3ULL

/*
 * views(gpa, mode): two VMs, one gmem seen through two views, bound at
 * gpa in both, VIEWS_LEN bytes.
 *  VIEWS_WRITER: writes VIEWS_A_SEED; SYNC(1): the host runs the reader;
 *  then expects VIEWS_B_SEED; SYNC(2): the host punches page 0 through
 *  the reader's view; the writer expects zeros on page 0.
 *  VIEWS_READER: expects VIEWS_A_SEED, writes VIEWS_B_SEED.
 */
#define VIEWS_LEN (4 * PAGE_SIZE)
#define VIEWS_WRITER 0
#define VIEWS_READER 1
#define VIEWS_A_SEED 0x7a1ULL
#define VIEWS_B_SEED 0x7b1ULL

/*
 * golden(gpa, mode): VMs with overlays of one golden image bound at gpa,
 * GOLDEN_LEN bytes; the host wrote GOLDEN_SEED into the golden image.
 *  GOLDEN_READER: expects GOLDEN_SEED throughout.
 *  GOLDEN_WRITER: expects GOLDEN_SEED, writes GOLDEN_WRITE_SEED into page
 *  GOLDEN_PAGE; SYNC(1): the host runs readers in the other VMs, sees
 *  the write in the writer's overlay alone, and punches it there; the
 *  writer expects GOLDEN_SEED throughout again.
 *  GOLDEN_FILL: writes GOLDEN_FILL_SEED throughout (a VM whose memory a
 *  rebinding policy hands on); GOLDEN_ZERO: expects zeros throughout.
 */
#define GOLDEN_LEN (2ULL << 20)
#define GOLDEN_PAGE 37
#define GOLDEN_READER 0
#define GOLDEN_WRITER 1
#define GOLDEN_FILL 2
#define GOLDEN_ZERO 3
#define GOLDEN_SEED 0x601dULL
#define GOLDEN_WRITE_SEED 0x602dULL
#define GOLDEN_FILL_SEED 0x603dULL

/*
 * two_slots_punch(gpa_a, gpa_b): one gmem of 2 * TWO_SLOTS_PAGES pages,
 * default VM; slot A maps its first half at gpa_a, slot B its second half
 * at gpa_b. The guest writes TWO_SLOTS_A_SEED over A, TWO_SLOTS_B_SEED
 * over B;
 *  SYNC(1): host checks both halves through the gmem, punches the whole
 *  file and writes TWO_SLOTS_HOST_SEED over A's half; the guest sees it
 *  in A, zeros in B, and writes TWO_SLOTS_B2_SEED over B;
 *  SYNC(2): host sees A's half unchanged and B2 in B's half.
 */
#define TWO_SLOTS_PAGES 4
#define TWO_SLOTS_A_SEED 0x2a1ULL
#define TWO_SLOTS_B_SEED 0x2b1ULL
#define TWO_SLOTS_HOST_SEED 0x2c1ULL
#define TWO_SLOTS_B2_SEED 0x2b2ULL

/*
 * two_slots_convert(gpa_a, gpa_b): the same two slots on a sw_protected
 * VM, MMAP gmem converted to shared in place. The guest writes
 * TWO_SLOTS_A_SEED over A, TWO_SLOTS_B_SEED over B;
 *  SYNC(1): host converts the last page of A and the first of B (file
 *  pages TWO_SLOTS_PAGES - 1 and TWO_SLOTS_PAGES) to private; the guest
 *  finds every page as it was and writes TWO_SLOTS_PRIVATE_SEED over
 *  those two pages;
 *  SYNC(2): host converts them back to shared and sees the guest's data.
 */
#define TWO_SLOTS_PRIVATE_SEED 0x2d1ULL

/*
 * two_slots_release(gpa_a, gpa_b): the two slots of two_slots_punch. The
 * guest writes TWO_SLOTS_A_SEED over A, TWO_SLOTS_B_SEED over B;
 *  SYNC(1): host closes the gmem; the guest loads from
 *  gpa_b + TWO_SLOTS_LOAD_OFF: a memory-fault exit, on which the host ends
 *  the run (the guest fails if the load returns).
 */
#define TWO_SLOTS_LOAD_OFF (PAGE_SIZE + 0x28)

/*
 * slot_move(old, new): a normal slot of SLOT_MOVE_PAGES pages at old.
 * The guest writes SLOT_MOVE_SEED over it;
 *  SYNC(1): host moves the slot to new; the guest loads from
 *  old + SLOT_MOVE_LOAD_OFF (an MMIO read exit the host answers with
 *  SLOT_MOVE_ANSWER), stores SLOT_MOVE_STORE at old (an MMIO write exit)
 *  and finds its data at new, still the pattern of the old addresses;
 *  SYNC(2): host checks the data by GPA at new.
 */
#define SLOT_MOVE_PAGES 4
#define SLOT_MOVE_SEED 0x30e1ULL
#define SLOT_MOVE_LOAD_OFF 0x18
#define SLOT_MOVE_ANSWER 0x0badc0de0badc0deULL
#define SLOT_MOVE_STORE 0x5107e5107eULL

/*
 * snp(test, gpa): an SEV-SNP guest (guest-tests/lib/snp.h), at CPL0, runs
 * one SNP_T_* test over its test region at gpa (SNP_PAGES pages, the first
 * 2 MiB aligned); guest-tests/cases/snp.c says what the host does at each
 * stage. Every test starts with snp_init().
 */
#define SNP_PAGES 1024 /* 4 MiB: two 2 MiB blocks */
#define SNP_SEED 0x5a1ULL
#define SNP_SHARED_SEED 0x5a2ULL
#define SNP_HOST_SEED 0x5a3ULL
enum snp_test {
	SNP_T_INFO = 1,	    /* SEV_STATUS, SEV information, CPUID, features;
			     * SYNC(1, C-bit), SYNC(2, CPUID EBX) */
	SNP_T_LAUNCHED,	    /* the host launched page 0..7 with SNP_SEED:
			     * read without PVALIDATE, then CF=1 on it */
	SNP_T_VC,	    /* #VC 0x404 before validation and after rescind */
	SNP_T_PVALIDATE,    /* FAIL_INPUT, SIZEMISMATCH (after SIZEM) */
	SNP_T_PSC_MSR,	    /* page 1 to shared and back by the MSR
			     * protocol; SYNC(1): host checks SNP_SHARED_SEED
			     * at page 1 by GPA */
	SNP_T_PSC_MSR_BAD,  /* bad operation: error, no exit; then the VMM
			     * fails the request: error */
	SNP_T_GHCB_PSC,	    /* register; one entry; three separate entries
			     * (three calls); three contiguous (one call);
			     * a 2 MiB entry */
	SNP_T_GHCB_FAIL,    /* the VMM fails the 2nd of three runs */
	SNP_T_GHCB_BAD,	    /* bad header, bad entries, an undefined
			     * operation (passed), unknown event */
	SNP_T_TOOK_BACK,    /* SYNC(1): host punches validated page 2; the
			     * guest meets #VC, validates, reads zeros */
	SNP_T_SPLIT_MERGE,  /* SYNC(1) 2M mapped; page 3 to shared: SYNC(2)
			     * 4K mappings; whole 2M round trip: SYNC(3) 2M */
	SNP_T_RMPADJUST,    /* VMSA bit, FAIL_PERMISSION/INPUT/SIZEMISMATCH */
	SNP_T_STATUS_RO,    /* WRMSR SEV_STATUS: #GP */
	SNP_T_PSC_SPIN,	    /* GHCB PSC of hint entries, forever */
	SNP_T_TERMINATE,    /* termination request, reason 1 code 2 */
	SNP_T_IMPLICIT,	    /* C=1 access to a shared page: memory fault,
			     * then #VC once converted; C=0 access to a
			     * private page: memory fault */
	SNP_T_GHCB_UNREG,   /* registering a GPA without memory is refused
			     * (SYNC(1, the response)); a VMGEXIT on an
			     * unregistered GHCB, which ends the guest */
};

/*
 * tdx(test, gpa): a TD guest (guest-tests/lib/tdx.h), at CPL0, runs one
 * TDX_T_* test over its test region at gpa (TDX_PAGES pages, the first
 * 2 MiB aligned), private from the start; guest-tests/cases/tdx.c says
 * what the host does at each stage. Every test starts with tdx_init().
 */
#define TDX_PAGES 1024 /* 4 MiB: two 2 MiB blocks */
#define TDX_SEED 0x7d1ULL
#define TDX_SHARED_SEED 0x7d2ULL
#define TDX_HOST_SEED 0x7d3ULL
enum tdx_test {
	TDX_T_INFO = 1,	      /* TDG.VP.INFO: SYNC(1, GPAW), SYNC(2, vCPUs) */
	TDX_T_ACCEPT_USE,     /* accept page 0, zeros, fill, read back */
	TDX_T_VE,	      /* #VE on a read and a write before ACCEPT,
			       * VEINFO.GET's exit reason, qualification and
			       * GPA; NO_VALID_VE_INFO after it */
	TDX_T_VE_UNREAD,      /* a #VE while VE_INFO is unread is #DF */
	TDX_T_DOUBLE_ACCEPT,  /* PAGE_ALREADY_ACCEPTED, 4 KiB and 2 MiB */
	TDX_T_ACCEPT_2M,      /* accept 2 MiB at page 512: SYNC(1) mapped
			       * 2 MiB; a 4 KiB accept inside: already */
	TDX_T_ACCEPT_4K_IN_2M,/* 4 KiB accept in a PENDING 2 MiB leaf
			       * (DEMOTE); then SYNC(1) mapped 4 KiB */
	TDX_T_ACCEPT_2M_OVER_4K, /* page 0 accepted at 4 KiB, then 2 MiB
				  * accept: PAGE_SIZE_MISMATCH; the rest
				  * at 4 KiB */
	TDX_T_ACCEPT_BAD,     /* level 2, misaligned, shared GPA, above
			       * GPAW: OPERAND_INVALID */
	TDX_T_MAP_SHARED,     /* page 4 to shared: SYNC(1) host reads
			       * TDX_SHARED_SEED; back to private, accept,
			       * zeros */
	TDX_T_MAP_CHUNKS,     /* 3 MiB to shared: two exits; back */
	TDX_T_MAP_RETRY,      /* 4 MiB to shared, the VMM asks a retry of
			       * the second chunk: RETRY, R11, resumed */
	TDX_T_MAP_ERRORS,     /* ALIGN_ERROR, INVALID_OPERAND (size 0, across
			       * the shared bit, beyond GPAW), unsupported
			       * sub-function, bad RCX; SYNC(1); then the VMM
			       * fails one: INVALID_OPERAND, R11 */
	TDX_T_HOST_CONVERT,   /* page 5 accepted, filled; SYNC(1): the host
			       * makes it shared and writes TDX_HOST_SEED;
			       * the guest reads it shared */
	TDX_T_PUNCH,	      /* page 6 accepted, filled; SYNC(1): host
			       * punches it; #VE, re-accept, zeros */
	TDX_T_SPLIT_MERGE,    /* 2 MiB at 512 accepted, filled, SYNC(1)
			       * 2 MiB; page 515 to shared: SYNC(2) 4 KiB
			       * maps, neighbours kept; back, accepted:
			       * SYNC(3) 2 MiB again (PROMOTE) */
	TDX_T_LAUNCHED,	      /* pages 0..7 added by the host with TDX_SEED:
			       * read without ACCEPT; ACCEPT says already */
	TDX_T_IMPLICIT,	      /* a private access to shared page 6 and an
			       * ACCEPT of shared page 7: memory faults; a
			       * shared access to private page 8 */
	TDX_T_TDCALL_BAD,     /* unknown leaf, versions, reserved RAX bits */
	TDX_T_VCPUS,	      /* arg: the vCPU's part (0 or 1) of a
			       * two-vCPU test over page 9, see tdx.c */
};

/*
 * bench(gpa, 0): the guest paths of `make bench`, timed by the guest with
 * its TSC (guest-tests/cases/bench.c). The region at gpa is BENCH_LEN
 * bytes of one memslot in a sw_protected VM; the host made
 * [BENCH_P4, BENCH_S4) private and the rest shared, except page 0 of
 * the P4 region (shared) and of the S4 region (private), which keep
 * those 2 MiB from one 2 MiB mapping. Each SYNC(stage, cycles) gives
 * the cycles of the step's BENCH_N_* operations:
 *  SYNC(1): BENCH_N_RT VMMCALLs of BENCH_HC_NOP, which the hypervisor
 *           answers itself (-KVM_ENOSYS): the VMRUN round trip;
 *  SYNC(2): BENCH_N_RT OUTs to GUEST_TEST_PORT, each an exit the VMM
 *           resumes at once: the exit round trip;
 *  SYNC(3): first store to each page 1..511 of P4 (private, 4 KiB);
 *  SYNC(4): first store to each 2 MiB of P2 (private, BENCH_N_2M);
 *  SYNC(5), SYNC(6): the same for S4 and S2 (shared);
 *  SYNC(7): BENCH_N_CONV pages of C, each stored to (private) before;
 *           per page MAP_GPA_RANGE to shared, which the host answers
 *           with a conversion, and a store (the refault).
 */
#define BENCH_HC_NOP 0xbe9cULL
#define BENCH_N_RT 256
#define BENCH_N_2M 8
#define BENCH_N_CONV 64
#define BENCH_P4 0ULL
#define BENCH_P2 (2ULL << 20)
#define BENCH_S4 (BENCH_P2 + BENCH_N_2M * (2ULL << 20))
#define BENCH_S2 (BENCH_S4 + (2ULL << 20))
#define BENCH_C (BENCH_S2 + BENCH_N_2M * (2ULL << 20))
#define BENCH_LEN (BENCH_C + (2ULL << 20))

#endif
