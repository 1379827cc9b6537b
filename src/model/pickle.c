/*
 * pickle.c - a restricted unpickler for the data.pkl of a torch.save'd state
 * dict (reference/hf-formats.md 2.2-2.3; opcodes as CPython's pickletools).
 *
 * This is a security boundary: it evaluates nothing. It knows the opcodes
 * torch.save writes (protocol 2, plus the framing and memo opcodes of 4) and
 * four kinds of global: collections.OrderedDict (an empty dict),
 * torch._utils._rebuild_tensor_v2 and _rebuild_parameter (recorded, never
 * called), and torch.<X>Storage (a dtype tag). Any other global or opcode is
 * refused by name. Values live in one growing array; the machine never
 * recurses, so nesting depth costs no stack.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/internal.h"

/* Memo slots beyond this are no torch.save output (it numbers them from 0). */
#define PK_MAX_MEMO (1 << 22)

enum pk_kind {
	PK_NONE,
	PK_BOOL,
	PK_INT,
	PK_FLOAT,
	PK_STR,
	PK_TUPLE,
	PK_LIST,
	PK_DICT,
	PK_GLOBAL,
	PK_STORAGE,
	PK_TENSOR
};

enum pk_global { G_ORDERED_DICT, G_REBUILD_TENSOR, G_REBUILD_PARAMETER, G_STORAGE };

struct pk_value {
	enum pk_kind kind;
	int64_t i;              /* INT, BOOL; GLOBAL: enum pk_global; STORAGE: numel */
	int dtype;              /* GLOBAL G_STORAGE, STORAGE: enum xnr_dtype */
	const unsigned char *s; /* STR, STORAGE (its key): into the pickle */
	size_t s_len;
	int *items; /* TUPLE, LIST; DICT: key, value, key, ...; TENSOR: its 6-7 arguments */
	int n_items, cap_items;
};

struct pk {
	const unsigned char *p, *end, *start;
	const unsigned char *op; /* the opcode being run, for messages */
	const char *path, *entry;
	struct pk_value *vals;
	int n_vals, cap_vals;
	int *stack; /* value indices; -1 is a MARK */
	int n_stack, cap_stack;
	int *memo; /* -1: unset */
	int cap_memo;
	int n_memo; /* slots set: MEMOIZE's next index, as len(memo) in CPython */
	struct xnr_error *err;
};

static const struct {
	const char *module, *name;
	enum pk_global g;
	enum xnr_dtype dtype;
} allowed[] = {
    {"collections", "OrderedDict", G_ORDERED_DICT, XNR_DTYPE_OTHER},
    {"torch._utils", "_rebuild_tensor_v2", G_REBUILD_TENSOR, XNR_DTYPE_OTHER},
    {"torch._utils", "_rebuild_parameter", G_REBUILD_PARAMETER, XNR_DTYPE_OTHER},
    {"torch", "FloatStorage", G_STORAGE, XNR_DTYPE_F32},
    {"torch", "HalfStorage", G_STORAGE, XNR_DTYPE_F16},
    {"torch", "BFloat16Storage", G_STORAGE, XNR_DTYPE_BF16},
    {"torch", "DoubleStorage", G_STORAGE, XNR_DTYPE_F64},
    {"torch", "LongStorage", G_STORAGE, XNR_DTYPE_I64},
    {"torch", "IntStorage", G_STORAGE, XNR_DTYPE_I32},
    {"torch", "ShortStorage", G_STORAGE, XNR_DTYPE_I16},
    {"torch", "CharStorage", G_STORAGE, XNR_DTYPE_I8},
    {"torch", "ByteStorage", G_STORAGE, XNR_DTYPE_U8},
    {"torch", "BoolStorage", G_STORAGE, XNR_DTYPE_BOOL},
};

