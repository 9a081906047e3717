package wallet

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nodecoin/nodecoin/chain/address"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/script"
	"github.com/nodecoin/nodecoin/chain/wire"
)

func TestKeypoolGapAndPersistence(t *testing.T) {
	w, clk := newTestWallet(t, 5)
	if r, c := w.KeypoolSize(); r != 5 || c != 5 {
		t.Fatalf("fresh pool %d/%d, want 5/5", r, c)
	}
	var addrs []string
	for i := 0; i < 3; i++ {
		a, err := w.NextReceive()
		if err != nil {
			t.Fatal(err)
		}
		addrs = append(addrs, a.String())
		p, _ := w.KeyPath(a)
		if want := "m/44'/1'/0'/0'/" + string(rune('0'+i)) + "'"; p != want {
			t.Errorf("path %s, want %s", p, want)
		}
	}
	if r, _ := w.KeypoolSize(); r != 5 {
		t.Errorf("pool after 3 addresses %d, want 5 (gap kept)", r)
	}
	// A payment to a pre-derived key beyond those handed out (index 6)
	// marks it used: the next address is 7, the pool reaches 7+5.
	w.mu.Lock()
	pk6 := w.branches[BranchReceive].pubKeys[6]
	w.mu.Unlock()
	s6, _ := script.PayToPubKeyHashScript(script.Hash160(pk6))
	var c testChain
	b, h := c.add(foreignScript(1), spendTx([]wire.OutPoint{{Index: 1}}, &wire.TxOut{Value: coin, PkScript: s6}))
	if err := w.ProcessBlockConnected(b, h); err != nil {
		t.Fatal(err)
	}
	a, err := w.NextReceive()
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := w.KeyPath(a); p != "m/44'/1'/0'/0'/7'" {
		t.Errorf("after a payment to index 6 the next address is %s", p)
	}
	if r, _ := w.KeypoolSize(); r != 5 {
		t.Errorf("pool %d, want 5", r)
	}
	ch, err := w.NextChange()
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := w.KeyPath(ch); p != "m/44'/1'/0'/1'/0'" {
		t.Errorf("change path %s", p)
	}
	// Reopen: the same addresses, and the next one continues.
	dir := filepath.Dir(w.path)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	w2, err := Open(testConfig(t, dir, 0, clk))
	if err != nil {
		t.Fatal(err)
	}
	defer w2.Close()
	a2, err := w2.NextReceive()
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := w2.KeyPath(a2); p != "m/44'/1'/0'/0'/8'" {
		t.Errorf("after reopen next address %s", p)
	}
	for _, s := range addrs {
		ad, _ := address.Decode(s, consensus.RegTestParams.AddressPrefixes())
		if !w2.IsMine(ad.ScriptPubKey()) {
			t.Errorf("%s no longer the wallet's", s)
		}
	}
	// The same seed in another wallet gives the same addresses.
	w3, err := CreateFromSeed(testConfig(t, t.TempDir(), 5, nil), testSeed)
	if err != nil {
		t.Fatal(err)
	}
	defer w3.Close()
	if a3, _ := w3.NextReceive(); a3.String() != addrs[0] {
		t.Errorf("same seed, first address %s vs %s", a3, addrs[0])
	}
	// Main network addresses use coin type 9633 and the main prefix.
	wm, err := CreateFromSeed(Config{Params: consensus.MainNetParams, Dir: t.TempDir()}, testSeed)
	if err != nil {
		t.Fatal(err)
	}
	defer wm.Close()
	am, _ := wm.NextReceive()
	if p, _ := wm.KeyPath(am); p != "m/44'/9633'/0'/0'/0'" || !strings.HasPrefix(am.String(), "N") {
		t.Errorf("main: %s %s", am, p)
	}
}

func TestCreateRefusesExisting(t *testing.T) {
	w, _ := newTestWallet(t, 3)
	dir := filepath.Dir(w.path)
	if _, err := CreateFromSeed(testConfig(t, dir, 3, nil), testSeed); !errors.Is(err, ErrWalletExists) {
		t.Errorf("second create: %v", err)
	}
	if _, err := Open(testConfig(t, t.TempDir(), 0, nil)); !errors.Is(err, ErrNoWallet) {
		t.Errorf("open empty dir: %v", err)
	}
	if _, err := Open(Config{Params: consensus.TestNetParams, Dir: dir}); !errors.Is(err, ErrWrongNetwork) {
		t.Errorf("open as testnet: %v", err)
	}
	st, err := os.Stat(w.path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("wallet file mode %v", st.Mode().Perm())
	}
	if _, err := Create(testConfig(t, t.TempDir(), 0, nil)); err != nil {
		t.Errorf("random create: %v", err)
	}
}

