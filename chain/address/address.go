package address

import (
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/nodecoin/nodecoin/chain/script"
)

// Hash160Size is the length of the RIPEMD-160(SHA-256) hash that P2PKH and
// P2SH addresses carry.
const Hash160Size = 20

// Errors returned (wrapped, test with errors.Is) by the address and WIF
// decoders and constructors, besides those of CheckDecode.
var (
	// ErrUnknownVersion reports a version byte that is not the expected one
	// of the given Prefixes: usually an address or key of another network.
	ErrUnknownVersion = errors.New("unknown version byte")
	// ErrInvalidLength reports a payload, hash or public key of the wrong
	// length.
	ErrInvalidLength = errors.New("invalid length")
	// ErrInvalidKey reports a private key outside 1..n-1 or a public key that
	// is not a valid compressed or uncompressed secp256k1 point.
	ErrInvalidKey = errors.New("invalid key")
	// ErrScriptTooLarge reports a redeem script that could never be spent
	// because it exceeds script.MaxScriptElementSize.
	ErrScriptTooLarge = errors.New("redeem script too large")
	// ErrInvalidPrefixes reports Prefixes whose P2PKH and P2SH version bytes
	// are equal (as in the zero value), which would make addresses ambiguous.
	ErrInvalidPrefixes = errors.New("invalid address prefixes")
)

// Prefixes holds a network's version bytes: the first byte of the
// Base58Check data of its addresses and private keys. The network parameters
// supply them (nodecoin main: 0x35, 0x38, 0xb5; test and regtest: 0x70, 0xc4,
// 0xf0); PubKeyHash and ScriptHash must differ.
type Prefixes struct {
	// PubKeyHash is the version byte of P2PKH addresses.
	PubKeyHash byte
	// ScriptHash is the version byte of P2SH addresses.
	ScriptHash byte
	// WIF is the version byte of private keys in Wallet Import Format.
	WIF byte
}

// check returns ErrInvalidPrefixes if p cannot tell P2PKH from P2SH.
func (p Prefixes) check() error {
	if p.PubKeyHash == p.ScriptHash {
		return fmt.Errorf("address: %w: P2PKH and P2SH versions are both 0x%02x", ErrInvalidPrefixes, p.PubKeyHash)
	}
	return nil
}

// Address is a destination that can be paid: a P2PKH or P2SH address.
// The concrete types are AddressPubKeyHash and AddressScriptHash, both
// comparable values, so two Address values are equal exactly when they encode
// the same text.
type Address interface {
	// String returns the address in its Base58Check text form.
	String() string
	// ScriptPubKey returns the output script that pays the address.
	ScriptPubKey() []byte
	// Hash160 returns a copy of the 20-byte hash the address carries: of the
	// public key for P2PKH, of the redeem script for P2SH.
	Hash160() []byte
	// IsForPrefixes reports whether the address's version byte is the one p
	// gives for its kind, that is whether it belongs to p's network.
	IsForPrefixes(p Prefixes) bool
}

// AddressPubKeyHash is a pay-to-pubkey-hash address: the Hash160 of a
// serialized public key, with the network's P2PKH version byte.
type AddressPubKeyHash struct {
	version byte
	hash    [Hash160Size]byte
}

// AddressScriptHash is a pay-to-script-hash (BIP16) address: the Hash160 of a
// redeem script, with the network's P2SH version byte.
type AddressScriptHash struct {
	version byte
	hash    [Hash160Size]byte
}

var (
	_ Address = AddressPubKeyHash{}
	_ Address = AddressScriptHash{}
)

// NewAddressPubKeyHash returns the P2PKH address of p's network for a 20-byte
// public key hash.
func NewAddressPubKeyHash(hash160 []byte, p Prefixes) (AddressPubKeyHash, error) {
	if err := p.check(); err != nil {
		return AddressPubKeyHash{}, err
	}
	if len(hash160) != Hash160Size {
		return AddressPubKeyHash{}, fmt.Errorf("address: %w: pubkey hash of %d bytes, want %d", ErrInvalidLength, len(hash160), Hash160Size)
	}
	a := AddressPubKeyHash{version: p.PubKeyHash}
	copy(a.hash[:], hash160)
	return a, nil
}

// NewAddressPubKeyHashFromPubKey returns the P2PKH address of p's network
// for a serialized public key: 33 bytes compressed (02/03 prefix) or 65 bytes
// uncompressed (04 prefix), which must be a point on secp256k1. The address
// commits to the serialization, so the compressed and uncompressed forms of
// one key give different addresses. Hybrid (06/07) encodings are refused.
func NewAddressPubKeyHashFromPubKey(serializedPubKey []byte, p Prefixes) (AddressPubKeyHash, error) {
	if !script.IsCompressedOrUncompressedPubKey(serializedPubKey) {
		return AddressPubKeyHash{}, fmt.Errorf("address: %w: not a 33-byte compressed or 65-byte uncompressed public key (%d bytes)",
			ErrInvalidKey, len(serializedPubKey))
	}
	if _, err := btcec.ParsePubKey(serializedPubKey); err != nil {
		return AddressPubKeyHash{}, fmt.Errorf("address: %w: %w", ErrInvalidKey, err)
	}
	return NewAddressPubKeyHash(script.Hash160(serializedPubKey), p)
}

