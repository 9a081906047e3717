package wallet

import (
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"strconv"
	"time"

	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/wire"
)

// Maturity states of a mining reward (Reward.Status).
const (
	// RewardImmature is a coinbase in the main chain with fewer than
	// consensus.CoinbaseMaturity confirmations: not yet spendable.
	RewardImmature = "immature"
	// RewardMature is a coinbase in the main chain with at least
	// consensus.CoinbaseMaturity confirmations: spendable.
	RewardMature = "mature"
	// RewardOrphaned is a coinbase whose block left the main chain: it
	// is worth nothing unless the block returns.
	RewardOrphaned = "orphaned"
)

// IncomeCSVHeader is the header row WriteIncomeCSV writes.
var IncomeCSVHeader = []string{"height", "block_hash", "time_utc", "amount_ndc", "status", "running_total_ndc"}

// Reward is one coinbase transaction that paid the wallet: a mining
// income record (listminingrewards, nodecoin wallet export-income).
type Reward struct {
	// Height is the height of the block; for an orphaned reward, the
	// height its coinbase commits to (BIP34), or −1 when it has none.
	Height int32
	// BlockHash is the block's hash; zero for an orphaned reward, whose
	// block the wallet no longer records.
	BlockHash wire.Hash
	// Time is the block header's timestamp in UTC; for an orphaned
	// reward, the time the wallet first saw the coinbase.
	Time time.Time
	// TxID is the coinbase's transaction id.
	TxID wire.Hash
	// Amount is the value of the coinbase outputs paying the wallet, in
	// base units.
	Amount int64
	// Status is RewardImmature, RewardMature or RewardOrphaned.
	Status string
	// RunningTotal is the sum of Amount over this reward and every reward
	// before it in the list, orphaned rewards excluded (an orphaned
	// reward carries the total of the rewards before it), in base units.
	RunningTotal int64
}

// MiningRewards returns the wallet's mining income records: one Reward per
// coinbase transaction that pays the wallet, in order of height (orphaned
// rewards after the main-chain one of the same height), with the running
// total over the non-orphaned rewards. Maturity is counted against the
// last block the wallet processed, as Balances counts it.
func (w *Wallet) MiningRewards() []Reward {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []Reward
	for _, r := range w.txs {
		if !r.tx.IsCoinBase() {
			continue
		}
		var amount int64
		for _, o := range r.tx.TxOut {
			if _, mine := w.scripts[string(o.PkScript)]; mine {
				amount += o.Value
			}
		}
		rw := Reward{TxID: r.txid, Amount: amount}
		if r.block == nil {
			rw.Status = RewardOrphaned
			rw.Height = coinbaseHeight(r.tx)
			rw.Time = time.Unix(r.timeReceived, 0).UTC()
		} else {
			rw.Height, rw.BlockHash = r.block.Height, r.block.Hash
			rw.Time = time.Unix(int64(r.block.Time), 0).UTC()
			rw.Status = RewardMature
			if w.tipHeight-r.block.Height+1 < consensus.CoinbaseMaturity {
				rw.Status = RewardImmature
			}
		}
		out = append(out, rw)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Height != b.Height {
			return a.Height < b.Height
		}
		if (a.Status == RewardOrphaned) != (b.Status == RewardOrphaned) {
			return b.Status == RewardOrphaned
		}
		return a.TxID.String() < b.TxID.String()
	})
	var total int64
	for i := range out {
		if out[i].Status != RewardOrphaned {
			total += out[i].Amount
		}
		out[i].RunningTotal = total
	}
	return out
}

// coinbaseHeight reads the height a coinbase's signature script begins
// with (BIP34: OP_0, OP_1..OP_16 or a push of a script number), or −1.
func coinbaseHeight(tx *wire.Tx) int32 {
	if len(tx.TxIn) == 0 || len(tx.TxIn[0].SignatureScript) == 0 {
		return -1
	}
	s := tx.TxIn[0].SignatureScript
	switch op := s[0]; {
	case op == 0x00:
		return 0
	case op >= 0x51 && op <= 0x60:
		return int32(op - 0x50)
	case op >= 1 && op <= 4 && len(s) > int(op):
		num := s[1 : 1+int(op)]
		if num[len(num)-1]&0x80 != 0 {
			return -1 // negative
		}
		var v int64
		for i := len(num) - 1; i >= 0; i-- {
			v = v<<8 | int64(num[i])
		}
		if v > 1<<31-1 {
			return -1
		}
		return int32(v)
	}
	return -1
}

// FormatCoins formats an amount in base units as decimal coins with eight
// decimals ("12.50000000", "-0.00010000").
func FormatCoins(v int64) string {
	sign := ""
	u := uint64(v)
	if v < 0 {
		sign, u = "-", uint64(-v)
	}
	return fmt.Sprintf("%s%d.%08d", sign, u/1e8, u%1e8)
}

// WriteIncomeCSV writes rewards as CSV: the header row IncomeCSVHeader,
// then one row per reward with the height, the block hash (empty for an
// orphaned reward), the time in RFC 3339 UTC, the amount and running total
// as decimal coins with eight decimals, and the status.
func WriteIncomeCSV(w io.Writer, rewards []Reward) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(IncomeCSVHeader); err != nil {
		return fmt.Errorf("wallet: write income CSV: %w", err)
	}
	for _, r := range rewards {
		hash := ""
		if !r.BlockHash.IsZero() {
			hash = r.BlockHash.String()
		}
		row := []string{strconv.FormatInt(int64(r.Height), 10), hash, r.Time.UTC().Format(time.RFC3339),
			FormatCoins(r.Amount), r.Status, FormatCoins(r.RunningTotal)}
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("wallet: write income CSV: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("wallet: write income CSV: %w", err)
	}
	return nil
}