/* pickletools' names of the opcodes this reader refuses, for messages. */
static const char *refused_name(unsigned op)
{
	static const struct {
		unsigned char op;
		const char *name;
	} names[] = {
	    {'i', "INST"},
	    {'o', "OBJ"},
	    {0x81, "NEWOBJ"},
	    {0x92, "NEWOBJ_EX"},
	    {'P', "PERSID"},
	    {0x82, "EXT1"},
	    {0x83, "EXT2"},
	    {0x84, "EXT4"},
	    {'S', "STRING"},
	    {'T', "BINSTRING"},
	    {'U', "SHORT_BINSTRING"},
	    {'V', "UNICODE"},
	    {'I', "INT"},
	    {'L', "LONG"},
	    {0x8b, "LONG4"},
	    {'F', "FLOAT"},
	    {'B', "BINBYTES"},
	    {'C', "SHORT_BINBYTES"},
	    {0x8e, "BINBYTES8"},
	    {0x96, "BYTEARRAY8"},
	    {0x97, "NEXT_BUFFER"},
	    {0x98, "READONLY_BUFFER"},
	    {'l', "LIST"},
	    {'d', "DICT"},
	    {0x8f, "EMPTY_SET"},
	    {0x90, "ADDITEMS"},
	    {0x91, "FROZENSET"},
	    {'0', "POP"},
	    {'1', "POP_MARK"},
	    {'2', "DUP"},
	    {'g', "GET"},
	    {'p', "PUT"},
	};
	for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
		if (names[k].op == op)
			return names[k].name;
	return "unknown";
}

static enum xnr_status fail(struct pk *k, enum xnr_status s, const char *what)
{
	return xnr_fail_at(k->err, s, k->path, 0, "entry %s, byte %td: %s", k->entry,
	                   k->op - k->start, what);
}

static int grow(void **p, int *cap, int need, size_t size)
{
	int n = *cap ? *cap : 16;
	void *q;

	if (need <= *cap)
		return 1;
	while (n < need)
		n *= 2;
	q = realloc(*p, (size_t)n * size);
	if (!q)
		return 0;
	*p = q;
	*cap = n;
	return 1;
}

/* Append a value of kind; its index, or -1 when out of memory. */
static int new_value(struct pk *k, enum pk_kind kind)
{
	if (!grow((void **)&k->vals, &k->cap_vals, k->n_vals + 1, sizeof *k->vals))
		return -1;
	memset(&k->vals[k->n_vals], 0, sizeof *k->vals);
	k->vals[k->n_vals].kind = kind;
	return k->n_vals++;
}

/* Push value v (-1: a MARK). */
static enum xnr_status push(struct pk *k, int v)
{
	if (!grow((void **)&k->stack, &k->cap_stack, k->n_stack + 1, sizeof *k->stack))
		return fail(k, XNR_ERR_NOMEM, "out of memory");
	k->stack[k->n_stack++] = v;
	return XNR_OK;
}

static enum xnr_status push_new(struct pk *k, enum pk_kind kind, int64_t i)
{
	int v = new_value(k, kind);

	if (v < 0)
		return fail(k, XNR_ERR_NOMEM, "out of memory");
	k->vals[v].i = i;
	return push(k, v);
}

/* Pop one value (not a MARK) into *v. */
static enum xnr_status pop(struct pk *k, int *v)
{
	if (k->n_stack == 0 || k->stack[k->n_stack - 1] < 0)
		return fail(k, XNR_ERR_FORMAT, "stack underflow (truncated or corrupt pickle)");
	*v = k->stack[--k->n_stack];
	return XNR_OK;
}

/* Where the topmost MARK is; -1 when there is none. */
static int find_mark(const struct pk *k)
{
	int i = k->n_stack - 1;

	while (i >= 0 && k->stack[i] != -1)
		i--;
	return i;
}

static enum xnr_status add_items(struct pk *k, int v, const int *items, int n)
{
	struct pk_value *x = &k->vals[v];

	if (n == 0)
		return XNR_OK;
	if (!grow((void **)&x->items, &x->cap_items, x->n_items + n, sizeof *x->items))
		return fail(k, XNR_ERR_NOMEM, "out of memory");
	memcpy(x->items + x->n_items, items, (size_t)n * sizeof *items);
	x->n_items += n;
	return XNR_OK;
}

/* The top n values become one tuple. */
static enum xnr_status make_tuple(struct pk *k, int n)
{
	int v;

