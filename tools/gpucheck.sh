#!/usr/bin/env bash
# tools/gpucheck.sh: the one-shot GPU check. On a Linux x86-64 machine with a
# GPU and its Vulkan driver, with a simclr-vk binary and test binaries built
# elsewhere (see --build-only), it runs in a few minutes:
#   1. simclr-vk devices
#   2. the conformance tests of every op (and the layers tests) on the GPU
#   3. simclr-vk bench gemm / conv / ntxent / step with JSON output, the
#      GEMM and convolution kernels autotuned into $out/tune.json (kept in
#      the report: every candidate's rate per shape), and, where the device
#      has usable cooperative matrices, gemm / conv / step again with
#      --coopmat on (float16 inputs, float32 sums: the *_coopmat steps)
#   4. where python3 with torch is installed, the same SimCLR step and SGEMM in
#      PyTorch on the same GPU (fp32 and AMP)
#   5. scale: a step in --micro-batch chunks (gradient caching) at a batch
#      beyond one pass's memory, and, where mpirun and bin/simclr-vk-mpi
#      exist, the data-parallel step on 2 ranks sharing the GPU (comm_ms)
#   6. the data pipeline with the views rendered on the GPU (issue #19):
#      bench data --augment gpu at 224 and at 32 px on .svk files prepared
#      from bin/mkjpegs' synthetic JPEGs, 2 loader workers (the goal's CPU)
#      and a short ResNet-18 train at 224 px with --augment-on gpu: the
#      step's data wait (metrics.jsonl)
# and writes one JSON report (report.json) plus the raw logs into --out,
# and, where python3 runs, goals.json: issue #8's goals as ratios, issue
# #18's (the mixed step against PyTorch AMP, its peak memory against the
# fp32 step's) and #19's (views/s, loader cores, data wait) with their
# verdicts
# (tools/gpucheck_goals.py).
#
#   tools/gpucheck.sh --build-only           build bin/simclr-vk and bin/tests/*.test here
#   tools/gpucheck.sh [--quick] [--out DIR] [--device N] [--budget SECONDS]
#                     [--only REGEX] [--test-run REGEX]
#
# Steps run in the order of what they prove: devices, the conformance tests,
# then the figures of issue #8's goals (GEMM 4096^3, the B=512 step, the
# PyTorch reference, NT-Xent), then the rest. --budget (default 450 s; 0,
# none, the default with --quick) bounds the whole run: each step's time limit is cut to what is left,
# a step that would start with under 20 s left is skipped (rc "skipped" in
# the report), and the report is written even when the run is stopped
# (SIGTERM/SIGINT), so a lease that runs short still brings back the goals.
#
# --only runs just the steps whose names match REGEX (grep -E; the others
# are recorded as skipped), --test-run narrows the test binaries to the
# tests matching REGEX (-test.run; no single quotes; the memory-exhausting
# tests of step 5 are then not run): a short look at one kernel on a GPU
# whose time is scarce.
#
# --quick uses tiny shapes (to rehearse on lavapipe). Where the Vulkan loader
# finds no driver, export VK_DRIVER_FILES=/path/to/<vendor>_icd.json first
# (NVIDIA: nvidia_icd.json under the driver's share/vulkan/icd.d).
set -uo pipefail
cd "$(dirname "$0")/.."

quick=0 out=gpucheck-out device="" build_only=0 budget="" only="" test_run=""
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) quick=1 ;;
	--out) out=$2; shift ;;
	--device) device=$2; shift ;;
	--budget) budget=$2; shift ;;
	--build-only) build_only=1 ;;
	--only) only=$2; shift ;;
	--test-run)
		test_run=$2
		shift
		case $test_run in *"'"*) echo "gpucheck: --test-run cannot hold a single quote" >&2; exit 2 ;; esac
		;;
	-h|--help) sed -n '2,47p' "$0"; exit 0 ;;
	*) echo "gpucheck: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done

