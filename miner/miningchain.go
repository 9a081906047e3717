package miner

import (
	"github.com/nodecoin/nodecoin/chain"
	"github.com/nodecoin/nodecoin/chain/wire"
)

// MiningChain is what a miner that follows the tip and hands in solved
// blocks needs of the chain (the in-process miner, the Stratum server);
// *chain.Chain satisfies it.
type MiningChain interface {
	Chain
	// Subscribe registers fn to receive every chain notification.
	Subscribe(fn func(chain.Notification))
	// ProcessBlock validates a block and connects it if it extends the
	// best chain.
	ProcessBlock(b *wire.Block) (chain.ProcessResult, error)
}
