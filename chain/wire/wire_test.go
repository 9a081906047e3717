package wire

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"
)

func TestCompactSize(t *testing.T) {
	tests := []struct {
		hex     string
		want    uint64
		n       int
		wantErr error
	}{
		{"00", 0, 1, nil},
		{"fc", 0xfc, 1, nil},
		{"fdfd00", 0xfd, 3, nil},
		{"fdffff", 0xffff, 3, nil},
		{"fe00000100", 0x10000, 5, nil},
		{"feffffffff", 0xffffffff, 5, nil},
		{"ff0000000001000000", 0x100000000, 9, nil},
		{"fdfc00", 0, 0, ErrNonCanonical},
		{"fe0000ffff"[:10], 0xffff0000, 5, nil},
		{"feffff0000", 0, 0, ErrNonCanonical},
		{"ffffffffff00000000", 0, 0, ErrNonCanonical},
		{"", 0, 0, ErrTruncated},
		{"fd01", 0, 0, ErrTruncated},
		{"fe010203", 0, 0, ErrTruncated},
		{"ff01020304050607", 0, 0, ErrTruncated},
	}
	for _, tc := range tests {
		b, _ := hex.DecodeString(tc.hex)
		v, n, err := ReadCompactSize(b)
		if !errors.Is(err, tc.wantErr) {
			t.Errorf("%s: err %v, want %v", tc.hex, err, tc.wantErr)
			continue
		}
		if err != nil {
			continue
		}
		if v != tc.want || n != tc.n {
			t.Errorf("%s: got %d/%d, want %d/%d", tc.hex, v, n, tc.want, tc.n)
		}
		if enc := AppendCompactSize(nil, v); !bytes.Equal(enc, b) || CompactSizeLen(v) != len(b) {
			t.Errorf("%s: re-encoded as %x (len %d)", tc.hex, enc, CompactSizeLen(v))
		}
	}
}

func TestHashString(t *testing.T) {
	const s = "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f"
	h, err := NewHashFromStr(s)
	if err != nil {
		t.Fatal(err)
	}
	if h[31] != 0 || h[0] != 0x6f {
		t.Errorf("internal order wrong: %x", h[:])
	}
	if h.String() != s {
		t.Errorf("round trip %s", h)
	}
	var back Hash
	if err := back.UnmarshalText([]byte(s)); err != nil || back != h {
		t.Errorf("UnmarshalText: %v %s", err, back)
	}
	for _, bad := range []string{"", "00", s + "00", "zz" + s[2:]} {
		if _, err := NewHashFromStr(bad); err == nil {
			t.Errorf("NewHashFromStr(%q) accepted", bad)
		}
	}
}

// sampleTx builds a transaction with n inputs and n outputs.
func sampleTx(n int) *Tx {
	tx := &Tx{Version: 2, LockTime: 99}
	for i := 0; i < n; i++ {
		tx.TxIn = append(tx.TxIn, &TxIn{PreviousOutPoint: OutPoint{Hash: Hash{byte(i), 1}, Index: uint32(i)},
			SignatureScript: bytes.Repeat([]byte{byte(i)}, i*3), Sequence: 0xfffffffe})
		tx.TxOut = append(tx.TxOut, &TxOut{Value: int64(i) * 1000, PkScript: bytes.Repeat([]byte{0xac}, i+1)})
	}
	return tx
}

