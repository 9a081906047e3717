package wallet

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/nodecoin/nodecoin/chain/address"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/script"
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/internal/atomicfile"
)

// Errors of the wallet's operations (wrapped; test with errors.Is).
var (
	// ErrWalletExists reports Create on a directory that already holds a
	// wallet file.
	ErrWalletExists = errors.New("wallet file already exists")
	// ErrNoWallet reports Open on a directory without a wallet file.
	ErrNoWallet = errors.New("no wallet file")
	// ErrWrongNetwork reports a wallet file of another network.
	ErrWrongNetwork = errors.New("wallet file belongs to another network")
	// ErrLocked reports an operation that needs the private keys of an
	// encrypted wallet that is locked (Core's RPC_WALLET_UNLOCK_NEEDED).
	ErrLocked = errors.New("wallet is locked; unlock it with walletpassphrase first")
	// ErrNotEncrypted reports lock, unlock or passphrase change on a wallet
	// that is not encrypted.
	ErrNotEncrypted = errors.New("wallet is not encrypted")
	// ErrAlreadyEncrypted reports EncryptWallet on an encrypted wallet.
	ErrAlreadyEncrypted = errors.New("wallet is already encrypted")
	// ErrKeypoolRanOut reports a locked wallet whose key pool has no unused
	// address left on the requested branch.
	ErrKeypoolRanOut = errors.New("keypool ran out, unlock the wallet to refill it")
	// ErrNotMine reports an address or script for which the wallet has no
	// key.
	ErrNotMine = errors.New("script or address does not belong to the wallet")
	// ErrInvalidTimeout reports a non-positive unlock timeout.
	ErrInvalidTimeout = errors.New("unlock timeout must be positive")
	// ErrClosed reports use of a closed wallet.
	ErrClosed = errors.New("wallet is closed")
)

// DefaultGapLimit is the default number of unused pre-derived addresses kept
// on each branch beyond the last used or handed-out one.
const DefaultGapLimit = 20

// MaxGapLimit bounds the gap limit.
const MaxGapLimit = 10000

// maxPoolKeys bounds the keys of one branch a file may hold.
const maxPoolKeys = 1 << 24

// Config says where a wallet lives and how it behaves.
type Config struct {
	// Params are the network's parameters; required.
	Params *consensus.Params
	// Dir is the network's data directory (<datadir>/<network>); the
	// wallet file is Dir/wallet.dat.
	Dir string
	// GapLimit is the number of unused addresses to keep derived on each
	// branch; zero means DefaultGapLimit for a new wallet and the stored
	// value for an existing one.
	GapLimit int
	// Logger receives the wallet's log lines (never a secret); nil means
	// none.
	Logger *slog.Logger
	// Now is the clock (unlock timeouts, receive times); nil means
	// time.Now.
	Now func() time.Time
}

// keyRef locates the key behind a wallet script.
type keyRef struct {
	imported bool
	branch   uint32 // HD keys
	index    uint32 // HD index, or position in imported
}

type branchState struct {
	pubKeys [][]byte
	next    uint32
	used    []bool
}

type importedKey struct {
	pubKey     []byte
	compressed bool
	secret     sealedSecret
	created    int64
}

// Wallet is a wallet: keys, their key pool and encryption, and the
// transactions that concern them. Its methods are safe for concurrent use.
type Wallet struct {
	mu       sync.Mutex
	path     string
	params   *consensus.Params
	prefixes address.Prefixes
	log      *slog.Logger
	now      func() time.Time
	closed   bool

	coinType uint32
	gapLimit int
	created  int64
	kdf      *kdfParams
	seed     sealedSecret
	branches [2]*branchState
	imported []*importedKey
	scripts  map[string]keyRef

	// Secrets in the clear: always present in an unencrypted wallet, only
	// while unlocked in an encrypted one.
	plainSeed     []byte
	plainImported [][]byte
	encKey        []byte
	branchKeys    [2]*ExtendedKey
	unlockedUntil time.Time
	relock        *time.Timer

	tracker
}

func (cfg *Config) check() error {
	if cfg.Params == nil {
		return errors.New("wallet: no network parameters")
	}
	if cfg.Dir == "" {
		return errors.New("wallet: no directory")
	}
	if cfg.GapLimit < 0 || cfg.GapLimit > MaxGapLimit {
		return fmt.Errorf("wallet: gap limit %d out of range 1..%d", cfg.GapLimit, MaxGapLimit)
	}
	return nil
}