TEST_PKGS=(./engine/vulkan ./engine/vulkan/internal/vkrt ./engine/vulkan/internal/tune ./engine/vulkan/internal/gemm ./engine/vulkan/internal/ntxent ./engine/vulkan/internal/conv ./layers/vulkancheck)
MEMORY_STRESS='^(TestOutOfMemory|TestBigTensorOwnBlock|TestTuneRefWithoutMemory)$'
if [ $build_only = 1 ]; then
	set -e
	mkdir -p bin/tests
	go build -o bin/simclr-vk ./cmd/simclr-vk
	# The MPI binary for the data-parallel step, where Open MPI is installed
	# (the GPU machine also needs Open MPI's runtime to run it).
	go build -o bin/mkjpegs ./tools/mkjpegs # bench data's synthetic JPEGs
	if pkg-config --exists ompi-c 2>/dev/null; then
		go build -tags mpi -o bin/simclr-vk-mpi ./cmd/simclr-vk
	fi
	for p in "${TEST_PKGS[@]}"; do
		go test -c -o "bin/tests/$(basename "$p").test" "$p"
	done
	ls -la bin bin/tests
	exit 0
fi

mkdir -p "$out"
BIN=${BIN:-bin/simclr-vk}
# Kernel autotuning (the CLI default) into a cache of this run, so the
# report holds every candidate's measured rate (GEMM classes, and each
# convolution problem and pass).
export SIMCLR_VK_TUNE_CACHE=${SIMCLR_VK_TUNE_CACHE:-$out/tune.json}
dev=()
[ -n "$device" ] && dev=(--device "$device")
log() { printf '[gpucheck %s] %s\n' "$(date +%T)" "$*" | tee -a "$out/gpucheck.log" >&2; }

# The time budget: a step gets at most what is left of it, less RESERVE
# seconds kept for the report; one that would get under MIN_STEP is skipped.
RESERVE=10 MIN_STEP=20
[ -n "$budget" ] || budget=$([ $quick = 1 ] && echo 0 || echo 450)
deadline=0
[ "$budget" -gt 0 ] 2>/dev/null && deadline=$((SECONDS + budget))
[ "$budget" = 0 ] || [ $deadline -gt 0 ] || { echo "gpucheck: --budget wants whole seconds, got $budget" >&2; exit 2; }

# run NAME TIMEOUT CMD...: runs a step, keeps its stdout in $out/NAME.out and
# its stderr in the log, and records its status. The step runs in the
# background and is waited for, so a signal to this script is handled at
# once (the step is stopped and the report written), not after the step.
status_lines=()
cur=""
run() {
	local name=$1 limit=$2
	shift 2
	if [ -n "$only" ] && ! grep -qE -- "$only" <<<"$name"; then
		status_lines+=("{\"step\":\"$name\",\"rc\":null,\"skipped\":\"only\",\"seconds\":0}")
		return 0
	fi
	if [ $deadline -gt 0 ]; then
		local left=$((deadline - SECONDS - RESERVE))
		if [ $left -lt $MIN_STEP ]; then
			status_lines+=("{\"step\":\"$name\",\"rc\":null,\"skipped\":\"budget\",\"seconds\":0}")
			log "$name: skipped, ${left}s of the ${budget}s budget left"
			return 0
		fi
		[ $left -lt "$limit" ] && limit=$left
	fi
	log "$name (limit ${limit}s): $*"
	local t0=$SECONDS
	timeout -k 5 "$limit" "$@" >"$out/$name.out" 2>>"$out/gpucheck.log" &
	cur=$!
	wait $cur
	local rc=$?
	cur=""
	status_lines+=("{\"step\":\"$name\",\"rc\":$rc,\"seconds\":$((SECONDS - t0))}")
	log "$name: rc=$rc in $((SECONDS - t0)) s"
	return 0
}

