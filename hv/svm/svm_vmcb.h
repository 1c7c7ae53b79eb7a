/* SPDX-License-Identifier: MIT */
/*
 * hv/svm/svm_vmcb.h - the AMD SVM Virtual Machine Control Block: its layout
 * (control area and state-save area), the intercept bits, the exit codes
 * and the EXITINFO1 bit fields gmemvisor uses. Layout and numbers are
 * those of the AMD64 APM vol. 2, appendix B (VMCB layout) and appendix C
 * (SVM intercept exit codes); the static asserts at the end pin every
 * offset the hypervisor touches to the APM's table.
 */
#ifndef GMV_HV_SVM_SVM_VMCB_H
#define GMV_HV_SVM_SVM_VMCB_H

#include "hv/x86/vectors.h"
#include "lib/types.h"

/* One segment register in the state-save area (APM B-2). */
struct vmcb_seg {
	u16 sel;
	u16 attrib; /* descriptor bits 55:52 and 47:40, packed */
	u32 limit;
	u64 base;
} __attribute__((packed));

/* Control area, VMCB offsets 0x000-0x3ff (APM table B-1). */
struct vmcb_control {
	u32 icpt_cr; /* 0x000: CR reads 15:0, CR writes 31:16 */
	u32 icpt_dr; /* 0x004: DR reads 15:0, DR writes 31:16 */
	u32 icpt_exc; /* 0x008: one bit per exception vector */
	u32 icpt_misc1; /* 0x00c: SVM_ICPT1_* */
	u32 icpt_misc2; /* 0x010: SVM_ICPT2_* */
	u32 icpt_misc3; /* 0x014 */
	u8 rsvd_018[0x03c - 0x018];
	u16 pause_filter_thresh; /* 0x03c */
	u16 pause_filter_count; /* 0x03e */
	u64 iopm_base_pa; /* 0x040 */
	u64 msrpm_base_pa; /* 0x048 */
	u64 tsc_offset; /* 0x050 */
	u32 asid; /* 0x058 */
	u8 tlb_control; /* 0x05c: SVM_TLB_* */
	u8 rsvd_05d[3];
	u64 int_ctl; /* 0x060: V_TPR, V_IRQ, V_INTR_MASKING ... */
	u64 int_shadow; /* 0x068 */
	u64 exit_code; /* 0x070 */
	u64 exit_info1; /* 0x078 */
	u64 exit_info2; /* 0x080 */
	u64 exit_int_info; /* 0x088 */
	u64 np_control; /* 0x090: bit 0 NP_ENABLE, 1 SEV, 2 SEV-ES */
	u64 avic_apic_bar; /* 0x098 */
	u64 ghcb_pa; /* 0x0a0 */
	u64 event_inj; /* 0x0a8 */
	u64 n_cr3; /* 0x0b0: nested page table root */
	u64 virt_ext; /* 0x0b8: LBR virtualisation, virtual VMLOAD */
	u32 clean_bits; /* 0x0c0 */
	u32 rsvd_0c4;
	u64 next_rip; /* 0x0c8: NRIPS only (never written by TCG) */
	u8 insn_len; /* 0x0d0: DecodeAssists only: bytes fetched, 0-15 */
	u8 insn_bytes[15]; /* 0x0d1: the guest's bytes at CS:RIP */
	u64 avic_backing; /* 0x0e0 */
	u64 rsvd_0e8;
	u64 avic_logical; /* 0x0f0 */
	u64 avic_physical; /* 0x0f8 */
	u64 rsvd_100;
	u64 vmsa_pa; /* 0x108: SEV-ES save area */
	u8 rsvd_110[0x400 - 0x110];
} __attribute__((packed));

