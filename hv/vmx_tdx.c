// SPDX-License-Identifier: MIT
/*
 * hv/vmx_tdx.c - what VMX's exits say about TDX (hv/vmx/vmx.h
 * vmx_tdx_decode_tdcall()): a guest that runs TDCALL (66 0F 01 CC)
 * outside a TD, as a TD guest of the TDX module model does on a CPU
 * without TDX, makes the TDCALL VM exit, reason 77 (Intel SDM vol. 2,
 * TDCALL: in VMX non-root operation outside SEAM it causes a VM exit; vol.
 * 3D appendix C). SVM reports the same instruction as #UD; the exit policy
 * takes it that way on both vendors (hv/vcpu_exit.c: the model's TDCALL
 * dispatch, hv/tdx/tdx_guest.c, sits behind #UD).
 *
 * What a TD needs from VMX on TDX hardware: its VMCS and Secure EPT belong
 * to the module, so the backend would enter it with SEAMCALL
 * TDH.VP.ENTER instead of VMLAUNCH/VMRESUME and read the exit from the
 * registers the module returns (Intel TDX Module ABI spec, TDH.VP.ENTER),
 * with the private/shared kind of an EPT violation in the GPA's shared
 * bit. That path starts with the module's initialisation, which
 * gmemvisor does not drive (hv/tdx/tdx_probe.c says why a machine cannot
 * run TD guests).
 */
#include "hv/vmx/vmx.h"
#include "hv/x86/vectors.h"

void vmx_tdx_decode_tdcall(struct arch_exit *x)
{
	x->kind = ARCH_EXIT_EXCEPTION;
	x->vector = X86_VEC_UD;
}
