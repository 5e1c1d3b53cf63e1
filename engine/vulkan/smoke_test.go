package vulkan_test

import (
	"testing"

	"simclr-vk/engine/vulkan"
)

func TestSmokeAdd(t *testing.T) {
	d := openDevice(t, vulkan.Options{})
	a := upload(d, []float32{1, 2, 3}, 3)
	b := upload(d, []float32{10, 20, 30}, 3)
	c := d.New(3)
	d.Add(c, a, b)
	d.Scale(c, c, 2)
	got := download(t, d, c)
	t.Log(got)
	if got[0] != 22 || got[1] != 44 || got[2] != 66 {
		t.Fatalf("got %v", got)
	}
	a.Release()
	b.Release()
	c.Release()
}
