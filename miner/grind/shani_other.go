//go:build !amd64 || purego

package grind

// haveSHANI is false: the SHA-NI scanner exists for amd64 only.
const haveSHANI = false

// newSHANIScanner returns nil: there is no SHA-NI scanner on this
// architecture.
func newSHANIScanner(*Job) scanner { return nil }

// newSIMDScanners returns none: the multi-lane scanners exist for amd64
// only.
func newSIMDScanners(*Job) []scanner { return nil }
