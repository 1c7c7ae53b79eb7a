/* SPDX-License-Identifier: MIT */
/*
 * hv/base/list.h - the one intrusive doubly linked list of the hypervisor.
 * Owns nothing but the links: an object that goes on a list embeds a
 * struct list_head, and the list is named by a struct list_head of its own
 * (the head) that is never an entry. The links form a ring through the
 * head, so an empty list is a head that points at itself both ways. A node
 * taken off its list has NULL links.
 *
 * Not thread-safe: the hypervisor runs on one CPU.
 */
#ifndef GMV_HV_BASE_LIST_H
#define GMV_HV_BASE_LIST_H

#include "lib/types.h"

struct list_head {
	struct list_head *next, *prev;
};

/* The initializer of an empty list whose head is the object 'name'. */
#define LIST_HEAD_INIT(name)     \
	{                        \
		&(name), &(name) \
	}

static inline void list_init(struct list_head *head)
{
	head->next = head;
	head->prev = head;
}

static inline bool list_empty(const struct list_head *head)
{
	return head->next == head;
}

/* Put node at the front of the list, right after head. */
static inline void list_add(struct list_head *node, struct list_head *head)
{
	struct list_head *first = head->next;

	node->next = first;
	node->prev = head;
	first->prev = node;
	head->next = node;
}

/* Take node off its list and clear its links. */
static inline void list_del(struct list_head *node)
{
	node->prev->next = node->next;
	node->next->prev = node->prev;
	node->next = NULL;
	node->prev = NULL;
}

/* Do both neighbours of node point back at it? For the invariant checkers;
 * walking a list and asking this of every node checks the whole ring. */
static inline bool list_node_valid(const struct list_head *node)
{
	return node->next->prev == node && node->prev->next == node;
}

/* The entry of type 'type' that holds the first node of a non-empty list
 * in its field 'member'. */
#define list_first_entry(head, type, member) \
	container_of((head)->next, type, member)

/* pos (a struct list_head *) visits every node from the front. */
#define list_for_each(pos, head) \
	for ((pos) = (head)->next; (pos) != (head); (pos) = (pos)->next)

/* pos (a pointer to the entry type) visits every entry from the front;
 * 'member' is the entry's struct list_head. The body must not take pos off
 * the list. */
#define list_for_each_entry(pos, head, member)                               \
	for ((pos) = container_of((head)->next, __typeof__(*(pos)), member); \
	     &(pos)->member != (head);                                       \
	     (pos) = container_of((pos)->member.next, __typeof__(*(pos)),    \
				  member))

#endif
