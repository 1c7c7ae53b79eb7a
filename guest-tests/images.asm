; guest-tests/images.asm - the test guest images as data, with the table
; guest-tests/image.c searches. The Makefile generates images.inc, one
; "GUEST_IMAGE name, path" line per guest; this file is assembled with
; -f elf64 for host binaries and -f win64 for the payload.

%ifidn __OUTPUT_FORMAT__, win64
%define RODATA section .rdata rdata align=16
%else
%define RODATA section .rodata progbits alloc noexec nowrite align=16
section .note.GNU-stack noalloc noexec nowrite progbits ; no exec stack
%endif

; Pass 1: the bytes and the name of each image.
%macro GUEST_IMAGE 2
RODATA
align 16
image_%1:
	incbin %2
image_%1_end:
name_%1:
	db %str(%1), 0
%endmacro
%include "images.inc"

; Pass 2: struct guest_image { name, start, end } per image.
%unmacro GUEST_IMAGE 2
%macro GUEST_IMAGE 2
	dq name_%1, image_%1, image_%1_end
%endmacro

section .data align=8
global guest_images
global guest_nr_images
guest_images:
%include "images.inc"
guest_images_end:
guest_nr_images:
	dq (guest_images_end - guest_images) / 24
