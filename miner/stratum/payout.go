package stratum

import (
	"bytes"
	"fmt"
	"math/big"
	"slices"

	"github.com/nodecoin/nodecoin/chain/wire"
)

// PayoutMode says whom a block found through Stratum pays.
type PayoutMode int

// Payout modes.
const (
	// Solo pays the whole coinbase to the address of the worker whose
	// connection found the block.
	Solo PayoutMode = iota
	// PPLNS pays the addresses behind the last N shares in proportion to
	// their difficulty, after the operator's fee.
	PPLNS
)

// String returns "solo" or "pplns".
func (m PayoutMode) String() string {
	if m == PPLNS {
		return "pplns"
	}
	return "solo"
}

// ParsePayoutMode parses "solo" or "pplns".
func ParsePayoutMode(s string) (PayoutMode, error) {
	switch s {
	case "solo":
		return Solo, nil
	case "pplns":
		return PPLNS, nil
	}
	return 0, fmt.Errorf("unknown payout mode %q (want solo or pplns)", s)
}

// DustLimit is the smallest amount paid to a miner in a PPLNS coinbase:
// Bitcoin Core's dust threshold of a P2PKH output at the default dust
// relay fee (3 base units per byte × 182 bytes). Smaller amounts are
// carried forward.
const DustLimit = 546

// MaxPPLNSPayees bounds the miners one PPLNS coinbase pays, keeping the
// coinbase within the room a block keeps for it (ReservedPPLNSSize bytes,
// ReservedPPLNSSigOps signature operations, on top of the mempool's
// reserve).
const MaxPPLNSPayees = 200

// Room a PPLNS coinbase takes beyond a one-output coinbase, at most: a
// P2PKH output (34 bytes, one legacy signature operation) per payee, and
// an output count of up to 3 bytes.
const (
	ReservedPPLNSSize   = MaxPPLNSPayees*34 + 3
	ReservedPPLNSSigOps = MaxPPLNSPayees
)

// Split is the outcome of a PPLNS payout: the coinbase's outputs and the
// balances carried forward once the block is found.
type Split struct {
	// Outputs pay the miners (ordered by script) and then the operator.
	Outputs []*wire.TxOut
	// Carry is every carried balance after the payout, by output script;
	// addresses paid have none.
	Carry map[string]int64
}

// SplitPPLNS divides value among the output scripts behind shares in
// proportion to their difficulty, after an operator fee of feePPM parts
// per million (floor(value × feePPM / 10^6)) paid to operator:
//
//   - each script's part is floor((value − fee) × its difficulty / total
//     difficulty); what the rounding leaves goes to the operator;
//   - a script is paid its part plus its carried balance when that is at
//     least dust, and carries it forward otherwise (the operator's output
//     holds carried value until it is paid);
//   - at most maxPayees scripts are paid (MaxPPLNSPayees when 0 or less):
//     those owed the most (ties in byte order); the others carry their
//     part forward as if it were below dust;
//   - a carried balance is paid out of the operator's output, scripts in
//     byte order, while that output can afford it; one that cannot be
//     afforded stays carried, with the script's part added.
//
// With no shares the operator takes everything. The outputs add up to
// value exactly; the operator's output is left out when it is zero, unless
// it is the only one. carry is not modified. A pure function: no lock
// (the caller passes copies of the store's window and balances).
func SplitPPLNS(value int64, shares []ShareRecord, carry map[string]int64, feePPM int64, operator []byte, dust int64, maxPayees int) Split {
	if maxPayees <= 0 {
		maxPayees = MaxPPLNSPayees
	}
	fee := new(big.Int).Mul(big.NewInt(value), big.NewInt(feePPM))
	fee.Quo(fee, big.NewInt(1_000_000))
	pool := value - fee.Int64()

	weights := make(map[string]*big.Rat)
	total := new(big.Rat)
	for _, s := range shares {
		w := new(big.Rat).SetFloat64(s.Difficulty)
		if w == nil || w.Sign() <= 0 {
			continue
		}
		k := string(s.Script)
		if weights[k] == nil {
			weights[k] = new(big.Rat)
		}
		weights[k].Add(weights[k], w)
		total.Add(total, w)
	}
	newCarry := make(map[string]int64, len(carry))
	for k, v := range carry {
		newCarry[k] = v
	}
	if total.Sign() == 0 {
		return Split{Outputs: []*wire.TxOut{{Value: value, PkScript: operator}}, Carry: newCarry}
	}
	scripts := make([]string, 0, len(weights))
	for k := range weights {
		scripts = append(scripts, k)
	}
	slices.SortFunc(scripts, func(a, b string) int { return bytes.Compare([]byte(a), []byte(b)) })

	parts := make(map[string]int64, len(scripts))
	var paidParts int64
	for _, k := range scripts {
		r := new(big.Rat).Mul(new(big.Rat).SetInt64(pool), weights[k])
		r.Quo(r, total)
		p := new(big.Int).Quo(r.Num(), r.Denom()).Int64() // floor: r ≥ 0
		parts[k] = p
		paidParts += p
	}
	available := fee.Int64() + pool - paidParts // the fee and the rounding
	payable := make([]string, 0, len(scripts))
	for _, k := range scripts {
		if parts[k]+carry[k] >= dust {
			payable = append(payable, k)
			continue
		}
		newCarry[k] = carry[k] + parts[k]
		available += parts[k]
	}
	if len(payable) > maxPayees {
		byOwed := slices.Clone(payable)
		slices.SortStableFunc(byOwed, func(a, b string) int {
			oa, ob := parts[a]+carry[a], parts[b]+carry[b]
			switch {
			case oa > ob:
				return -1
			case oa < ob:
				return 1
			}
			return 0
		})
		keep := make(map[string]bool, maxPayees)
		for _, k := range byOwed[:maxPayees] {
			keep[k] = true
		}
		kept := payable[:0]
		for _, k := range payable {
			if keep[k] {
				kept = append(kept, k)
				continue
			}
			newCarry[k] = carry[k] + parts[k]
			available += parts[k]
		}
		payable = kept
	}
	var outs []*wire.TxOut
	for _, k := range payable {
		if c := carry[k]; c <= available {
			available -= c
			outs = append(outs, &wire.TxOut{Value: parts[k] + c, PkScript: []byte(k)})
			delete(newCarry, k)
			continue
		}
		newCarry[k] = carry[k] + parts[k]
		available += parts[k]
	}
	if available > 0 || len(outs) == 0 {
		outs = append(outs, &wire.TxOut{Value: available, PkScript: operator})
	}
	return Split{Outputs: outs, Carry: newCarry}
}
