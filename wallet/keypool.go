package wallet

import (
	"fmt"

	"github.com/nodecoin/nodecoin/chain/address"
	"github.com/nodecoin/nodecoin/chain/script"
)

// branchKey returns the extended key of m/44'/C'/0'/branch', derived once
// per unlock and cached. The caller holds mu and has checked that the seed
// is available.
func (w *Wallet) branchKey(branch uint32) (*ExtendedKey, error) {
	if k := w.branchKeys[branch]; k != nil {
		return k, nil
	}
	m, err := NewMaster(w.plainSeed)
	if err != nil {
		return nil, err
	}
	defer m.Zero()
	k, err := m.DerivePath(AccountPath(w.coinType, branch))
	if err != nil {
		return nil, fmt.Errorf("derive branch %d: %w", branch, err)
	}
	w.branchKeys[branch] = k
	return k, nil
}

// deriveKey returns the key m/44'/C'/0'/branch'/index'. The caller holds
// mu and has checked that the seed is available.
func (w *Wallet) deriveKey(branch, index uint32) (*ExtendedKey, error) {
	bk, err := w.branchKey(branch)
	if err != nil {
		return nil, err
	}
	k, err := bk.Child(index + HardenedKeyStart)
	if err != nil {
		return nil, fmt.Errorf("derive key %d of branch %d: %w", index, branch, err)
	}
	return k, nil
}

func (w *Wallet) derivePubKey(branch, index uint32) ([]byte, error) {
	k, err := w.deriveKey(branch, index)
	if err != nil {
		return nil, err
	}
	defer k.Zero()
	return k.PubKey(), nil
}

// wanted returns how many keys branch b should have derived: the gap limit
// beyond the last key handed out or seen used.
func (w *Wallet) wanted(b *branchState) int {
	high := int(b.next)
	for i := len(b.used) - 1; i >= 0; i-- {
		if b.used[i] {
			high = max(high, i+1)
			break
		}
	}
	return high + w.gapLimit
}

// topUpAll derives keys until both branches hold the gap limit of unused
// keys. Without the seed (a locked wallet) it does nothing: the pool is
// refilled at the next unlock. The caller holds mu.
func (w *Wallet) topUpAll() error {
	if !w.unlockedLocked() {
		return nil
	}
	for bi, b := range w.branches {
		for len(b.pubKeys) < w.wanted(b) {
			i := uint32(len(b.pubKeys))
			pk, err := w.derivePubKey(uint32(bi), i)
			if err != nil {
				return err
			}
			b.pubKeys = append(b.pubKeys, pk)
			b.used = append(b.used, false)
			w.addScript(pk, keyRef{branch: uint32(bi), index: i})
			w.tracker.dirty = true
		}
	}
	return nil
}

// markUsed records that key index of branch appeared in a transaction,
// moves the branch's next address past it and refills the pool. The caller
// holds mu.
func (w *Wallet) markUsed(branch, index uint32) {
	b := w.branches[branch]
	if b.used[index] {
		return
	}
	b.used[index] = true
	if b.next <= index {
		b.next = index + 1
	}
	w.tracker.dirty = true
	if err := w.topUpAll(); err != nil {
		w.log.Error("key pool refill failed", "err", err)
	}
}

// NextReceive hands out the next unused receiving address (getnewaddress).
// A locked wallet serves it from the key pool and fails with
// ErrKeypoolRanOut when that is empty.
func (w *Wallet) NextReceive() (address.AddressPubKeyHash, error) {
	return w.next(BranchReceive)
}

// NextChange hands out the next unused change address
// (getrawchangeaddress), like NextReceive.
func (w *Wallet) NextChange() (address.AddressPubKeyHash, error) {
	return w.next(BranchChange)
}

func (w *Wallet) next(branch uint32) (address.AddressPubKeyHash, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.nextLocked(branch)
}

// nextLocked is next for a caller that holds mu.
func (w *Wallet) nextLocked(branch uint32) (address.AddressPubKeyHash, error) {
	if w.closed {
		return address.AddressPubKeyHash{}, ErrClosed
	}
	b := w.branches[branch]
	for b.next < uint32(len(b.used)) && b.used[b.next] {
		b.next++
	}
	if err := w.topUpAll(); err != nil {
		return address.AddressPubKeyHash{}, fmt.Errorf("wallet: %w", err)
	}
	if int(b.next) >= len(b.pubKeys) {
		return address.AddressPubKeyHash{}, fmt.Errorf("wallet: %w", ErrKeypoolRanOut)
	}
	pk := b.pubKeys[b.next]
	b.next++
	if err := w.topUpAll(); err != nil {
		return address.AddressPubKeyHash{}, fmt.Errorf("wallet: %w", err)
	}
	a, err := address.NewAddressPubKeyHash(script.Hash160(pk), w.prefixes)
	if err != nil {
		return address.AddressPubKeyHash{}, fmt.Errorf("wallet: %w", err)
	}
	if err := w.saveLocked(); err != nil {
		return address.AddressPubKeyHash{}, err
	}
	return a, nil
}

// KeypoolSize returns the number of derived receiving and change keys not
// yet handed out (getwalletinfo's keypoolsize and keypoolsize_hd_internal).
func (w *Wallet) KeypoolSize() (receive, change int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	f := func(b *branchState) int {
		n := 0
		for i := int(b.next); i < len(b.pubKeys); i++ {
			if !b.used[i] {
				n++
			}
		}
		return n
	}
	return f(w.branches[0]), f(w.branches[1])
}

// KeyPath returns the derivation path of a wallet address's key, or "" and
// false for imported keys and addresses that are not the wallet's
// (getaddressinfo's hdkeypath).
func (w *Wallet) KeyPath(addr address.Address) (string, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	ref, ok := w.scripts[string(addr.ScriptPubKey())]
	if !ok || ref.imported {
		return "", false
	}
	return FormatPath(append(AccountPath(w.coinType, ref.branch), ref.index+HardenedKeyStart)), true
}

// isChange reports whether pkScript pays a key of the change branch. The
// caller holds mu.
func (w *Wallet) isChange(pkScript []byte) bool {
	ref, ok := w.scripts[string(pkScript)]
	return ok && !ref.imported && ref.branch == BranchChange
}
