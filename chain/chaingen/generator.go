// Package chaingen generates named sequences of blocks for testing a block
// chain against nodecoin's consensus rules, in the spirit of btcd's
// fullblocktests.
//
// A Generator builds solved blocks on a tip of its choosing, remembers every
// block by name, and knows which coinbase outputs are mature and unspent on
// the branch it is building, so a sequence reads as a story:
//
//	g := chaingen.New(consensus.RegTestParams, now)
//	g.Chain("m", 101)                     // 101 blocks, each expected on the main chain
//	out := g.SpendableCoinbases(1)[0]
//	g.NextBlock("b1", chaingen.AddTxs(g.SpendTx(out, 1000)))
//	g.AcceptTip()
//	g.NextBlock("b2", chaingen.CoinbaseValue(+1))
//	g.Reject(consensus.ErrBadCoinbaseValue)
//
// Each recorded Step holds the block, what a chain must do with it, and the
// tip the chain must have afterwards; Sequences returns the standard suite.
// The package does not depend on any chain implementation: a test runner
// submits the blocks and checks the expectations.
//
// Methods panic on misuse (an unknown or repeated block name, too few
// spendable outputs): those are errors in a sequence's definition, and
// Sequences turns them into an error.
package chaingen

import (
	"bytes"
	"fmt"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/script"
	"github.com/nodecoin/nodecoin/chain/wire"
)

// GenesisName is the name under which every Generator knows the genesis
// block.
const GenesisName = "genesis"

// OpTrueScript is the output script the generator pays to by default: it is
// spent by an empty signature script.
var OpTrueScript = []byte{script.OP_TRUE}

// SpendableOut is an output a generated transaction can spend.
type SpendableOut struct {
	// OutPoint names the output.
	OutPoint wire.OutPoint
	// Value is the output's amount in base units.
	Value int64
	// PkScript is the output's script. The generator signs inputs spending
	// its own P2PKH script and leaves every other signature script empty.
	PkScript []byte
}

// node is one generated block.
type node struct {
	name   string
	block  *wire.Block
	hash   wire.Hash
	height int32
	parent *node
}

// Generator builds regtest-style blocks. It is not safe for concurrent use.
type Generator struct {
	params *consensus.Params
	now    time.Time
	key    *btcec.PrivateKey
	p2pkh  []byte

	nodes  map[string]*node
	byHash map[wire.Hash]*node
	tip    *node
	expTip *node
	values map[wire.OutPoint]int64
	nonce  int64
	steps  []Step
}

// New returns a Generator for the network params whose tip is the genesis
// block. now is the adjusted time of the chain the blocks are meant for
// (recorded in the sequence; TimeTooNew tests are relative to it). The
// blocks are solved by brute force, so params should have an easy target
// (regtest).
func New(params *consensus.Params, now time.Time) *Generator {
	// A fixed key, so that generated blocks are the same on every run.
	seed := bytes.Repeat([]byte{0x42}, 32)
	key, _ := btcec.PrivKeyFromBytes(seed)
	p2pkh, err := script.PayToPubKeyHashScript(script.Hash160(key.PubKey().SerializeCompressed()))
	if err != nil {
		panic(err)
	}
	gen := &node{name: GenesisName, block: params.GenesisBlock, hash: params.GenesisHash}
	g := &Generator{params: params, now: now, key: key, p2pkh: p2pkh,
		nodes:  map[string]*node{GenesisName: gen},
		byHash: map[wire.Hash]*node{gen.hash: gen},
		tip:    gen, expTip: gen,
		values: make(map[wire.OutPoint]int64)}
	return g
}

// Params returns the generator's network parameters.
func (g *Generator) Params() *consensus.Params { return g.params }

// Now returns the chain clock the generator's blocks are meant for.
func (g *Generator) Now() time.Time { return g.now }

// P2PKHScript returns the P2PKH output script of the generator's key;
// inputs spending it are signed by CreateTx and SignTx.
func (g *Generator) P2PKHScript() []byte { return append([]byte(nil), g.p2pkh...) }