/* State-save area, VMCB offsets 0x400-0x6ff (APM table B-2, non-SEV-ES). */
struct vmcb_save {
	struct vmcb_seg es, cs, ss, ds, fs, gs; /* 0x400 .. 0x45f */
	struct vmcb_seg gdtr, ldtr, idtr, tr; /* 0x460 .. 0x49f */
	u8 rsvd_4a0[0x4cb - 0x4a0];
	u8 cpl; /* 0x4cb */
	u32 rsvd_4cc;
	u64 efer; /* 0x4d0 */
	u8 rsvd_4d8[0x548 - 0x4d8];
	u64 cr4; /* 0x548 */
	u64 cr3; /* 0x550 */
	u64 cr0; /* 0x558 */
	u64 dr7; /* 0x560 */
	u64 dr6; /* 0x568 */
	u64 rflags; /* 0x570 */
	u64 rip; /* 0x578 */
	u8 rsvd_580[0x5d8 - 0x580];
	u64 rsp; /* 0x5d8 */
	u8 rsvd_5e0[0x5f8 - 0x5e0];
	u64 rax; /* 0x5f8 */
	u64 star; /* 0x600 */
	u64 lstar; /* 0x608 */
	u64 cstar; /* 0x610 */
	u64 sfmask; /* 0x618 */
	u64 kernel_gs_base; /* 0x620 */
	u64 sysenter_cs; /* 0x628 */
	u64 sysenter_esp; /* 0x630 */
	u64 sysenter_eip; /* 0x638 */
	u64 cr2; /* 0x640 */
	u8 rsvd_648[0x668 - 0x648];
	u64 g_pat; /* 0x668 */
	u8 rsvd_670[0x700 - 0x670];
} __attribute__((packed));

/* The VMCB: one 4 KiB page, 4 KiB aligned. */
struct vmcb {
	struct vmcb_control ctl;
	struct vmcb_save save;
	u8 rsvd_700[0x1000 - 0x700];
} __attribute__((packed));

/* MISC1 intercepts (VMCB 0x00c). */
#define SVM_ICPT1_INTR BIT(0)
#define SVM_ICPT1_NMI BIT(1)
#define SVM_ICPT1_SMI BIT(2)
#define SVM_ICPT1_INIT BIT(3)
#define SVM_ICPT1_HLT BIT(24)
#define SVM_ICPT1_IOIO_PROT BIT(27)
#define SVM_ICPT1_MSR_PROT BIT(28)
#define SVM_ICPT1_SHUTDOWN BIT(31)

/* MISC2 intercepts (VMCB 0x010). VMRUN must be set (APM 15.5.1). */
#define SVM_ICPT2_VMRUN BIT(0)
#define SVM_ICPT2_VMMCALL BIT(1)
#define SVM_ICPT2_VMLOAD BIT(2)
#define SVM_ICPT2_VMSAVE BIT(3)
#define SVM_ICPT2_STGI BIT(4)
#define SVM_ICPT2_CLGI BIT(5)
#define SVM_ICPT2_SKINIT BIT(6)

/* TLB_CONTROL values (APM 15.16.1). */
#define SVM_TLB_NOTHING 0
#define SVM_TLB_FLUSH_ALL 1
#define SVM_TLB_FLUSH_ASID 3
#define SVM_TLB_FLUSH_ASID_NONGLOBAL 7

/*
 * VMCB clean bits (VMCB 0x0c0, APM vol. 2 §15.15, the table of clean
 * fields): a set bit tells VMRUN that the fields it covers are unchanged
 * since this VMCB's last VMRUN on this CPU, so that a cached copy may be
 * used. Bits 31:12 are reserved.
 */
#define SVM_CLEAN_I BIT(0) /* intercept vectors, TSC offset, pause filter */
#define SVM_CLEAN_IOPM BIT(1) /* IOPM_BASE_PA, MSRPM_BASE_PA */
#define SVM_CLEAN_ASID BIT(2)
#define SVM_CLEAN_TPR BIT(3) /* V_TPR, V_IRQ, V_INTR_*, V_IGN_TPR */
#define SVM_CLEAN_NP BIT(4) /* NP_ENABLE, N_CR3, G_PAT */
#define SVM_CLEAN_CR BIT(5) /* CR0, CR3, CR4, EFER */
#define SVM_CLEAN_DR BIT(6) /* DR6, DR7 */
#define SVM_CLEAN_DT BIT(7) /* GDTR, IDTR */
#define SVM_CLEAN_SEG BIT(8) /* CS, DS, SS, ES, CPL */
#define SVM_CLEAN_CR2 BIT(9)
#define SVM_CLEAN_LBR BIT(10) /* DbgCtlMsr and the branch records */
#define SVM_CLEAN_AVIC BIT(11) /* the AVIC table addresses */
#define SVM_CLEAN_ALL 0xfffu

#define SVM_INT_CTL_V_INTR_MASKING BIT(24)
#define SVM_NP_ENABLE BIT(0)

