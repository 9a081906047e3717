package rpc

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

func TestCookie(t *testing.T) {
	path := filepath.Join(t.TempDir(), CookieFileName)
	user, pass, err := WriteCookie(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("cookie mode %v, want 0600", fi.Mode().Perm())
	}
	b, _ := os.ReadFile(path)
	if !regexp.MustCompile(`^__cookie__:[0-9a-f]{64}$`).Match(b) {
		t.Errorf("cookie %q", b)
	}
	u2, p2, err := ReadCookie(path)
	if err != nil || u2 != user || p2 != pass || user != CookieUser {
		t.Errorf("read back %q %q %v, wrote %q %q", u2, p2, err, user, pass)
	}
	if _, p3, _ := WriteCookie(path); p3 == pass {
		t.Error("a new cookie repeats the old password")
	}
	if err := RemoveCookie(path); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("cookie still there: %v", err)
	}
	if err := RemoveCookie(path); err != nil {
		t.Errorf("removing a missing cookie: %v", err)
	}
	if _, _, err := ReadCookie(path); err == nil {
		t.Error("reading a missing cookie succeeded")
	}
}
