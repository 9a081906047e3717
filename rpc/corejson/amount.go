package corejson

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/nodecoin/nodecoin/chain/consensus"
)

// coin is one NDC in base units, as the unsigned and float types need it.
const (
	coin      = uint64(consensus.Coin)
	coinFloat = float64(consensus.Coin)
)

// Amount is a value in base units that marshals as coins with eight
// decimals (5000000000 → 50.00000000), as Core's ValueFromAmount.
type Amount int64

// MarshalJSON writes the amount as a JSON number in coins.
func (a Amount) MarshalJSON() ([]byte, error) {
	v := int64(a)
	sign := ""
	u := uint64(v)
	if v < 0 {
		sign = "-"
		u = uint64(-v)
	}
	return fmt.Appendf(nil, "%s%d.%08d", sign, u/coin, u%coin), nil
}

// ParseAmount converts a JSON number (or numeric string) of coins to base
// units, refusing more than eight decimals, negatives and values outside
// the money range, as Core's AmountFromValue.
func ParseAmount(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasPrefix(s, "-") {
		return 0, fmt.Errorf("amount %q: %w", s, ErrInvalidAmount)
	}
	whole, frac, _ := strings.Cut(s, ".")
	if strings.ContainsAny(s, "eE") {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f < 0 || f > float64(consensus.MaxMoney)/coinFloat {
			return 0, fmt.Errorf("amount %q: %w", s, ErrInvalidAmount)
		}
		v := math.Round(f * coinFloat)
		if math.Abs(v-f*coinFloat) > 1e-3 {
			return 0, fmt.Errorf("amount %q has more than 8 decimals: %w", s, ErrInvalidAmount)
		}
		return checkRange(int64(v), s)
	}
	if len(frac) > 8 {
		return 0, fmt.Errorf("amount %q has more than 8 decimals: %w", s, ErrInvalidAmount)
	}
	if whole == "" {
		whole = "0"
	}
	w, err := strconv.ParseUint(whole, 10, 63)
	if err != nil || w > uint64(consensus.MaxMoney)/coin {
		return 0, fmt.Errorf("amount %q: %w", s, ErrInvalidAmount)
	}
	frac += strings.Repeat("0", 8-len(frac))
	f, err := strconv.ParseUint(frac, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("amount %q: %w", s, ErrInvalidAmount)
	}
	return checkRange(int64(w*coin+f), s)
}

func checkRange(v int64, s string) (int64, error) {
	if !consensus.MoneyRange(v) {
		return 0, fmt.Errorf("amount %q out of range: %w", s, ErrInvalidAmount)
	}
	return v, nil
}
