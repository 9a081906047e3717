//go:build !amd64 || purego

package grind

// asmPaths is empty: the assembly paths exist for amd64 only.
var asmPaths []string

// asmScanner is never called without assembly paths.
func asmScanner(path string, _ *Job) scanner { panic("grind: no assembly path " + path) }
