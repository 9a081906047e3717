package chain

import (
	"errors"
	"testing"

	"github.com/nodecoin/nodecoin/chain/wire"
)

func TestLocatorAndLocate(t *testing.T) {
	c := testChain(t, t.TempDir())
	defer c.Close()
	blocks, tip := extend(t, c, genesisInfo(), 40, 0)
	genesis := genesisInfo().hash

	loc := c.BlockLocator()
	if loc[0] != tip.hash || loc[len(loc)-1] != genesis {
		t.Fatalf("locator from %s to %s", loc[0], loc[len(loc)-1])
	}
	// Eleven single steps, then doubling: 40..30, 29, 27, 23, 15, 0.
	if len(loc) != 11+5 || loc[11] != blocks[28].BlockHash() || loc[12] != blocks[26].BlockHash() {
		t.Fatalf("locator of %d hashes: %v", len(loc), loc)
	}

	tests := []struct {
		name    string
		locator []wire.Hash
		stop    wire.Hash
		max     int
		first   int32 // height of the first header, 0 for none
		n       int
	}{
		{"from genesis", []wire.Hash{genesis}, wire.Hash{}, 2000, 1, 40},
		{"unknown locator means genesis", []wire.Hash{{1}}, wire.Hash{}, 2000, 1, 40},
		{"from height 10", []wire.Hash{{1}, blocks[9].BlockHash()}, wire.Hash{}, 2000, 11, 30},
		{"bounded", []wire.Hash{genesis}, wire.Hash{}, 5, 1, 5},
		{"stop hash", []wire.Hash{genesis}, blocks[2].BlockHash(), 2000, 1, 3},
		{"at tip", []wire.Hash{tip.hash}, wire.Hash{}, 2000, 0, 0},
		{"empty locator gives the stop header", nil, blocks[4].BlockHash(), 2000, 5, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hs := c.LocateHeaders(tc.locator, tc.stop, tc.max)
			if len(hs) != tc.n {
				t.Fatalf("%d headers, want %d", len(hs), tc.n)
			}
			if tc.n > 0 && hs[0].BlockHash() != blocks[tc.first-1].BlockHash() {
				t.Fatalf("first header %s", hs[0].BlockHash())
			}
			if tc.locator != nil {
				hashes := c.LocateBlocks(tc.locator, tc.stop, tc.max)
				if len(hashes) != tc.n || (tc.n > 0 && hashes[0] != blocks[tc.first-1].BlockHash()) {
					t.Fatalf("LocateBlocks gave %d hashes", len(hashes))
				}
			}
		})
	}
}

func TestMissingBlocksAndBestHeader(t *testing.T) {
	c := testChain(t, t.TempDir())
	defer c.Close()
	_, base := extend(t, c, genesisInfo(), 3, 0)
	var ahead []*wire.Block
	var headers []wire.BlockHeader
	p := base
	for i := 0; i < 20; i++ {
		var b *wire.Block
		b, p = makeBlock(t, p, 1)
		ahead = append(ahead, b)
		headers = append(headers, b.Header)
	}
	if err := c.ProcessHeaders(headers); err != nil {
		t.Fatal(err)
	}
	if bh := c.BestHeader(); bh.Height != 23 || bh.HaveData || bh.MainChain {
		t.Fatalf("best header %+v", bh)
	}
	if l := c.HeaderLocator(); l[0] != p.hash {
		t.Fatalf("header locator starts at %s", l[0])
	}
	miss := c.MissingBlocks(10, 100)
	if len(miss) != 10 || miss[0].Height != 4 || miss[9].Height != 13 || miss[0].Hash != ahead[0].BlockHash() {
		t.Fatalf("missing %v", miss)
	}
	if miss := c.MissingBlocks(10, 4); len(miss) != 4 || miss[3].Height != 7 {
		t.Fatalf("bounded missing %v", miss)
	}
	// Out of order: block 5 stored first is skipped, the tip stays.
	mustProcess(t, c, ahead[1])
	miss = c.MissingBlocks(10, 100)
	if len(miss) != 9 || miss[0].Height != 4 || miss[1].Height != 6 {
		t.Fatalf("missing after out-of-order block %v", miss)
	}
	mustProcess(t, c, ahead[0])
	if best := c.Best(); best.Height != 5 {
		t.Fatalf("tip %d after the gap filled", best.Height)
	}
	hs, err := c.HeadersBetween(ahead[1].BlockHash(), 3, 10)
	if err != nil || len(hs) != 2 || hs[0].BlockHash() != ahead[0].BlockHash() {
		t.Fatalf("HeadersBetween %d, %v", len(hs), err)
	}
	if h, ok := c.Header(ahead[5].BlockHash()); !ok || h.Height != 9 || h.HaveData {
		t.Fatalf("Header %+v %v", h, ok)
	}
	bad := headers[5]
	bad.PrevBlock = wire.Hash{7}
	if err := c.ProcessHeaders([]wire.BlockHeader{bad}); !errors.Is(err, ErrUnknownParent) {
		t.Fatalf("unconnected header: %v", err)
	}
}
