//go:build amd64 && !purego

package grind

import (
	"testing"
	"unsafe"
)

// TestSHANIJobLayout checks the field offsets the generated assembly
// assumes (internal/tools/asmgen's off* constants in shani.go).
func TestSHANIJobLayout(t *testing.T) {
	var j shaniJob
	for _, c := range []struct {
		name      string
		got, want uintptr
	}{
		{"state2ABEF", unsafe.Offsetof(j.state2ABEF), 0},
		{"state2CDGH", unsafe.Offsetof(j.state2CDGH), 16},
		{"midABEF", unsafe.Offsetof(j.midABEF), 32},
		{"midCDGH", unsafe.Offsetof(j.midCDGH), 48},
		{"msg0", unsafe.Offsetof(j.msg0), 64},
		{"w2k2", unsafe.Offsetof(j.w2k2), 80},
	} {
		if c.got != c.want {
			t.Errorf("shaniJob.%s at offset %d, the assembly reads it at %d", c.name, c.got, c.want)
		}
	}
}

// TestSIMDJobLayout checks the field offsets the generated multi-lane
// assembly assumes (internal/tools/asmgen's off* constants in simd.go).
func TestSIMDJobLayout(t *testing.T) {
	var j simdJob
	for _, c := range []struct {
		name      string
		got, want uintptr
	}{
		{"state3", unsafe.Offsetof(j.state3), 0},
		{"mid", unsafe.Offsetof(j.mid), 32},
		{"w", unsafe.Offsetof(j.w), 64},
	} {
		if c.got != c.want {
			t.Errorf("simdJob.%s at offset %d, the assembly reads it at %d", c.name, c.got, c.want)
		}
	}
}
