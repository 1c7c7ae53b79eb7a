; SPDX-License-Identifier: MIT
;
; hv/svm/svm_vmrun.asm - the SVM world switch (payload only, win64/MS ABI).
;
; void svm_vmrun(u64 vmcb_pa [rcx], struct svm_gprs *g [rdx],
;                u64 host_save_pa [r8])
;
; Saves the MS-ABI callee-saved registers, clears GIF, VMSAVEs the host's
; extra state (FS, GS, TR, LDTR, KernelGsBase, STAR/LSTAR/CSTAR/SFMASK,
; SYSENTER MSRs), VMLOADs the guest's, loads the guest GPRs from *g and
; runs VMRUN. After #VMEXIT (APM vol. 2 15.5/15.6: the host's RSP, RIP, RAX,
; RFLAGS and CRs come back from the VM_HSAVE area) it stores the guest GPRs
; into *g, VMSAVEs the guest's extra state, VMLOADs the host's, sets GIF and
; returns. The guest's RAX and RSP travel in the VMCB itself. No x87/SSE
; state is switched: the payload and the test guests are built
; general-regs-only, and the guest's CR4 leaves OSFXSR clear.
; struct svm_gprs is declared in hv/svm/svm_cpu.h; the offsets match it.
;
; Host interrupts: the caller runs with IF clear. IF is set right before
; VMRUN, while GIF is still clear, so no interrupt reaches the host there;
; with the INTR intercept and V_INTR_MASKING a physical interrupt then ends
; the guest's run (APM 15.21). The host comes back from #VMEXIT with IF set
; and GIF clear, and takes a pending interrupt (the deadline timer's,
; hv/deadline.h) at STGI, on this stack through its own IDT, before the CLI
; that follows. Taking it anywhere later would need another window: with
; IF clear it would stay pending and end every next VMRUN at once.

bits 64
default rel

%define G_RBX 0
%define G_RCX 8
%define G_RDX 16
%define G_RSI 24
%define G_RDI 32
%define G_RBP 40
%define G_R8 48
%define G_R9 56
%define G_R10 64
%define G_R11 72
%define G_R12 80
%define G_R13 88
%define G_R14 96
%define G_R15 104

; Stack slots while the guest runs (from rsp after the three pushes).
%define S_HOST_SAVE 0
%define S_VMCB 8
%define S_GPRS 16

section .text

global svm_vmrun
svm_vmrun:
	push rbx
	push rbp
	push rdi
	push rsi
	push r12
	push r13
	push r14
	push r15
	push rdx		; S_GPRS
	push rcx		; S_VMCB
	push r8			; S_HOST_SAVE

	clgi
	mov rax, r8		; VMSAVE, VMLOAD and VMRUN take a PA in rax
	vmsave
	mov rax, rcx
	vmload

	mov rbx, [rdx + G_RBX]
	mov rcx, [rdx + G_RCX]
	mov rsi, [rdx + G_RSI]
	mov rdi, [rdx + G_RDI]
	mov rbp, [rdx + G_RBP]
	mov r8, [rdx + G_R8]
	mov r9, [rdx + G_R9]
	mov r10, [rdx + G_R10]
	mov r11, [rdx + G_R11]
	mov r12, [rdx + G_R12]
	mov r13, [rdx + G_R13]
	mov r14, [rdx + G_R14]
	mov r15, [rdx + G_R15]
	mov rdx, [rdx + G_RDX]

	sti
	vmrun

	; The guest's GPRs (but RAX and RSP) are live; free rdx first.
	push rdx
	mov rdx, [rsp + 8 + S_GPRS]
	mov [rdx + G_RBX], rbx
	mov [rdx + G_RCX], rcx
	mov [rdx + G_RSI], rsi
	mov [rdx + G_RDI], rdi
	mov [rdx + G_RBP], rbp
	mov [rdx + G_R8], r8
	mov [rdx + G_R9], r9
	mov [rdx + G_R10], r10
	mov [rdx + G_R11], r11
	mov [rdx + G_R12], r12
	mov [rdx + G_R13], r13
	mov [rdx + G_R14], r14
	mov [rdx + G_R15], r15
	pop rax
	mov [rdx + G_RDX], rax

	mov rax, [rsp + S_VMCB]
	vmsave
	mov rax, [rsp + S_HOST_SAVE]
	vmload
	stgi
	cli

	add rsp, 24
	pop r15
	pop r14
	pop r13
	pop r12
	pop rsi
	pop rdi
	pop rbp
	pop rbx
	ret
