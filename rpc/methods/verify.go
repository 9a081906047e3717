package methods

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/nodecoin/nodecoin/chain"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/script"
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/rpc"
)

// Defaults of verifychain (Core's DEFAULT_CHECKLEVEL and DEFAULT_CHECKBLOCKS).
const (
	defaultCheckLevel  = 3
	defaultCheckBlocks = 6
)

// coinCheckBudget bounds the block data verifychain's level 3 holds: it
// checks the coin set against the most recent blocks up to this size, as
// Core's level 3 stops where its coin cache would overflow.
const coinCheckBudget = 64 << 20

// verifyAttempts is how often verifychain starts over when the tip moves
// while it checks the coin set.
const verifyAttempts = 3

// errVerifyFailed marks a failed check: verifychain answers false.
var errVerifyFailed = errors.New("verification failed")

// errTipMoved means the tip changed while the coin set was being checked.
var errTipMoved = errors.New("the chain tip changed during verification")

func (b *blockchain) verifyChain() rpc.Method {
	return rpc.Method{
		Name:     "verifychain",
		Category: "blockchain",
		Args: []rpc.Arg{
			{Name: "checklevel", Type: rpc.TypeNumber, Optional: true, Default: "3, range=0-4",
				Description: "How thorough the block verification is:\n" +
					"- level 0 reads the blocks from disk and checks that each decodes and hashes to the main chain's entry\n" +
					"- level 1 also runs the context-free block checks (proof of work, merkle root, size, transactions)\n" +
					"- level 2 also runs the contextual block checks (BIP34 height, finality) and, with the transaction index, checks its entries\n" +
					"- level 3 also checks the coin set against the blocks: their unspent outputs present with the right value, script, height and coinbase flag, the outputs they spend absent " +
					"(over the most recent blocks up to 64 MiB of block data, as Core's level 3 stops where its coin cache would overflow)\n" +
					"- level 4 is level 3 (nodecoin cannot reconnect blocks in memory)"},
			{Name: "nblocks", Type: rpc.TypeNumber, Optional: true, Default: "6, 0=all", Description: "The number of blocks to check."},
		},
		Description: "Verifies blockchain database.\n" +
			"(nodecoin's levels differ from Core's, which checks undo data at level 2 and disconnects and reconnects blocks at 3 and 4; " +
			"see checklevel.)",
		Result:   "true|false    (boolean) Verification finished successfully. If false, check the node's log for the reason.",
		Examples: rpc.ExampleCLI("verifychain", "") + rpc.ExampleRPC("verifychain", ""),
		Handler: func(ctx context.Context, p rpc.Params) (any, error) {
			level, err := p.OptionalInt(0, defaultCheckLevel)
			if err != nil {
				return nil, err
			}
			nblocks, err := p.OptionalInt(1, defaultCheckBlocks)
			if err != nil {
				return nil, err
			}
			level = min(max(level, 0), 4)
			for range verifyAttempts {
				err = verifyChain(ctx, b.c, b.opts.TxIndex, int(level), nblocks)
				if !errors.Is(err, errTipMoved) {
					break
				}
			}
			switch {
			case err == nil:
				return true, nil
			case errors.Is(err, errVerifyFailed):
				b.opts.logger().Warn("verifychain failed", "checklevel", level, "nblocks", nblocks, "err", err)
				return false, nil
			}
			return nil, err
		},
	}
}

// verifyChain checks the last nblocks main-chain blocks (all but the genesis
// block when nblocks ≤ 0 or more than the height) at the given level,
// returning an error wrapping errVerifyFailed when a check fails.
func verifyChain(ctx context.Context, c Chain, txIndex bool, level int, nblocks int64) error {
	best := c.Best()
	if nblocks <= 0 || nblocks > int64(best.Height) {
		nblocks = int64(best.Height)
	}
	powLimit := c.Params().PowLimit
	var (
		blocks    []*wire.Block // tip first, for level 3
		held      int
		truncated bool
	)
	hash := best.Hash
	for range nblocks {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("verifychain: %w", err)
		}
		info, err := c.BlockInfo(hash)
		if err != nil {
			return fmt.Errorf("block %s: %w", hash, err)
		}
		if info.Confirmations < 0 {
			return errTipMoved
		}
		blk, err := c.Block(hash)
		if err != nil {
			return fmt.Errorf("level 0: block %s at height %d unreadable: %w: %w", hash, info.Height, errVerifyFailed, err)
		}
		if blk.BlockHash() != hash || blk.Header != info.Header {
			return fmt.Errorf("level 0: block at height %d does not match its index entry %s: %w", info.Height, hash, errVerifyFailed)
		}
		if level >= 1 {
			if err := consensus.CheckBlockSanity(blk, powLimit); err != nil {
				return fmt.Errorf("level 1: block %s at height %d: %w: %w", hash, info.Height, errVerifyFailed, err)
			}
		}
		if level >= 2 {
			if err := verifyContext(c, blk, info, txIndex); err != nil {
				return err
			}
		}
		if level >= 3 && !truncated {
			if held += blk.SerializeSize(); held <= coinCheckBudget {
				blocks = append(blocks, blk)
			} else {
				truncated = true
			}
		}
		if info.Previous == nil {
			break
		}
		hash = *info.Previous
	}
	if level >= 3 {
		if err := verifyCoins(c, blocks, best); err != nil {
			return err
		}
	}
	return nil
}

