/*
 * half.c - IEEE 754 binary16 <-> binary32 conversions, bit by bit, so the
 * result does not depend on the compiler's _Float16 support or on the FPU's
 * rounding mode.
 */
#include "core/half.h"

#include <string.h>

/* IEEE binary16 -> binary32, exact for every input (subnormals, inf, nan). */
float xnr_f16_to_f32(uint16_t h)
{
	uint32_t sign = (uint32_t)(h & 0x8000u) << 16, exp = (h >> 10) & 0x1Fu, man = h & 0x3FFu;
	uint32_t bits;
	float f;

	if (exp == 0x1F) {
		bits = sign | 0x7F800000u | (man << 13);
	} else if (exp != 0) {
		bits = sign | ((exp + 112) << 23) | (man << 13);
	} else if (man == 0) {
		bits = sign;
	} else {
		/* subnormal: shift the mantissa up until it has its implicit bit */
		exp = 113;
		while (!(man & 0x400u)) {
			man <<= 1;
			exp--;
		}
		bits = sign | (exp << 23) | ((man & 0x3FFu) << 13);
	}
	memcpy(&f, &bits, sizeof f);
	return f;
}

uint16_t xnr_f32_to_f16(float f)
{
	uint32_t x, sign, exp, man, half, rem, mid;
	int e, shift;

	memcpy(&x, &f, sizeof x);
	sign = (x >> 16) & 0x8000u;
	exp = (x >> 23) & 0xFFu;
	man = x & 0x7FFFFFu;
	if (exp == 0xFF)
		return (uint16_t)(sign | 0x7C00u | (man ? 0x200u | (man >> 13) : 0));
	e = (int)exp - 127 + 15;
	if (e >= 0x1F)
		return (uint16_t)(sign | 0x7C00u);
	if (e <= 0) {
		/* a subnormal half (or zero): below 2^-25 everything rounds to zero */
		if (e < -10)
			return (uint16_t)sign;
		man |= 0x800000u;
		shift = 14 - e;
		half = man >> shift;
		rem = man & ((1u << shift) - 1);
		mid = 1u << (shift - 1);
	} else {
		half = ((uint32_t)e << 10) | (man >> 13);
		rem = man & 0x1FFFu;
		mid = 0x1000u;
	}
	/* a carry out of the mantissa raises the exponent, up to infinity: still right */
	if (rem > mid || (rem == mid && (half & 1)))
		half++;
	return (uint16_t)(sign | half);
}