// node returns the named block's node, panicking for an unknown name.
func (g *Generator) node(name string) *node {
	n := g.nodes[name]
	if n == nil {
		panic(fmt.Sprintf("chaingen: unknown block %q", name))
	}
	return n
}

// Block returns the named block.
func (g *Generator) Block(name string) *wire.Block { return g.node(name).block }

// Hash returns the hash of the named block.
func (g *Generator) Hash(name string) wire.Hash { return g.node(name).hash }

// Height returns the height of the named block.
func (g *Generator) Height(name string) int32 { return g.node(name).height }

// Tip returns the name of the block the next NextBlock builds on.
func (g *Generator) Tip() string { return g.tip.name }

// TipHeight returns the height of the block the next NextBlock builds on.
func (g *Generator) TipHeight() int32 { return g.tip.height }

// SetTip makes the named block the one the next NextBlock builds on.
func (g *Generator) SetTip(name string) { g.tip = g.node(name) }

// MedianTimePast returns the median time of the named block and up to ten
// of its ancestors (BIP113), the bound the time of its child must exceed.
func (g *Generator) MedianTimePast(name string) int64 {
	var ts []uint32
	for n := g.node(name); n != nil && len(ts) < consensus.MedianTimeBlocks; n = n.parent {
		ts = append([]uint32{n.block.Header.Timestamp}, ts...)
	}
	return consensus.CalcPastMedianTime(ts)
}

// Template is a block under construction, handed to each Mutator in turn
// before the generator computes its merkle root and solves its header.
type Template struct {
	// Block is the block being built. Its first transaction starts as a
	// coinbase paying the subsidy to OpTrueScript.
	Block *wire.Block
	// Height is the height the block will have.
	Height int32

	g         *Generator
	highHash  bool
	badMerkle bool
}

// Coinbase returns the block's first transaction (the coinbase, unless a
// mutator removed or replaced it).
func (t *Template) Coinbase() *wire.Tx { return t.Block.Transactions[0] }

// AddTx appends tx to the block. When the generator knows the value of
// every output tx spends and the fee is positive, output 0 of the coinbase
// is raised by the fee, so the coinbase claims exactly subsidy plus fees.
func (t *Template) AddTx(tx *wire.Tx) {
	t.Block.Transactions = append(t.Block.Transactions, tx)
	if fee, ok := t.g.fee(tx); ok && fee > 0 {
		cb := t.Block.Transactions[0]
		if cb.IsCoinBase() && len(cb.TxOut) > 0 {
			cb.TxOut[0].Value += fee
		}
	}
	t.g.recordOutputs(tx)
}

// Mutator changes a block under construction: adds transactions, changes
// the coinbase or the header. Mutators run in the order given.
type Mutator func(t *Template)

// fee returns the fee of tx if the generator knows every value it spends.
func (g *Generator) fee(tx *wire.Tx) (int64, bool) {
	var in, out int64
	for _, txin := range tx.TxIn {
		v, ok := g.values[txin.PreviousOutPoint]
		if !ok {
			return 0, false
		}
		in += v
	}
	for _, txout := range tx.TxOut {
		out += txout.Value
	}
	return in - out, true
}

// recordOutputs remembers the values of tx's outputs, for fees.
func (g *Generator) recordOutputs(tx *wire.Tx) {
	h := tx.TxHash()
	for i, out := range tx.TxOut {
		g.values[wire.OutPoint{Hash: h, Index: uint32(i)}] = out.Value
	}
}