// Path returns the wallet file's path for a network data directory.
func Path(dir string) string { return filepath.Join(dir, FileName) }

// Create makes a new wallet with a fresh random seed in cfg.Dir and writes
// its file. It fails with ErrWalletExists when the file exists.
func Create(cfg Config) (*Wallet, error) {
	seed := make([]byte, SeedLen)
	defer clear(seed)
	if _, err := io.ReadFull(randReader, seed); err != nil {
		return nil, fmt.Errorf("wallet: generate seed: %w", err)
	}
	return CreateFromSeed(cfg, seed)
}

// CreateFromSeed makes a new wallet from a given BIP32 seed (MinSeedLen to
// MaxSeedLen bytes), for restores and tests. It fails with ErrWalletExists
// when the file exists.
func CreateFromSeed(cfg Config, seed []byte) (*Wallet, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	if len(seed) < MinSeedLen || len(seed) > MaxSeedLen {
		return nil, fmt.Errorf("wallet: %w", ErrInvalidSeed)
	}
	path := Path(cfg.Dir)
	if _, err := os.Stat(path); err == nil {
		return nil, fmt.Errorf("wallet: %s: %w", path, ErrWalletExists)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("wallet: %w", err)
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("wallet: create directory: %w", err)
	}
	w := newWallet(cfg, path)
	w.coinType = CoinTypeTest
	if cfg.Params.Name == consensus.MainNetName {
		w.coinType = CoinTypeMain
	}
	w.gapLimit = cfg.GapLimit
	if w.gapLimit == 0 {
		w.gapLimit = DefaultGapLimit
	}
	w.created = w.now().Unix()
	w.seed = sealedSecret{Plain: append([]byte(nil), seed...)}
	w.plainSeed = append([]byte(nil), seed...)
	for i := range w.branches {
		w.branches[i] = &branchState{}
	}
	if err := w.topUpAll(); err != nil {
		w.wipeSecrets()
		return nil, fmt.Errorf("wallet: %w", err)
	}
	if err := w.saveLocked(); err != nil {
		w.wipeSecrets()
		return nil, err
	}
	w.log.Info("wallet created", "path", path, "gap_limit", w.gapLimit)
	return w, nil
}

// Open loads the wallet file of cfg.Dir. It fails with ErrNoWallet when
// there is none, with ErrCorruptFile when it cannot be read as a wallet and
// with ErrWrongNetwork when it belongs to another network.
func Open(cfg Config) (*Wallet, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	path := Path(cfg.Dir)
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("wallet: %s: %w", path, ErrNoWallet)
	}
	if err != nil {
		return nil, fmt.Errorf("wallet: %w", err)
	}
	d, err := decodeFile(raw)
	clear(raw)
	if err != nil {
		return nil, fmt.Errorf("wallet: %s: %w", path, err)
	}
	if d.Network != cfg.Params.Name {
		return nil, fmt.Errorf("wallet: %s is for network %q, not %q: %w", path, d.Network, cfg.Params.Name, ErrWrongNetwork)
	}
	w := newWallet(cfg, path)
	if err := w.load(d); err != nil {
		return nil, fmt.Errorf("wallet: %s: %w", path, err)
	}
	if cfg.GapLimit > 0 {
		w.gapLimit = cfg.GapLimit
	}
	if err := w.topUpAll(); err != nil {
		return nil, fmt.Errorf("wallet: %w", err)
	}
	w.log.Info("wallet loaded", "path", path, "encrypted", w.kdf != nil, "transactions", len(w.txs),
		"tip_height", w.tipHeight)
	return w, nil
}

func newWallet(cfg Config, path string) *Wallet {
	w := &Wallet{
		path:     path,
		params:   cfg.Params,
		prefixes: cfg.Params.AddressPrefixes(),
		log:      cfg.Logger,
		now:      cfg.Now,
		scripts:  make(map[string]keyRef),
	}
	if w.log == nil {
		w.log = slog.New(slog.DiscardHandler)
	}
	if w.now == nil {
		w.now = time.Now
	}
	w.tracker.init()
	return w
}

