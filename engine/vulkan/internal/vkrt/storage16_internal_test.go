package vkrt

import (
	"strings"
	"testing"

	"simclr-vk/engine"
)

// TestFloat16Storage: lavapipe (and any Vulkan 1.1 GPU worth running on)
// has storageBuffer16BitAccess; a float16 tensor of n elements takes
// (n+1)/2 words and round-trips through Upload and Download as
// engine.Float16Round; and a device opened without the feature refuses
// NewFloat16 with a sticky error that names the feature, leaving float32
// work alone.
func TestFloat16Storage(t *testing.T) {
	d := openTest(t, Config{})
	if d.info.Type == "cpu" && !d.info.Float16Storage {
		t.Fatalf("lavapipe without float16 storage: %s", d.info.Float16StorageMissing)
	}
	if err := d.Float16Storage(); err != nil {
		t.Skip(err)
	}
	for _, n := range []int{1, 2, 13} {
		x := d.NewFloat16(n)
		if x.DType() != engine.Float16 || x.Bytes() != 2*n {
			t.Errorf("NewFloat16(%d): %v, %d bytes, want float16 and %d", n, x, x.Bytes(), 2*n)
		}
		if _, _, bytes := d.Placement(x); bytes != 4*uint64((n+1)/2) {
			t.Errorf("NewFloat16(%d) holds %d bytes, want %d", n, bytes, 4*((n+1)/2))
		}
		src := make([]float32, n)
		for i := range src {
			src[i] = 1 + float32(i)/3
		}
		d.Upload(x, src)
		got := make([]float32, n)
		if err := d.Download(x, got); err != nil {
			t.Fatal(err)
		}
		for i := range got {
			if got[i] != engine.Float16Round(src[i]) {
				t.Errorf("n %d: element %d = %v, want %v", n, i, got[i], engine.Float16Round(src[i]))
			}
		}
		d.Release(x)
	}

	off := openSticky(t, Config{NoFloat16Storage: true}, d)
	if err := off.Float16Storage(); err == nil || !strings.Contains(err.Error(), "NoFloat16Storage") {
		t.Errorf("Float16Storage without the feature: %v, want an error naming the hook", err)
	}
	y := off.New(3)
	off.Fill(y, 2)
	if err := off.Flush(); err != nil {
		t.Fatalf("float32 work on a device without float16 storage: %v", err)
	}
	h := off.NewFloat16(5)
	err := off.Flush()
	if err == nil || !strings.Contains(err.Error(), "NewFloat16 [5]") || !strings.Contains(err.Error(), "float16 storage") {
		t.Errorf("NewFloat16 without the feature: sticky error %v, want one naming NewFloat16, the shape and float16 storage", err)
	}
	off.Release(h)
	off.Release(y)
}

// TestStorage16Missing: the reasons a device has no float16 storage.
func TestStorage16Missing(t *testing.T) {
	if ok, why := storage16Info(nil, nil, 1<<22); ok || !strings.Contains(why, "Vulkan 1.0") {
		t.Errorf("Vulkan 1.0 device: %v %q, want false and a reason naming 1.0", ok, why)
	}
}

// TestStorage16Off: the one decision on float16 storage, over the device
// having the feature, a deny rule refusing it, NoFloat16Storage and
// AllowDenied: a missing feature is the reason whatever else holds, the
// deny list next unless AllowDenied lifts it, then NoFloat16Storage.
func TestStorage16Off(t *testing.T) {
	const missing, rule, off = "lacks it", "rule reason", "NoFloat16Storage"
	for _, has := range []bool{false, true} {
		for _, deny := range []bool{false, true} {
			for _, turnedOff := range []bool{false, true} {
				for _, allow := range []bool{false, true} {
					info := DeviceInfo{Float16Storage: has}
					if !has {
						info.Float16StorageMissing = missing
					}
					if deny {
						info.Float16Denied = rule
					}
					want, wantDenied := "", false
					switch {
					case !has:
						want = missing
					case deny && !allow:
						want, wantDenied = rule, true
					case turnedOff:
						want = off
					}
					why, denied := storage16Off(info, turnedOff, allow)
					if denied != wantDenied || (want == "") != (why == "") || !strings.Contains(why, want) {
						t.Errorf("feature %v, denied %v, NoFloat16Storage %v, AllowDenied %v: %q, %v; want %q, %v",
							has, deny, turnedOff, allow, why, denied, want, wantDenied)
					}
				}
			}
		}
	}
}
