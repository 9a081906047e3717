package chaingen

import (
	"fmt"
	"time"

	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/wire"
)

// Expectation is what a chain must do with a submitted block.
type Expectation int

// The expectations.
const (
	// MainChain: the block is accepted and is part of the main chain
	// afterwards (normally as the tip).
	MainChain Expectation = iota + 1
	// SideChain: the block is accepted and stored, but not on the main
	// chain.
	SideChain
	// Orphan: the block's parent is unknown; the chain holds it until the
	// parent arrives.
	Orphan
	// Rejected: the block breaks a consensus rule; the error is a
	// consensus rule error of the step's Kind.
	Rejected
	// KnownInvalid: the block is refused because it, or an ancestor, is
	// already known to be invalid (the chain's "duplicate-invalid").
	KnownInvalid
	// Duplicate: the block is already stored (or waits as an orphan).
	Duplicate
)

var expectationNames = [...]string{MainChain: "MainChain", SideChain: "SideChain", Orphan: "Orphan",
	Rejected: "Rejected", KnownInvalid: "KnownInvalid", Duplicate: "Duplicate"}

// String returns the expectation's Go name, such as "MainChain".
func (e Expectation) String() string {
	if e >= MainChain && e <= Duplicate {
		return expectationNames[e]
	}
	return fmt.Sprintf("Expectation(%d)", int(e))
}

// BlockRef names a generated block.
type BlockRef struct {
	// Name is the block's name in the generator.
	Name string
	// Hash is the block's hash.
	Hash wire.Hash
}

// Step is one block submission of a sequence and what must follow from it.
type Step struct {
	// Name is the submitted block's name.
	Name string
	// Block is the block to submit.
	Block *wire.Block
	// Height is the block's height.
	Height int32
	// Expect is what the chain must do with the block.
	Expect Expectation
	// Kind is the rule the block breaks, for Expect == Rejected.
	Kind consensus.ErrorKind
	// TipName, TipHash and TipHeight describe the chain's tip after the
	// step.
	TipName string
	// TipHash is the hash of the expected tip.
	TipHash wire.Hash
	// TipHeight is the height of the expected tip.
	TipHeight int32
	// Unspent are outputs that must be in the coin set after the step.
	Unspent []wire.OutPoint
	// Spent are outputs that must not be in the coin set after the step
	// (spent, or created only on a branch that is not the main chain).
	Spent []wire.OutPoint
	// Invalid are blocks the chain must have marked invalid (failed, or
	// descending from a failed block) after the step.
	Invalid []BlockRef
	// NotInvalid are known blocks the chain must not have marked invalid.
	NotInvalid []BlockRef
}

// Sequence is a named list of steps, to be run against a fresh chain whose
// adjusted time is Now.
type Sequence struct {
	// Name identifies the sequence (a t.Run name).
	Name string
	// Now is the chain clock the sequence assumes.
	Now time.Time
	// Steps are the submissions, in order.
	Steps []Step
}

// Submit records a step submitting the named block with expectation e
// (kind is the rule for Rejected, otherwise 0). A MainChain step makes the
// block the expected tip; the others leave the expected tip as it is. Use
// ExpectTip to say otherwise.
func (g *Generator) Submit(name string, e Expectation, kind consensus.ErrorKind) {
	n := g.node(name)
	if e == MainChain {
		g.expTip = n
	}
	g.steps = append(g.steps, Step{Name: name, Block: n.block, Height: n.height, Expect: e, Kind: kind,
		TipName: g.expTip.name, TipHash: g.expTip.hash, TipHeight: g.expTip.height})
}

// AcceptTip records the tip block as expected to extend the main chain and
// become the chain's tip.
func (g *Generator) AcceptTip() { g.Submit(g.tip.name, MainChain, 0) }

// AcceptSide records the tip block as expected to be stored on a side
// chain.
func (g *Generator) AcceptSide() { g.Submit(g.tip.name, SideChain, 0) }

// AcceptOrphan records the tip block as expected to be held as an orphan.
func (g *Generator) AcceptOrphan() { g.Submit(g.tip.name, Orphan, 0) }

// Reject records the tip block as expected to be rejected for breaking the
// rule kind, and moves the generator's tip back to the block's parent.
func (g *Generator) Reject(kind consensus.ErrorKind) {
	n := g.tip
	g.Submit(n.name, Rejected, kind)
	if n.parent != nil {
		g.tip = n.parent
	}
}

// ExpectTip changes the expected tip after the last recorded step (and
// after the following ones, until another MainChain step) to the named
// block: for a parent whose arrival connects orphans, or a reorganisation
// that falls back to the old chain.
func (g *Generator) ExpectTip(name string) {
	n := g.node(name)
	g.expTip = n
	s := g.lastStep()
	s.TipName, s.TipHash, s.TipHeight = n.name, n.hash, n.height
}

// ExpectUnspent adds outputs that must be unspent after the last step.
func (g *Generator) ExpectUnspent(outs ...wire.OutPoint) {
	s := g.lastStep()
	s.Unspent = append(s.Unspent, outs...)
}

// ExpectSpent adds outputs that must be absent from the coin set after the
// last step.
func (g *Generator) ExpectSpent(outs ...wire.OutPoint) {
	s := g.lastStep()
	s.Spent = append(s.Spent, outs...)
}

// ExpectInvalid adds named blocks the chain must have marked invalid after
// the last step.
func (g *Generator) ExpectInvalid(names ...string) {
	s := g.lastStep()
	for _, name := range names {
		s.Invalid = append(s.Invalid, BlockRef{Name: name, Hash: g.Hash(name)})
	}
}

// ExpectNotInvalid adds named blocks the chain must not have marked invalid
// after the last step.
func (g *Generator) ExpectNotInvalid(names ...string) {
	s := g.lastStep()
	for _, name := range names {
		s.NotInvalid = append(s.NotInvalid, BlockRef{Name: name, Hash: g.Hash(name)})
	}
}

func (g *Generator) lastStep() *Step {
	if len(g.steps) == 0 {
		panic("chaingen: no step recorded yet")
	}
	return &g.steps[len(g.steps)-1]
}

// Sequence returns the steps recorded so far as a sequence named name.
func (g *Generator) Sequence(name string) Sequence {
	return Sequence{Name: name, Now: g.now, Steps: append([]Step(nil), g.steps...)}
}