// load fills w from a checked file payload.
func (w *Wallet) load(d *fileData) error {
	w.coinType, w.gapLimit, w.created = d.CoinType, d.GapLimit, d.Created
	w.kdf, w.seed = d.KDF, d.Seed
	for bi, bd := range d.Branches {
		b := &branchState{pubKeys: bd.PubKeys, next: bd.Next, used: make([]bool, len(bd.PubKeys))}
		for _, u := range bd.Used {
			b.used[u] = true
		}
		w.branches[bi] = b
		for i, pk := range b.pubKeys {
			w.addScript(pk, keyRef{branch: uint32(bi), index: uint32(i)})
		}
	}
	for _, im := range d.Imported {
		w.addImported(&importedKey{pubKey: im.PubKey, compressed: im.Compressed, secret: im.Secret, created: im.Created})
	}
	if w.kdf == nil {
		w.plainSeed = append([]byte(nil), w.seed.Plain...)
		for _, im := range w.imported {
			w.plainImported = append(w.plainImported, append([]byte(nil), im.secret.Plain...))
		}
		// A cheap consistency check of the pool against the seed.
		if len(w.branches[0].pubKeys) > 0 {
			pk, err := w.derivePubKey(BranchReceive, 0)
			if err != nil {
				return err
			}
			if string(pk) != string(w.branches[0].pubKeys[0]) {
				return corrupt("key pool does not match the seed")
			}
		}
	}
	return w.tracker.load(d, w)
}

func (w *Wallet) addScript(pubKey []byte, ref keyRef) {
	pk, _ := script.PayToPubKeyHashScript(script.Hash160(pubKey))
	w.scripts[string(pk)] = ref
}

func (w *Wallet) addImported(k *importedKey) {
	w.addScript(k.pubKey, keyRef{imported: true, index: uint32(len(w.imported))})
	w.imported = append(w.imported, k)
}

// fileData returns the wallet's state as a file payload.
func (w *Wallet) fileData() *fileData {
	d := &fileData{
		Network:   w.params.Name,
		CoinType:  w.coinType,
		GapLimit:  w.gapLimit,
		Created:   w.created,
		KDF:       w.kdf,
		Seed:      w.seed,
		TipHeight: w.tipHeight,
		TipHash:   w.tipHash,
	}
	for _, b := range w.branches {
		bd := branchData{PubKeys: b.pubKeys, Next: b.next}
		for i, u := range b.used {
			if u {
				bd.Used = append(bd.Used, uint32(i))
			}
		}
		d.Branches = append(d.Branches, bd)
	}
	for _, im := range w.imported {
		d.Imported = append(d.Imported, importedData{PubKey: im.pubKey, Compressed: im.compressed, Secret: im.secret, Created: im.created})
	}
	d.Txs = w.tracker.fileTxs()
	return d
}

// saveLocked writes the wallet file. The caller holds mu.
func (w *Wallet) saveLocked() error {
	data, err := encodeFile(w.fileData())
	if err != nil {
		return fmt.Errorf("wallet: %w", err)
	}
	defer clear(data)
	if err := atomicfile.WriteBytes(w.path, 0o600, data); err != nil {
		return fmt.Errorf("wallet: save: %w", err)
	}
	w.tracker.dirty = false
	return nil
}

// Flush writes the wallet file if tracking changed it since the last write.
func (w *Wallet) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return ErrClosed
	}
	if !w.tracker.dirty {
		return nil
	}
	return w.saveLocked()
}

// Backup writes a copy of the wallet file to path (atomically, mode 0600).
// Opening a directory holding the copy as wallet.dat gives back the same
// keys, addresses and transactions.
func (w *Wallet) Backup(path string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return ErrClosed
	}
	data, err := encodeFile(w.fileData())
	if err != nil {
		return fmt.Errorf("wallet: backup: %w", err)
	}
	defer clear(data)
	if err := atomicfile.WriteBytes(path, 0o600, data); err != nil {
		return fmt.Errorf("wallet: backup: %w", err)
	}
	w.log.Info("wallet backed up", "path", path)
	return nil
}

// Close writes pending changes, forgets the secrets and stops the relock
// timer. The wallet cannot be used afterwards.
func (w *Wallet) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	var err error
	if w.tracker.dirty {
		err = w.saveLocked()
	}
	w.wipeSecrets()
	w.closed = true
	return err
}

// wipeSecrets forgets every secret held in the clear.
func (w *Wallet) wipeSecrets() {
	clear(w.plainSeed)
	w.plainSeed = nil
	for _, k := range w.plainImported {
		clear(k)
	}
	w.plainImported = nil
	clear(w.encKey)
	w.encKey = nil
	for i, k := range w.branchKeys {
		if k != nil {
			k.Zero()
		}
		w.branchKeys[i] = nil
	}
	w.unlockedUntil = time.Time{}
	if w.relock != nil {
		w.relock.Stop()
		w.relock = nil
	}
}