// NextBlock builds a block named name on the current tip, applies the
// mutators, sets the merkle root, solves the header and makes the block
// the new tip. Without mutators the block has version 4, the time of its
// parent plus 60 s, the required bits, and a coinbase whose script is the
// BIP34 height followed by a counter (so no two generated blocks are
// alike) paying the subsidy to OpTrueScript.
func (g *Generator) NextBlock(name string, mods ...Mutator) *wire.Block {
	if _, dup := g.nodes[name]; dup {
		panic(fmt.Sprintf("chaingen: block %q already exists", name))
	}
	parent := g.tip
	height := parent.height + 1
	g.nonce++
	sig := append(consensus.BIP34HeightScript(int64(height)), script.AppendMinimalPush(nil, scriptNum(g.nonce))...)
	cb := &wire.Tx{Version: 1,
		TxIn: []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Index: wire.MaxPrevOutIndex},
			SignatureScript: sig, Sequence: wire.MaxTxInSequenceNum}},
		TxOut: []*wire.TxOut{{Value: consensus.CalcBlockSubsidy(int64(height), g.params),
			PkScript: append([]byte(nil), OpTrueScript...)}}}
	b := &wire.Block{Header: wire.BlockHeader{
		Version:   consensus.MinBlockVersion,
		PrevBlock: parent.hash,
		Timestamp: parent.block.Header.Timestamp + 60,
		Bits:      consensus.NextRequiredBits(g.params, int64(parent.height), int64(parent.block.Header.Timestamp)),
	}, Transactions: []*wire.Tx{cb}}
	t := &Template{Block: b, Height: height, g: g}
	for _, m := range mods {
		m(t)
	}
	for _, tx := range b.Transactions {
		g.recordOutputs(tx)
	}
	root, _ := wire.MerkleRoot(b.TxHashes())
	if t.badMerkle {
		root[0] ^= 0x01
	}
	b.Header.MerkleRoot = root
	g.solve(&b.Header, t.highHash)
	n := &node{name: name, block: b, hash: b.BlockHash(), height: height, parent: parent}
	g.nodes[name] = n
	if _, ok := g.byHash[n.hash]; !ok {
		g.byHash[n.hash] = n
	}
	g.tip = n
	return b
}

// solve grinds the header's nonce until its hash meets the target, or, with
// high set, until it misses it. Headers whose bits are not a usable target
// are left as they are (they fail whatever the nonce).
func (g *Generator) solve(h *wire.BlockHeader, high bool) {
	if _, err := consensus.TargetFromBits(h.Bits, g.params.PowLimit); err != nil {
		return
	}
	if !high {
		if !consensus.SolveHeader(h, g.params.PowLimit) {
			panic("chaingen: no nonce solves the header")
		}
		return
	}
	for nonce := uint64(0); nonce <= 0xffffffff; nonce++ {
		h.Nonce = uint32(nonce)
		if consensus.CheckProofOfWork(h.BlockHash(), h.Bits, g.params.PowLimit) != nil {
			return
		}
	}
	panic("chaingen: every nonce meets the target")
}

// Derive records a copy of the block named from under the name name, with
// fn applied to the copy's transactions and header but nothing recomputed:
// neither the merkle root nor the proof of work. It is how a mutated twin
// of an honest block (the same header, a different transaction list) is
// made. The tip does not change.
func (g *Generator) Derive(name, from string, fn func(b *wire.Block)) *wire.Block {
	if _, dup := g.nodes[name]; dup {
		panic(fmt.Sprintf("chaingen: block %q already exists", name))
	}
	src := g.node(from)
	b := &wire.Block{Header: src.block.Header}
	for _, tx := range src.block.Transactions {
		b.Transactions = append(b.Transactions, tx.Copy())
	}
	fn(b)
	g.nodes[name] = &node{name: name, block: b, hash: b.BlockHash(), height: src.height, parent: src.parent}
	return b
}

// Chain builds n blocks on the tip, named prefix1 to prefixN, each recorded
// as a step expected to extend the main chain. It returns their names.
func (g *Generator) Chain(prefix string, n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("%s%d", prefix, i+1)
		g.NextBlock(names[i])
		g.AcceptTip()
	}
	return names
}

// branch returns the blocks from genesis (excluded) to the tip, in order.
func (g *Generator) branch() []*node {
	var path []*node
	for n := g.tip; n.parent != nil; n = n.parent {
		path = append(path, n)
	}
	for i, j := 0, len(path)-1; i < j; i, j = i+1, j-1 {
		path[i], path[j] = path[j], path[i]
	}
	return path
}

