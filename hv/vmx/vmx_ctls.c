// SPDX-License-Identifier: MIT
/*
 * hv/vmx/vmx_ctls.c - the VMX controls this backend runs with, derived
 * from the capability MSRs (hv/vmx/vmx.h vmx_config_derive()). A pure
 * function of the MSR values, so that the host tests run it with what a
 * CPU reports.
 *
 * Each control MSR gives the allowed-0 settings in bits 31:0 (a bit set
 * there must be 1) and the allowed-1 settings in bits 63:32 (a bit clear
 * there must be 0); with IA32_VMX_BASIC bit 55 the TRUE_* MSRs replace
 * the pin-based, primary, exit and entry ones, and may let default-1
 * controls be 0 (SDM vol. 3D A.2 "Reserved Controls and Default
 * Settings", A.3-A.5). CR0 and CR4 take a bit set in FIXED0 as 1 and a
 * bit clear in FIXED1 as 0 (A.7, A.8).
 */
#include "hv/vmx/vmx.h"
#include "lib/fmt.h"

/* A control this backend names: must be 1, or must be 0. */
struct ctl_bit {
	u32 bit;
	const char *name;
};

/* One control field: the MSR it is read from and the bits it needs. */
struct ctl_field {
	const char *what; /* the control field */
	const char *msr; /* the MSR's name in the message */
	u64 msr_val;
	const struct ctl_bit *need; /* must be 1 */
	unsigned int nr_need;
	const struct ctl_bit *deny; /* must be 0 */
	unsigned int nr_deny;
	u32 want; /* optional: 1 where allowed */
};

/*
 * Pin-based (SDM vol. 3C 25.6.1): every external interrupt and NMI
 * exits (26.2), whatever the guest's RFLAGS.IF (26.4.1, "Event
 * Blocking"), so the deadline timer ends a guest spinning with IF clear.
 * The VMX-preemption timer, where the CPU has it, is set at each entry to
 * the deadline timer's own deadline and ends such a run too (26.5.1):
 * Bochs (2.7 to its current source) loads the guest's RFLAGS at VM entry
 * before it marks the CPU as in VMX non-root operation, so a guest
 * entered with IF clear, from a host with IF clear, keeps the local
 * APIC's interrupts masked and never makes the external-interrupt exit
 * (cpu/vmx.cc VMenterLoadCheckGuestState() and VMLAUNCH,
 * cpu/flag_ctrl_pro.cc handleInterruptMaskChange()); the timer's exit
 * does not depend on interrupt masking.
 */
static const struct ctl_bit pin_need[] = {
	{PIN_EXT_INTR_EXITING, "external-interrupt exiting"},
	{PIN_NMI_EXITING, "NMI exiting"},
};
static const struct ctl_bit pin_deny[] = {
	{PIN_POSTED_INTR, "process posted interrupts"},
};

/* Primary processor-based (25.6.2): HLT and every port exit (no I/O
 * bitmaps); without MSR bitmaps every RDMSR/WRMSR exits. */
static const struct ctl_bit proc_need[] = {
	{PROC_HLT_EXITING, "HLT exiting"},
	{PROC_UNCOND_IO_EXITING, "unconditional I/O exiting"},
	{PROC_SECONDARY_CTLS, "activate secondary controls"},
};
static const struct ctl_bit proc_deny[] = {
	{PROC_INTR_WINDOW_EXITING, "interrupt-window exiting"},
	{PROC_TPR_SHADOW, "use TPR shadow"},
	{PROC_NMI_WINDOW_EXITING, "NMI-window exiting"},
	{PROC_USE_IO_BITMAPS, "use I/O bitmaps"},
	{PROC_MONITOR_TRAP_FLAG, "monitor trap flag"},
	{PROC_USE_MSR_BITMAPS, "use MSR bitmaps"},
};

static const struct ctl_bit proc2_need[] = {
	{PROC2_ENABLE_EPT, "enable EPT"},
};
static const struct ctl_bit proc2_deny[] = {
	{PROC2_VIRT_APIC_ACCESS, "virtualize APIC accesses"},
};

