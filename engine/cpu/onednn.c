//go:build cgo

// oneDNN 2.x loaded with dlopen: the convolution primitives of the CPU
// backend (see onednn.h and onednn_cgo.go). Enum values and argument
// numbers are oneDNN 2.6's (dnnl_types.h), unchanged across 2.x.

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onednn.h"

// od_conv and the descriptors live in malloc / calloc memory (here and in
// onednn_cgo.go): they must not ask for more alignment than it gives.
_Static_assert(_Alignof(od_conv) <= _Alignof(max_align_t), "od_conv over-aligned for calloc");
_Static_assert(_Alignof(od_opdesc) <= _Alignof(max_align_t), "od_opdesc over-aligned for malloc");

enum {
	dnnl_success = 0,
	dnnl_f32 = 3,
	tag_any = 1,
	tag_abcd = 5, // nchw and oihw
	tag_aBcd16b = 69, // nChw16c
	prop_forward_training = 64,
	prop_backward_data = 160,
	prop_backward_weights = 192,
	alg_convolution_direct = 1,
	engine_cpu = 1,
	stream_default_flags = 1,
	scratchpad_mode_user = 1,
	query_impl_info_str = 8,
	query_src_md = 129,
	query_diff_src_md = 130,
	query_weights_md = 131,
	query_diff_weights_md = 132,
	query_dst_md = 133,
	query_diff_dst_md = 134,
	query_scratchpad_md = 136,
	arg_src = 1,
	arg_dst = 17,
	arg_weights = 33,
	arg_scratchpad = 80,
	arg_diff_src = 129,
	arg_diff_dst = 145,
	arg_diff_weights = 161,
	arg_from = 1,
	arg_to = 17,
	runtime_omp = 2,
	runtime_tbb = 4,
	runtime_threadpool = 8,
};

typedef struct {
	int major, minor, patch;
	const char *hash;
	unsigned cpu_runtime, gpu_runtime;
} od_version;

typedef struct {
	int arg;
	void *memory;
} od_arg;

typedef int64_t od_dims[12]; // dnnl_dims_t (DNNL_MAX_NDIMS 12)

typedef struct {
	const od_version *(*version)(void);
	int (*engine_create)(void **engine, int kind, size_t index);
	int (*engine_destroy)(void *engine);
	int (*stream_create)(void **stream, void *engine, unsigned flags);
	int (*stream_wait)(void *stream);
	int (*md_init_by_tag)(od_md *md, int ndims, const int64_t *dims, int dt, int tag);
	int (*md_equal)(const od_md *a, const od_md *b);
	size_t (*md_size)(const od_md *md);
	int (*conv_fwd_init)(od_opdesc *d, int prop, int alg, const od_md *src, const od_md *w,
		const od_md *bias, const od_md *dst, const int64_t *strides, const int64_t *pl, const int64_t *pr);
	int (*conv_bwd_data_init)(od_opdesc *d, int alg, const od_md *diff_src, const od_md *w,
		const od_md *diff_dst, const int64_t *strides, const int64_t *pl, const int64_t *pr);
	int (*conv_bwd_weights_init)(od_opdesc *d, int alg, const od_md *src, const od_md *diff_w,
		const od_md *diff_bias, const od_md *diff_dst, const int64_t *strides, const int64_t *pl, const int64_t *pr);
	int (*attr_create)(void **attr);
	int (*attr_set_scratchpad_mode)(void *attr, int mode);
	int (*attr_destroy)(void *attr);
	int (*pd_create)(void **pd, const void *op_desc, const void *attr, void *engine, const void *hint);
	int (*pd_query)(const void *pd, int what, int index, void *result);
	const od_md *(*pd_query_md)(const void *pd, int what, int index);
	int (*pd_destroy)(void *pd);
	int (*reorder_pd_create)(void **pd, const od_md *src, void *seng, const od_md *dst, void *deng, const void *attr);
	int (*prim_create)(void **prim, const void *pd);
	int (*prim_execute)(const void *prim, void *stream, int nargs, const od_arg *args);
	int (*prim_destroy)(void *prim);
	int (*memory_create)(void **mem, const od_md *md, void *engine, void *handle);
	int (*memory_destroy)(void *mem);
	void (*omp_set_num_threads)(int n);
} od_table;

