package consensus

import "testing"

func TestCalcBlockSubsidy(t *testing.T) {
	tests := []struct {
		p      *Params
		height int64
		want   int64
	}{
		{MainNetParams, 0, 50 * Coin},
		{MainNetParams, 1, 50 * Coin},
		{MainNetParams, 2_099_999, 50 * Coin},
		{MainNetParams, 2_100_000, 25 * Coin},
		{MainNetParams, 4_199_999, 25 * Coin},
		{MainNetParams, 4_200_000, 1_250_000_000},
		{MainNetParams, 32 * 2_100_000, 1},                 // 5e9 >> 32
		{MainNetParams, 33 * 2_100_000, 0},                 // 5e9 >> 33
		{MainNetParams, 64*2_100_000 - 1, 0},               // 63 halvings
		{MainNetParams, 64 * 2_100_000, 0},                 // the cut-off
		{MainNetParams, 1 << 62, 0},                        // huge heights
		{MainNetParams, -1, 0},                             // no such block
		{TestNetParams, 2_100_000, 25 * Coin},              //
		{RegTestParams, 0, 50 * Coin},                      //
		{RegTestParams, 149, 50 * Coin},                    //
		{RegTestParams, 150, 25 * Coin},                    //
		{RegTestParams, 299, 25 * Coin},                    //
		{RegTestParams, 300, 1_250_000_000},                //
		{RegTestParams, 450, 625_000_000},                  //
		{RegTestParams, 150*64 - 1, 0},                     //
		{RegTestParams, 150 * 64, 0},                       //
		{&Params{SubsidyHalvingInterval: 0}, 10, 0},        // degenerate interval
		{&Params{SubsidyHalvingInterval: 1}, 63, 0},        // 5e9 >> 63
		{&Params{SubsidyHalvingInterval: 1}, 3, 625000000}, // 5e9 >> 3
	}
	for _, tc := range tests {
		if got := CalcBlockSubsidy(tc.height, tc.p); got != tc.want {
			t.Errorf("%s height %d: subsidy %d, want %d", tc.p.Name, tc.height, got, tc.want)
		}
	}
}

// TestMaxMoney checks that the subsidy main pays in all ever stays within
// MaxMoney, and comes close to it.
func TestMaxMoney(t *testing.T) {
	var total int64
	for h := int64(0); ; h += MainNetParams.SubsidyHalvingInterval {
		s := CalcBlockSubsidy(h, MainNetParams)
		if s == 0 {
			break
		}
		total += s * MainNetParams.SubsidyHalvingInterval
	}
	if total > MaxMoney {
		t.Errorf("total subsidy %d exceeds MaxMoney %d", total, MaxMoney)
	}
	if MaxMoney-total > Coin {
		t.Errorf("total subsidy %d is more than 1 NDC below MaxMoney %d", total, MaxMoney)
	}
	if MaxMoney != 21_000_000_000_000_000 {
		t.Errorf("MaxMoney = %d", MaxMoney)
	}
}

func TestMoneyRange(t *testing.T) {
	tests := []struct {
		v    int64
		want bool
	}{
		{-1 << 63, false}, {-1, false}, {0, true}, {1, true},
		{MaxMoney - 1, true}, {MaxMoney, true}, {MaxMoney + 1, false}, {1<<63 - 1, false},
	}
	for _, tc := range tests {
		if got := MoneyRange(tc.v); got != tc.want {
			t.Errorf("MoneyRange(%d) = %v", tc.v, got)
		}
	}
}
