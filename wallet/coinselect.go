package wallet

import (
	"cmp"
	"slices"
)

// Coin selection.
//
// The wallet picks the coins of a transaction by this rule, applied to the
// coins' selection values (a coin's value minus the fee of spending it at
// the transaction's fee rate, its effective value; or its plain value when
// the recipients pay the fee):
//
//  1. Branch and bound (Bitcoin Core's SelectCoinsBnB, after Murch's
//     thesis): a depth-first search, largest coins first, for a set whose
//     value lies in [target, target+costOfChange], where costOfChange is
//     the fee of a change output now plus the fee of spending it later. Such
//     a set needs no change: the excess, less than a change output would
//     cost, goes to the fee. Among the sets found the one with the least
//     excess wins (the first found, so usually the fewest inputs, on ties);
//     the search stops at an exact match or after bnbMaxTries steps. It is
//     skipped when the recipients pay the fee, as Core skips it.
//  2. Lowest larger: the smallest single coin that covers the target plus
//     a viable change output (its fee and minChange).
//  3. Largest first: the largest coins, one after another, until they
//     cover the target plus a viable change output.
//  4. When no set can pay for a viable change output but all coins together
//     cover the target, the set of least excess over the target (branch and
//     bound again, with the viable-change amount as the window, else largest
//     first until the target is covered); the excess, too small for a
//     change output worth having, goes to the fee.
//
// A change output is viable when it is at least minChange: the dust
// threshold of a P2PKH output (546 base units at the 3000/kvB dust relay
// rate) and more than the fee of spending it later, Core's
// min_viable_change; smaller change is dropped into the fee. Stage 1 and
// stage 4 therefore never leave dust change, and stages 2 and 3 always
// leave change of at least minChange.

// bnbMaxTries bounds the branch-and-bound search (Core's TOTAL_TRIES).
const bnbMaxTries = 100_000

// selection is the result of selectCoins.
type selection struct {
	// idx are the positions of the chosen coins in the input slice.
	idx []int
	// changeless marks a set chosen to need no change output.
	changeless bool
}

// selectCoins chooses among coins of the given (positive) selection values
// a set worth at least target, by the rule above. costOfChange is the
// branch-and-bound window; changeGoal is what a viable change output needs
// above the target (its own fee plus minChange); useBnB enables stage 1.
// ok is false when all coins together do not reach target.
func selectCoins(vals []int64, target, costOfChange, changeGoal int64, useBnB bool) (selection, bool) {
	var total int64
	for _, v := range vals {
		total += v
	}
	if total < target || len(vals) == 0 {
		return selection{}, false
	}
	order := make([]int, len(vals))
	for i := range order {
		order[i] = i
	}
	// Largest first; ties in input order, so the result is deterministic.
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(vals[b], vals[a]) })
	sorted := make([]int64, len(vals))
	for i, o := range order {
		sorted[i] = vals[o]
	}
	mapBack := func(sel []int) []int {
		out := make([]int, len(sel))
		for i, s := range sel {
			out[i] = order[s]
		}
		return out
	}

	// 1. Branch and bound for a changeless set.
	if useBnB {
		if sel, ok := selectBnB(sorted, target, costOfChange); ok {
			return selection{idx: mapBack(sel), changeless: true}, true
		}
	}
	goal := target + changeGoal
	// 2. Lowest larger: sorted is descending, so scan from the small end.
	for i := len(sorted) - 1; i >= 0; i-- {
		if sorted[i] >= goal {
			return selection{idx: mapBack([]int{i})}, true
		}
	}
	// 3. Largest first to target plus a viable change.
	if total >= goal {
		return selection{idx: mapBack(largestFirst(sorted, goal))}, true
	}
	// 4. No viable change is possible: least excess over the target.
	if sel, ok := selectBnB(sorted, target, changeGoal); ok {
		return selection{idx: mapBack(sel), changeless: true}, true
	}
	return selection{idx: mapBack(largestFirst(sorted, target))}, true
}

// largestFirst returns the shortest prefix of the descending values that
// reaches goal (all of them if none does).
func largestFirst(sorted []int64, goal int64) []int {
	var sel []int
	var sum int64
	for i, v := range sorted {
		if sum >= goal {
			break
		}
		sel = append(sel, i)
		sum += v
	}
	return sel
}

// selectBnB searches the descending values for a subset whose sum lies in
// [target, target+window], returning the one of least excess found within
// bnbMaxTries steps (indices into sorted). It follows Core's SelectCoinsBnB
// with waste reduced to the excess (the long-term fee rate taken equal to
// the current one), including its shortcut of not exploring the omission of
// a value equal to one just omitted.
func selectBnB(sorted []int64, target, window int64) ([]int, bool) {
	var avail int64
	for _, v := range sorted {
		avail += v
	}
	if avail < target {
		return nil, false
	}
	var (
		cur        []int
		curVal     int64
		best       []int
		bestExcess int64 = -1
		idx        int
	)
	for try := 0; try < bnbMaxTries; try++ {
		backtrack := false
		switch {
		case curVal+avail < target || curVal > target+window:
			backtrack = true
		case curVal >= target:
			if excess := curVal - target; bestExcess < 0 || excess < bestExcess {
				best, bestExcess = slices.Clone(cur), excess
			}
			backtrack = true
		}
		if bestExcess == 0 {
			break
		}
		if backtrack {
			if len(cur) == 0 {
				break
			}
			// Give back the values passed over since the last included
			// one, then take the omission branch of that one.
			for idx--; idx > cur[len(cur)-1]; idx-- {
				avail += sorted[idx]
			}
			curVal -= sorted[idx]
			cur = cur[:len(cur)-1]
		} else {
			avail -= sorted[idx]
			if len(cur) == 0 || idx-1 == cur[len(cur)-1] || sorted[idx] != sorted[idx-1] {
				cur = append(cur, idx)
				curVal += sorted[idx]
			}
		}
		idx++
	}
	return best, bestExcess >= 0
}
