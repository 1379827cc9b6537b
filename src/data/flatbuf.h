/*
 * flatbuf.h - a bounds-checked reader of FlatBuffers tables, just what the
 * Arrow IPC metadata (arrow.c) needs. Debian 12 has no C FlatBuffers
 * library (libflatbuffers-dev is C++ headers for generated C++ code), so
 * this reads the binary format directly, as flatbuffers.dev's "FlatBuffers
 * internals" describes it: everything little-endian; the buffer starts with
 * a u32 offset to the root table; a table starts with an i32 that, taken
 * from the table's position, gives its vtable; a vtable is u16 vtable bytes,
 * u16 table bytes, then one u16 per field, the field's offset in the table
 * (0: absent, the schema's default applies); a field that is a table, vector
 * or string holds a u32 offset from where it is stored; a vector or string
 * starts with its u32 element count (a string then has its bytes and a NUL);
 * a union is two fields, its u8 type then its table.
 *
 * Every read checks that it stays inside the buffer; a failure records the
 * first bad position and what was wrong in struct xnr__fb, which the caller
 * turns into "file: offset N: what".
 */
#ifndef XNR_DATA_FLATBUF_H
#define XNR_DATA_FLATBUF_H

#include <stddef.h>
#include <stdint.h>

struct xnr__fb {
	const uint8_t *buf; /* borrowed */
	size_t n;
	size_t bad_at;   /* position of the first failure, relative to buf */
	const char *bad; /* what was wrong (a static string), NULL while none */
};

struct xnr__fb_table {
	size_t pos;   /* the table's position in buf */
	size_t vt;    /* its vtable's position */
	size_t n_vt;  /* number of field slots in the vtable */
	size_t n_tab; /* the table's bytes, as the vtable says */
};

/* Little-endian reads at buf + pos, which the caller has bounds-checked. */
uint64_t xnr__le(const uint8_t *p, size_t bytes);

/* The root table. 0, or -1 with fb->bad set. */
int xnr__fb_root(struct xnr__fb *fb, struct xnr__fb_table *out);

/* Field `id` as an integer of `bytes` (1, 2, 4 or 8; sign-extended when
 * is_signed), or def when absent. 0, or -1 with fb->bad set. */
int xnr__fb_int(struct xnr__fb *fb, const struct xnr__fb_table *t, unsigned id, size_t bytes,
                int is_signed, int64_t def, int64_t *out);

/* Field `id` as a table; *present 0 when absent (out untouched). */
int xnr__fb_table(struct xnr__fb *fb, const struct xnr__fb_table *t, unsigned id,
                  struct xnr__fb_table *out, int *present);

/* Field `id` as a vector of elem_bytes elements (structs or scalars inline,
 * or 4-byte offsets for tables and strings): *first the position of its
 * first element, *n_elems their count; absent is an empty vector. */
int xnr__fb_vector(struct xnr__fb *fb, const struct xnr__fb_table *t, unsigned id,
                   size_t elem_bytes, size_t *first, size_t *n_elems);

/* Element i of a vector of tables (first as xnr__fb_vector gave). */
int xnr__fb_vector_table(struct xnr__fb *fb, size_t first, size_t i, struct xnr__fb_table *out);

/* Field `id` as a string (not NUL-checked: *s has *len bytes); absent gives
 * *s NULL. */
int xnr__fb_string(struct xnr__fb *fb, const struct xnr__fb_table *t, unsigned id, const char **s,
                   size_t *len);

/* Element i of a vector of strings. */
int xnr__fb_vector_string(struct xnr__fb *fb, size_t first, size_t i, const char **s, size_t *len);

#endif
