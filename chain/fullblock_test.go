package chain

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/nodecoin/nodecoin/chain/chaingen"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/wire"
)

// TestFullBlocks runs every chaingen sequence against a fresh chain,
// checking after each block the outcome, the error kind, the tip and the
// coins and block marks the step names.
func TestFullBlocks(t *testing.T) {
	seqs, err := chaingen.Sequences(consensus.RegTestParams)
	if err != nil {
		t.Fatal(err)
	}
	for _, seq := range seqs {
		t.Run(seq.Name, func(t *testing.T) { runSequence(t, seq) })
	}
}

func runSequence(t *testing.T, seq chaingen.Sequence) {
	dir := t.TempDir()
	c := openSequenceChain(t, dir, seq)
	for i, st := range seq.Steps {
		if err := checkStep(c, st); err != nil {
			c.Close()
			t.Fatalf("step %d (%s, want %v): %v", i, st.Name, st.Expect, err)
		}
	}
	// The final state survives a restart.
	before := c.Best()
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	c = openSequenceChain(t, dir, seq)
	defer c.Close()
	if after := c.Best(); after.Hash != before.Hash || after.Height != before.Height {
		t.Fatalf("after restart: tip %s at %d, want %s at %d", after.Hash, after.Height, before.Hash, before.Height)
	}
}

// openSequenceChain opens the regtest chain in dir (a fresh one in a new
// directory) whose clock stands at the sequence's time.
func openSequenceChain(t *testing.T, dir string, seq chaingen.Sequence) *Chain {
	t.Helper()
	now := seq.Now
	c, err := Open(context.Background(), Config{Dir: dir, Params: consensus.RegTestParams, CacheMiB: 16, TxIndex: true,
		Now: func() time.Time { return now }, Logger: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// checkStep submits one step's block (after a round trip through the wire
// encoding, as a peer would send it) and checks its outcome, the tip, and
// the coins and block marks the step names.
func checkStep(c *Chain, st chaingen.Step) error {
	b, err := wire.DecodeBlock(st.Block.Serialize())
	if err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	res, err := c.ProcessBlock(b)
	var ok bool
	switch st.Expect {
	case chaingen.MainChain:
		ok = err == nil && res.MainChain && !res.Orphan
	case chaingen.SideChain:
		ok = err == nil && !res.MainChain && !res.Orphan
	case chaingen.Orphan:
		ok = err == nil && res.Orphan
	case chaingen.Rejected:
		kind, isRule := consensus.IsRuleError(err)
		ok = isRule && kind == st.Kind
	case chaingen.KnownInvalid:
		ok = errors.Is(err, ErrKnownInvalid)
	case chaingen.Duplicate:
		ok = errors.Is(err, ErrDuplicateBlock)
	default:
		return fmt.Errorf("unknown expectation %v", st.Expect)
	}
	if !ok {
		kind, _ := consensus.IsRuleError(err)
		return fmt.Errorf("got %+v, error %v (kind %v); want %v %v", res, err, kind, st.Expect, st.Kind)
	}
	if best := c.Best(); best.Hash != st.TipHash || best.Height != st.TipHeight {
		return fmt.Errorf("tip %s at %d, want %s (%s) at %d", best.Hash, best.Height, st.TipName, st.TipHash, st.TipHeight)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	for _, op := range st.Unspent {
		if coin, err := c.coins.fetch(op); err != nil || coin == nil {
			errs = append(errs, fmt.Errorf("coin %s not unspent (err %v)", op, err))
		}
	}
	for _, op := range st.Spent {
		if coin, err := c.coins.fetch(op); err != nil || coin != nil {
			errs = append(errs, fmt.Errorf("coin %s unspent, want spent (err %v)", op, err))
		}
	}
	for _, ref := range st.Invalid {
		if n := c.index[ref.Hash]; n == nil || !n.status.failed() {
			errs = append(errs, fmt.Errorf("block %s (%s) not marked invalid", ref.Name, ref.Hash))
		}
	}
	for _, ref := range st.NotInvalid {
		if n := c.index[ref.Hash]; n == nil || n.status.failed() {
			errs = append(errs, fmt.Errorf("block %s (%s) unknown or marked invalid", ref.Name, ref.Hash))
		}
	}
	return errors.Join(errs...)
}