// SpendableCoinbases returns the n oldest coinbase outputs (output 0 of each
// coinbase) on the branch ending at the tip that a block built on the tip
// may spend: mature (at least the network's coinbase maturity deep at the
// next height), not spent by any block of the branch, and paying a script
// the generator can spend (OpTrueScript or its P2PKH script). It panics if
// there are fewer than n.
func (g *Generator) SpendableCoinbases(n int) []SpendableOut {
	path := g.branch()
	spent := make(map[wire.OutPoint]bool)
	for _, nd := range path {
		for _, tx := range nd.block.Transactions[1:] {
			for _, in := range tx.TxIn {
				spent[in.PreviousOutPoint] = true
			}
		}
	}
	next := int64(g.tip.height) + 1
	var outs []SpendableOut
	for _, nd := range path {
		if len(outs) == n || next-int64(nd.height) < g.params.CoinbaseMaturity {
			break
		}
		if len(nd.block.Transactions) == 0 || !nd.block.Transactions[0].IsCoinBase() {
			continue
		}
		out := g.OutputOf(nd.block.Transactions[0], 0)
		if spent[out.OutPoint] || out.Value <= 0 ||
			!(bytes.Equal(out.PkScript, OpTrueScript) || bytes.Equal(out.PkScript, g.p2pkh)) {
			continue
		}
		outs = append(outs, out)
	}
	if len(outs) < n {
		panic(fmt.Sprintf("chaingen: %d spendable coinbase outputs at %q, want %d", len(outs), g.tip.name, n))
	}
	return outs
}

// CoinbaseOut returns output 0 of the named block's coinbase.
func (g *Generator) CoinbaseOut(name string) SpendableOut {
	return g.OutputOf(g.node(name).block.Transactions[0], 0)
}

// OutputOf returns output idx of tx as a SpendableOut.
func (g *Generator) OutputOf(tx *wire.Tx, idx int) SpendableOut {
	out := tx.TxOut[idx]
	return SpendableOut{OutPoint: wire.OutPoint{Hash: tx.TxHash(), Index: uint32(idx)},
		Value: out.Value, PkScript: append([]byte(nil), out.PkScript...)}
}

// CreateTx returns a version-1 transaction spending ins (final sequence
// numbers, lock time 0) with the given outputs, its inputs signed by
// SignTx.
func (g *Generator) CreateTx(ins []SpendableOut, outs ...*wire.TxOut) *wire.Tx {
	tx := &wire.Tx{Version: 1}
	for _, in := range ins {
		tx.TxIn = append(tx.TxIn, &wire.TxIn{PreviousOutPoint: in.OutPoint, Sequence: wire.MaxTxInSequenceNum})
		g.values[in.OutPoint] = in.Value
	}
	tx.TxOut = outs
	g.SignTx(tx, ins)
	return tx
}

// SpendTx returns a transaction spending out into one OpTrueScript output
// of out.Value - fee.
func (g *Generator) SpendTx(out SpendableOut, fee int64) *wire.Tx {
	return g.CreateTx([]SpendableOut{out}, &wire.TxOut{Value: out.Value - fee, PkScript: append([]byte(nil), OpTrueScript...)})
}

// SignTx (re)writes the signature scripts of tx, whose input i spends
// ins[i]: a SIGHASH_ALL P2PKH signature with the compressed key for the
// generator's P2PKH script, an empty script for anything else. Call it
// after changing a transaction whose inputs spend P2PKH outputs.
func (g *Generator) SignTx(tx *wire.Tx, ins []SpendableOut) {
	for i, in := range ins {
		if !bytes.Equal(in.PkScript, g.p2pkh) {
			tx.TxIn[i].SignatureScript = nil
			continue
		}
		sig, err := script.SignatureScript(tx, i, in.PkScript, script.SigHashAll, g.key, true)
		if err != nil {
			panic(fmt.Sprintf("chaingen: sign input %d: %v", i, err))
		}
		tx.TxIn[i].SignatureScript = sig
	}
	g.recordOutputs(tx)
}

// scriptNum returns the minimal script-number encoding of a positive v.
func scriptNum(v int64) []byte {
	var out []byte
	for ; v > 0; v >>= 8 {
		out = append(out, byte(v))
	}
	if len(out) > 0 && out[len(out)-1]&0x80 != 0 {
		out = append(out, 0)
	}
	return out
}