/*
 * VM-exit (25.7.1): a 64-bit host with its own EFER back. Acknowledge
 * interrupt on exit stays 0: the interrupt that ended the guest's run
 * then stays pending in the local APIC and the host takes it through its
 * own IDT right after the exit (an STI window), the same way it does
 * under SVM at STGI, so the platform's timer handler (EOI, the run
 * limit, the watchdog) runs unchanged; acknowledged, the vector would
 * come in the exit fields and the handler would have to be called by
 * hand.
 */
static const struct ctl_bit exit_need[] = {
	{EXIT_HOST_ADDR_SPACE_SIZE, "host address-space size"},
	{EXIT_LOAD_IA32_EFER, "load IA32_EFER"},
};
static const struct ctl_bit exit_deny[] = {
	{EXIT_ACK_INTR_ON_EXIT, "acknowledge interrupt on exit"},
};

/* VM-entry (25.8.1): a 64-bit guest with its own EFER. */
static const struct ctl_bit entry_need[] = {
	{ENTRY_IA32E_MODE_GUEST, "IA-32e mode guest"},
	{ENTRY_LOAD_IA32_EFER, "load IA32_EFER"},
};
static const struct ctl_bit entry_deny[] = {
	{ENTRY_TO_SMM, "entry to SMM"},
	{ENTRY_DEACT_DUAL_MONITOR, "deactivate dual-monitor treatment"},
};

#define FIELD(w, m, v, n, d, opt)                                     \
	{                                                             \
		.what = (w), .msr = (m), .msr_val = (v), .need = (n), \
		.nr_need = ARRAY_SIZE(n), .deny = (d),                \
		.nr_deny = ARRAY_SIZE(d), .want = (opt)               \
	}

static int bit_no(u32 b)
{
	return __builtin_ctz(b);
}

/* The field's value, or false with cfg->why set. */
static bool adjust(const struct ctl_field *f, u32 *out, struct vmx_config *cfg)
{
	u32 must1 = (u32)f->msr_val, may1 = (u32)(f->msr_val >> 32);
	u32 v = must1;

	for (unsigned int i = 0; i < f->nr_need; i++) {
		if (!(may1 & f->need[i].bit)) {
			gmv_snprintf(cfg->why, sizeof(cfg->why),
				     "VMX lacks the %s control \"%s\" (%s "
				     "allowed-1 bit %d clear)",
				     f->what, f->need[i].name, f->msr,
				     bit_no(f->need[i].bit));
			return false;
		}
		v |= f->need[i].bit;
	}
	for (unsigned int i = 0; i < f->nr_deny; i++) {
		if (must1 & f->deny[i].bit) {
			gmv_snprintf(cfg->why, sizeof(cfg->why),
				     "VMX forces the %s control \"%s\" on (%s "
				     "allowed-0 bit %d set)",
				     f->what, f->deny[i].name, f->msr,
				     bit_no(f->deny[i].bit));
			return false;
		}
	}
	*out = v | (f->want & may1);
	return true;
}

/* A control register value with the fixed bits, or false when a bit the
 * contract needs is fixed to 0. */
static bool fixed(const char *name, u64 want, u64 fixed0, u64 fixed1, u64 *out,
		  struct vmx_config *cfg)
{
	if (want & ~fixed1) {
		gmv_snprintf(cfg->why, sizeof(cfg->why),
			     "VMX fixes %s bit %d to 0 (IA32_VMX_%s_FIXED1)",
			     name, __builtin_ctzll(want & ~fixed1), name);
		return false;
	}
	*out = (want | fixed0) & fixed1;
	return true;
}

/* The guest's CR0 and CR4 under the contract (hv/vmm.h struct
 * vmm_entry): PG, WP, NE, ET, PE; PAE. */
#define GUEST_CR0 0x80010031ULL
#define GUEST_CR4 0x20ULL

static const char *refuse(struct vmx_config *cfg, const char *why)
{
	gmv_snprintf(cfg->why, sizeof(cfg->why), "%s", why);
	return cfg->why;
}

static const char *derive_ept(const struct vmx_caps *caps,
			      struct vmx_config *cfg)
{
	u64 ev = caps->ept_vpid;