// IsEncrypted reports whether the wallet's secrets are encrypted.
func (w *Wallet) IsEncrypted() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.kdf != nil
}

// IsLocked reports whether the private keys are unavailable: an encrypted
// wallet that is locked or whose unlock time has passed.
func (w *Wallet) IsLocked() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return !w.unlockedLocked()
}

// UnlockedUntil returns when an unlocked encrypted wallet locks itself
// (zero when locked or not encrypted), for getwalletinfo's unlocked_until.
func (w *Wallet) UnlockedUntil() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.kdf == nil || !w.unlockedLocked() {
		return time.Time{}
	}
	return w.unlockedUntil
}

// unlockedLocked reports whether the secrets are available, locking an
// encrypted wallet whose time is up. The caller holds mu.
func (w *Wallet) unlockedLocked() bool {
	if w.closed {
		return false
	}
	if w.kdf == nil {
		return true
	}
	if w.plainSeed == nil {
		return false
	}
	if !w.now().Before(w.unlockedUntil) {
		w.wipeSecrets()
		w.log.Info("wallet locked (timeout)")
		return false
	}
	return true
}

// EncryptWallet encrypts the seed and imported keys of an unencrypted
// wallet with passphrase, writes the file and leaves the wallet locked.
// The seed is kept, so addresses handed out before stay the wallet's.
func (w *Wallet) EncryptWallet(passphrase []byte) error {
	if len(passphrase) == 0 {
		return ErrEmptyPassphrase
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return ErrClosed
	}
	if w.kdf != nil {
		return ErrAlreadyEncrypted
	}
	kdf, err := newKDFParams(randReader)
	if err != nil {
		return fmt.Errorf("wallet: encrypt: %w", err)
	}
	key, err := kdf.deriveKey(passphrase)
	if err != nil {
		return fmt.Errorf("wallet: encrypt: %w", err)
	}
	defer clear(key)
	seed, imported, err := w.sealAll(key, w.plainSeed, w.plainImported)
	if err != nil {
		return fmt.Errorf("wallet: encrypt: %w", err)
	}
	oldSeed, oldImported := w.seed, w.importedSecrets()
	w.kdf, w.seed = kdf, seed
	w.setImportedSecrets(imported)
	if err := w.saveLocked(); err != nil {
		w.kdf, w.seed = nil, oldSeed
		w.setImportedSecrets(oldImported)
		return err
	}
	clear(oldSeed.Plain)
	for _, s := range oldImported {
		clear(s.Plain)
	}
	w.wipeSecrets()
	w.log.Info("wallet encrypted")
	return nil
}

func (w *Wallet) importedSecrets() []sealedSecret {
	out := make([]sealedSecret, len(w.imported))
	for i, k := range w.imported {
		out[i] = k.secret
	}
	return out
}

func (w *Wallet) setImportedSecrets(s []sealedSecret) {
	for i, k := range w.imported {
		k.secret = s[i]
	}
}

func importLabel(pubKey []byte) string { return fmt.Sprintf("import:%x", pubKey) }

// sealAll seals the seed and imported keys under key.
func (w *Wallet) sealAll(key, seed []byte, imported [][]byte) (sealedSecret, []sealedSecret, error) {
	s, err := seal(key, seed, "seed", randReader)
	if err != nil {
		return sealedSecret{}, nil, err
	}
	out := make([]sealedSecret, len(imported))
	for i, k := range imported {
		if out[i], err = seal(key, k, importLabel(w.imported[i].pubKey), randReader); err != nil {
			return sealedSecret{}, nil, err
		}
	}
	return s, out, nil
}

// openAll opens the seed and imported keys with passphrase, failing with
// ErrWrongPassphrase. It returns the sealing key too.
func (w *Wallet) openAll(passphrase []byte) ([]byte, [][]byte, []byte, error) {
	key, err := w.kdf.deriveKey(passphrase)
	if err != nil {
		return nil, nil, nil, err
	}
	seed, err := w.seed.open(key, "seed")
	if err != nil {
		clear(key)
		return nil, nil, nil, err
	}
	var imported [][]byte
	for _, k := range w.imported {
		p, err := k.secret.open(key, importLabel(k.pubKey))
		if err != nil {
			clear(seed)
			clear(key)
			for _, q := range imported {
				clear(q)
			}
			return nil, nil, nil, err
		}
		imported = append(imported, p)
	}
	return seed, imported, key, nil
}