func TestTxRoundTripAndErrors(t *testing.T) {
	tx := sampleTx(3)
	raw := tx.Serialize()
	if len(raw) != tx.SerializeSize() {
		t.Fatalf("SerializeSize %d, len %d", tx.SerializeSize(), len(raw))
	}
	got, err := DecodeTx(raw)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Serialize(), raw) || got.TxHash() != tx.TxHash() {
		t.Fatal("round trip differs")
	}
	if got.IsCoinBase() {
		t.Error("non-coinbase reported as coinbase")
	}
	// The decoded transaction must not alias the caller's buffer.
	raw[len(raw)-20] ^= 0xff
	if !bytes.Equal(got.Serialize(), tx.Serialize()) {
		t.Error("decoded tx aliases input buffer")
	}
	raw[len(raw)-20] ^= 0xff

	tests := []struct {
		name string
		b    []byte
		want error
	}{
		{"trailing", append(append([]byte(nil), raw...), 0), ErrTrailingBytes},
		{"truncated", raw[:len(raw)-1], ErrTruncated},
		{"empty", nil, ErrTruncated},
		{"huge input count", []byte{1, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff, 0x0f}, ErrTooLarge},
		{"input count beyond data", append([]byte{1, 0, 0, 0, 0x02}, make([]byte, 60)...), ErrTooLarge},
		{"non-canonical count", []byte{1, 0, 0, 0, 0xfd, 0x01, 0x00, 0, 0, 0, 0, 0}, ErrNonCanonical},
		{"script beyond data", append([]byte{1, 0, 0, 0, 1}, append(make([]byte, 36), 0xfd, 0xff, 0x00)...), ErrTooLarge},
	}
	for _, tc := range tests {
		if _, err := DecodeTx(tc.b); !errors.Is(err, tc.want) {
			t.Errorf("%s: err %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestCopyIsDeep(t *testing.T) {
	tx := sampleTx(2)
	c := tx.Copy()
	c.TxIn[1].SignatureScript[0] ^= 1
	c.TxOut[0].PkScript[0] ^= 1
	if tx.TxIn[1].SignatureScript[0] == c.TxIn[1].SignatureScript[0] || tx.TxOut[0].PkScript[0] == c.TxOut[0].PkScript[0] {
		t.Fatal("Copy shares script memory")
	}
}

func TestDecodeHeaderLength(t *testing.T) {
	if _, err := DecodeHeader(make([]byte, 79)); !errors.Is(err, ErrTruncated) {
		t.Errorf("79 bytes: %v", err)
	}
	if _, err := DecodeHeader(make([]byte, 81)); !errors.Is(err, ErrTrailingBytes) {
		t.Errorf("81 bytes: %v", err)
	}
}

func TestDecodeBlockErrors(t *testing.T) {
	blk := &Block{Header: BlockHeader{Version: 4, Bits: 0x207fffff}, Transactions: []*Tx{sampleTx(1), sampleTx(2)}}
	raw := blk.Serialize()
	if _, err := DecodeBlock(append(raw, 0)); !errors.Is(err, ErrTrailingBytes) {
		t.Errorf("trailing: %v", err)
	}
	if _, err := DecodeBlock(raw[:len(raw)-3]); !errors.Is(err, ErrTruncated) {
		t.Errorf("truncated: %v", err)
	}
	// A transaction count far larger than the bytes that follow.
	bad := append(raw[:HeaderSize:HeaderSize], 0xfe, 0, 0, 0, 1)
	if _, err := DecodeBlock(bad); !errors.Is(err, ErrTooLarge) {
		t.Errorf("huge count: %v", err)
	}
}

func TestMerkleRoot(t *testing.T) {
	leaves := make([]Hash, 7)
	for i := range leaves {
		leaves[i] = DoubleSHA256([]byte{byte(i)})
	}
	// Reference computed level by level with the odd-duplication rule.
	ref := func(hs []Hash) Hash {
		for len(hs) > 1 {
			var next []Hash
			for i := 0; i < len(hs); i += 2 {
				j := i + 1
				if j == len(hs) {
					j = i
				}
				next = append(next, DoubleSHA256(append(append([]byte(nil), hs[i][:]...), hs[j][:]...)))
			}
			hs = next
		}
		return hs[0]
	}
	for n := 1; n <= len(leaves); n++ {
		root, mutated := MerkleRoot(leaves[:n])
		if mutated {
			t.Errorf("n=%d: distinct leaves reported mutated", n)
		}
		if root != ref(leaves[:n]) {
			t.Errorf("n=%d: root differs from reference", n)
		}
		for i := 0; i < n; i++ {
			if got := MerkleRootFromBranch(leaves[i], MerkleBranch(leaves[:n], i), i); got != root {
				t.Errorf("n=%d i=%d: branch gives wrong root", n, i)
			}
		}
	}
	if root, _ := MerkleRoot(nil); !root.IsZero() {
		t.Error("empty root not zero")
	}
	// CVE-2012-2459: [a b c] and [a b c c] share a root; the second is mutated.
	three, m3 := MerkleRoot(leaves[:3])
	four, m4 := MerkleRoot(append(append([]Hash(nil), leaves[:3]...), leaves[2]))
	if three != four || m3 || !m4 {
		t.Errorf("mutation: roots equal=%v, mutated %v/%v", three == four, m3, m4)
	}
	// A duplicated subtree: [a..f] and [a..f e f] share a root, detected one level up.
	sixRoot, _ := MerkleRoot(leaves[:6])
	eight := append(append([]Hash(nil), leaves[:6]...), leaves[4], leaves[5])
	if r, m := MerkleRoot(eight); !m || r != sixRoot {
		t.Errorf("duplicated subtree: mutated=%v same root=%v", m, r == sixRoot)
	}
}