/* Exit codes (APM appendix C). */
#define SVM_EXIT_CR0_READ 0x000
#define SVM_EXIT_CR0_WRITE 0x010
#define SVM_EXIT_DR0_READ 0x020
#define SVM_EXIT_DR0_WRITE 0x030
#define SVM_EXIT_EXCP_BASE 0x040 /* + vector, 0x40 .. 0x5f */
#define SVM_EXIT_INTR 0x060
#define SVM_EXIT_NMI 0x061
#define SVM_EXIT_SMI 0x062
#define SVM_EXIT_INIT 0x063
#define SVM_EXIT_VINTR 0x064
#define SVM_EXIT_CPUID 0x072
#define SVM_EXIT_IRET 0x074
#define SVM_EXIT_SWINT 0x075
#define SVM_EXIT_PAUSE 0x077
#define SVM_EXIT_HLT 0x078
#define SVM_EXIT_IOIO 0x07b
#define SVM_EXIT_MSR 0x07c
#define SVM_EXIT_SHUTDOWN 0x07f
#define SVM_EXIT_VMRUN 0x080
#define SVM_EXIT_VMMCALL 0x081
#define SVM_EXIT_VMLOAD 0x082
#define SVM_EXIT_VMSAVE 0x083
#define SVM_EXIT_STGI 0x084
#define SVM_EXIT_CLGI 0x085
#define SVM_EXIT_SKINIT 0x086
#define SVM_EXIT_NPF 0x400
#define SVM_EXIT_VMGEXIT 0x403
/*
 * VMEXIT_INVALID is -1 in the APM; QEMU's TCG stores it zero-extended from
 * 32 bits (cpu_vmexit() in target/i386/tcg/sysemu/svm_helper.c takes the
 * exit code as a uint32_t), so compare the low 32 bits only.
 */
#define SVM_EXIT_INVALID 0xffffffffu

/* IOIO EXITINFO1 (APM 15.10.2). */
#define SVM_IOIO_TYPE_IN BIT(0)
#define SVM_IOIO_STR BIT(2)
#define SVM_IOIO_REP BIT(3)
#define SVM_IOIO_SZ8 BIT(4)
#define SVM_IOIO_SZ16 BIT(5)
#define SVM_IOIO_SZ32 BIT(6)
#define SVM_IOIO_PORT_SHIFT 16

/* NPF EXITINFO1: a #PF error code plus the nested-walk bits (APM 15.25.6). */
/* EVENTINJ and EXITINTINFO (APM vol. 2 §15.20): vector 7:0, type 10:8,
 * EV (error code valid) 11, V 31, error code 63:32. */
#define SVM_EVT_TYPE_EXCEPTION (3u << 8)
#define SVM_EVT_EV BIT(11)
#define SVM_EVT_V BIT(31)
#define SVM_EVT_ERR_SHIFT 32

#define SVM_NPF_P BIT(0)
#define SVM_NPF_W BIT(1)
#define SVM_NPF_US BIT(2)
#define SVM_NPF_RSVD BIT(3)
#define SVM_NPF_ID BIT(4)
#define SVM_NPF_FINAL BIT(32) /* fault on the final guest-physical addr */
#define SVM_NPF_GUEST_PT BIT(33) /* fault while walking the guest tables */
/* SEV-SNP's bits of the same error code (APM vol. 2 §15.36, the RMP
 * checks; Linux's PFERR_GUEST_{RMP,ENC,SIZEM}_MASK in
 * arch/x86/include/asm/kvm_host.h). */
#define SVM_NPF_RMP BIT(31) /* an RMP or VMPL check failed */
#define SVM_NPF_ENC BIT(34) /* the access had the C-bit set */
#define SVM_NPF_SIZEM BIT(35) /* RMP and nested page sizes differ */

/* INT_SHADOW (VMCB 0x068) bit 0: the guest is in an interrupt shadow. */
#define SVM_INT_SHADOW_MASK BIT(0)

/* Guest segment attributes in VMCB packing (bits 7:0 = type/S/DPL/P,
 * bits 11:8 = AVL/L/DB/G). */
#define SVM_SEG_CODE64_DPL3 0x02fb /* P, DPL3, S, code RX accessed, L */
#define SVM_SEG_DATA_DPL3 0x0cf3 /* P, DPL3, S, data RW accessed, DB, G */
#define SVM_SEG_CODE64_DPL0 0x029b /* the same at DPL0 */
#define SVM_SEG_DATA_DPL0 0x0c93
#define SVM_SEG_TSS64_BUSY 0x008b
#define SVM_SEG_LDT 0x0082

