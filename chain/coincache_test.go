package chain

import (
	"errors"
	"testing"

	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/syndtr/goleveldb/leveldb"
)

func openTestStore(t *testing.T, dir, network string) *store {
	t.Helper()
	s, err := openStore(dir, network, 8)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestStoreSchemaChecks(t *testing.T) {
	dir := t.TempDir()
	s := openTestStore(t, dir, "regtest")
	s.close()
	if _, err := openStore(dir, "main", 8); !errors.Is(err, ErrSchema) {
		t.Fatalf("other network: %v, want ErrSchema", err)
	}
	s = openTestStore(t, dir, "regtest")
	b := new(leveldb.Batch)
	b.Put([]byte{prefixSchema}, []byte{99, 0, 0, 0})
	if err := s.write(b, true); err != nil {
		t.Fatal(err)
	}
	s.close()
	if _, err := openStore(dir, "regtest", 8); !errors.Is(err, ErrSchema) {
		t.Fatalf("other schema version: %v, want ErrSchema", err)
	}
}

func TestCoinCacheFlushAndReload(t *testing.T) {
	s := openTestStore(t, t.TempDir(), "regtest")
	defer s.close()
	cc := newCoinCache(s, 1<<20)
	op := func(i byte) wire.OutPoint { return wire.OutPoint{Hash: wire.Hash{i}, Index: uint32(i)} }
	for i := byte(1); i <= 4; i++ {
		cc.add(op(i), Coin{Value: int64(i), PkScript: []byte{i}, Height: int32(i)})
	}
	// A fresh coin spent before any flush never reaches the database.
	cc.spend(op(4))
	if _, ok := cc.entries[op(4)]; ok {
		t.Error("fresh spent coin kept in cache")
	}
	flush := func() {
		// Tiny chunks: every entry in a batch of its own.
		if _, err := cc.writeChunks(1, func(b *leveldb.Batch) error { return s.write(b, true) }); err != nil {
			t.Fatal(err)
		}
		cc.flushed()
	}
	flush()
	if cc.usage != 0 || len(cc.entries) != 0 {
		t.Fatal("cache not empty after flush")
	}
	c, err := cc.fetch(op(2))
	if err != nil || c == nil || c.Value != 2 || c.Height != 2 {
		t.Fatalf("reload: %+v %v", c, err)
	}
	cc.spend(op(2))
	cc.remove(op(3))                                 // disconnecting the block that made coin 3
	cc.restore(op(9), Coin{Value: 9, PkScript: nil}) // putting back a coin it spent
	flush()
	for i, want := range map[byte]int64{1: 1, 2: -1, 3: -1, 4: -1, 9: 9} {
		c, err := cc.fetch(op(i))
		if err != nil {
			t.Fatal(err)
		}
		if (c == nil) != (want < 0) || (c != nil && c.Value != want) {
			t.Errorf("coin %d: got %+v, want value %d", i, c, want)
		}
	}
	cc.fetch(op(1)) // now cached: one hit after six misses
	if r := cc.hitRatio(); r != 1.0/7 {
		t.Errorf("hit ratio %v", cc.hitRatio())
	}
}
