package wire

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

type genesisVector struct {
	BlockHex       string   `json:"block_hex"`
	HeaderHex      string   `json:"header_hex"`
	Hash           string   `json:"hash"`
	MerkleRoot     string   `json:"merkle_root"`
	CoinbaseTxid   string   `json:"coinbase_txid"`
	Time           uint32   `json:"time"`
	Nonce          uint32   `json:"nonce"`
	Headers1To11   []string `json:"headers_1_11_hashes"`
	Blocks0To4Hash []string `json:"blk_0_to_4_hashes"`
}

func loadGenesisVector(t *testing.T) genesisVector {
	t.Helper()
	raw, err := os.ReadFile("testdata/genesis_mainnet.json")
	if err != nil {
		t.Fatal(err)
	}
	var v genesisVector
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// readBlockRecords splits a Bitcoin Core blk*.dat file into block payloads.
func readBlockRecords(t *testing.T, path string) [][]byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var blocks [][]byte
	for len(raw) > 0 {
		if len(raw) < 8 || !bytes.Equal(raw[:4], []byte{0xf9, 0xbe, 0xb4, 0xd9}) {
			t.Fatalf("bad record header in %s", path)
		}
		n := binary.LittleEndian.Uint32(raw[4:8])
		blocks = append(blocks, raw[8:8+n])
		raw = raw[8+n:]
	}
	return blocks
}

func TestMainnetBlocks0To4(t *testing.T) {
	v := loadGenesisVector(t)
	blocks := readBlockRecords(t, "testdata/mainnet_blk_0_to_4.dat")
	if len(blocks) != len(v.Blocks0To4Hash) {
		t.Fatalf("got %d blocks, want %d", len(blocks), len(v.Blocks0To4Hash))
	}
	var prev Hash
	for i, raw := range blocks {
		blk, err := DecodeBlock(raw)
		if err != nil {
			t.Fatalf("block %d: %v", i, err)
		}
		if got := blk.BlockHash().String(); got != v.Blocks0To4Hash[i] {
			t.Errorf("block %d hash %s, want %s", i, got, v.Blocks0To4Hash[i])
		}
		if blk.Header.PrevBlock != prev {
			t.Errorf("block %d prev %s, want %s", i, blk.Header.PrevBlock, prev)
		}
		root, mutated := MerkleRoot(blk.TxHashes())
		if root != blk.Header.MerkleRoot || mutated {
			t.Errorf("block %d merkle %s mutated=%v, header says %s", i, root, mutated, blk.Header.MerkleRoot)
		}
		if !bytes.Equal(blk.Serialize(), raw) {
			t.Errorf("block %d re-encoding differs", i)
		}
		if blk.SerializeSize() != len(raw) {
			t.Errorf("block %d SerializeSize %d, want %d", i, blk.SerializeSize(), len(raw))
		}
		prev = blk.BlockHash()
	}
}

func TestMainnetHeaders1To11(t *testing.T) {
	v := loadGenesisVector(t)
	f, err := os.Open("testdata/mainnet_headers_1_11.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	prev, _ := NewHashFromStr(v.Hash)
	i := 0
	for sc := bufio.NewScanner(f); sc.Scan(); i++ {
		raw, err := hex.DecodeString(strings.TrimSpace(sc.Text()))
		if err != nil {
			t.Fatal(err)
		}
		h, err := DecodeHeader(raw)
		if err != nil {
			t.Fatalf("header %d: %v", i+1, err)
		}
		if got := h.BlockHash().String(); got != v.Headers1To11[i] {
			t.Errorf("header %d hash %s, want %s", i+1, got, v.Headers1To11[i])
		}
		if h.PrevBlock != prev {
			t.Errorf("header %d does not link to its parent", i+1)
		}
		if b := h.Bytes(); !bytes.Equal(b[:], raw) {
			t.Errorf("header %d re-encoding differs", i+1)
		}
		prev = h.BlockHash()
	}
	if i != len(v.Headers1To11) {
		t.Fatalf("read %d headers, want %d", i, len(v.Headers1To11))
	}
}

func TestGenesisVector(t *testing.T) {
	v := loadGenesisVector(t)
	raw, _ := hex.DecodeString(v.BlockHex)
	blk, err := DecodeBlock(raw)
	if err != nil {
		t.Fatal(err)
	}
	if got := blk.BlockHash().String(); got != v.Hash {
		t.Errorf("hash %s, want %s", got, v.Hash)
	}
	if got := blk.Header.MerkleRoot.String(); got != v.MerkleRoot {
		t.Errorf("merkle %s, want %s", got, v.MerkleRoot)
	}
	if got := blk.Transactions[0].TxHash().String(); got != v.CoinbaseTxid {
		t.Errorf("coinbase txid %s, want %s", got, v.CoinbaseTxid)
	}
	if !blk.Transactions[0].IsCoinBase() {
		t.Error("genesis coinbase not recognised as coinbase")
	}
	if blk.Header.Timestamp != v.Time || blk.Header.Nonce != v.Nonce {
		t.Errorf("time/nonce %d/%d, want %d/%d", blk.Header.Timestamp, blk.Header.Nonce, v.Time, v.Nonce)
	}
	hb := blk.Header.Bytes()
	if hex.EncodeToString(hb[:]) != v.HeaderHex {
		t.Error("header bytes differ")
	}
}
