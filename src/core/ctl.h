/*
 * ctl.h - how a caller watches and stops long work (a UMAP, an NMF, an
 * analysis run started from the web app): a progress callback and a cancel
 * flag, both optional. Shared by the reduce, pipeline and server modules.
 */
#ifndef XNR_CORE_CTL_H
#define XNR_CORE_CTL_H

struct xnr_ctl {
	/* Called now and then from the working thread with the fraction done
	 * (0..1) and a short stage name ("neighbours", "epochs"); may be NULL. */
	void (*progress)(void *ud, double done, const char *stage);
	void *ud;
	/* When non-NULL and it becomes nonzero, the work stops soon and returns
	 * XNR_ERR_CANCELLED; read with relaxed atomic loads. */
	const int *cancel;
};

/* Nonzero when ctl asks to stop (ctl may be NULL). */
static inline int xnr_ctl_cancelled(const struct xnr_ctl *ctl)
{
	return ctl && ctl->cancel && __atomic_load_n(ctl->cancel, __ATOMIC_RELAXED);
}

/* Report progress if ctl has a callback (ctl may be NULL). */
static inline void xnr_ctl_progress(const struct xnr_ctl *ctl, double done, const char *stage)
{
	if (ctl && ctl->progress)
		ctl->progress(ctl->ud, done, stage);
}

#endif