/* Name of an exit code ("NPF", "EXCP_UD", "VMEXIT_INVALID"), never NULL. */
const char *svm_exit_name(u64 exit_code);

#define VMCB_OFF(f) __builtin_offsetof(struct vmcb, f)
_Static_assert(VMCB_OFF(ctl.icpt_exc) == 0x008, "VMCB layout");
_Static_assert(VMCB_OFF(ctl.icpt_misc1) == 0x00c, "VMCB layout");
_Static_assert(VMCB_OFF(ctl.icpt_misc2) == 0x010, "VMCB layout");
_Static_assert(VMCB_OFF(ctl.iopm_base_pa) == 0x040, "VMCB layout");
_Static_assert(VMCB_OFF(ctl.msrpm_base_pa) == 0x048, "VMCB layout");
_Static_assert(VMCB_OFF(ctl.asid) == 0x058, "VMCB layout");
_Static_assert(VMCB_OFF(ctl.tlb_control) == 0x05c, "VMCB layout");
_Static_assert(VMCB_OFF(ctl.int_ctl) == 0x060, "VMCB layout");
_Static_assert(VMCB_OFF(ctl.exit_code) == 0x070, "VMCB layout");
_Static_assert(VMCB_OFF(ctl.exit_info1) == 0x078, "VMCB layout");
_Static_assert(VMCB_OFF(ctl.exit_info2) == 0x080, "VMCB layout");
_Static_assert(VMCB_OFF(ctl.exit_int_info) == 0x088, "VMCB layout");
_Static_assert(VMCB_OFF(ctl.np_control) == 0x090, "VMCB layout");
_Static_assert(VMCB_OFF(ctl.event_inj) == 0x0a8, "VMCB layout");
_Static_assert(VMCB_OFF(ctl.n_cr3) == 0x0b0, "VMCB layout");
_Static_assert(VMCB_OFF(ctl.clean_bits) == 0x0c0, "VMCB layout");
_Static_assert(VMCB_OFF(ctl.next_rip) == 0x0c8, "VMCB layout");
_Static_assert(VMCB_OFF(ctl.insn_len) == 0x0d0, "VMCB layout");
_Static_assert(VMCB_OFF(ctl.insn_bytes) == 0x0d1, "VMCB layout");
_Static_assert(VMCB_OFF(ctl.vmsa_pa) == 0x108, "VMCB layout");
_Static_assert(VMCB_OFF(save.es) == 0x400, "VMCB layout");
_Static_assert(VMCB_OFF(save.cs) == 0x410, "VMCB layout");
_Static_assert(VMCB_OFF(save.ss) == 0x420, "VMCB layout");
_Static_assert(VMCB_OFF(save.gdtr) == 0x460, "VMCB layout");
_Static_assert(VMCB_OFF(save.idtr) == 0x480, "VMCB layout");
_Static_assert(VMCB_OFF(save.tr) == 0x490, "VMCB layout");
_Static_assert(VMCB_OFF(save.cpl) == 0x4cb, "VMCB layout");
_Static_assert(VMCB_OFF(save.efer) == 0x4d0, "VMCB layout");
_Static_assert(VMCB_OFF(save.cr4) == 0x548, "VMCB layout");
_Static_assert(VMCB_OFF(save.cr3) == 0x550, "VMCB layout");
_Static_assert(VMCB_OFF(save.cr0) == 0x558, "VMCB layout");
_Static_assert(VMCB_OFF(save.dr7) == 0x560, "VMCB layout");
_Static_assert(VMCB_OFF(save.dr6) == 0x568, "VMCB layout");
_Static_assert(VMCB_OFF(save.rflags) == 0x570, "VMCB layout");
_Static_assert(VMCB_OFF(save.rip) == 0x578, "VMCB layout");
_Static_assert(VMCB_OFF(save.rsp) == 0x5d8, "VMCB layout");
_Static_assert(VMCB_OFF(save.rax) == 0x5f8, "VMCB layout");
_Static_assert(VMCB_OFF(save.star) == 0x600, "VMCB layout");
_Static_assert(VMCB_OFF(save.kernel_gs_base) == 0x620, "VMCB layout");
_Static_assert(VMCB_OFF(save.cr2) == 0x640, "VMCB layout");
_Static_assert(VMCB_OFF(save.g_pat) == 0x668, "VMCB layout");
_Static_assert(sizeof(struct vmcb) == 0x1000, "VMCB layout");
#undef VMCB_OFF

#endif
