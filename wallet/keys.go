package wallet

import (
	"crypto/hmac"
	"crypto/sha512"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/nodecoin/nodecoin/chain/script"
)

// HardenedKeyStart is the first hardened child index (2^31): children at
// this index and above are derived from the parent's private key only.
const HardenedKeyStart uint32 = 0x80000000

// Seed length limits of BIP32, in bytes.
const (
	MinSeedLen = 16
	MaxSeedLen = 64
	// SeedLen is the length of the seeds the wallet generates.
	SeedLen = 32
)

// Coin types of the derivation path m/44'/C'/0'/branch'/i'. 9633 (the main
// network's P2P port) is not assigned to any coin in SLIP-44 as far as this
// package's authors know; test and regtest use 1, SLIP-44's coin type shared
// by all test networks.
const (
	CoinTypeMain uint32 = 9633
	CoinTypeTest uint32 = 1
)

// Branches of the account: receiving and change addresses.
const (
	BranchReceive uint32 = 0
	BranchChange  uint32 = 1
)

var (
	// ErrInvalidSeed reports a seed shorter than MinSeedLen or longer than
	// MaxSeedLen bytes.
	ErrInvalidSeed = errors.New("invalid seed length")
	// ErrInvalidChild reports the (probability < 2^-127) case of BIP32 in
	// which a child index gives no valid key; the caller moves on to the
	// next index.
	ErrInvalidChild = errors.New("invalid child key, use the next index")
	// ErrInvalidPath reports a derivation path that cannot be parsed.
	ErrInvalidPath = errors.New("invalid derivation path")
)

var masterHMACKey = []byte("Bitcoin seed")

// ExtendedKey is a BIP32 extended private key: a secp256k1 private key with
// its chain code and its place in the tree. It formats itself (String,
// slog) as a redacted placeholder so that a key cannot leak into a log by
// mistake.
type ExtendedKey struct {
	key       [32]byte
	chainCode [32]byte
	depth     uint8
	parentFP  [4]byte
	childNum  uint32
}

// NewMaster returns the master key of seed (BIP32: I = HMAC-SHA512("Bitcoin
// seed", seed), key = I_L, chain code = I_R). The seed must be MinSeedLen to
// MaxSeedLen bytes long.
func NewMaster(seed []byte) (*ExtendedKey, error) {
	if len(seed) < MinSeedLen || len(seed) > MaxSeedLen {
		return nil, fmt.Errorf("%d bytes: %w", len(seed), ErrInvalidSeed)
	}
	mac := hmac.New(sha512.New, masterHMACKey)
	mac.Write(seed)
	sum := mac.Sum(nil)
	defer clear(sum)
	var s btcec.ModNScalar
	if overflow := s.SetByteSlice(sum[:32]); overflow || s.IsZero() {
		return nil, fmt.Errorf("master key: %w", ErrInvalidChild)
	}
	k := &ExtendedKey{}
	s.PutBytes(&k.key)
	s.Zero()
	copy(k.chainCode[:], sum[32:])
	return k, nil
}

// Child returns the child key at index i (CKDpriv): hardened when i ≥
// HardenedKeyStart, from the parent's private key, and otherwise from its
// compressed public key. It fails with ErrInvalidChild when I_L ≥ n or the
// child key is zero.
func (k *ExtendedKey) Child(i uint32) (*ExtendedKey, error) {
	if k.depth == 255 {
		return nil, fmt.Errorf("depth 255 reached: %w", ErrInvalidChild)
	}
	data := make([]byte, 0, 37)
	if i >= HardenedKeyStart {
		data = append(data, 0)
		data = append(data, k.key[:]...)
	} else {
		data = append(data, k.PubKey()...)
	}
	data = binary.BigEndian.AppendUint32(data, i)
	mac := hmac.New(sha512.New, k.chainCode[:])
	mac.Write(data)
	clear(data)
	sum := mac.Sum(nil)
	defer clear(sum)

	var il, parent btcec.ModNScalar
	if overflow := il.SetByteSlice(sum[:32]); overflow {
		return nil, fmt.Errorf("index %d: %w", i, ErrInvalidChild)
	}
	parent.SetBytes(&k.key)
	il.Add(&parent)
	parent.Zero()
	if il.IsZero() {
		return nil, fmt.Errorf("index %d: %w", i, ErrInvalidChild)
	}
	c := &ExtendedKey{depth: k.depth + 1, childNum: i}
	il.PutBytes(&c.key)
	il.Zero()
	copy(c.chainCode[:], sum[32:])
	copy(c.parentFP[:], script.Hash160(k.PubKey())[:4])
	return c, nil
}

// DerivePath returns the descendant of k along path, one Child step per
// element.
func (k *ExtendedKey) DerivePath(path []uint32) (*ExtendedKey, error) {
	cur := k
	for _, i := range path {
		next, err := cur.Child(i)
		if cur != k {
			cur.Zero()
		}
		if err != nil {
			return nil, err
		}
		cur = next
	}
	if cur == k {
		cp := *k
		return &cp, nil
	}
	return cur, nil
}