// Unlock opens an encrypted wallet's secrets with passphrase for timeout
// (walletpassphrase): afterwards the wallet locks itself. A wrong passphrase
// fails with ErrWrongPassphrase. Unlocking an unlocked wallet resets the
// timeout. While unlocked the key pool is refilled.
func (w *Wallet) Unlock(passphrase []byte, timeout time.Duration) error {
	if timeout <= 0 {
		return ErrInvalidTimeout
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return ErrClosed
	}
	if w.kdf == nil {
		return ErrNotEncrypted
	}
	seed, imported, key, err := w.openAll(passphrase)
	if err != nil {
		w.log.Warn("wallet unlock failed", "err", err)
		return fmt.Errorf("wallet: unlock: %w", err)
	}
	w.wipeSecrets()
	w.plainSeed, w.plainImported, w.encKey = seed, imported, key
	w.unlockedUntil = w.now().Add(timeout)
	w.relock = time.AfterFunc(timeout, func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.unlockedLocked()
	})
	w.log.Info("wallet unlocked", "seconds", int64(timeout/time.Second))
	before := w.poolSize()
	if err := w.topUpAll(); err != nil {
		return fmt.Errorf("wallet: refill key pool: %w", err)
	}
	if w.poolSize() != before {
		return w.saveLocked()
	}
	return nil
}

func (w *Wallet) poolSize() int { return len(w.branches[0].pubKeys) + len(w.branches[1].pubKeys) }

// Lock forgets the secrets of an encrypted wallet (walletlock).
func (w *Wallet) Lock() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.kdf == nil {
		return ErrNotEncrypted
	}
	w.wipeSecrets()
	w.log.Info("wallet locked")
	return nil
}

// ChangePassphrase re-encrypts the secrets under a new passphrase
// (walletpassphrasechange). The lock state is unchanged.
func (w *Wallet) ChangePassphrase(oldPass, newPass []byte) error {
	if len(newPass) == 0 {
		return ErrEmptyPassphrase
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.kdf == nil {
		return ErrNotEncrypted
	}
	seed, imported, key, err := w.openAll(oldPass)
	if err != nil {
		return fmt.Errorf("wallet: change passphrase: %w", err)
	}
	defer func() {
		clear(key)
		clear(seed)
		for _, k := range imported {
			clear(k)
		}
	}()
	kdf, err := newKDFParams(randReader)
	if err != nil {
		return fmt.Errorf("wallet: change passphrase: %w", err)
	}
	newKey, err := kdf.deriveKey(newPass)
	if err != nil {
		return fmt.Errorf("wallet: change passphrase: %w", err)
	}
	s, ims, err := w.sealAll(newKey, seed, imported)
	if err != nil {
		clear(newKey)
		return fmt.Errorf("wallet: change passphrase: %w", err)
	}
	oldKDF, oldSeed, oldImported := w.kdf, w.seed, w.importedSecrets()
	w.kdf, w.seed = kdf, s
	w.setImportedSecrets(ims)
	if err := w.saveLocked(); err != nil {
		w.kdf, w.seed = oldKDF, oldSeed
		w.setImportedSecrets(oldImported)
		clear(newKey)
		return err
	}
	if w.encKey != nil {
		clear(w.encKey)
		w.encKey = newKey
	} else {
		clear(newKey)
	}
	w.log.Info("wallet passphrase changed")
	return nil
}

// HDSeedID returns the Hash160 of the master key's public key (Core's
// hdseedid). It is computed from the seed, so a locked wallet fails with
// ErrLocked.
func (w *Wallet) HDSeedID() ([]byte, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.unlockedLocked() {
		return nil, ErrLocked
	}
	m, err := NewMaster(w.plainSeed)
	if err != nil {
		return nil, err
	}
	defer m.Zero()
	return script.Hash160(m.PubKey()), nil
}

// IsMine reports whether pkScript pays one of the wallet's keys.
func (w *Wallet) IsMine(pkScript []byte) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	_, ok := w.scripts[string(pkScript)]
	return ok
}