// od is set by a successful od_load only.
static od_table od;

static void *od_engine, *od_stream;

#define OD_SYM(field, name)                                      \
	do {                                                     \
		*(void **)(&t.field) = dlsym(h, name);          \
		if (!t.field) {                                  \
			snprintf(msg, n, "%s has no %s", path, name); \
			dlclose(h);                              \
			return msg;                              \
		}                                                \
	} while (0)

// OMP_WAIT_POLICY=PASSIVE is set by onednn_cgo.go's init, before any
// thread that may call getenv starts (setenv here would race with them).
const char *od_load(const char *path, int install, char *msg, size_t n) {
	od_table t = {0};
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(msg, n, "%s", dlerror());
		return msg;
	}
	OD_SYM(version, "dnnl_version");
	const od_version *v = t.version();
	if (v->major != 2) {
		snprintf(msg, n, "%s is oneDNN %d.%d.%d; the binding declares the oneDNN 2.x C API only",
			path, v->major, v->minor, v->patch);
		dlclose(h);
		return msg;
	}
	OD_SYM(engine_create, "dnnl_engine_create");
	OD_SYM(engine_destroy, "dnnl_engine_destroy");
	OD_SYM(stream_create, "dnnl_stream_create");
	OD_SYM(stream_wait, "dnnl_stream_wait");
	OD_SYM(md_init_by_tag, "dnnl_memory_desc_init_by_tag");
	OD_SYM(md_equal, "dnnl_memory_desc_equal");
	OD_SYM(md_size, "dnnl_memory_desc_get_size");
	OD_SYM(conv_fwd_init, "dnnl_convolution_forward_desc_init");
	OD_SYM(conv_bwd_data_init, "dnnl_convolution_backward_data_desc_init");
	OD_SYM(conv_bwd_weights_init, "dnnl_convolution_backward_weights_desc_init");
	OD_SYM(attr_create, "dnnl_primitive_attr_create");
	OD_SYM(attr_set_scratchpad_mode, "dnnl_primitive_attr_set_scratchpad_mode");
	OD_SYM(attr_destroy, "dnnl_primitive_attr_destroy");
	OD_SYM(pd_create, "dnnl_primitive_desc_create");
	OD_SYM(pd_query, "dnnl_primitive_desc_query");
	OD_SYM(pd_query_md, "dnnl_primitive_desc_query_md");
	OD_SYM(pd_destroy, "dnnl_primitive_desc_destroy");
	OD_SYM(reorder_pd_create, "dnnl_reorder_primitive_desc_create");
	OD_SYM(prim_create, "dnnl_primitive_create");
	OD_SYM(prim_execute, "dnnl_primitive_execute");
	OD_SYM(prim_destroy, "dnnl_primitive_destroy");
	OD_SYM(memory_create, "dnnl_memory_create");
	OD_SYM(memory_destroy, "dnnl_memory_destroy");
	if (v->cpu_runtime == runtime_omp) {
		// libgomp, loaded with oneDNN: found through its handle.
		OD_SYM(omp_set_num_threads, "omp_set_num_threads");
	} else if (v->cpu_runtime != 1) { // 1: sequential
		snprintf(msg, n, "%s is built for CPU runtime %u (TBB or a thread pool); only OpenMP and sequential builds are supported",
			path, v->cpu_runtime);
		dlclose(h);
		return msg;
	}
	if (!install) {
		dlclose(h);
		return NULL;
	}
	void *engine = NULL, *stream = NULL;
	int st = t.engine_create(&engine, engine_cpu, 0);
	if (st == dnnl_success)
		st = t.stream_create(&stream, engine, stream_default_flags);
	if (st != dnnl_success) {
		snprintf(msg, n, "%s: creating the CPU engine and stream: dnnl status %d", path, st);
		if (engine) t.engine_destroy(engine);
		dlclose(h);
		return msg;
	}
	od_engine = engine;
	od_stream = stream;
	od = t;
	return NULL;
}

void od_describe(char *msg, size_t n) {
	const od_version *v = od.version();
	snprintf(msg, n, "oneDNN %d.%d.%d (%s)", v->major, v->minor, v->patch,
		v->cpu_runtime == runtime_omp ? "OpenMP" : "sequential");
}

