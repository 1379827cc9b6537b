/*
 * hot.h - XNR_HOT, for the few loops that dominate outside the GEMMs
 * (kernels.c, lowp.c): compiled for AVX-512, AVX2 and the baseline, picked at
 * load time (GCC function multiversioning), and at -O3 so they vectorize. Off
 * under sanitizers and for other compilers. Internal to src/tensor/.
 */
#ifndef XNR_TENSOR_HOT_H
#define XNR_TENSOR_HOT_H

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) &&                             \
    !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
#define XNR_HOT                                                                                    \
	__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default"),               \
	               optimize("O3")))
#else
#define XNR_HOT
#endif

#endif
