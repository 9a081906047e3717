package p2p

import (
	"testing"
	"time"
)

func TestTwoNodesSyncOverPipe(t *testing.T) {
	blocks := regtestBlocks(t, 300)
	a := startNode(t, blocks, Config{})
	b := startNode(t, nil, Config{})
	link(t, b, a)
	want := a.ch.Best()
	waitFor(t, 30*time.Second, "sync", func() bool { return b.ch.Best().Hash == want.Hash })
	// A block mined on b after sync reaches a by announcement.
	more := regtestBlocks(t, 301)[300]
	if _, err := b.ch.ProcessBlock(more); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "relay", func() bool { return a.ch.Best().Hash == more.BlockHash() })
}
