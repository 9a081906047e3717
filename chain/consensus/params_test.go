package consensus

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/nodecoin/nodecoin/chain/wire"
)

// TestParams checks every network's parameters against DESIGN.md §2.
func TestParams(t *testing.T) {
	tests := []struct {
		name                 string
		magic                [4]byte
		p2p, rpc, met, strat uint16
		pkh, sh, wif         byte
		noRetarget           bool
		limitBits            uint32
		limitHex             string
		halving              int64
	}{
		{"main", [4]byte{0xf7, 0x4e, 0x43, 0x01}, 9633, 9632, 9634, 9635, 0x35, 0x38, 0xb5, false,
			0x1e00ffff, "ffff" + zeros(54), 2_100_000},
		{"test", [4]byte{0xf7, 0x4e, 0x43, 0x02}, 19633, 19632, 19634, 19635, 0x70, 0xc4, 0xf0, false,
			0x1e00ffff, "ffff" + zeros(54), 2_100_000},
		{"regtest", [4]byte{0xf7, 0x4e, 0x43, 0x03}, 29633, 29632, 29634, 29635, 0x70, 0xc4, 0xf0, true,
			0x207fffff, "7fffff" + zeros(58), 150},
	}
	for _, tc := range tests {
		p, err := ParamsForNetwork(tc.name)
		if err != nil {
			t.Fatalf("ParamsForNetwork(%q): %v", tc.name, err)
		}
		check := func(field string, got, want any) {
			if got != want {
				t.Errorf("%s: %s = %v, want %v", tc.name, field, got, want)
			}
		}
		check("Name", p.Name, tc.name)
		check("Magic", p.Magic, tc.magic)
		check("P2PPort", p.P2PPort, tc.p2p)
		check("RPCPort", p.RPCPort, tc.rpc)
		check("MetricsPort", p.MetricsPort, tc.met)
		check("StratumPort", p.StratumPort, tc.strat)
		check("PubKeyHashAddrID", p.PubKeyHashAddrID, tc.pkh)
		check("ScriptHashAddrID", p.ScriptHashAddrID, tc.sh)
		check("PrivateKeyID", p.PrivateKeyID, tc.wif)
		check("TargetSpacing", p.TargetSpacing, int64(60))
		check("ASERTHalfLife", p.ASERTHalfLife, int64(7200))
		check("ASERTAnchorHeight", p.ASERTAnchorHeight, int64(0))
		check("ASERTAnchorParentTime", p.ASERTAnchorParentTime, int64(GenesisTime-60))
		check("ASERTAnchorBits", p.ASERTAnchorBits, tc.limitBits)
		check("PowNoRetargeting", p.PowNoRetargeting, tc.noRetarget)
		check("PowLimitBits", p.PowLimitBits, tc.limitBits)
		check("SubsidyHalvingInterval", p.SubsidyHalvingInterval, tc.halving)
		check("CoinbaseMaturity", p.CoinbaseMaturity, int64(100))
		if want := hexBig(t, tc.limitHex); p.PowLimit.Cmp(want) != 0 {
			t.Errorf("%s: PowLimit %x, want %x", tc.name, p.PowLimit, want)
		}
		if _, err := TargetFromBits(p.PowLimitBits, p.PowLimit); err != nil {
			t.Errorf("%s: limit bits are not a valid target: %v", tc.name, err)
		}
		if BigToCompact(p.PowLimit) != p.PowLimitBits {
			t.Errorf("%s: PowLimit does not encode to PowLimitBits", tc.name)
		}
	}
	for _, bad := range []string{"", "mainnet", "Main", "testnet3", "signet"} {
		if p, err := ParamsForNetwork(bad); err == nil || p != nil {
			t.Errorf("ParamsForNetwork(%q) = %v, %v; want an error", bad, p, err)
		}
	}
}