// signAndVerify spends a wallet output with tx and checks the signature
// with the script interpreter.
func signAndVerify(w *Wallet, pkScript []byte) error {
	tx := spendTx([]wire.OutPoint{{Hash: wire.Hash{1}, Index: 0}}, &wire.TxOut{Value: coin, PkScript: foreignScript(9)})
	if err := w.SignInput(tx, 0, pkScript); err != nil {
		return err
	}
	return script.VerifyInput(tx, 0, pkScript, script.StandardVerifyFlags, nil)
}

func TestEncryptLockUnlock(t *testing.T) {
	w, clk := newTestWallet(t, 3)
	a, err := w.NextReceive()
	if err != nil {
		t.Fatal(err)
	}
	pk := a.ScriptPubKey()
	if err := signAndVerify(w, pk); err != nil {
		t.Fatalf("unencrypted sign: %v", err)
	}
	wifBefore, err := w.DumpPrivKey(a.String())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Lock(); !errors.Is(err, ErrNotEncrypted) {
		t.Errorf("lock unencrypted: %v", err)
	}
	if err := w.EncryptWallet(nil); !errors.Is(err, ErrEmptyPassphrase) {
		t.Errorf("empty passphrase: %v", err)
	}
	pass := []byte("correct horse")
	if err := w.EncryptWallet(pass); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(w.path)
	if bytes.Contains(raw, testSeed) || strings.Contains(string(raw), "WlpaWlpa") { // base64 of 0x5a…
		t.Error("plain seed in the encrypted file")
	}
	if err := w.EncryptWallet(pass); !errors.Is(err, ErrAlreadyEncrypted) {
		t.Errorf("encrypt twice: %v", err)
	}

	steps := []struct {
		name string
		do   func() error
		want error
	}{
		{"locked after encryption: sign refused", func() error { return signAndVerify(w, pk) }, ErrLocked},
		{"locked: dumpprivkey refused", func() error { _, err := w.DumpPrivKey(a.String()); return err }, ErrLocked},
		{"locked: address from the pool", func() error { _, err := w.NextReceive(); return err }, nil},
		{"wrong passphrase", func() error { return w.Unlock([]byte("wrong"), time.Minute) }, ErrWrongPassphrase},
		{"still locked", func() error { return signAndVerify(w, pk) }, ErrLocked},
		{"zero timeout", func() error { return w.Unlock(pass, 0) }, ErrInvalidTimeout},
		{"right passphrase", func() error { return w.Unlock(pass, time.Minute) }, nil},
		{"unlocked: sign", func() error { return signAndVerify(w, pk) }, nil},
		{"unlocked: same key", func() error {
			got, err := w.DumpPrivKey(a.String())
			if err == nil && got != wifBefore {
				return errors.New("dumped key differs after encryption")
			}
			return err
		}, nil},
		{"timeout relocks", func() error { clk.Advance(61 * time.Second); return signAndVerify(w, pk) }, ErrLocked},
		{"unlock again", func() error { return w.Unlock(pass, time.Hour) }, nil},
		{"walletlock", func() error { return w.Lock() }, nil},
		{"locked by walletlock", func() error { return signAndVerify(w, pk) }, ErrLocked},
		{"change passphrase with wrong old one", func() error { return w.ChangePassphrase([]byte("nope"), []byte("new")) }, ErrWrongPassphrase},
		{"change passphrase", func() error { return w.ChangePassphrase(pass, []byte("new pass")) }, nil},
		{"old passphrase refused", func() error { return w.Unlock(pass, time.Minute) }, ErrWrongPassphrase},
		{"new passphrase", func() error { return w.Unlock([]byte("new pass"), time.Minute) }, nil},
		{"sign with new", func() error { return signAndVerify(w, pk) }, nil},
	}
	for _, s := range steps {
		err := s.do()
		if (s.want == nil && err != nil) || (s.want != nil && !errors.Is(err, s.want)) {
			t.Fatalf("%s: err %v, want %v", s.name, err, s.want)
		}
	}
	if w.UnlockedUntil().IsZero() || w.IsLocked() {
		t.Error("should be unlocked")
	}

	// Reopened from disk: locked, and the passphrase still works.
	dir := filepath.Dir(w.path)
	w.Close()
	w2, err := Open(testConfig(t, dir, 0, clk))
	if err != nil {
		t.Fatal(err)
	}
	defer w2.Close()
	if !w2.IsLocked() || !w2.IsEncrypted() {
		t.Fatal("reopened encrypted wallet not locked")
	}
	if err := signAndVerify(w2, pk); !errors.Is(err, ErrLocked) {
		t.Errorf("reopened sign: %v", err)
	}
	if err := w2.Unlock([]byte("new pass"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := signAndVerify(w2, pk); err != nil {
		t.Fatal(err)
	}
}

func TestLockedKeypoolRunsOut(t *testing.T) {
	w, _ := newTestWallet(t, 3)
	if err := w.EncryptWallet([]byte("pw")); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if _, err := w.NextReceive(); err != nil {
			t.Fatalf("address %d from the pool: %v", i, err)
		}
	}
	if _, err := w.NextReceive(); !errors.Is(err, ErrKeypoolRanOut) {
		t.Fatalf("empty pool: %v", err)
	}
	if err := w.Unlock([]byte("pw"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if r, _ := w.KeypoolSize(); r != 3 {
		t.Errorf("refilled pool %d, want 3", r)
	}
	if _, err := w.NextReceive(); err != nil {
		t.Fatal(err)
	}
}

func TestImportPrivKey(t *testing.T) {
	w, clk := newTestWallet(t, 2)
	p := consensus.RegTestParams.AddressPrefixes()
	priv, _ := btcecPrivKey(7)
	for _, compressed := range []bool{true, false} {
		wif, err := address.NewWIF(priv, compressed, p)
		if err != nil {
			t.Fatal(err)
		}
		addr, err := w.ImportPrivKey(wif.Encode())
		if err != nil {
			t.Fatal(err)
		}
		got, err := w.DumpPrivKey(addr)
		if err != nil || got != wif.Encode() {
			t.Fatalf("dump %v, round trip ok=%v", err, got == wif.Encode())
		}
		ad, _ := address.Decode(addr, p)
		if err := signAndVerify(w, ad.ScriptPubKey()); err != nil {
			t.Fatalf("sign with imported key (compressed %v): %v", compressed, err)
		}
	}
	if err := w.EncryptWallet([]byte("pw")); err != nil {
		t.Fatal(err)
	}
	wif3, _ := address.NewWIF(mustPriv(8), true, p)
	if _, err := w.ImportPrivKey(wif3.Encode()); !errors.Is(err, ErrLocked) {
		t.Errorf("import while locked: %v", err)
	}
	if err := w.Unlock([]byte("pw"), time.Minute); err != nil {
		t.Fatal(err)
	}
	addr3, err := w.ImportPrivKey(wif3.Encode())
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(w.path)
	w.Close()
	w2, err := Open(testConfig(t, dir, 0, clk))
	if err != nil {
		t.Fatal(err)
	}
	defer w2.Close()
	if _, err := w2.DumpPrivKey(addr3); !errors.Is(err, ErrLocked) {
		t.Errorf("dump locked: %v", err)
	}
	if err := w2.Unlock([]byte("pw"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if got, err := w2.DumpPrivKey(addr3); err != nil || got != wif3.Encode() {
		t.Errorf("imported key after reopen: %v", err)
	}
	if _, err := w2.DumpPrivKey("not an address"); err == nil {
		t.Error("bad address accepted")
	}
	if _, err := w2.ImportPrivKey("garbage"); err == nil {
		t.Error("bad WIF accepted")
	}
}

func TestBackupRestoresAddresses(t *testing.T) {
	w, clk := newTestWallet(t, 4)
	var want []string
	for i := 0; i < 6; i++ {
		a, err := w.NextReceive()
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, a.String())
	}
	restoreDir := t.TempDir()
	if err := w.Backup(Path(restoreDir)); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(Path(restoreDir)); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v %v", err, st)
	}
	r, err := Open(testConfig(t, restoreDir, 0, clk))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	p := consensus.RegTestParams.AddressPrefixes()
	for _, s := range want {
		a, _ := address.Decode(s, p)
		if !r.IsMine(a.ScriptPubKey()) {
			t.Errorf("restored wallet lacks %s", s)
		}
		w1, err1 := w.DumpPrivKey(s)
		w2, err2 := r.DumpPrivKey(s)
		if err1 != nil || err2 != nil || w1 != w2 {
			t.Errorf("key of %s differs after restore", s)
		}
	}
	a, _ := r.NextReceive()
	b, _ := w.NextReceive()
	if a.String() != b.String() {
		t.Errorf("next address after restore %s, original %s", a, b)
	}
}

// rechecksum returns a wallet file with the given payload and a valid
// header and checksum.
func rechecksum(payload []byte, version uint32) []byte {
	b := append([]byte{}, fileMagic[:]...)
	b = binary.LittleEndian.AppendUint32(b, version)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(payload)))
	b = append(b, payload...)
	sum := sha256Sum(b)
	return append(b, sum...)
}

func TestCorruptFiles(t *testing.T) {
	w, _ := newTestWallet(t, 2)
	good, err := os.ReadFile(w.path)
	if err != nil {
		t.Fatal(err)
	}
	payload := good[headerLen : len(good)-32]
	flip := func(i int) []byte { b := bytes.Clone(good); b[i] ^= 1; return b }
	replace := func(old, new string) []byte {
		p := strings.Replace(string(payload), old, new, 1)
		if p == string(payload) {
			t.Fatalf("%q not in payload", old)
		}
		return rechecksum([]byte(p), FileVersion)
	}
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"header only", good[:headerLen]},
		{"truncated by one byte", good[:len(good)-1]},
		{"truncated in half", good[:len(good)/2]},
		{"trailing byte", append(bytes.Clone(good), 0)},
		{"bad magic", flip(0)},
		{"future version", rechecksum(payload, 2)},
		{"length field", flip(12)},
		{"payload bit flip", flip(headerLen + 10)},
		{"checksum bit flip", flip(len(good) - 1)},
		{"not json", rechecksum([]byte("{nope"), FileVersion)},
		{"trailing json", rechecksum(append(bytes.Clone(payload), []byte(" {}")...), FileVersion)},
		{"unknown field", replace(`"network"`, `"netwrk"`)},
		{"no network", replace(`"network":"regtest"`, `"network":""`)},
		{"gap limit zero", replace(`"gap_limit":2`, `"gap_limit":0`)},
		{"short seed", replace(base64.StdEncoding.EncodeToString(testSeed), "AAAA")},
		{"one branch", rechecksum([]byte(strings.Replace(string(payload), `"branches":[{`, `"branches":[{"pubkeys":[],"next":0},{`, 1)), FileVersion)},
		{"next beyond keys", replace(`"next":0`, `"next":99`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeFile(tt.data)
			if !errors.Is(err, ErrCorruptFile) {
				t.Fatalf("err %v, want ErrCorruptFile", err)
			}
			dir := t.TempDir()
			if err := os.WriteFile(Path(dir), tt.data, 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := Open(testConfig(t, dir, 0, nil)); !errors.Is(err, ErrCorruptFile) {
				t.Fatalf("Open: %v", err)
			}
		})
	}
	if _, err := decodeFile(good); err != nil {
		t.Fatalf("good file: %v", err)
	}
}

