/* SPDX-License-Identifier: MIT */
/*
 * hv/x86/vectors.h - the x86 exception vectors the hypervisor names (Intel
 * SDM vol. 3 §6.3.1, AMD APM vol. 2 §8.2). Owns nothing but the numbers.
 */
#ifndef GMV_HV_X86_VECTORS_H
#define GMV_HV_X86_VECTORS_H

#define X86_VEC_NMI 2
#define X86_VEC_UD 6
#define X86_VEC_DF 8
#define X86_VEC_GP 13
#define X86_VEC_PF 14
#define X86_VEC_VE 20 /* virtualization exception (TDX's #VE) */
#define X86_VEC_VC 29 /* VMM communication exception (SEV-ES/SNP) */

#endif