// privKeyFor returns the private key behind a wallet script, and whether
// its public key is compressed. The caller holds mu.
func (w *Wallet) privKeyFor(pkScript []byte) (*btcec.PrivateKey, bool, error) {
	ref, ok := w.scripts[string(pkScript)]
	if !ok {
		return nil, false, ErrNotMine
	}
	if !w.unlockedLocked() {
		return nil, false, ErrLocked
	}
	if ref.imported {
		priv, _ := btcec.PrivKeyFromBytes(w.plainImported[ref.index])
		return priv, w.imported[ref.index].compressed, nil
	}
	k, err := w.deriveKey(ref.branch, ref.index)
	if err != nil {
		return nil, false, err
	}
	defer k.Zero()
	return k.PrivKey(), true, nil
}

// SignInput signs input idx of tx, which spends an output locked by
// pkScript, a P2PKH script of the wallet, with SIGHASH_ALL. It fails with
// ErrNotMine for a script without a wallet key and ErrLocked when the keys
// are locked.
func (w *Wallet) SignInput(tx *wire.Tx, idx int, pkScript []byte) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.signInputLocked(tx, idx, pkScript)
}

// signInputLocked is SignInput for a caller that holds mu.
func (w *Wallet) signInputLocked(tx *wire.Tx, idx int, pkScript []byte) error {
	if idx < 0 || idx >= len(tx.TxIn) {
		return fmt.Errorf("wallet: sign: input %d of %d", idx, len(tx.TxIn))
	}
	priv, compressed, err := w.privKeyFor(pkScript)
	if err != nil {
		return fmt.Errorf("wallet: sign input %d: %w", idx, err)
	}
	defer priv.Zero()
	sig, err := script.SignatureScript(tx, idx, pkScript, script.SigHashAll, priv, compressed)
	if err != nil {
		return fmt.Errorf("wallet: sign input %d: %w", idx, err)
	}
	tx.TxIn[idx].SignatureScript = sig
	return nil
}

// DumpPrivKey returns the private key of a wallet address in WIF
// (dumpprivkey). It fails with ErrNotMine or ErrLocked.
func (w *Wallet) DumpPrivKey(addr string) (string, error) {
	a, err := address.Decode(addr, w.prefixes)
	if err != nil {
		return "", fmt.Errorf("wallet: %w", err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	priv, compressed, err := w.privKeyFor(a.ScriptPubKey())
	if err != nil {
		return "", fmt.Errorf("wallet: dump key of %s: %w", addr, err)
	}
	defer priv.Zero()
	wif, err := address.NewWIF(priv, compressed, w.prefixes)
	if err != nil {
		return "", fmt.Errorf("wallet: %w", err)
	}
	return wif.Encode(), nil
}

// ImportPrivKey adds a private key given in WIF (importprivkey) and returns
// its P2PKH address. An encrypted wallet must be unlocked, to seal the key.
// Importing a key the wallet already has changes nothing. Outputs paid to
// the key earlier are found by Rescan.
func (w *Wallet) ImportPrivKey(wifText string) (string, error) {
	wif, err := address.DecodeWIF(wifText, w.prefixes)
	if err != nil {
		return "", fmt.Errorf("wallet: import key: %w", err)
	}
	defer wif.PrivKey.Zero()
	pub := wif.SerializePubKey()
	a, err := address.NewAddressPubKeyHashFromPubKey(pub, w.prefixes)
	if err != nil {
		return "", fmt.Errorf("wallet: import key: %w", err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return "", ErrClosed
	}
	if _, ok := w.scripts[string(a.ScriptPubKey())]; ok {
		return a.String(), nil
	}
	if !w.unlockedLocked() {
		return "", fmt.Errorf("wallet: import key: %w", ErrLocked)
	}
	plain := wif.PrivKey.Serialize()
	k := &importedKey{pubKey: pub, compressed: wif.CompressPubKey, created: w.now().Unix()}
	if w.kdf == nil {
		k.secret = sealedSecret{Plain: append([]byte(nil), plain...)}
	} else {
		// The passphrase-derived key is held while unlocked, as Core
		// holds its master key.
		sealed, err := seal(w.encKey, plain, importLabel(pub), randReader)
		if err != nil {
			return "", fmt.Errorf("wallet: import key: %w", err)
		}
		k.secret = sealed
	}
	w.addImported(k)
	w.plainImported = append(w.plainImported, plain)
	if err := w.saveLocked(); err != nil {
		return "", err
	}
	w.log.Info("key imported", "address", a.String())
	return a.String(), nil
}
