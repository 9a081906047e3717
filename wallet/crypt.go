package wallet

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"

	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/crypto/scrypt"
)

// Key derivation parameters of the wallet's passphrase encryption: scrypt
// with N = 2^15, r = 8, p = 1 (32 MiB of memory), a 16-byte random salt and
// a 32-byte key for XChaCha20-Poly1305.
const (
	ScryptN       = 1 << 15
	ScryptR       = 8
	ScryptP       = 1
	saltLen       = 16
	encKeyLen     = chacha20poly1305.KeySize
	maxScryptLogN = 22
)

var (
	// ErrWrongPassphrase reports a passphrase that does not open the
	// wallet's secrets.
	ErrWrongPassphrase = errors.New("the wallet passphrase entered was incorrect")
	// ErrEmptyPassphrase reports an empty passphrase where one is needed.
	ErrEmptyPassphrase = errors.New("passphrase cannot be empty")
)

// kdfParams are the scrypt parameters and salt stored in the wallet file.
type kdfParams struct {
	Name string `json:"name"`
	N    int    `json:"n"`
	R    int    `json:"r"`
	P    int    `json:"p"`
	Salt []byte `json:"salt"`
}

func newKDFParams(rnd io.Reader) (*kdfParams, error) {
	salt := make([]byte, saltLen)
	if _, err := io.ReadFull(rnd, salt); err != nil {
		return nil, fmt.Errorf("read salt: %w", err)
	}
	return &kdfParams{Name: "scrypt", N: ScryptN, R: ScryptR, P: ScryptP, Salt: salt}, nil
}

func (k *kdfParams) validate() error {
	if k.Name != "scrypt" {
		return fmt.Errorf("unknown key derivation %q", k.Name)
	}
	if k.N < 2 || k.N&(k.N-1) != 0 || k.N > 1<<maxScryptLogN || k.R < 1 || k.R > 32 || k.P < 1 || k.P > 16 {
		return fmt.Errorf("scrypt parameters N=%d r=%d p=%d out of range", k.N, k.R, k.P)
	}
	if len(k.Salt) < 8 || len(k.Salt) > 64 {
		return fmt.Errorf("salt of %d bytes", len(k.Salt))
	}
	return nil
}

// deriveKey turns the passphrase into the 32-byte sealing key.
func (k *kdfParams) deriveKey(passphrase []byte) ([]byte, error) {
	key, err := scrypt.Key(passphrase, k.Salt, k.N, k.R, k.P, encKeyLen)
	if err != nil {
		return nil, fmt.Errorf("scrypt: %w", err)
	}
	return key, nil
}

// sealedSecret is a secret as stored: in the clear in an unencrypted
// wallet, sealed with XChaCha20-Poly1305 in an encrypted one.
type sealedSecret struct {
	Plain  []byte `json:"plain,omitempty"`
	Nonce  []byte `json:"nonce,omitempty"`
	Sealed []byte `json:"sealed,omitempty"`
}

func (s *sealedSecret) encrypted() bool { return s.Sealed != nil }

// seal encrypts plain under key, binding it to label (the additional data)
// so that sealed secrets cannot be swapped between their places in the file.
func seal(key, plain []byte, label string, rnd io.Reader) (sealedSecret, error) {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return sealedSecret{}, fmt.Errorf("cipher: %w", err)
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := io.ReadFull(rnd, nonce); err != nil {
		return sealedSecret{}, fmt.Errorf("read nonce: %w", err)
	}
	return sealedSecret{Nonce: nonce, Sealed: aead.Seal(nil, nonce, plain, []byte(label))}, nil
}

// open decrypts s with key; a failing authentication means a wrong
// passphrase (or a tampered file, which the file checksum makes unlikely).
func (s *sealedSecret) open(key []byte, label string) ([]byte, error) {
	if !s.encrypted() {
		return append([]byte(nil), s.Plain...), nil
	}
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, fmt.Errorf("cipher: %w", err)
	}
	if len(s.Nonce) != aead.NonceSize() {
		return nil, fmt.Errorf("%s: nonce of %d bytes: %w", label, len(s.Nonce), ErrCorruptFile)
	}
	plain, err := aead.Open(nil, s.Nonce, s.Sealed, []byte(label))
	if err != nil {
		return nil, ErrWrongPassphrase
	}
	return plain, nil
}

// randReader is the source of seeds, salts and nonces.
var randReader io.Reader = rand.Reader