	/* EPT's page-walk length 4 and write-back paging structures and
	 * leaves (25.6.11, 29.3.7 "EPT and Memory Typing"). */
	if (!(ev & EPT_CAP_WALK_4))
		return refuse(cfg, "EPT without a 4-level page walk "
				   "(IA32_VMX_EPT_VPID_CAP bit 6 clear)");
	if (!(ev & EPT_CAP_WB))
		return refuse(cfg, "EPT without the write-back memory type "
				   "(IA32_VMX_EPT_VPID_CAP bit 14 clear)");
	if (!(ev & EPT_CAP_INVEPT) ||
	    !(ev & (EPT_CAP_INVEPT_SINGLE | EPT_CAP_INVEPT_ALL)))
		return refuse(cfg, "EPT without INVEPT (IA32_VMX_EPT_VPID_CAP "
				   "bits 20, 25, 26)");
	cfg->invept_type =
		(ev & EPT_CAP_INVEPT_SINGLE) ? INVEPT_SINGLE : INVEPT_ALL;
	cfg->ept_max_order = (ev & EPT_CAP_1G)	 ? NPT_ORDER_1G
			     : (ev & EPT_CAP_2M) ? NPT_ORDER_2M
						 : NPT_ORDER_4K;
	cfg->ept_ad = ev & EPT_CAP_AD;
	/* VPIDs only with INVVPID of every context, which a new VPID
	 * generation needs. */
	cfg->vpid = (cfg->proc2 & PROC2_ENABLE_VPID) &&
		    (ev & VPID_CAP_INVVPID) && (ev & VPID_CAP_INVVPID_ALL);
	if (!cfg->vpid)
		cfg->proc2 &= ~(u32)PROC2_ENABLE_VPID;
	return NULL;
}

const char *vmx_config_derive(const struct vmx_caps *caps,
			      struct vmx_config *cfg)
{
	bool tru = caps->basic & VMX_BASIC_TRUE_CTLS;
	const struct ctl_field fields[] = {
		FIELD("pin-based",
		      tru ? "IA32_VMX_TRUE_PINBASED_CTLS"
			  : "IA32_VMX_PINBASED_CTLS",
		      tru ? caps->true_pin : caps->pin, pin_need, pin_deny,
		      PIN_PREEMPTION_TIMER),
		FIELD("primary processor-based",
		      tru ? "IA32_VMX_TRUE_PROCBASED_CTLS"
			  : "IA32_VMX_PROCBASED_CTLS",
		      tru ? caps->true_proc : caps->proc, proc_need, proc_deny,
		      0),
		FIELD("secondary processor-based", "IA32_VMX_PROCBASED_CTLS2",
		      caps->proc2, proc2_need, proc2_deny, PROC2_ENABLE_VPID),
		FIELD("VM-exit",
		      tru ? "IA32_VMX_TRUE_EXIT_CTLS" : "IA32_VMX_EXIT_CTLS",
		      tru ? caps->true_exit : caps->exit, exit_need, exit_deny,
		      0),
		FIELD("VM-entry",
		      tru ? "IA32_VMX_TRUE_ENTRY_CTLS" : "IA32_VMX_ENTRY_CTLS",
		      tru ? caps->true_entry : caps->entry, entry_need,
		      entry_deny, 0),
	};
	u32 *outs[] = {&cfg->pin, &cfg->proc, &cfg->proc2, &cfg->exit,
		       &cfg->entry};

	*cfg = (struct vmx_config){0};
	cfg->revision = VMX_BASIC_REVISION(caps->basic);
	/* The VMCS and VMXON region are accessed write-back (A.1). */
	if (VMX_BASIC_MEMTYPE(caps->basic) != VMX_BASIC_MEMTYPE_WB)
		return refuse(cfg, "VMX structures not write-back "
				   "(IA32_VMX_BASIC bits 53:50)");
	for (unsigned int i = 0; i < ARRAY_SIZE(fields); i++)
		if (!adjust(&fields[i], outs[i], cfg))
			return cfg->why;
	cfg->any_error_code = caps->basic & VMX_BASIC_ANY_ERROR_CODE;
	cfg->preempt = cfg->pin & PIN_PREEMPTION_TIMER;
	cfg->preempt_rate = VMX_MISC_PREEMPT_RATE(caps->misc);
	if (!fixed("CR0", GUEST_CR0, caps->cr0_fixed0, caps->cr0_fixed1,
		   &cfg->guest_cr0, cfg) ||
	    !fixed("CR4", GUEST_CR4, caps->cr4_fixed0, caps->cr4_fixed1,
		   &cfg->guest_cr4, cfg))
		return cfg->why;
	return derive_ept(caps, cfg);
}
