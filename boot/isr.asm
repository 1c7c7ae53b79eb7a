; SPDX-License-Identifier: MIT
; boot/isr.asm - interrupt entry for all 256 vectors. Each entry pushes a
; zero error code where the CPU pushes none, then its vector, and joins
; isr_common, which saves the GPRs as a struct exc_frame (boot/idt.h),
; calls isr_dispatch(frame) with the MS x64 ABI and returns with IRETQ to
; whatever the frame then says.

bits 64
default rel

extern isr_dispatch

; Vectors for which the CPU pushes an error code.
%define ERRCODE_MASK ((1 << 8) | (1 << 10) | (1 << 11) | (1 << 12) | \
	(1 << 13) | (1 << 14) | (1 << 17) | (1 << 21) | (1 << 29) | (1 << 30))

section .text

%macro ISR_STUB 1
isr_stub_%1:
%if %1 >= 32 || ((ERRCODE_MASK >> %1) & 1) == 0
	push qword 0
%endif
	push qword %1
	jmp isr_common
%endmacro

%assign v 0
%rep 256
	ISR_STUB v
%assign v v + 1
%endrep

isr_common:
	push rax
	push rbx
	push rcx
	push rdx
	push rsi
	push rdi
	push rbp
	push r8
	push r9
	push r10
	push r11
	push r12
	push r13
	push r14
	push r15
	cld
	mov rcx, rsp		; struct exc_frame *
	mov rbx, rsp		; callee-saved: the frame survives the call
	and rsp, -16
	sub rsp, 32		; shadow space
	call isr_dispatch
	mov rsp, rbx
	pop r15
	pop r14
	pop r13
	pop r12
	pop r11
	pop r10
	pop r9
	pop r8
	pop rbp
	pop rdi
	pop rsi
	pop rdx
	pop rcx
	pop rbx
	pop rax
	add rsp, 16		; vector and error code
	iretq

section .rdata rdata align=8

global isr_stub_table
isr_stub_table:
%assign v 0
%rep 256
	dq isr_stub_ %+ v
%assign v v + 1
%endrep
