// Package version holds nodecoin's release version and build information,
// shared by the command line, the P2P user agent and the RPC server.
package version

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Version is nodecoin's semantic version.
const Version = "0.1.0"

// Commit returns the VCS revision the binary was built from (shortened, with
// "+dirty" for a modified tree), or "" when the build carries none.
func Commit() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	var rev, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev == "" {
		return ""
	}
	return rev + dirty
}

// String returns the one-line description printed by `nodecoin version`.
func String() string {
	s := "nodecoin " + Version
	if c := Commit(); c != "" {
		s += " (" + c + ")"
	}
	return fmt.Sprintf("%s %s %s/%s", s, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
