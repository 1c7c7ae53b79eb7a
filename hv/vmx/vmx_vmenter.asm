; SPDX-License-Identifier: MIT
;
; hv/vmx/vmx_vmenter.asm - the VMX world switch (payload only, win64/MS ABI).
;
; int vmx_vmenter(struct vmx_gprs *g [rcx], u64 launched [rdx])
;
; The current VMCS holds everything else (hv/vmx/vmx_cpu_hw.c). Saves the
; MS-ABI callee-saved registers, writes HOST_RSP (this stack, the gprs
; pointer on top) and HOST_RIP (the exit label), loads the guest GPRs
; from *g and runs VMLAUNCH, or VMRESUME when launched is non-zero. A VM
; exit (Intel SDM vol. 3C 28.5, "Loading Host State") lands at the exit
; label with the host's RSP, RIP, segments, CRs and EFER back and RFLAGS
; 0x2; the guest's RSP, RIP and RFLAGS stay in the VMCS. Returns 0 after a
; VM exit with the guest GPRs stored back into *g, 1 for VMfailInvalid
; (CF) and 2 for VMfailValid (ZF) when the instruction did not enter
; (31.2). No x87/SSE state is switched: the payload and the test guests
; are built general-regs-only. struct vmx_gprs is declared in
; hv/vmx/vmx.h; the offsets match it.

bits 64
default rel

%define G_RAX 0
%define G_RBX 8
%define G_RCX 16
%define G_RDX 24
%define G_RSI 32
%define G_RDI 40
%define G_RBP 48
%define G_R8 56
%define G_R9 64
%define G_R10 72
%define G_R11 80
%define G_R12 88
%define G_R13 96
%define G_R14 104
%define G_R15 112

%define VMCS_HOST_RSP 0x6c14
%define VMCS_HOST_RIP 0x6c16

section .text

global vmx_vmenter
vmx_vmenter:
	push rbx
	push rbp
	push rdi
	push rsi
	push r12
	push r13
	push r14
	push r15
	push rcx		; the gprs pointer, at [rsp] while the guest runs

	mov rax, VMCS_HOST_RSP
	vmwrite rax, rsp
	lea rbx, [rel .exited]
	mov rax, VMCS_HOST_RIP
	vmwrite rax, rbx

	test rdx, rdx		; MOVs keep the flags for the branch below
	mov rax, [rcx + G_RAX]
	mov rbx, [rcx + G_RBX]
	mov rdx, [rcx + G_RDX]
	mov rsi, [rcx + G_RSI]
	mov rdi, [rcx + G_RDI]
	mov rbp, [rcx + G_RBP]
	mov r8, [rcx + G_R8]
	mov r9, [rcx + G_R9]
	mov r10, [rcx + G_R10]
	mov r11, [rcx + G_R11]
	mov r12, [rcx + G_R12]
	mov r13, [rcx + G_R13]
	mov r14, [rcx + G_R14]
	mov r15, [rcx + G_R15]
	mov rcx, [rcx + G_RCX]
	jnz .resume
	vmlaunch
	jmp .failed
.resume:
	vmresume
.failed:
	; Not entered: CF set is VMfailInvalid, else ZF set, VMfailValid.
	mov eax, 2
	jnc .out
	mov eax, 1
	jmp .out

.exited:
	; The guest's GPRs are live; free rcx first.
	push rcx
	mov rcx, [rsp + 8]
	mov [rcx + G_RAX], rax
	mov [rcx + G_RBX], rbx
	mov [rcx + G_RDX], rdx
	mov [rcx + G_RSI], rsi
	mov [rcx + G_RDI], rdi
	mov [rcx + G_RBP], rbp
	mov [rcx + G_R8], r8
	mov [rcx + G_R9], r9
	mov [rcx + G_R10], r10
	mov [rcx + G_R11], r11
	mov [rcx + G_R12], r12
	mov [rcx + G_R13], r13
	mov [rcx + G_R14], r14
	mov [rcx + G_R15], r15
	pop rax
	mov [rcx + G_RCX], rax
	xor eax, eax

.out:
	add rsp, 8
	pop r15
	pop r14
	pop r13
	pop r12
	pop rsi
	pop rdi
	pop rbp
	pop rbx
	ret
