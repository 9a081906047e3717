package consensus

// Coin is the number of base units in one NDC.
const Coin int64 = 100_000_000

// BaseSubsidy is the block subsidy before the first halving, 50 NDC.
const BaseSubsidy = 50 * Coin

// MaxMoney is the largest amount any output, sum of outputs or fee may
// carry, in base units: 210,000,000 NDC.
//
// Main and test pay 50 NDC a block, halving every 2,100,000 blocks, so the
// subsidy ever paid is 50 × 2,100,000 × (1 + 1/2 + 1/4 + ...) < 50 ×
// 2,100,000 × 2 = 210,000,000 NDC. Like Bitcoin Core's MAX_MONEY (21
// million BTC for 210,000-block halvings) it is that bound, and it is the
// same on every network; regtest, halving every 150 blocks, pays far less.
const MaxMoney = 210_000_000 * Coin

// maxHalvings is the number of halvings after which the subsidy is zero:
// shifting 50 NDC right by 64 or more is undefined in C, and Core stops
// paying there; the subsidy already reaches zero after 33 halvings.
const maxHalvings = 64

// CalcBlockSubsidy returns the new coins a block at the given height may
// create: BaseSubsidy halved once every p.SubsidyHalvingInterval blocks,
// and zero after 64 halvings or for a negative height.
func CalcBlockSubsidy(height int64, p *Params) int64 {
	if height < 0 || p.SubsidyHalvingInterval <= 0 {
		return 0
	}
	halvings := height / p.SubsidyHalvingInterval
	if halvings >= maxHalvings {
		return 0
	}
	return BaseSubsidy >> uint(halvings)
}

// MoneyRange reports whether v is a valid amount: 0 ≤ v ≤ MaxMoney.
func MoneyRange(v int64) bool {
	return v >= 0 && v <= MaxMoney
}