	if (n > k->n_stack)
		return fail(k, XNR_ERR_FORMAT, "stack underflow (truncated or corrupt pickle)");
	for (int i = k->n_stack - n; i < k->n_stack; i++)
		if (k->stack[i] < 0)
			return fail(k, XNR_ERR_FORMAT, "a MARK inside a fixed-size tuple");
	v = new_value(k, PK_TUPLE);
	if (v < 0 || (n > 0 && add_items(k, v, k->stack + k->n_stack - n, n) != XNR_OK))
		return fail(k, XNR_ERR_NOMEM, "out of memory");
	k->n_stack -= n;
	return push(k, v);
}

/* The values above the topmost MARK: *at is the MARK's slot. */
static enum xnr_status mark_span(struct pk *k, int *at)
{
	*at = find_mark(k);
	if (*at < 0)
		return fail(k, XNR_ERR_FORMAT, "no MARK on the stack (corrupt pickle)");
	return XNR_OK;
}

/* Read n bytes as an unsigned little-endian integer. */
static enum xnr_status read_le(struct pk *k, int n, uint64_t *out)
{
	uint64_t x = 0;

	if (k->end - k->p < n)
		return fail(k, XNR_ERR_FORMAT,
		            "ends inside an opcode's argument (truncated pickle)");
	for (int i = n - 1; i >= 0; i--)
		x = (x << 8) | k->p[i];
	k->p += n;
	*out = x;
	return XNR_OK;
}

/* A string of len bytes at the cursor. */
static enum xnr_status push_str(struct pk *k, uint64_t len)
{
	int v;

	if ((uint64_t)(k->end - k->p) < len)
		return fail(k, XNR_ERR_FORMAT, "a string runs past the end (truncated pickle)");
	v = new_value(k, PK_STR);
	if (v < 0)
		return fail(k, XNR_ERR_NOMEM, "out of memory");
	k->vals[v].s = k->p;
	k->vals[v].s_len = (size_t)len;
	k->p += len;
	return push(k, v);
}

/* A name from the input, fit for a message: printable ASCII, at most 80 bytes. */
static void printable(char *buf, size_t n, const unsigned char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len && i < 80 && i + 1 < n; i++)
		buf[i] = (char)(s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?');
	buf[i] = '\0';
}

/* The allow-list: anything else is refused here, before it exists. */
static enum xnr_status push_global(struct pk *k, const unsigned char *mod, size_t mod_len,
                                   const unsigned char *name, size_t name_len)
{
	char m[96], n[96], msg[400];
	int v;

	for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++) {
		if (strlen(allowed[i].module) != mod_len || strlen(allowed[i].name) != name_len ||
		    memcmp(allowed[i].module, mod, mod_len) != 0 ||
		    memcmp(allowed[i].name, name, name_len) != 0)
			continue;
		v = new_value(k, PK_GLOBAL);
		if (v < 0)
			return fail(k, XNR_ERR_NOMEM, "out of memory");
		k->vals[v].i = allowed[i].g;
		k->vals[v].dtype = (int)allowed[i].dtype;
		return push(k, v);
	}
	printable(m, sizeof m, mod, mod_len);
	printable(n, sizeof n, name, name_len);
	snprintf(msg, sizeof msg,
	         "refused global %s.%s: a torch state dict needs only OrderedDict, "
	         "_rebuild_tensor_v2 and storages (nothing was run)",
	         m, n);
	return fail(k, XNR_ERR_UNSUPPORTED, msg);
}

/* GLOBAL: "module\nname\n". */
static enum xnr_status op_global(struct pk *k)
{
	const unsigned char *mod = k->p, *nl1, *nl2;

	nl1 = memchr(mod, '\n', (size_t)(k->end - mod));
	nl2 = nl1 ? memchr(nl1 + 1, '\n', (size_t)(k->end - nl1 - 1)) : NULL;
	if (!nl2)
		return fail(k, XNR_ERR_FORMAT, "GLOBAL without its two lines (truncated pickle)");
	k->p = nl2 + 1;
	return push_global(k, mod, (size_t)(nl1 - mod), nl1 + 1, (size_t)(nl2 - nl1 - 1));
}

static enum xnr_status op_stack_global(struct pk *k)
{
	int mod = 0, name = 0;
	enum xnr_status s = pop(k, &name);

	if (s == XNR_OK)
		s = pop(k, &mod);
	if (s != XNR_OK)
		return s;
	if (k->vals[mod].kind != PK_STR || k->vals[name].kind != PK_STR)
		return fail(k, XNR_ERR_FORMAT, "STACK_GLOBAL of something other than two strings");
	return push_global(k, k->vals[mod].s, k->vals[mod].s_len, k->vals[name].s,
	                   k->vals[name].s_len);
}

