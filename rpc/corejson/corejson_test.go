package corejson

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/nodecoin/nodecoin/chain/address"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/wire"
)

// bitcoinGenesis is Bitcoin's genesis block (Bitcoin Core's chainparams).
const bitcoinGenesis = "0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c0101000000010000000000000000000000000000000000000000000000000000000000000000ffffffff4d04ffff001d0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e206272696e6b206f66207365636f6e64206261696c6f757420666f722062616e6b73ffffffff0100f2052a01000000434104678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5fac00000000"

var mainPrefixes = consensus.MainNetParams.AddressPrefixes()

func TestAmountJSON(t *testing.T) {
	for v, want := range map[int64]string{5000000000: "50.00000000", 1: "0.00000001", -1: "-0.00000001", 0: "0.00000000",
		21_000_000_00000000: "21000000.00000000"} {
		b, _ := json.Marshal(Amount(v))
		if string(b) != want {
			t.Errorf("Amount(%d) = %s, want %s", v, b, want)
		}
	}
}

func TestParseAmount(t *testing.T) {
	good := map[string]int64{"50": 5000000000, "0.00000001": 1, "1e-8": 1, "0.1": 10000000, ".5": 50000000,
		"210000000": consensus.MaxMoney, "12.34567890": 1234567890}
	for s, want := range good {
		if v, err := ParseAmount(s); err != nil || v != want {
			t.Errorf("ParseAmount(%q) = %d %v, want %d", s, v, err, want)
		}
	}
	for _, s := range []string{"-1", "1.123456789", "210000000.00000001", "abc", "", "1e-9", "1..2"} {
		if _, err := ParseAmount(s); !errors.Is(err, ErrInvalidAmount) {
			t.Errorf("ParseAmount(%q): %v, want ErrInvalidAmount", s, err)
		}
	}
}

func TestDescriptorChecksum(t *testing.T) {
	// BIP 380's example.
	if got := DescriptorChecksum("raw(deadbeef)"); got != "89f8spxm" {
		t.Fatalf("checksum %q, want 89f8spxm", got)
	}
	if DescriptorChecksum("raw(\x01)") != "" {
		t.Fatal("checksum of an invalid character")
	}
}

func TestTxAndBlockJSON(t *testing.T) {
	raw, _ := hex.DecodeString(bitcoinGenesis)
	b, err := wire.DecodeBlock(raw)
	if err != nil {
		t.Fatal(err)
	}
	tx := NewTx(b.Transactions[0], mainPrefixes, true, &Confirmation{BlockHash: b.BlockHash(), Confirmations: 3, BlockTime: 1231006505})
	if tx.Txid != "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b" || tx.Size != 204 || tx.Weight != 816 ||
		tx.Vin[0].Coinbase == "" || tx.Vin[0].ScriptSig != nil || tx.Vout[0].Value != 5000000000 ||
		tx.Vout[0].ScriptPubKey.Type != "pubkey" || !strings.HasPrefix(tx.Vout[0].ScriptPubKey.Desc, "pk(04678afdb0") ||
		tx.Vout[0].ScriptPubKey.Address != "" || *tx.Confirmations != 3 || tx.Hex != hex.EncodeToString(b.Transactions[0].Serialize()) {
		t.Fatalf("coinbase tx JSON %+v", tx)
	}
	ctx := BlockContext{Height: 0, Confirmations: 10, MedianTime: 1231006505, ChainWork: big.NewInt(0x100010001),
		Difficulty: 1, Next: &wire.Hash{1}}
	for _, verbose := range []bool{false, true} {
		blk := NewBlock(b, len(raw), ctx, mainPrefixes, verbose)
		j, err := json.Marshal(blk)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		json.Unmarshal(j, &m)
		want := map[string]any{"hash": "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f", "nTx": 1.0,
			"bits": "1d00ffff", "versionHex": "00000001", "size": 285.0, "difficulty": 1.0,
			"chainwork": "0000000000000000000000000000000000000000000000000000000100010001"}
		for k, v := range want {
			if m[k] != v {
				t.Errorf("verbose=%v: %s = %v, want %v", verbose, k, m[k], v)
			}
		}
		if _, ok := m["previousblockhash"]; ok {
			t.Error("genesis has a previousblockhash")
		}
		txs := m["tx"].([]any)
		if _, isObj := txs[0].(map[string]any); isObj != verbose {
			t.Errorf("verbose=%v: tx entries %T", verbose, txs[0])
		}
	}
}

func TestScriptPubKeyAndDecodeScript(t *testing.T) {
	pkh := make([]byte, 20)
	a, _ := address.NewAddressPubKeyHash(pkh, mainPrefixes)
	spk := NewScriptPubKey(a.ScriptPubKey(), mainPrefixes)
	if spk.Type != "pubkeyhash" || spk.Address != a.String() || spk.Desc != "addr("+a.String()+")#"+DescriptorChecksum("addr("+a.String()+")") ||
		spk.Asm != "OP_DUP OP_HASH160 0000000000000000000000000000000000000000 OP_EQUALVERIFY OP_CHECKSIG" {
		t.Fatalf("P2PKH scriptPubKey %+v", spk)
	}
	d := NewDecodedScript(a.ScriptPubKey(), mainPrefixes)
	if d.P2SH == "" || d.P2SH[0] == 'N' {
		t.Errorf("decodescript p2sh %q", d.P2SH)
	}
	ret := NewDecodedScript([]byte{0x6a, 0x01, 0x02}, mainPrefixes)
	if ret.Type != "nulldata" || ret.P2SH != "" || !strings.HasPrefix(ret.Desc, "raw(6a0102)#") {
		t.Errorf("OP_RETURN decodescript %+v", ret)
	}
}
