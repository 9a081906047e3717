package rpc

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/nodecoin/nodecoin/internal/atomicfile"
)

// Cookie authentication, as Bitcoin Core's: when no password is
// configured, the node writes a random password to a file only its user can
// read, and local clients read it.
const (
	// CookieUser is the user name of cookie authentication.
	CookieUser = "__cookie__"
	// CookieFileName is the cookie's file name in the network directory.
	CookieFileName = ".cookie"
)

// WriteCookie writes a new cookie, "__cookie__:<64 hex digits>", to path
// with mode 0600 (through a temporary file renamed over it, as Core) and
// returns its credentials.
func WriteCookie(path string) (user, password string, err error) {
	var secret [32]byte
	if _, err := rand.Read(secret[:]); err != nil {
		return "", "", fmt.Errorf("generate RPC cookie: %w", err)
	}
	password = hex.EncodeToString(secret[:])
	if err := atomicfile.WriteBytes(path, 0o600, []byte(CookieUser+":"+password)); err != nil {
		return "", "", fmt.Errorf("write RPC cookie: %w", err)
	}
	return CookieUser, password, nil
}

// ReadCookie reads the credentials of the cookie file at path.
func ReadCookie(path string) (user, password string, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", "", fmt.Errorf("cannot read cookie file: %w", err)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	user, password, ok := strings.Cut(strings.TrimRight(line, "\r"), ":")
	if !ok || password == "" {
		return "", "", fmt.Errorf("cookie file %s is malformed", path)
	}
	return user, password, nil
}

// RemoveCookie deletes the cookie file at path; a missing file is no
// error.
func RemoveCookie(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove RPC cookie: %w", err)
	}
	return nil
}