static int is_kind(const struct pk *k, int v, enum pk_kind kind)
{
	return k->vals[v].kind == kind;
}

/* A tuple of n_dims non-negative ints. */
static int int_tuple(const struct pk *k, int v, int *n_dims)
{
	const struct pk_value *t = &k->vals[v];

	if (t->kind != PK_TUPLE || t->n_items > XNR_ST_MAX_DIMS)
		return 0;
	for (int i = 0; i < t->n_items; i++)
		if (!is_kind(k, t->items[i], PK_INT) || k->vals[t->items[i]].i < 0)
			return 0;
	*n_dims = t->n_items;
	return 1;
}

/* _rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata]):
 * checked and recorded, never run. */
static enum xnr_status rebuild_tensor(struct pk *k, int args)
{
	const struct pk_value *a = &k->vals[args];
	int n_size, n_stride, v;

	if (a->n_items < 6 || a->n_items > 7 || !is_kind(k, a->items[0], PK_STORAGE) ||
	    !is_kind(k, a->items[1], PK_INT) || k->vals[a->items[1]].i < 0 ||
	    !int_tuple(k, a->items[2], &n_size) || !int_tuple(k, a->items[3], &n_stride) ||
	    n_size != n_stride || !is_kind(k, a->items[4], PK_BOOL) ||
	    !is_kind(k, a->items[5], PK_DICT) || k->vals[a->items[5]].n_items != 0)
		return fail(k, XNR_ERR_FORMAT,
		            "_rebuild_tensor_v2 with arguments other than (storage, offset, size, "
		            "stride, requires_grad, {})");
	v = new_value(k, PK_TENSOR);
	if (v < 0 || add_items(k, v, k->vals[args].items, 4) != XNR_OK)
		return fail(k, XNR_ERR_NOMEM, "out of memory");
	return push(k, v);
}

/* REDUCE: only the allowed callables, each with the arguments torch.save gives it. */
static enum xnr_status op_reduce(struct pk *k)
{
	int args = 0, fn = 0;
	const struct pk_value *a;
	enum xnr_status s = pop(k, &args);

	if (s == XNR_OK)
		s = pop(k, &fn);
	if (s != XNR_OK)
		return s;
	if (!is_kind(k, fn, PK_GLOBAL) || !is_kind(k, args, PK_TUPLE))
		return fail(k, XNR_ERR_FORMAT, "REDUCE of something other than an allowed global");
	a = &k->vals[args];
	switch ((enum pk_global)k->vals[fn].i) {
	case G_ORDERED_DICT:
		if (a->n_items != 0)
			return fail(k, XNR_ERR_FORMAT, "OrderedDict called with arguments");
		return push_new(k, PK_DICT, 0);
	case G_REBUILD_TENSOR:
		return rebuild_tensor(k, args);
	case G_REBUILD_PARAMETER:
		if (a->n_items != 3 || !is_kind(k, a->items[0], PK_TENSOR))
			return fail(k, XNR_ERR_FORMAT,
			            "_rebuild_parameter of something other than a tensor");
		return push(k, a->items[0]);
	case G_STORAGE:
		break;
	}
	return fail(k, XNR_ERR_FORMAT, "a storage class called as a function");
}

/* BINPERSID: ('storage', <Storage class>, key, location, numel). */
static enum xnr_status op_persid(struct pk *k)
{
	int pid = 0, v;
	const struct pk_value *t;
	enum xnr_status s = pop(k, &pid);

