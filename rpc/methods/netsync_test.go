package methods

import (
	"testing"
	"time"

	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/internal/node/nodetest"
)

// TestChainInfoDuringHeadersFirstSync checks that getblockchaininfo
// reflects a download in progress: headers known past the tip keep the
// node in initial block download and bound verificationprogress.
func TestChainInfoDuringHeadersFirstSync(t *testing.T) {
	f := newFixture(t, consensus.RegTestParams, true)
	tip := f.generate(3)[2]
	tipTime := f.block(tip).Header.Timestamp
	var headers []wire.BlockHeader
	prev := tip
	for i := range 300 {
		b, err := nodetest.NewBlock(prev, tipTime+uint32(i+1), int64(4+i), 5)
		if err != nil {
			t.Fatal(err)
		}
		headers = append(headers, b.Header)
		prev = b.BlockHash()
	}
	if err := f.c.ProcessHeaders(headers); err != nil {
		t.Fatal(err)
	}
	f.clock.advance(time.Minute)
	info := f.obj("getblockchaininfo")
	if info["blocks"] != 3.0 || info["headers"] != 303.0 || info["initialblockdownload"] != true {
		t.Fatalf("during sync: %v", info)
	}
	if p := info["verificationprogress"].(float64); p <= 0 || p > 3.0/303 {
		t.Fatalf("verificationprogress %v, want at most 3/303", p)
	}
}