// NewAddressScriptHash returns the P2SH address of p's network for a 20-byte
// redeem script hash.
func NewAddressScriptHash(hash160 []byte, p Prefixes) (AddressScriptHash, error) {
	if err := p.check(); err != nil {
		return AddressScriptHash{}, err
	}
	if len(hash160) != Hash160Size {
		return AddressScriptHash{}, fmt.Errorf("address: %w: script hash of %d bytes, want %d", ErrInvalidLength, len(hash160), Hash160Size)
	}
	a := AddressScriptHash{version: p.ScriptHash}
	copy(a.hash[:], hash160)
	return a, nil
}

// NewAddressScriptHashFromScript returns the P2SH address of p's network for
// a redeem script. A script longer than script.MaxScriptElementSize (520
// bytes) is refused with ErrScriptTooLarge: it cannot be pushed in the
// spending input, so coins sent to its address could never be spent.
func NewAddressScriptHashFromScript(redeemScript []byte, p Prefixes) (AddressScriptHash, error) {
	if len(redeemScript) > script.MaxScriptElementSize {
		return AddressScriptHash{}, fmt.Errorf("address: %w: %d bytes, limit %d", ErrScriptTooLarge, len(redeemScript), script.MaxScriptElementSize)
	}
	return NewAddressScriptHash(script.Hash160(redeemScript), p)
}

// String returns the address in Base58Check form.
func (a AddressPubKeyHash) String() string { return CheckEncode(a.version, a.hash[:]) }

// ScriptPubKey returns OP_DUP OP_HASH160 <hash> OP_EQUALVERIFY OP_CHECKSIG.
func (a AddressPubKeyHash) ScriptPubKey() []byte {
	s, _ := script.PayToPubKeyHashScript(a.hash[:]) // cannot fail: the hash has 20 bytes
	return s
}

// Hash160 returns a copy of the public key hash.
func (a AddressPubKeyHash) Hash160() []byte { return append([]byte(nil), a.hash[:]...) }

// Version returns the address's version byte.
func (a AddressPubKeyHash) Version() byte { return a.version }

// IsForPrefixes reports whether the address's version is p.PubKeyHash.
func (a AddressPubKeyHash) IsForPrefixes(p Prefixes) bool { return a.version == p.PubKeyHash }

// String returns the address in Base58Check form.
func (a AddressScriptHash) String() string { return CheckEncode(a.version, a.hash[:]) }

// ScriptPubKey returns OP_HASH160 <hash> OP_EQUAL.
func (a AddressScriptHash) ScriptPubKey() []byte {
	s, _ := script.PayToScriptHashScript(a.hash[:]) // cannot fail: the hash has 20 bytes
	return s
}

// Hash160 returns a copy of the redeem script hash.
func (a AddressScriptHash) Hash160() []byte { return append([]byte(nil), a.hash[:]...) }

// Version returns the address's version byte.
func (a AddressScriptHash) Version() byte { return a.version }

// IsForPrefixes reports whether the address's version is p.ScriptHash.
func (a AddressScriptHash) IsForPrefixes(p Prefixes) bool { return a.version == p.ScriptHash }

// Decode parses a P2PKH or P2SH address of p's network. Besides the errors
// of CheckDecode it fails with ErrUnknownVersion when the version byte is
// neither p.PubKeyHash nor p.ScriptHash (for instance an address of another
// network, or a private key), with ErrInvalidLength when the payload is not a
// 20-byte hash, and with ErrInvalidPrefixes when p is unusable. Surrounding
// whitespace is ignored, as by Base58Decode.
func Decode(s string, p Prefixes) (Address, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	version, payload, err := CheckDecode(s)
	if err != nil {
		return nil, fmt.Errorf("address %q: %w", s, err)
	}
	if version != p.PubKeyHash && version != p.ScriptHash {
		return nil, fmt.Errorf("address %q: %w 0x%02x: this network's addresses use 0x%02x (P2PKH) or 0x%02x (P2SH)",
			s, ErrUnknownVersion, version, p.PubKeyHash, p.ScriptHash)
	}
	if len(payload) != Hash160Size {
		return nil, fmt.Errorf("address %q: %w: payload of %d bytes, want %d", s, ErrInvalidLength, len(payload), Hash160Size)
	}
	hash := [Hash160Size]byte(payload)
	if version == p.PubKeyHash {
		return AddressPubKeyHash{version: version, hash: hash}, nil
	}
	return AddressScriptHash{version: version, hash: hash}, nil
}

// FromScript returns the address of p's network that an output script pays:
// the P2PKH address of an OP_DUP OP_HASH160 <20> OP_EQUALVERIFY OP_CHECKSIG
// script and the P2SH address of an OP_HASH160 <20> OP_EQUAL script. Every
// other script, pay-to-pubkey included (modern Bitcoin Core gives it no
// address either), reports false, as do unusable Prefixes.
func FromScript(pkScript []byte, p Prefixes) (Address, bool) {
	if p.check() != nil {
		return nil, false
	}
	info := script.ExtractScriptInfo(pkScript)
	if len(info.Hash) != Hash160Size {
		return nil, false
	}
	hash := [Hash160Size]byte(info.Hash)
	switch info.Class {
	case script.PubKeyHashTy:
		return AddressPubKeyHash{version: p.PubKeyHash, hash: hash}, true
	case script.ScriptHashTy:
		return AddressScriptHash{version: p.ScriptHash, hash: hash}, true
	}
	return nil, false
}