	if (s != XNR_OK)
		return s;
	t = &k->vals[pid];
	if (t->kind != PK_TUPLE || t->n_items != 5 || !is_kind(k, t->items[0], PK_STR) ||
	    k->vals[t->items[0]].s_len != 7 || memcmp(k->vals[t->items[0]].s, "storage", 7) != 0 ||
	    !is_kind(k, t->items[1], PK_GLOBAL) || k->vals[t->items[1]].i != G_STORAGE ||
	    !is_kind(k, t->items[2], PK_STR) || !is_kind(k, t->items[4], PK_INT) ||
	    k->vals[t->items[4]].i < 0)
		return fail(
		    k, XNR_ERR_FORMAT,
		    "a persistent id other than ('storage', torch.<X>Storage, key, location, "
		    "numel)");
	v = new_value(k, PK_STORAGE);
	if (v < 0)
		return fail(k, XNR_ERR_NOMEM, "out of memory");
	t = &k->vals[pid];
	k->vals[v].dtype = k->vals[t->items[1]].dtype;
	k->vals[v].s = k->vals[t->items[2]].s;
	k->vals[v].s_len = k->vals[t->items[2]].s_len;
	k->vals[v].i = k->vals[t->items[4]].i;
	return push(k, v);
}

/* SETITEM(S), APPEND(S): the values from slot from up go into the dict or
 * list at slot target (below them, and below their MARK if any). */
static enum xnr_status op_fill(struct pk *k, int target, int from, enum pk_kind kind)
{
	int v, n = k->n_stack - from;

	if (target < 0 || n < 0 || k->stack[target] < 0)
		return fail(k, XNR_ERR_FORMAT, "stack underflow (truncated or corrupt pickle)");
	v = k->stack[target];
	if (!is_kind(k, v, kind))
		return fail(k, XNR_ERR_FORMAT,
		            kind == PK_DICT ? "SETITEM on something other than a dict"
		                            : "APPEND on something other than a list");
	if (kind == PK_DICT && n % 2 != 0)
		return fail(k, XNR_ERR_FORMAT, "SETITEMS with a key but no value");
	for (int i = from; i < k->n_stack; i++)
		if (k->stack[i] < 0)
			return fail(k, XNR_ERR_FORMAT, "a MARK among SETITEMS values");
	if (add_items(k, v, k->stack + from, n) != XNR_OK)
		return fail(k, XNR_ERR_NOMEM, "out of memory");
	k->n_stack = target + 1;
	return XNR_OK;
}

/* BUILD: torch.save sets the state dict's _metadata this way; the state is dropped. */
static enum xnr_status op_build(struct pk *k)
{
	int state = 0;
	enum xnr_status s = pop(k, &state);

	if (s != XNR_OK)
		return s;
	if (k->n_stack == 0 || k->stack[k->n_stack - 1] < 0 ||
	    !is_kind(k, k->stack[k->n_stack - 1], PK_DICT))
		return fail(k, XNR_ERR_FORMAT, "BUILD on something other than an OrderedDict");
	return XNR_OK;
}

static enum xnr_status memo_put(struct pk *k, uint64_t idx)
{
	int old = k->cap_memo;

	if (k->n_stack == 0 || k->stack[k->n_stack - 1] < 0)
		return fail(k, XNR_ERR_FORMAT, "memo PUT of an empty stack");
	if (idx >= PK_MAX_MEMO)
		return fail(k, XNR_ERR_LIMIT, "memo index beyond 4194304");
	if (!grow((void **)&k->memo, &k->cap_memo, (int)idx + 1, sizeof *k->memo))
		return fail(k, XNR_ERR_NOMEM, "out of memory");
	for (int i = old; i < k->cap_memo; i++)
		k->memo[i] = -1;
	k->n_memo += k->memo[idx] < 0;
	k->memo[idx] = k->stack[k->n_stack - 1];
	return XNR_OK;
}

static enum xnr_status memo_get(struct pk *k, uint64_t idx)
{
	if (idx >= (uint64_t)k->cap_memo || k->memo[idx] < 0)
		return fail(k, XNR_ERR_FORMAT, "memo GET of an index never PUT");
	return push(k, k->memo[idx]);
}

/* Integer opcodes: BININT1/2 unsigned, BININT and LONG1 two's complement. */
static enum xnr_status op_int(struct pk *k, unsigned op)
{
	uint64_t x, n = 4;
	enum xnr_status s;

	if (op == 'K' || op == 'M')
		n = op == 'K' ? 1 : 2;
	if (op == 0x8a) {
		s = read_le(k, 1, &n);
		if (s == XNR_OK && n > 8)
			return fail(k, XNR_ERR_UNSUPPORTED, "an integer wider than 64 bits");
		if (s != XNR_OK)
			return s;
	}
	x = 0;
	if (n > 0 && (s = read_le(k, (int)n, &x)) != XNR_OK)
		return s;
	if ((op == 'J' || op == 0x8a) && n > 0 && n < 8 && (x >> (8 * n - 1)) & 1)
		x |= ~0ULL << (8 * n);
	return push_new(k, PK_INT, (int64_t)x);
}

