package mempool

import (
	"crypto/sha256"
	"testing"

	"github.com/nodecoin/nodecoin/chain/wire"
)

func withChecksum(body []byte) []byte {
	sum := sha256.Sum256(body)
	return append(body, sum[:]...)
}

func sampleDump() []byte {
	tx := &wire.Tx{Version: 2, TxIn: []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Hash: wire.Hash{1}}, SignatureScript: []byte{1, 2}, Sequence: 5}},
		TxOut: []*wire.TxOut{{Value: 1000, PkScript: []byte{0x51}}}}
	return encodeDump(&dump{entries: []dumpEntry{{tx: tx, time: 1_700_000_000, delta: -3}, {tx: tx.Copy(), time: 5}},
		deltas: map[wire.Hash]int64{{7}: 9}})
}

// FuzzDecodeDump feeds arbitrary bytes to the pool file decoder: it must
// never panic, and what it accepts must encode back to the same bytes.
func FuzzDecodeDump(f *testing.F) {
	good := sampleDump()
	f.Add(good)
	f.Add(good[:len(good)-1])
	f.Add([]byte{})
	f.Add([]byte(dumpMagic))
	f.Add(withChecksum([]byte(dumpMagic + "\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00")))
	f.Add(withChecksum([]byte(dumpMagic + "\x01\x00\x00\x00\xff\xff\xff\xff")))
	f.Add(withChecksum(append([]byte(dumpMagic+"\x01\x00\x00\x00\x01\x00\x00\x00\xff\xff\xff\x00"), make([]byte, 40)...)))
	f.Fuzz(func(t *testing.T, b []byte) {
		// Also try the input with a valid checksum, so the fuzzer gets past it.
		for _, in := range [][]byte{b, withChecksum(append([]byte(nil), b...))} {
			d, err := decodeDump(in)
			if err != nil {
				continue
			}
			if len(d.deltas) <= 1 && string(encodeDump(d)) != string(in) {
				t.Fatalf("re-encoding differs")
			}
		}
	})
}
