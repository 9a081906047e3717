package mempool

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/nodecoin/nodecoin/chain/wire"
)

func TestSaveLoadRoundTrip(t *testing.T) {
	h := newHarness(t, 10, nil)
	parent := h.spend([]utxo{h.coin()}, txOpts{fee: 1000})
	child := h.spend([]utxo{out(parent, 0)}, txOpts{fee: 1000})
	other := h.spend([]utxo{h.coin()}, txOpts{fee: 3000})
	h.accept(parent)
	h.clock.Add(time.Minute)
	h.accept(child)
	h.accept(other)
	h.pool.Prioritise(child.TxHash(), 777)
	absent := wire.Hash{0xaa}
	h.pool.Prioritise(absent, -5)
	path := filepath.Join(t.TempDir(), "mempool.dat")
	if err := h.pool.Save(path); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Fatalf("temporary files left: %v", entries)
	}

	fresh := New(h.chain, Config{Now: h.clock.Now, Logger: quiet})
	if fresh.Info().Loaded {
		t.Fatal("loaded before Load")
	}
	st, err := fresh.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Accepted != 3 || st.Failed != 0 || !fresh.Info().Loaded {
		t.Fatalf("stats %+v", st)
	}
	for _, tx := range []*wire.Tx{parent, child, other} {
		a, b := h.pool.Get(tx.TxHash()), fresh.Get(tx.TxHash())
		if b == nil || !a.Time.Equal(b.Time) || a.ModifiedFee != b.ModifiedFee || a.AncestorCount != b.AncestorCount {
			t.Fatalf("entry differs: %+v vs %+v", a, b)
		}
	}
	if fresh.FeeDeltas()[absent] != -5 {
		t.Fatal("delta of an absent transaction lost")
	}

	// Loading again counts them as present; an expired file loads nothing.
	if st, _ := fresh.Load(path); st.AlreadyInPool != 3 {
		t.Fatalf("stats %+v", st)
	}
	h.clock.Add(DefaultExpiry)
	late := New(h.chain, Config{Now: h.clock.Now, Logger: quiet})
	if st, err := late.Load(path); err != nil || st.Expired != 3 || late.Info().Size != 0 {
		t.Fatalf("stats %+v %v", st, err)
	}
	// A missing file is not an error.
	if st, err := late.Load(filepath.Join(t.TempDir(), "none")); err != nil || st != (LoadStats{}) {
		t.Fatal(st, err)
	}
}

func TestLoadRevalidates(t *testing.T) {
	h := newHarness(t, 10, nil)
	tx := h.spend([]utxo{h.coin()}, txOpts{fee: 1000})
	h.accept(tx)
	path := filepath.Join(t.TempDir(), "mempool.dat")
	if err := h.pool.Save(path); err != nil {
		t.Fatal(err)
	}
	h.mine(tx)
	fresh := New(h.chain, Config{Now: h.clock.Now, Logger: quiet})
	st, err := fresh.Load(path)
	if err != nil || st.Failed != 1 || st.Accepted != 0 {
		t.Fatalf("%+v %v", st, err)
	}
}

func TestLoadCorrupt(t *testing.T) {
	h := newHarness(t, 10, nil)
	h.accept(h.spend([]utxo{h.coin()}, txOpts{fee: 1000}))
	h.accept(h.spend([]utxo{h.coin()}, txOpts{fee: 1000}))
	path := filepath.Join(t.TempDir(), "mempool.dat")
	if err := h.pool.Save(path); err != nil {
		t.Fatal(err)
	}
	good, _ := os.ReadFile(path)
	flip := append([]byte(nil), good...)
	flip[40] ^= 1
	wrongVersion := append([]byte(nil), good[:len(good)-32]...)
	wrongVersion[8] = 9
	wrongVersion = withChecksum(wrongVersion)
	hugeCount := append([]byte(nil), good[:len(good)-32]...)
	hugeCount[12], hugeCount[13], hugeCount[14], hugeCount[15] = 0xff, 0xff, 0xff, 0x7f
	hugeCount = withChecksum(hugeCount)
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"truncated", good[:len(good)-10]},
		{"bit flip", flip},
		{"bad magic", append([]byte("XXXXXXXX"), good[8:]...)},
		{"wrong version", wrongVersion},
		{"impossible count", hugeCount},
		{"trailing bytes", withChecksum(append(append([]byte(nil), good[:len(good)-32]...), 0))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "mempool.dat")
			os.WriteFile(p, tc.data, 0o600)
			fresh := New(h.chain, Config{Now: h.clock.Now, Logger: quiet})
			st, err := fresh.Load(p)
			if !errors.Is(err, ErrCorruptDump) {
				t.Fatalf("err %v", err)
			}
			if st != (LoadStats{}) || fresh.Info().Size != 0 || !fresh.Info().Loaded {
				t.Fatalf("loaded something: %+v", st)
			}
		})
	}
}
