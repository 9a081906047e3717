package corejson

import (
	"encoding/hex"

	"github.com/nodecoin/nodecoin/chain/address"
	"github.com/nodecoin/nodecoin/chain/script"
	"github.com/nodecoin/nodecoin/chain/wire"
)

// ScriptSig is an input script as Core shows it.
type ScriptSig struct {
	Asm string `json:"asm"`
	Hex string `json:"hex"`
}

// ScriptPubKey is an output script as Core shows it.
type ScriptPubKey struct {
	Asm     string `json:"asm"`
	Desc    string `json:"desc"`
	Hex     string `json:"hex"`
	Address string `json:"address,omitempty"`
	Type    string `json:"type"`
}

// Vin is a transaction input: coinbase inputs carry Coinbase, the others
// the spent outpoint and the script.
type Vin struct {
	Coinbase  string     `json:"coinbase,omitempty"`
	Txid      string     `json:"txid,omitempty"`
	Vout      *uint32    `json:"vout,omitempty"`
	ScriptSig *ScriptSig `json:"scriptSig,omitempty"`
	Sequence  uint32     `json:"sequence"`
}

// Vout is a transaction output.
type Vout struct {
	Value        Amount       `json:"value"`
	N            int          `json:"n"`
	ScriptPubKey ScriptPubKey `json:"scriptPubKey"`
}

// Tx is a decoded transaction, with the confirmation fields getrawtransaction
// adds for a confirmed one.
type Tx struct {
	Txid     string `json:"txid"`
	Hash     string `json:"hash"`
	Version  int32  `json:"version"`
	Size     int    `json:"size"`
	VSize    int    `json:"vsize"`
	Weight   int    `json:"weight"`
	LockTime uint32 `json:"locktime"`
	Vin      []Vin  `json:"vin"`
	Vout     []Vout `json:"vout"`
	Hex      string `json:"hex,omitempty"`

	BlockHash     string `json:"blockhash,omitempty"`
	Confirmations *int32 `json:"confirmations,omitempty"`
	Time          *int64 `json:"time,omitempty"`
	BlockTime     *int64 `json:"blocktime,omitempty"`
}

// Confirmation is where a confirmed transaction stands.
type Confirmation struct {
	BlockHash     wire.Hash
	Confirmations int32
	BlockTime     int64
}

// NewScriptPubKey describes an output script.
func NewScriptPubKey(pkScript []byte, p address.Prefixes) ScriptPubKey {
	asm, _ := script.DisasmString(pkScript)
	spk := ScriptPubKey{Asm: asm, Desc: InferDescriptor(pkScript, p), Hex: hex.EncodeToString(pkScript),
		Type: script.GetScriptClass(pkScript).String()}
	if a, ok := address.FromScript(pkScript, p); ok {
		spk.Address = a.String()
	}
	return spk
}

// NewTx describes tx as decoderawtransaction does; withHex adds the raw
// hex (getrawtransaction, getblock verbosity 2), conf the confirmation
// fields (nil for an unconfirmed transaction).
func NewTx(tx *wire.Tx, p address.Prefixes, withHex bool, conf *Confirmation) Tx {
	raw := tx.Serialize()
	txid := wire.DoubleSHA256(raw).String()
	out := Tx{Txid: txid, Hash: txid, Version: tx.Version, Size: len(raw), VSize: len(raw), Weight: 4 * len(raw),
		LockTime: tx.LockTime, Vin: make([]Vin, len(tx.TxIn)), Vout: make([]Vout, len(tx.TxOut))}
	coinbase := tx.IsCoinBase()
	for i, in := range tx.TxIn {
		if coinbase {
			out.Vin[i] = Vin{Coinbase: hex.EncodeToString(in.SignatureScript), Sequence: in.Sequence}
			continue
		}
		asm, _ := script.DisasmStringSigHash(in.SignatureScript)
		idx := in.PreviousOutPoint.Index
		out.Vin[i] = Vin{Txid: in.PreviousOutPoint.Hash.String(), Vout: &idx,
			ScriptSig: &ScriptSig{Asm: asm, Hex: hex.EncodeToString(in.SignatureScript)}, Sequence: in.Sequence}
	}
	for i, o := range tx.TxOut {
		out.Vout[i] = Vout{Value: Amount(o.Value), N: i, ScriptPubKey: NewScriptPubKey(o.PkScript, p)}
	}
	if withHex {
		out.Hex = hex.EncodeToString(raw)
	}
	if conf != nil {
		out.BlockHash = conf.BlockHash.String()
		c, t := conf.Confirmations, conf.BlockTime
		out.Confirmations, out.Time, out.BlockTime = &c, &t, &t
	}
	return out
}

// DecodedScript is decodescript's answer.
type DecodedScript struct {
	Asm     string `json:"asm"`
	Desc    string `json:"desc"`
	Type    string `json:"type"`
	Address string `json:"address,omitempty"`
	P2SH    string `json:"p2sh,omitempty"`
}

// NewDecodedScript describes a script as decodescript does: its parts as
// an output script, and the P2SH address that would wrap it (not given for
// scripts that are P2SH already, or that could never be redeemed that way).
func NewDecodedScript(s []byte, p address.Prefixes) DecodedScript {
	spk := NewScriptPubKey(s, p)
	d := DecodedScript{Asm: spk.Asm, Desc: spk.Desc, Type: spk.Type, Address: spk.Address}
	class := script.GetScriptClass(s)
	if class != script.ScriptHashTy && !script.IsUnspendable(s) {
		if a, err := address.NewAddressScriptHashFromScript(s, p); err == nil {
			d.P2SH = a.String()
		}
	}
	return d
}
