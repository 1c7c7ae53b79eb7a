// SPDX-License-Identifier: MIT
/*
 * hv/arch.c - the registry of vCPU backends and the one place a backend is
 * chosen (hv/arch.h). Each backend's lacks() reads the CPU's vendor and
 * features (SVM: an AMD or Hygon CPU with SVM and nested paging, usable;
 * VMX: an Intel CPU with VMX, EPT and the controls hv/vmx/vmx_ctls.c
 * needs);
 * the first backend that runs here is taken, once, so one EFI image
 * serves every machine its backends know.
 */
#include "hv/arch.h"
#include "hv/svm/svm.h"
#include "hv/vmx/vmx.h"

/* Every backend, one registration line each. */
static const struct arch_ops *const backends[] = {
	&svm_arch_ops,
	&vmx_arch_ops,
};

static const struct arch_ops *chosen, *override;
static const char *why_none;
static bool probed;

static void probe(void)
{
	if (probed)
		return;
	probed = true;
	why_none = "no vCPU backend";
	for (size_t i = 0; i < ARRAY_SIZE(backends); i++) {
		const char *why = backends[i]->lacks();

		if (!why) {
			chosen = backends[i];
			why_none = NULL;
			return;
		}
		/* With none here, the first backend says why. */
		if (!i)
			why_none = why;
	}
}

const struct arch_ops *arch_select(void)
{
	if (override)
		return override;
	probe();
	return chosen;
}

const char *arch_lacks(void)
{
	if (override)
		return NULL;
	probe();
	return why_none;
}

const struct arch_ops *arch_use(const struct arch_ops *ops)
{
	const struct arch_ops *old = override;

	override = ops;
	return old;
}
