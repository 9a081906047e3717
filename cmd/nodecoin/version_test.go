package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/nodecoin/nodecoin/internal/version"
)

func TestVersionCommand(t *testing.T) {
	var out bytes.Buffer
	root := newRootCmd()
	root.SetOut(&out)
	root.SetArgs([]string{"version"})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); !strings.HasPrefix(got, "nodecoin "+version.Version+" ") || !strings.HasSuffix(got, "\n") {
		t.Fatalf("version output %q", got)
	}
	root = newRootCmd()
	root.SetArgs([]string{"version", "extra"})
	root.SetOut(&out)
	root.SetErr(&out)
	if err := root.Execute(); err == nil {
		t.Fatal("version accepted an argument")
	}
}
