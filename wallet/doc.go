// Package wallet is nodecoin's built-in wallet: hierarchical deterministic
// keys, a key pool, encryption of the secrets, the wallet file, and the
// wallet's view of its own coins as blocks connect and disconnect and
// transactions enter and leave the mempool.
//
// # Keys
//
// Every key comes from one random 32-byte seed by BIP32 (master key from
// HMAC-SHA512 keyed with "Bitcoin seed", CKDpriv for children), along the
// path
//
//	m/44'/C'/0'/0'/i'   receiving addresses
//	m/44'/C'/0'/1'/i'   change addresses
//
// where C is CoinTypeMain (9633) on the main network and CoinTypeTest (1,
// SLIP-44's coin type for every test network) on test and regtest. Every
// level is hardened: the wallet never hands out extended public keys, and
// with hardened leaves a single private key given away (dumpprivkey) cannot
// be combined with a parent public key and chain code to recover its
// siblings. The price is that new keys need the seed, so an encrypted wallet
// derives keys only while unlocked; the key pool (GapLimit pre-derived
// unused addresses on each branch, 20 by default) lets a locked wallet keep
// handing out addresses, as Bitcoin Core's legacy HD wallet does.
// Addresses are P2PKH of compressed public keys.
//
// # Encryption
//
// EncryptWallet seals the seed and every imported key with
// XChaCha20-Poly1305 under a 32-byte key derived from the passphrase by
// scrypt with N = 2^15, r = 8, p = 1 and a random 16-byte salt (about 32 MiB
// and 50–100 ms per derivation). A wrong passphrase fails the AEAD check and
// is reported as ErrWrongPassphrase. Unlock keeps the secrets in memory for a
// given time (walletpassphrase semantics), after which the wallet locks
// itself; a locked wallet refuses to sign or reveal private keys but still
// gives addresses from the key pool.
//
// # File
//
// The wallet lives in one file, <netdir>/wallet.dat: an 8-byte magic
// "NDCWALLT", a little-endian uint32 format version (1), a little-endian
// uint32 payload length, the JSON payload, and the SHA-256 of everything
// before it. It is written to a temporary file, synced, renamed over the old
// one and its directory synced, with mode 0600. A truncated, corrupt or
// foreign file is refused with an error wrapping ErrCorruptFile.
//
// # Tracking
//
// The wallet records every transaction that pays one of its scripts or
// spends one of its coins, with the block it is in (or none while
// unconfirmed), and derives coins and balances from those records: trusted
// (at least one confirmation, or unconfirmed in the mempool and spending
// only the wallet's own coins, as change does), untrusted pending
// (unconfirmed from others), and immature (coinbase outputs with fewer than
// 100 confirmations — the first block that may spend a coinbase at height c
// is c+100, so an output with 100 confirmations is spendable in the next
// block, exactly what the mempool accepts; Bitcoin Core's wallet waits one
// block more).
//
// # Sending
//
// CreateTransaction chooses coins (branch and bound for a changeless set,
// else lowest larger or largest first, never leaving dust change; see
// coinselect.go), pays the fee at a given rate or FallbackFeeRate, signs
// and returns the transaction without broadcasting it; BumpFee builds a
// BIP125 replacement paying more from the change; SignRawTransaction signs
// the inputs of a given transaction that the wallet's keys can. The caller
// submits the result to the mempool and reports it with ProcessMempoolTx
// (and replaced transactions with RemoveMempoolTx).
//
// Secrets never reach a log line: the wallet logs addresses, txids and
// heights only, and ExtendedKey formats itself as a redacted placeholder.
package wallet
