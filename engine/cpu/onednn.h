//go:build cgo

// oneDNN 2.x convolutions loaded at run time (onednn.c, onednn_cgo.go).
//
// The build does not need oneDNN's headers: the few types and constants
// used are declared here from oneDNN 2.6's dnnl.h / dnnl_types.h (stable
// across 2.x; od_load refuses any other major version). Memory and
// operation descriptors are plain structs in 2.x (696 and 5976 bytes in
// 2.6): they are kept as opaque, generously sized, aligned buffers that
// are only passed by pointer.

#ifndef SIMCLR_ONEDNN_H
#define SIMCLR_ONEDNN_H

#include <stddef.h>
#include <stdint.h>

// dnnl_memory_desc_t (696 bytes in 2.6).
typedef struct { _Alignas(max_align_t) unsigned char b[4096]; } od_md;
// dnnl_convolution_desc_t (5976 bytes in 2.6).
typedef struct { _Alignas(max_align_t) unsigned char b[16384]; } od_opdesc;

// The three convolution ops and their operand slots: two inputs, one
// output, each a plain (NCHW or OIHW) user buffer.
enum { OD_FWD = 0, OD_BWD_DATA = 1, OD_BWD_WEIGHTS = 2 };

// od_conv is one convolution primitive for one shape and thread count:
// slot i is bound to oneDNN argument arg[i]; where the layout oneDNN
// chose (chosen[i]) differs from the plain one (user[i]), reorder[i]
// converts between them through a caller's buffer of size[i] bytes.
// blk[i] is set where slot i is an activation (not the filter) and the
// chosen layout is exactly nChw16c (aBcd16b): a run may then bind the
// caller's buffer in that layout directly (od_conv_run's raw).
typedef struct {
	void *prim, *pd;
	int arg[3], blk[3];
	od_md user[3];
	const od_md *chosen[3], *scratch_md; // owned by pd
	void *reorder[3];
	size_t size[3];
	size_t scratch_size;
	char impl[64];
	int threads;
} od_conv;

// od_load opens oneDNN at path; NULL on success, else why not (static
// text, or the message buffer msg of n bytes). With install it creates
// the engine and stream and becomes the oneDNN of od_conv_*; without, it
// only checks the library (version, symbols) and closes it.
const char *od_load(const char *path, int install, char *msg, size_t n);
// od_describe writes "oneDNN 2.6.3 (OpenMP)" or similar into msg.
void od_describe(char *msg, size_t n);

// od_conv_create fills c for op on x (N,C,H,W), w (K,C,R,S), y
// (N,K,P,Q) with strides and paddings (top/left, bottom/right) and
// threads OpenMP threads; 0 on success, else a dnnl status and *where
// names the failing call.
int od_conv_create(od_conv *c, int op, const int64_t *x, const int64_t *w, const int64_t *y,
	const int64_t *strides, const int64_t *pad_l, const int64_t *pad_r, int threads, const char **where);
// od_conv_run runs c on the user buffers in0, in1 and out, the layout
// buffers t0, t1, t2 (used where reorder[i]) and the scratchpad. Bit i of
// raw says that slot i's buffer is in the chosen layout (blk[i] set):
// read or written as is, without a reorder.
int od_conv_run(od_conv *c, void *in0, void *in1, void *out, void *t0, void *t1, void *t2,
	void *scratch, int raw, const char **where);
// od_conv_destroy frees what od_conv_create made.
void od_conv_destroy(od_conv *c);

#endif