// TestGenesis checks each network's genesis block: the hashes found by
// internal/tools/genesis, the coinbase layout, the proof of work and the
// serialization round trip.
func TestGenesis(t *testing.T) {
	tests := []struct {
		p          *Params
		hash, root string
		nonce      uint32
		text       string
	}{
		{MainNetParams,
			"0000008865b0c99fb1552f8804c9154526900557561a62a4fce0d946fe91f81c",
			"5bc416d437ed59ff4c5ed6c7d618290dd59efe06a513a5b22982558f211c52ec",
			10430215, mainGenesisText},
		{TestNetParams,
			"0000007c2f975ab2ca4a10741494faada08a24b2d38b9a4d3a1f8584826f60f8",
			"9846f52bb97087fa8a3561c8d802717099b4d02e86ba8170f4ed0bbb66b7a84b",
			524068, testGenesisText},
		{RegTestParams,
			"3a2a1b50ac91763604a7020bef3d7d5b8328996b4771d68c3d706811bbcfe3a6",
			"4847601d47c17c8ea700af5387345b289e93aac4dc1b7ffc0ac9925c896ee434",
			5, regTestGenesisText},
	}
	seen := map[wire.Hash]string{}
	for _, tc := range tests {
		p, blk := tc.p, tc.p.GenesisBlock
		name := p.Name
		if got := p.GenesisHash.String(); got != tc.hash {
			t.Errorf("%s: GenesisHash %s, want %s", name, got, tc.hash)
		}
		if got := blk.BlockHash().String(); got != tc.hash {
			t.Errorf("%s: genesis block hashes to %s, want %s", name, got, tc.hash)
		}
		if other, dup := seen[p.GenesisHash]; dup {
			t.Errorf("%s shares its genesis hash with %s", name, other)
		}
		seen[p.GenesisHash] = name

		h := blk.Header
		if h.Version != 4 || h.Timestamp != GenesisTime || h.Bits != p.PowLimitBits ||
			h.Nonce != tc.nonce || !h.PrevBlock.IsZero() {
			t.Errorf("%s: header %+v", name, h)
		}
		if err := CheckProofOfWork(p.GenesisHash, h.Bits, p.PowLimit); err != nil {
			t.Errorf("%s: genesis proof of work: %v", name, err)
		}

		if len(blk.Transactions) != 1 {
			t.Fatalf("%s: %d transactions", name, len(blk.Transactions))
		}
		cb := blk.Transactions[0]
		if got := h.MerkleRoot.String(); got != tc.root {
			t.Errorf("%s: merkle root %s, want %s", name, got, tc.root)
		}
		if cb.TxHash() != h.MerkleRoot {
			t.Errorf("%s: merkle root is not the coinbase txid", name)
		}
		if !cb.IsCoinBase() || cb.Version != 1 || cb.LockTime != 0 ||
			cb.TxIn[0].Sequence != 0xffffffff {
			t.Errorf("%s: coinbase %+v", name, cb)
		}
		var want []byte
		want = append(want, 4)
		want = binary.LittleEndian.AppendUint32(want, p.PowLimitBits)
		want = append(want, 1, 4, byte(len(tc.text)))
		want = append(want, tc.text...)
		sig := cb.TxIn[0].SignatureScript
		if !bytes.Equal(sig, want) {
			t.Errorf("%s: coinbase script %x, want %x", name, sig, want)
		}
		if len(sig) > MaxCoinbaseScriptLen {
			t.Errorf("%s: coinbase script is %d bytes", name, len(sig))
		}
		if len(cb.TxOut) != 1 || cb.TxOut[0].Value != 5_000_000_000 ||
			!bytes.Equal(cb.TxOut[0].PkScript, []byte{0x6a}) {
			t.Errorf("%s: coinbase outputs %+v", name, cb.TxOut)
		}
		if err := CheckBlockSanity(blk, p.PowLimit); err != nil {
			t.Errorf("%s: genesis fails CheckBlockSanity: %v", name, err)
		}

		raw := blk.Serialize()
		back, err := wire.DecodeBlock(raw)
		if err != nil {
			t.Fatalf("%s: decode genesis: %v", name, err)
		}
		if !bytes.Equal(back.Serialize(), raw) || back.BlockHash() != p.GenesisHash {
			t.Errorf("%s: genesis does not round-trip", name)
		}
		if again := NewGenesisBlock(p.PowLimitBits, tc.text, tc.nonce); again.BlockHash() != p.GenesisHash {
			t.Errorf("%s: NewGenesisBlock is not deterministic", name)
		}
	}
}

func TestNewGenesisBlockTruncatesText(t *testing.T) {
	long := string(bytes.Repeat([]byte("x"), 200))
	blk := NewGenesisBlock(RegTestPowLimitBits, long, 0)
	if n := len(blk.Transactions[0].TxIn[0].SignatureScript); n != 8+75 {
		t.Errorf("script of %d bytes, want %d", n, 8+75)
	}
	if err := CheckTransactionSanity(blk.Transactions[0]); err != nil {
		t.Errorf("long-text genesis coinbase: %v", err)
	}
}
