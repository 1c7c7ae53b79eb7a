; SPDX-License-Identifier: MIT
; boot/catch.asm - the register save and restore behind exc_catch()
; (boot/exception.c). MS x64 ABI: arguments in rcx, rdx, r8; rbx, rbp,
; rdi, rsi and r12-r15 are callee-saved.

bits 64
default rel

; struct exc_jmp offsets
%define JMP_RBX 0
%define JMP_RBP 8
%define JMP_RDI 16
%define JMP_RSI 24
%define JMP_R12 32
%define JMP_R13 40
%define JMP_R14 48
%define JMP_R15 56
%define JMP_RSP 64
%define JMP_RFLAGS 72

; 32 bytes of shadow space for fn plus 8 to keep rsp 16-byte aligned.
%define FRAME 40

section .text

; int exc_try(void (*fn)(void *), void *arg, struct exc_jmp *jmp)
; Returns 0 when fn returns; exc_try_resume makes it return 1.
global exc_try
exc_try:
	mov [r8 + JMP_RBX], rbx
	mov [r8 + JMP_RBP], rbp
	mov [r8 + JMP_RDI], rdi
	mov [r8 + JMP_RSI], rsi
	mov [r8 + JMP_R12], r12
	mov [r8 + JMP_R13], r13
	mov [r8 + JMP_R14], r14
	mov [r8 + JMP_R15], r15
	pushfq
	pop rax
	mov [r8 + JMP_RFLAGS], rax
	sub rsp, FRAME
	mov [r8 + JMP_RSP], rsp
	mov rax, rcx
	mov rcx, rdx
	call rax
	add rsp, FRAME
	xor eax, eax
	ret

; Reached by IRETQ from an exception handler, with rsp = jmp->rsp,
; rflags = jmp->rflags and rcx = jmp.
global exc_try_resume
exc_try_resume:
	mov rbx, [rcx + JMP_RBX]
	mov rbp, [rcx + JMP_RBP]
	mov rdi, [rcx + JMP_RDI]
	mov rsi, [rcx + JMP_RSI]
	mov r12, [rcx + JMP_R12]
	mov r13, [rcx + JMP_R13]
	mov r14, [rcx + JMP_R14]
	mov r15, [rcx + JMP_R15]
	add rsp, FRAME
	mov eax, 1
	ret