/* One opcode; *done at STOP. One switch over the opcodes torch.save writes,
 * each case a few lines: read as a table, so kept whole.
 * NOLINTNEXTLINE(readability-function-size) */
static enum xnr_status step(struct pk *k, unsigned op, int *done)
{
	uint64_t x = 0;
	int at;
	enum xnr_status s = XNR_OK;

	switch (op) {
	case 0x80: /* PROTO */
		s = read_le(k, 1, &x);
		return s == XNR_OK && x > 5
		           ? fail(k, XNR_ERR_UNSUPPORTED, "pickle protocol above 5")
		           : s;
	case 0x95: /* FRAME: a length hint */
		return read_le(k, 8, &x);
	case '.': /* STOP */
		*done = 1;
		return XNR_OK;
	case '(': /* MARK */
		return push(k, -1);
	case 'c':
		return op_global(k);
	case 0x93:
		return op_stack_global(k);
	case '}':
		return push_new(k, PK_DICT, 0);
	case ']':
		return push_new(k, PK_LIST, 0);
	case ')':
		return make_tuple(k, 0);
	case 0x85: /* TUPLE1..3 */
	case 0x86:
	case 0x87:
		return make_tuple(k, (int)op - 0x84);
	case 't':
		if ((s = mark_span(k, &at)) != XNR_OK || (s = make_tuple(k, k->n_stack - at - 1)))
			return s;
		k->stack[at] = k->stack[at + 1]; /* the tuple replaces its MARK */
		k->n_stack--;
		return XNR_OK;
	case 'X':  /* BINUNICODE */
	case 0x8c: /* SHORT_BINUNICODE */
	case 0x8d: /* BINUNICODE8 */
		s = read_le(k, op == 'X' ? 4 : op == 0x8c ? 1 : 8, &x);
		return s == XNR_OK ? push_str(k, x) : s;
	case 'J':
	case 'K':
	case 'M':
	case 0x8a:
		return op_int(k, op);
	case 'G': /* BINFLOAT, big-endian; the value is never needed */
		s = read_le(k, 8, &x);
		return s == XNR_OK ? push_new(k, PK_FLOAT, 0) : s;
	case 'N':
		return push_new(k, PK_NONE, 0);
	case 0x88:
	case 0x89:
		return push_new(k, PK_BOOL, op == 0x88);
	case 'R':
		return op_reduce(k);
	case 'b':
		return op_build(k);
	case 'Q':
		return op_persid(k);
	case 's':
		return op_fill(k, k->n_stack - 3, k->n_stack - 2, PK_DICT);
	case 'a':
		return op_fill(k, k->n_stack - 2, k->n_stack - 1, PK_LIST);
	case 'u':
	case 'e':
		s = mark_span(k, &at);
		return s == XNR_OK ? op_fill(k, at - 1, at + 1, op == 'u' ? PK_DICT : PK_LIST) : s;
	case 'q':
	case 'r':
		s = read_le(k, op == 'q' ? 1 : 4, &x);
		return s == XNR_OK ? memo_put(k, x) : s;
	case 0x94: /* MEMOIZE */
		return memo_put(k, (uint64_t)k->n_memo);
	case 'h':
	case 'j':
		s = read_le(k, op == 'h' ? 1 : 4, &x);
		return s == XNR_OK ? memo_get(k, x) : s;
	}
	{
		char msg[160];
		snprintf(msg, sizeof msg,
		         "refused opcode 0x%02x (%s): not one torch.save writes for a state dict "
		         "(nothing was run)",
		         op, refused_name(op));
		return fail(k, XNR_ERR_UNSUPPORTED, msg);
	}
}

/* A string value as a C string in d->strings at *used; 0 when it holds a NUL. */
static int copy_str(struct xnr__pt_dict *d, size_t *used, const struct pk_value *v,
                    const char **out)
{
	if (memchr(v->s, '\0', v->s_len))
		return 0;
	memcpy(d->strings + *used, v->s, v->s_len);
	d->strings[*used + v->s_len] = '\0';
	*out = d->strings + *used;
	*used += v->s_len + 1;
	return 1;
}