func FuzzDecodeFile(f *testing.F) {
	dir := f.TempDir()
	w, err := CreateFromSeed(Config{Params: consensus.RegTestParams, Dir: dir, GapLimit: 2}, testSeed)
	if err != nil {
		f.Fatal(err)
	}
	var c testChain
	a, _ := w.NextReceive()
	b, h := c.add(a.ScriptPubKey())
	if err := w.ProcessBlockConnected(b, h); err != nil {
		f.Fatal(err)
	}
	good, _ := os.ReadFile(w.path)
	w.Close()
	f.Add(good)
	f.Add(good[:len(good)-1])
	f.Add(good[:headerLen+5])
	f.Add(rechecksum([]byte(`{"network":"regtest","gap_limit":1,"seed":{"plain":"AAAAAAAAAAAAAAAAAAAAAA=="},"branches":[{"pubkeys":[],"next":0},{"pubkeys":[],"next":0}]}`), FileVersion))
	f.Add(rechecksum([]byte(`{"branches":[{"pubkeys":["AA=="],"next":5}]}`), FileVersion))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := decodeFile(data)
		if err != nil {
			if !errors.Is(err, ErrCorruptFile) {
				t.Fatalf("error does not wrap ErrCorruptFile: %v", err)
			}
			return
		}
		// A file that decodes re-encodes to one that decodes the same way.
		again, err := encodeFile(d)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := decodeFile(again); err != nil {
			t.Fatalf("re-encoded file refused: %v", err)
		}
	})
}