# report writes report.json (every JSON line each step printed, grouped by
# step; the test counts; the tuning cache) and goals.json.
report() {
	{
		printf '{"date":"%s","quick":%s,"host":"%s",' "$(date -u +%FT%TZ)" "$([ $quick = 1 ] && echo true || echo false)" "$(uname -nm)"
		if command -v nvidia-smi >/dev/null; then
			printf '"nvidia_smi":"%s",' "$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -1)"
		fi
		printf '"budget_s":%s,"elapsed_s":%d,"goal_gemm":"%s","goal_batch":%s,' "$budget" "$SECONDS" "${GOAL_GEMM//,/x}" "$GOAL_B"
		printf '"steps":[%s],"results":{' "$(IFS=,; echo "${status_lines[*]}")"
		local first=1 f name lines
		for f in "$out"/*.out; do
			[ -e "$f" ] || continue
			name=$(basename "$f" .out)
			case $name in
			test_*) lines=$(printf '{"passed":%d,"failed":%d,"result":"%s"}' "$(grep -c -- '--- PASS' "$f")" \
				"$(grep -c -- '--- FAIL' "$f")" "$(grep -E '^(PASS|FAIL)$' "$f" | tail -1)") ;;
			*) lines=$(grep -E '^\{.*\}$' "$f" | paste -sd, -) ;;
			esac
			[ $first = 1 ] || printf ','
			first=0
			printf '"%s":[%s]' "$name" "$lines"
		done
		printf '}'
		[ -s "$SIMCLR_VK_TUNE_CACHE" ] && printf ',"tune_cache":%s' "$(cat "$SIMCLR_VK_TUNE_CACHE")"
		printf '}\n'
	} >"$out/report.json"
	log "report: $out/report.json"
	if command -v python3 >/dev/null; then
		# Issue #8's goals, each as our figure, the reference and the ratio.
		python3 tools/gpucheck_goals.py "$out/report.json" >"$out/goals.json" 2>>"$out/gpucheck.log" &&
			log "goals: $out/goals.json" && cat "$out/goals.json" >&2
	fi
	grep -h -E '^(--- FAIL|FAIL|ok|PASS)' "$out"/test_*.out 2>/dev/null | tail -20 >&2
}

stopped() {
	# A second signal (the process group's and then a wrapper's, such as
	# gpucheck_device.sh, passing it on) is ignored from here: handled
	# again, its nested trap could end this handler early, and the script
	# would go on to its next step instead of exiting.
	trap '' TERM INT
	if [ -n "$cur" ]; then
		kill -TERM "$cur" 2>/dev/null
		wait "$cur" 2>/dev/null
		status_lines+=("{\"step\":\"stopped\",\"rc\":143,\"seconds\":0}")
	fi
	log "stopped by a signal after ${SECONDS}s: writing the report of the steps so far"
	report
	exit 143
}
trap stopped TERM INT

# Every size setting once, its --quick value (tiny shapes) then its full one.
sized() { if [ $quick = 1 ]; then printf '%s\n' "$1"; else printf '%s\n' "$2"; fi; }
read -ra GEMM_SIZES <<<"$(sized 256,256,256 "1024,1024,1024 2048,2048,2048 4096,4096,4096")"
read -ra CONV <<<"$(sized "--width 8 --image 16x16x3 --batch 4" "--width 64 --image 32x32x3 --batch 256")"
read -ra NTX <<<"$(sized "--n 256 --dim 32" "--n 16384 --dim 128")"
STEP_W=$(sized 0.125 1) TORCH_W=$(sized 8 64) STEP_IMG=$(sized 16x16x3 32x32x3)
read -ra STEP_BATCHES <<<"$(sized "4 8" "256 512")"
read -ra MICRO <<<"$(sized "16 4" "8192 512")"
MPI_B=$(sized 8 512)
DATA_N=$(sized 16 1024) DATA_REPEAT=$(sized 1 5)
read -ra DATA_BATCH <<<"$(sized "8 8" "256 512")" # at 224 and at 32 px
# train's data wait: at 32 px on a tiny ResNet-18 with --quick (lavapipe
# renders 224 px too slowly), else ResNet-18 at 224 px, B=128.
TRAIN_SIZE=$(sized 32 224) TRAIN_SVK=$(sized data32.svk data256.svk) TRAIN_W=$(sized 0.125 1) TRAIN_B=$(sized 8 128) TRAIN_EPOCHS=3
read -ra TORCH_GEMM <<<"$(sized 256 4096)"
TEST_LIMIT=$(sized 600 180)
GOAL_GEMM=${GEMM_SIZES[-1]}
GOAL_B=${STEP_BATCHES[-1]} # the goal's batch; the others run after the goals, the first with --profile
step() { # step NAME BATCH [FLAGS...]
	local name=$1 b=$2
	shift 2
	run "$name" 180 "$BIN" bench step --backend vulkan "${dev[@]}" --arch resnet18 --stem cifar \
		--width "$STEP_W" --image "$STEP_IMG" --batch "$b" --json "$@"
}
# test_pkg PKG [ARGS...]: a test binary built by --build-only, run from the
# package folder so relative test data resolves.
test_pkg() {
	local p=$1 name=test_$(basename "$1") limit=$TEST_LIMIT
	shift
	local tb=bin/tests/$(basename "$p").test
	[ -x "$tb" ] || { log "$name: $tb not built (--build-only)"; return 0; }
	local sel="-test.skip '$MEMORY_STRESS'"
	[ -n "$test_run" ] && sel="$sel -test.run '$test_run'"
	if [ "${1:-}" = memory ]; then
		if [ -n "$test_run" ]; then
			log "${name}_memory: not run with --test-run"
			return 0
		fi
		name=${name}_memory limit=120 sel="-test.run '$MEMORY_STRESS'"
	fi
	# The test timeout within the step's, which the budget may have cut.
	if [ $deadline -gt 0 ] && [ $((deadline - SECONDS - RESERVE)) -lt $limit ]; then
		limit=$((deadline - SECONDS - RESERVE))
	fi
	run "$name" "$limit" env SIMCLR_VK_REQUIRE=1 sh -c "cd $p && $(realpath "$tb") -test.v $sel -test.timeout $((limit > 15 ? limit - 10 : 5))s 2>&1"
}
has_coopmat() { grep -q '"coop_mat_kernel":"cm_' "$out/devices.out" 2>/dev/null; }

# 1. What the device is and whether every op is right on it.
run devices 60 "$BIN" devices --json
test_pkg ./engine/vulkan
test_pkg ./engine/vulkan/internal/vkrt # the runtime: shared instance, memory, pipelines
test_pkg ./engine/vulkan/internal/tune # the tuning service's timer and cache
test_pkg ./engine/vulkan/internal/gemm # the GEMM kernels, split-K, class tuning, cooperative-matrix maxima
test_pkg ./engine/vulkan/internal/conv # the convolution kernels, Winograd, split-K filter gradients, per-problem tuning
test_pkg ./engine/vulkan/internal/ntxent # the fused NT-Xent's kernel families and plans
# 2. The figures of issue #8's goals, with their PyTorch references.
run "bench_gemm_${GOAL_GEMM//,/x}" 120 "$BIN" bench gemm --backend vulkan "${dev[@]}" --size "$GOAL_GEMM" --json
step "bench_step_b$GOAL_B" "$GOAL_B"
# Issue #18: the same step in mixed precision (float16 activations; their
# convolutions on cooperative matrices where the device has them), against
# PyTorch AMP, and its peak memory against the float32 step's.
step "bench_step_b${GOAL_B}_mixed" "$GOAL_B" --precision mixed $(has_coopmat && echo --coopmat on)
if command -v python3 >/dev/null && python3 -c 'import torch' 2>/dev/null; then
	run torch 240 python3 tools/torch_step.py --width "$TORCH_W" --image "$STEP_IMG" \
		--batch "${STEP_BATCHES[@]}" --amp --gemm "${TORCH_GEMM[@]}"
else
	log "python3 with torch not found: no PyTorch comparison"
fi
run bench_ntxent 120 "$BIN" bench ntxent --backend vulkan "${dev[@]}" "${NTX[@]}" --profile --json
# 3. The model tests, the per-op profile, the other sizes.
test_pkg ./layers/vulkancheck
for b in "${STEP_BATCHES[@]}"; do
	[ "$b" = "$GOAL_B" ] && continue
	step "bench_step_b$b" "$b" $([ "$b" = "${STEP_BATCHES[0]}" ] && echo --profile)
done
run bench_conv 180 "$BIN" bench conv --backend vulkan "${dev[@]}" "${CONV[@]}" --json
for s in "${GEMM_SIZES[@]}"; do
	[ "$s" = "$GOAL_GEMM" ] && continue
	run "bench_gemm_${s//,/x}" 120 "$BIN" bench gemm --backend vulkan "${dev[@]}" --size "$s" --json
done
# 4. The same products on cooperative matrices (float16 inputs, float32
# sums; --coopmat), where the device has them: compare with PyTorch's
# TF32/AMP. The step at the goal's batch only: each batch size tunes its
# own layer shapes.
if has_coopmat; then
	run "bench_gemm_${GOAL_GEMM//,/x}_coopmat" 120 "$BIN" bench gemm --backend vulkan "${dev[@]}" --coopmat on --size "$GOAL_GEMM" --json
	step "bench_step_b${GOAL_B}_coopmat" "$GOAL_B" --coopmat on
	run "bench_gemm_${GOAL_GEMM//,/x}_coopmat_db" 120 "$BIN" bench gemm --backend vulkan "${dev[@]}" --coopmat on --kernel coopmat_db --size "$GOAL_GEMM" --json
	run bench_conv_coopmat 180 "$BIN" bench conv --backend vulkan "${dev[@]}" --coopmat on "${CONV[@]}" --json
else
	log "no usable cooperative matrices (simclr-vk devices): no --coopmat benchmarks"
fi
# 5. Scale (issues #16 and #17): a batch far beyond one pass's memory in
# chunks (gradient caching, --micro-batch), and, where Open MPI and the MPI
# binary are here, two ranks sharing this one GPU (data-parallel
# correctness on a real driver, and the step's communication time,
# comm_ms_median, at ResNet-18 B=MPI_B).
step "bench_step_b${MICRO[0]}_micro${MICRO[1]}" "${MICRO[0]}" --micro-batch "${MICRO[1]}"
if command -v mpirun >/dev/null && [ -x bin/simclr-vk-mpi ]; then
	d0=${device:-0}
	run "bench_step_b${MPI_B}_mpi2" 240 mpirun --allow-run-as-root --oversubscribe -np 2 bin/simclr-vk-mpi bench step \
		--backend vulkan --device "$d0,$d0" --arch resnet18 --stem cifar --width "$STEP_W" --image "$STEP_IMG" --batch "$MPI_B" --json
else
	log "mpirun or bin/simclr-vk-mpi not found: no data-parallel step"
fi
# 6. Issue #19: the data pipeline with the views rendered on the GPU, at
# 224 px (ImageNet-like photos stored at a shorter side of 256) and at 32
# px (CIFAR-like images stored at 32), on 2 loader workers (the goal's CPU:
# loader_cpu_cores, the process's CPU time per second, device driver
# included). The synthetic JPEGs are 500x375 (tools/mkjpegs).
if [ -x bin/mkjpegs ]; then
	run data_prepare 180 sh -c "bin/mkjpegs --out '$out/jpegs' --train $DATA_N --test 0 &&
		'$BIN' prepare --data '$out/jpegs' --out '$out/data256.svk' --max-side 256 &&
		'$BIN' prepare --data '$out/jpegs' --out '$out/data32.svk' --max-side 32"
	i=0
	for s in 224 32; do
		svk=$out/data$([ $s = 224 ] && echo 256 || echo 32).svk
		run "bench_data_gpu_$s" 120 "$BIN" bench data --backend vulkan "${dev[@]}" --augment gpu --data "$svk" \
			--image-size $s --images 0 --batch "${DATA_BATCH[$i]}" --workers 2 --repeat "$DATA_REPEAT" --json
		i=$((i + 1))
	done
	# The training step's data wait (issue #19's goal: under 5%): a short
	# train of ResNet-18 at 224 px with the views rendered on the GPU and
	# 2 loader workers, TRAIN_EPOCHS epochs of DATA_N / TRAIN_B steps (the
	# first holds the kernels' autotuning); its metrics.jsonl step records
	# (cumulative data_wait per epoch) go to the report, those of the
	# steps done when train fails too.
	tdir=$out/train_$TRAIN_SIZE
	run "train_$TRAIN_SIZE" 180 sh -c "rm -rf '$tdir' && '$BIN' train --backend vulkan ${device:+--device '$device'} --data '$out/$TRAIN_SVK' \
		--image-size $TRAIN_SIZE --arch resnet18 --width $TRAIN_W --batch-size $TRAIN_B --epochs $TRAIN_EPOCHS --augment-on gpu --workers 2 \
		--max-steps $((DATA_N / TRAIN_B * TRAIN_EPOCHS)) --out '$tdir' >&2; rc=\$?; cat '$tdir/metrics.jsonl' 2>/dev/null; exit \$rc"
	# The synthetic inputs and the checkpoint would only swell the
	# report's tarball (gpucheck_device.sh packs --out): hundreds of MB.
	rm -rf "$out/jpegs" "$out"/data*.svk "$tdir"/*.ckpt
else
	log "bin/mkjpegs not built (--build-only): no bench data"
fi
# 7. Last, in their own process: the tests that exhaust device memory (on
# an H200 the NVIDIA driver once refused every later vkCreateInstance in
# the process after the 4 TiB allocation failure).
test_pkg ./engine/vulkan memory
test_pkg ./engine/vulkan/internal/tune memory

report
exit 0