// ParsePath parses a derivation path such as "m/44'/1'/0'/0'/5'"; hardened
// steps are marked with ' or h or H.
func ParsePath(s string) ([]uint32, error) {
	parts := strings.Split(s, "/")
	if len(parts) == 0 || parts[0] != "m" {
		return nil, fmt.Errorf("%q does not start with m: %w", s, ErrInvalidPath)
	}
	path := make([]uint32, 0, len(parts)-1)
	for _, p := range parts[1:] {
		hardened := false
		if n := len(p); n > 0 && (p[n-1] == '\'' || p[n-1] == 'h' || p[n-1] == 'H') {
			hardened = true
			p = p[:n-1]
		}
		v, err := strconv.ParseUint(p, 10, 32)
		if err != nil || uint32(v) >= HardenedKeyStart {
			return nil, fmt.Errorf("step %q of %q: %w", p, s, ErrInvalidPath)
		}
		if hardened {
			v += uint64(HardenedKeyStart)
		}
		path = append(path, uint32(v))
	}
	return path, nil
}

// FormatPath is the inverse of ParsePath, with ' marking hardened steps.
func FormatPath(path []uint32) string {
	var b strings.Builder
	b.WriteString("m")
	for _, i := range path {
		b.WriteByte('/')
		if i >= HardenedKeyStart {
			b.WriteString(strconv.FormatUint(uint64(i-HardenedKeyStart), 10))
			b.WriteByte('\'')
		} else {
			b.WriteString(strconv.FormatUint(uint64(i), 10))
		}
	}
	return b.String()
}

// AccountPath returns the path of the wallet's keys on one branch
// (BranchReceive or BranchChange) for a coin type, without the final index:
// m/44'/coinType'/0'/branch'.
func AccountPath(coinType, branch uint32) []uint32 {
	return []uint32{44 + HardenedKeyStart, coinType + HardenedKeyStart, HardenedKeyStart, branch + HardenedKeyStart}
}

// PrivKey returns the secp256k1 private key.
func (k *ExtendedKey) PrivKey() *btcec.PrivateKey {
	priv, _ := btcec.PrivKeyFromBytes(k.key[:])
	return priv
}

// PubKey returns the 33-byte compressed public key.
func (k *ExtendedKey) PubKey() []byte {
	priv, pub := btcec.PrivKeyFromBytes(k.key[:])
	defer priv.Zero()
	return pub.SerializeCompressed()
}

// ChainCode returns a copy of the chain code.
func (k *ExtendedKey) ChainCode() []byte { return append([]byte(nil), k.chainCode[:]...) }

// Depth returns the number of derivation steps from the master key.
func (k *ExtendedKey) Depth() uint8 { return k.depth }

// ParentFingerprint returns the first four bytes of the Hash160 of the
// parent's public key (zero for the master key).
func (k *ExtendedKey) ParentFingerprint() [4]byte { return k.parentFP }

// ChildNumber returns the index this key was derived at (0 for the master).
func (k *ExtendedKey) ChildNumber() uint32 { return k.childNum }

// SerializePrivate returns BIP32's 78-byte serialization of the extended
// private key under the given version bytes (0x0488ADE4 gives Bitcoin's
// xprv): version, depth, parent fingerprint, child number, chain code, 0x00,
// key. The result is secret.
func (k *ExtendedKey) SerializePrivate(version uint32) []byte {
	b := k.serializeHead(version)
	b = append(b, 0)
	return append(b, k.key[:]...)
}

// SerializePublic returns BIP32's 78-byte serialization of the extended
// public key under the given version bytes (0x0488B21E gives xpub).
func (k *ExtendedKey) SerializePublic(version uint32) []byte {
	return append(k.serializeHead(version), k.PubKey()...)
}

func (k *ExtendedKey) serializeHead(version uint32) []byte {
	b := make([]byte, 0, 78)
	b = binary.BigEndian.AppendUint32(b, version)
	b = append(b, k.depth)
	b = append(b, k.parentFP[:]...)
	b = binary.BigEndian.AppendUint32(b, k.childNum)
	return append(b, k.chainCode[:]...)
}

// Zero overwrites the key and chain code.
func (k *ExtendedKey) Zero() {
	clear(k.key[:])
	clear(k.chainCode[:])
}

// String returns a redacted placeholder, never the key.
func (k *ExtendedKey) String() string { return "ExtendedKey(redacted)" }

// GoString returns a redacted placeholder, never the key.
func (k *ExtendedKey) GoString() string { return k.String() }

// LogValue makes slog print a redacted placeholder, never the key.
func (k *ExtendedKey) LogValue() slog.Value { return slog.StringValue(k.String()) }
