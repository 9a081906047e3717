package wire

import (
	"bytes"
	"encoding/hex"
	"testing"
)

// seedBlocks adds the real mainnet blocks and a few hand-made inputs.
func seedBlocks(f *testing.F) {
	for _, b := range readBlockRecords(&testing.T{}, "testdata/mainnet_blk_0_to_4.dat") {
		f.Add(b)
	}
	f.Add([]byte{})
	f.Add(make([]byte, HeaderSize))
	f.Add(append(make([]byte, HeaderSize), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff))
}

func FuzzDecodeBlock(f *testing.F) {
	seedBlocks(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		blk, err := DecodeBlock(b)
		if err != nil {
			return
		}
		if !bytes.Equal(blk.Serialize(), b) {
			t.Fatalf("decoded block re-encodes differently")
		}
		blk.TxHashes()
	})
}

func FuzzDecodeTx(f *testing.F) {
	for _, b := range readBlockRecords(&testing.T{}, "testdata/mainnet_blk_0_to_4.dat") {
		f.Add(b[HeaderSize+1:])
	}
	f.Add(sampleTx(3).Serialize())
	f.Add([]byte{1, 0, 0, 0, 0xfd, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		tx, err := DecodeTx(b)
		if err != nil {
			return
		}
		if !bytes.Equal(tx.Serialize(), b) || tx.SerializeSize() != len(b) {
			t.Fatalf("decoded tx re-encodes differently")
		}
	})
}

func FuzzDecodeHeader(f *testing.F) {
	h, _ := hex.DecodeString("010000006fe28c0ab6f1b372c1a6a246ae63f74f931e8365e15a089c68d6190000000000982051fd1e4ba744bbbe680e1fee14677ba1a3c3540bf7b1cdb606e857233e0e61bc6649ffff001d01e36299")
	f.Add(h)
	f.Add(h[:79])
	f.Fuzz(func(t *testing.T, b []byte) {
		hdr, err := DecodeHeader(b)
		if err != nil {
			return
		}
		if enc := hdr.Bytes(); !bytes.Equal(enc[:], b) {
			t.Fatalf("header re-encodes differently")
		}
	})
}

func FuzzReadCompactSize(f *testing.F) {
	for _, s := range []string{"00", "fc", "fdfd00", "fdfc00", "fe00000100", "ff0000000001000000", "ff", ""} {
		b, _ := hex.DecodeString(s)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, n, err := ReadCompactSize(b)
		if err != nil {
			return
		}
		if !bytes.Equal(AppendCompactSize(nil, v), b[:n]) {
			t.Fatalf("compact size %d read from %x re-encodes differently", v, b[:n])
		}
	})
}