// verifyContext runs level 2's checks of one block.
func verifyContext(c Chain, blk *wire.Block, info chain.BlockInfo, txIndex bool) error {
	var prevMTP int64
	if info.Previous != nil {
		prev, err := c.BlockInfo(*info.Previous)
		if err != nil {
			return fmt.Errorf("parent of %s: %w", info.Hash, err)
		}
		prevMTP = int64(prev.MedianTime)
	}
	if err := consensus.CheckBlockContext(blk, int64(info.Height), prevMTP); err != nil {
		return fmt.Errorf("level 2: block %s at height %d: %w: %w", info.Hash, info.Height, errVerifyFailed, err)
	}
	if !txIndex {
		return nil
	}
	for _, txid := range blk.TxHashes() {
		found, err := c.TxByID(txid)
		if errors.Is(err, chain.ErrTxNotFound) {
			// A duplicated coinbase txid (before BIP34) resolves to its
			// last block; nodecoin enforces BIP34 from height 1.
			return fmt.Errorf("level 2: transaction %s of block %s is not in the transaction index: %w", txid, info.Hash, errVerifyFailed)
		}
		if err != nil {
			return fmt.Errorf("transaction index: %w", err)
		}
		if found.BlockHash != info.Hash {
			return fmt.Errorf("level 2: transaction index maps %s to block %s, not %s: %w", txid, found.BlockHash, info.Hash, errVerifyFailed)
		}
	}
	return nil
}

// verifyCoins checks the coin set against the checked blocks (tip first):
// every output they create and do not spend among themselves is unspent
// with the right contents, and every output they spend is gone.
func verifyCoins(c Chain, blocks []*wire.Block, best chain.BestState) error {
	type created struct {
		out      *wire.TxOut
		height   int32
		coinbase bool
	}
	outs := make(map[wire.OutPoint]created)
	spent := make(map[wire.OutPoint]bool)
	for i := len(blocks) - 1; i >= 0; i-- {
		height := best.Height - int32(i)
		for ti, tx := range blocks[i].Transactions {
			if ti > 0 {
				for _, in := range tx.TxIn {
					if _, ok := outs[in.PreviousOutPoint]; ok {
						delete(outs, in.PreviousOutPoint)
					} else {
						spent[in.PreviousOutPoint] = true
					}
				}
			}
			txid := tx.TxHash()
			for oi, o := range tx.TxOut {
				if !script.IsUnspendable(o.PkScript) {
					outs[wire.OutPoint{Hash: txid, Index: uint32(oi)}] = created{o, height, ti == 0}
				}
			}
		}
	}
	for op, want := range outs {
		coin, err := c.Coin(op)
		if err != nil {
			return fmt.Errorf("read coin %s: %w", op, err)
		}
		if coin == nil || coin.Value != want.out.Value || !bytes.Equal(coin.PkScript, want.out.PkScript) ||
			coin.Height != want.height || coin.Coinbase != want.coinbase {
			if c.Best().Hash != best.Hash {
				return errTipMoved
			}
			return fmt.Errorf("level 3: output %s created at height %d is missing or wrong in the coin set: %w", op, want.height, errVerifyFailed)
		}
	}
	for op := range spent {
		coin, err := c.Coin(op)
		if err != nil {
			return fmt.Errorf("read coin %s: %w", op, err)
		}
		if coin != nil {
			if c.Best().Hash != best.Hash {
				return errTipMoved
			}
			return fmt.Errorf("level 3: output %s is spent in the main chain but in the coin set: %w", op, errVerifyFailed)
		}
	}
	if c.Best().Hash != best.Hash {
		return errTipMoved
	}
	return nil
}