static void od_threads(int threads) {
	if (od.omp_set_num_threads) od.omp_set_num_threads(threads);
}

#define CK(call)                    \
	do {                        \
		st = (call);        \
		if (st != dnnl_success) { \
			*where = #call; \
			goto out;       \
		}                   \
	} while (0)

int od_conv_create(od_conv *c, int op, const int64_t *x, const int64_t *w, const int64_t *y,
	const int64_t *strides, const int64_t *pad_l, const int64_t *pad_r, int threads, const char **where) {
	memset(c, 0, sizeof *c);
	c->threads = threads;
	// oneDNN sizes its work split by omp_get_max_threads at creation.
	od_threads(threads);
	int st = dnnl_success;
	void *attr = NULL, *fwd_pd = NULL, *pd = NULL;
	od_opdesc *d = malloc(sizeof *d);
	od_md *any = malloc(3 * sizeof *any), *plain = malloc(3 * sizeof *plain);
	if (!d || !any || !plain) {
		st = 1; // dnnl_out_of_memory
		*where = "malloc";
		goto out;
	}
	// any/plain [0] x, [1] w, [2] y
	const int64_t *dims[3] = {x, w, y};
	for (int i = 0; i < 3; i++) {
		CK(od.md_init_by_tag(&any[i], 4, dims[i], dnnl_f32, tag_any));
		CK(od.md_init_by_tag(&plain[i], 4, dims[i], dnnl_f32, tag_abcd));
	}
	CK(od.attr_create(&attr));
	CK(od.attr_set_scratchpad_mode(attr, scratchpad_mode_user));
	// The forward descriptor: the primitive itself, or the hint of a backward one.
	CK(od.conv_fwd_init(d, prop_forward_training, alg_convolution_direct, &any[0], &any[1], NULL, &any[2],
		strides, pad_l, pad_r));
	CK(od.pd_create(&fwd_pd, d, attr, od_engine, NULL));
	int slot[3], query[3]; // per slot: which of x/w/y, and its query
	switch (op) {
	case OD_FWD:
		pd = fwd_pd, fwd_pd = NULL;
		slot[0] = 0, slot[1] = 1, slot[2] = 2;
		query[0] = query_src_md, query[1] = query_weights_md, query[2] = query_dst_md;
		c->arg[0] = arg_src, c->arg[1] = arg_weights, c->arg[2] = arg_dst;
		break;
	case OD_BWD_DATA:
		CK(od.conv_bwd_data_init(d, alg_convolution_direct, &any[0], &any[1], &any[2], strides, pad_l, pad_r));
		CK(od.pd_create(&pd, d, attr, od_engine, fwd_pd));
		slot[0] = 2, slot[1] = 1, slot[2] = 0;
		query[0] = query_diff_dst_md, query[1] = query_weights_md, query[2] = query_diff_src_md;
		c->arg[0] = arg_diff_dst, c->arg[1] = arg_weights, c->arg[2] = arg_diff_src;
		break;
	default:
		CK(od.conv_bwd_weights_init(d, alg_convolution_direct, &any[0], &any[1], NULL, &any[2], strides, pad_l, pad_r));
		CK(od.pd_create(&pd, d, attr, od_engine, fwd_pd));
		slot[0] = 2, slot[1] = 0, slot[2] = 1;
		query[0] = query_diff_dst_md, query[1] = query_src_md, query[2] = query_diff_weights_md;
		c->arg[0] = arg_diff_dst, c->arg[1] = arg_src, c->arg[2] = arg_diff_weights;
	}
	const char *impl = NULL;
	if (od.pd_query(pd, query_impl_info_str, 0, &impl) == dnnl_success && impl)
		snprintf(c->impl, sizeof c->impl, "%s", impl);
	for (int i = 0; i < 3; i++) {
		const od_md *m = od.pd_query_md(pd, query[i], 0);
		if (!m) {
			st = 2; // dnnl_invalid_arguments
			*where = "dnnl_primitive_desc_query_md";
			goto out;
		}
		c->chosen[i] = m;
		c->user[i] = plain[slot[i]];
		if (slot[i] != 1 && dims[slot[i]][1] % 16 == 0) { // an activation
			od_md blocked;
			CK(od.md_init_by_tag(&blocked, 4, dims[slot[i]], dnnl_f32, tag_aBcd16b));
			c->blk[i] = od.md_equal(m, &blocked);
		}
		if (od.md_equal(m, &c->user[i]))
			continue;
		c->size[i] = od.md_size(m);
		void *rpd = NULL;
		if (i < 2)
			CK(od.reorder_pd_create(&rpd, &c->user[i], od_engine, c->chosen[i], od_engine, NULL));
		else
			CK(od.reorder_pd_create(&rpd, c->chosen[i], od_engine, &c->user[i], od_engine, NULL));
		st = od.prim_create(&c->reorder[i], rpd);
		od.pd_destroy(rpd);
		if (st != dnnl_success) {
			*where = "dnnl_primitive_create (reorder)";
			goto out;
		}
	}
	const od_md *sm = od.pd_query_md(pd, query_scratchpad_md, 0);
	if (sm) {
		c->scratch_md = sm;
		c->scratch_size = od.md_size(sm);
	}
	CK(od.prim_create(&c->prim, pd));
out:
	c->pd = pd; // the chosen layouts live in it; freed by od_conv_destroy
	if (fwd_pd) od.pd_destroy(fwd_pd);
	if (attr) od.attr_destroy(attr);
	free(d);
	free(any);
	free(plain);
	if (st != dnnl_success) od_conv_destroy(c);
	return st;
}

