package address

import (
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
)

// PrivKeySize is the length of a serialized secp256k1 private key.
const PrivKeySize = 32

// compressFlag follows the key in the WIF data of a key whose public key is
// used in compressed form.
const compressFlag = 0x01

// WIF is a secp256k1 private key in Wallet Import Format: the key together
// with the network it belongs to and whether its public key is serialized
// compressed (and so which P2PKH address it controls).
//
// WIF deliberately has no String method, so that printing a value by mistake
// does not reveal the key; Encode gives the text form.
type WIF struct {
	// PrivKey is the private key.
	PrivKey *btcec.PrivateKey
	// CompressPubKey says whether the public key is used in its 33-byte
	// compressed form rather than the 65-byte uncompressed one.
	CompressPubKey bool
	// Version is the network's WIF version byte (Prefixes.WIF).
	Version byte
}

// NewWIF returns the WIF form, for p's network, of a private key. It fails
// with ErrInvalidKey for a nil or zero key.
func NewWIF(privKey *btcec.PrivateKey, compressPubKey bool, p Prefixes) (*WIF, error) {
	if privKey == nil || privKey.Key.IsZero() {
		return nil, fmt.Errorf("wif: %w: zero private key", ErrInvalidKey)
	}
	return &WIF{PrivKey: privKey, CompressPubKey: compressPubKey, Version: p.WIF}, nil
}

// DecodeWIF parses a private key of p's network in Wallet Import Format:
// Base58Check of p.WIF, the 32-byte big-endian key, and 0x01 when the public
// key is compressed. Besides the errors of CheckDecode it fails with
// ErrUnknownVersion for another version byte, ErrInvalidLength for data of
// the wrong size, ErrInvalidFormat for a 33-byte payload not ending in 0x01,
// and ErrInvalidKey for a key outside 1..n-1, n the order of secp256k1.
// Errors never quote the input, which is secret.
func DecodeWIF(s string, p Prefixes) (*WIF, error) {
	version, payload, err := CheckDecode(s)
	if err != nil {
		return nil, fmt.Errorf("wif: %w", err)
	}
	if version != p.WIF {
		return nil, fmt.Errorf("wif: %w 0x%02x: this network's private keys use 0x%02x", ErrUnknownVersion, version, p.WIF)
	}
	var compress bool
	switch len(payload) {
	case PrivKeySize:
	case PrivKeySize + 1:
		if payload[PrivKeySize] != compressFlag {
			return nil, fmt.Errorf("wif: %w: compression flag 0x%02x, want 0x%02x", ErrInvalidFormat, payload[PrivKeySize], compressFlag)
		}
		compress = true
	default:
		return nil, fmt.Errorf("wif: %w: payload of %d bytes, want %d or %d", ErrInvalidLength, len(payload), PrivKeySize, PrivKeySize+1)
	}
	var k btcec.ModNScalar
	overflow := k.SetByteSlice(payload[:PrivKeySize])
	clear(payload)
	if overflow {
		return nil, fmt.Errorf("wif: %w: private key not below the curve order", ErrInvalidKey)
	}
	if k.IsZero() {
		return nil, fmt.Errorf("wif: %w: zero private key", ErrInvalidKey)
	}
	w := &WIF{PrivKey: btcec.PrivKeyFromScalar(&k), CompressPubKey: compress, Version: version}
	k.Zero()
	return w, nil
}

// Encode returns the key in Wallet Import Format. PrivKey must be set.
func (w *WIF) Encode() string {
	payload := make([]byte, PrivKeySize, PrivKeySize+1)
	w.PrivKey.Key.PutBytesUnchecked(payload)
	if w.CompressPubKey {
		payload = append(payload, compressFlag)
	}
	s := CheckEncode(w.Version, payload)
	clear(payload)
	return s
}

// SerializePubKey returns the public key in the form the WIF selects:
// 33 bytes compressed or 65 bytes uncompressed.
func (w *WIF) SerializePubKey() []byte {
	pub := w.PrivKey.PubKey()
	if w.CompressPubKey {
		return pub.SerializeCompressed()
	}
	return pub.SerializeUncompressed()
}

// IsForPrefixes reports whether the key's version byte is p.WIF.
func (w *WIF) IsForPrefixes(p Prefixes) bool { return w.Version == p.WIF }
