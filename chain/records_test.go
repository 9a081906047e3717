package chain

import (
	"bytes"
	"errors"
	"testing"

	"github.com/nodecoin/nodecoin/chain/wire"
)

func TestRecordRoundTrips(t *testing.T) {
	ir := indexRecord{Header: wire.BlockHeader{Version: 4, Bits: 0x207fffff, Nonce: 7, Timestamp: 99}, Height: 12345, Status: statusHaveData | statusValid}
	got, err := decodeIndexRecord(ir.encode())
	if err != nil || got != ir {
		t.Fatalf("index record: %+v %v", got, err)
	}
	u := blockUndo{Spent: []Coin{
		{Value: 5000000000, PkScript: []byte{0x51}, Height: 7, Coinbase: true},
		{Value: 1, PkScript: bytes.Repeat([]byte{0xab}, 300), Height: 1 << 30},
		{Value: 0, PkScript: nil, Height: 0},
	}}
	gu, err := decodeBlockUndo(u.encode())
	if err != nil || len(gu.Spent) != 3 {
		t.Fatalf("undo: %v", err)
	}
	for i := range u.Spent {
		a, b := u.Spent[i], gu.Spent[i]
		if a.Value != b.Value || a.Height != b.Height || a.Coinbase != b.Coinbase || !bytes.Equal(a.PkScript, b.PkScript) {
			t.Errorf("undo coin %d: %+v != %+v", i, b, a)
		}
	}
	loc := txLocation{Block: wire.Hash{1, 2}, Offset: 81, Len: 200}
	if gl, err := decodeTxLocation(loc.encode()); err != nil || gl != loc {
		t.Fatalf("tx location: %+v %v", gl, err)
	}
}

func TestCorruptRecords(t *testing.T) {
	c := Coin{Value: 10, PkScript: []byte{1, 2, 3}, Height: 5}
	good := appendCoin(nil, &c)
	tests := []struct {
		name string
		err  error
	}{
		{"index short", func() error { _, err := decodeIndexRecord(make([]byte, 84)); return err }()},
		{"index negative height", func() error {
			r := indexRecord{Height: -1}
			_, err := decodeIndexRecord(r.encode())
			return err
		}()},
		{"coin truncated", func() error { _, err := decodeCoin(good[:len(good)-1]); return err }()},
		{"coin trailing", func() error { _, err := decodeCoin(append(append([]byte(nil), good...), 0)); return err }()},
		{"coin short", func() error { _, err := decodeCoin(good[:5]); return err }()},
		{"undo huge count", func() error { _, err := decodeBlockUndo([]byte{0xfe, 0xff, 0xff, 0xff, 0x7f}); return err }()},
		{"undo bad coin", func() error { _, err := decodeBlockUndo(append([]byte{1}, good[:8]...)); return err }()},
		{"txloc short", func() error { _, err := decodeTxLocation(make([]byte, 39)); return err }()},
	}
	for _, tc := range tests {
		if !errors.Is(tc.err, ErrCorrupt) {
			t.Errorf("%s: err %v, want ErrCorrupt", tc.name, tc.err)
		}
	}
}

func FuzzDecodeRecords(f *testing.F) {
	u := blockUndo{Spent: []Coin{{Value: 3, PkScript: []byte{0x51, 0x52}, Height: 9, Coinbase: true}}}
	f.Add(u.encode())
	f.Add((&indexRecord{Height: 3}).encode())
	f.Add((&txLocation{Offset: 1}).encode())
	f.Add([]byte{0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		if u, err := decodeBlockUndo(b); err == nil && !bytes.Equal(u.encode(), b) {
			t.Fatal("undo record re-encodes differently")
		}
		if c, err := decodeCoin(b); err == nil && !bytes.Equal(appendCoin(nil, &c), b) {
			t.Fatal("coin re-encodes differently")
		}
		if r, err := decodeIndexRecord(b); err == nil && !bytes.Equal(r.encode(), b) {
			t.Fatal("index record re-encodes differently")
		}
		decodeTxLocation(b)
	})
}