int od_conv_run(od_conv *c, void *in0, void *in1, void *out, void *t0, void *t1, void *t2,
	void *scratch, int raw, const char **where) {
	void *io[3] = {in0, in1, out}, *tmp[3] = {t0, t1, t2};
	od_threads(c->threads);
	int st = dnnl_success;
	void *user[3] = {0}, *lay[3] = {0}, *sp = NULL;
	od_arg args[4];
	int nargs = 0;
	int direct[3];
	for (int i = 0; i < 3; i++) {
		direct[i] = (raw >> i & 1) && c->blk[i];
		if (direct[i]) { // the caller's buffer is in the chosen layout
			CK(od.memory_create(&user[i], c->chosen[i], od_engine, io[i]));
			args[nargs++] = (od_arg){c->arg[i], user[i]};
			continue;
		}
		CK(od.memory_create(&user[i], &c->user[i], od_engine, io[i]));
		void *m = user[i];
		if (c->reorder[i]) {
			CK(od.memory_create(&lay[i], c->chosen[i], od_engine, tmp[i]));
			m = lay[i];
		}
		args[nargs++] = (od_arg){c->arg[i], m};
	}
	if (c->scratch_size) {
		CK(od.memory_create(&sp, c->scratch_md, od_engine, scratch));
		args[nargs++] = (od_arg){arg_scratchpad, sp};
	}
	for (int i = 0; i < 2; i++) {
		if (!c->reorder[i] || direct[i]) continue;
		od_arg ra[2] = {{arg_from, user[i]}, {arg_to, lay[i]}};
		CK(od.prim_execute(c->reorder[i], od_stream, 2, ra));
	}
	CK(od.prim_execute(c->prim, od_stream, nargs, args));
	if (c->reorder[2] && !direct[2]) {
		od_arg ra[2] = {{arg_from, lay[2]}, {arg_to, user[2]}};
		CK(od.prim_execute(c->reorder[2], od_stream, 2, ra));
	}
	CK(od.stream_wait(od_stream));
out:
	// The memory objects wrap the caller's buffers for this call only.
	for (int i = 0; i < 3; i++) {
		if (user[i]) od.memory_destroy(user[i]);
		if (lay[i]) od.memory_destroy(lay[i]);
	}
	if (sp) od.memory_destroy(sp);
	return st;
}

void od_conv_destroy(od_conv *c) {
	if (c->prim) od.prim_destroy(c->prim);
	for (int i = 0; i < 3; i++)
		if (c->reorder[i]) od.prim_destroy(c->reorder[i]);
	if (c->pd) od.pd_destroy(c->pd);
	memset(c, 0, sizeof *c);
}