static void fill_tensor(const struct pk *k, const struct pk_value *t, struct xnr__pt_tensor *o)
{
	const struct pk_value *st = &k->vals[t->items[0]];
	const struct pk_value *size = &k->vals[t->items[2]], *stride = &k->vals[t->items[3]];

	o->dtype = (enum xnr_dtype)st->dtype;
	o->storage_numel = st->i;
	o->offset = k->vals[t->items[1]].i;
	o->n_dims = size->n_items;
	for (int i = 0; i < o->n_dims; i++) {
		o->size[i] = k->vals[size->items[i]].i;
		o->stride[i] = k->vals[stride->items[i]].i;
	}
}

/* The result must be a dict of name -> tensor. */
static enum xnr_status extract(struct pk *k, int top, struct xnr__pt_dict *d)
{
	const struct pk_value *dict = &k->vals[top];
	size_t bytes = 0, used = 0;
	int n;

	if (dict->kind != PK_DICT)
		return fail(k, XNR_ERR_FORMAT, "the pickle holds no state dict (an OrderedDict)");
	n = dict->n_items / 2;
	for (int i = 0; i < dict->n_items; i += 2) {
		const struct pk_value *key = &k->vals[dict->items[i]];
		const struct pk_value *t = &k->vals[dict->items[i + 1]];
		if (key->kind != PK_STR || t->kind != PK_TENSOR)
			return fail(k, XNR_ERR_FORMAT,
			            "a state dict entry is not a name and a tensor");
		bytes += key->s_len + 1 + k->vals[t->items[0]].s_len + 1;
	}
	d->tensors = calloc((size_t)(n ? n : 1), sizeof *d->tensors);
	d->strings = malloc(bytes ? bytes : 1);
	if (!d->tensors || !d->strings)
		return fail(k, XNR_ERR_NOMEM, "out of memory");
	for (int i = 0; i < n; i++) {
		const struct pk_value *t = &k->vals[dict->items[2 * i + 1]];
		struct xnr__pt_tensor *o = &d->tensors[i];
		if (!copy_str(d, &used, &k->vals[dict->items[2 * i]], &o->name) ||
		    !copy_str(d, &used, &k->vals[t->items[0]], &o->key))
			return fail(k, XNR_ERR_FORMAT, "a tensor or storage name holds a NUL byte");
		fill_tensor(k, t, o);
	}
	d->n_tensors = n;
	return XNR_OK;
}

static enum xnr_status run(struct pk *k, struct xnr__pt_dict *d)
{
	int done = 0, top = 0;
	enum xnr_status s = XNR_OK;

	while (s == XNR_OK && !done) {
		if (k->p == k->end)
			return fail(k, XNR_ERR_FORMAT, "ends before STOP (truncated pickle)");
		k->op = k->p;
		s = step(k, *k->p++, &done);
	}
	if (s == XNR_OK && k->n_stack != 1)
		return fail(k, XNR_ERR_FORMAT, "STOP with other than one value on the stack");
	if (s == XNR_OK && (s = pop(k, &top)) == XNR_OK)
		s = extract(k, top, d);
	return s;
}

enum xnr_status xnr__pickle_state_dict(const unsigned char *buf, size_t n_bytes, const char *path,
                                       const char *entry, struct xnr__pt_dict *out,
                                       struct xnr_error *err)
{
	struct pk k = {.p = buf,
	               .end = buf + n_bytes,
	               .start = buf,
	               .op = buf,
	               .path = path,
	               .entry = entry,
	               .err = err};
	struct xnr__pt_dict d = {0};
	enum xnr_status s = run(&k, &d);

	for (int i = 0; i < k.n_vals; i++)
		free(k.vals[i].items);
	free(k.vals);
	free(k.stack);
	free(k.memo);
	if (s != XNR_OK) {
		xnr__pt_dict_free(&d);
		return s;
	}
	*out = d;
	return XNR_OK;
}

void xnr__pt_dict_free(struct xnr__pt_dict *d)
{
	if (!d)
		return;
	free(d->tensors);
	free(d->strings);
	memset(d, 0, sizeof *d);
}
