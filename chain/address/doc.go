// Package address encodes and decodes the text forms users see for
// destinations and keys: Base58 and Base58Check, pay-to-pubkey-hash (P2PKH)
// and pay-to-script-hash (P2SH) addresses, and private keys in Wallet Import
// Format (WIF).
//
// The formats are Bitcoin's. Only the version bytes differ between networks,
// and this package knows none of them: every function that needs them takes
// a Prefixes value, which the network parameters (chain/consensus) supply.
// Decoding therefore also checks that an address or key belongs to the
// network it is meant for.
//
// Segregated-witness (bech32/bech32m) addresses do not exist on nodecoin and
// are not supported. Pay-to-pubkey outputs have no address, as in modern
// Bitcoin Core.
//
// Whitespace: like Bitcoin Core's DecodeBase58, Base58Decode (and so CheckDecode,
// Decode of addresses and DecodeWIF) ignores leading and trailing ASCII
// whitespace (space, \t, \n, \v, \f, \r); whitespace anywhere else is an
// invalid character. Encoders never produce whitespace.
package address
