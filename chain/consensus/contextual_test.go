package consensus

import (
	"bytes"
	"encoding/hex"
	"strconv"
	"testing"

	"github.com/nodecoin/nodecoin/chain/script"
	"github.com/nodecoin/nodecoin/chain/wire"
)

func TestCalcPastMedianTime(t *testing.T) {
	tests := []struct {
		name string
		ts   []uint32
		want int64
	}{
		{"none", nil, 0},
		{"one", []uint32{5}, 5},
		{"two: the later middle", []uint32{1, 2}, 2},
		{"three unsorted", []uint32{30, 10, 20}, 20},
		{"eleven", []uint32{11, 1, 10, 2, 9, 3, 8, 4, 7, 5, 6}, 6},
		{"only the last eleven count", []uint32{1000, 1000, 1000, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 6},
		{"ties", []uint32{7, 7, 7, 1, 1}, 7},
		{"large values", []uint32{0xffffffff, 0xfffffffe, 0xfffffffd}, 0xfffffffe},
	}
	for _, tc := range tests {
		in := append([]uint32(nil), tc.ts...)
		if got := CalcPastMedianTime(tc.ts); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
		for i := range in {
			if in[i] != tc.ts[i] {
				t.Errorf("%s: input modified", tc.name)
				break
			}
		}
	}
}

func TestBIP34HeightScript(t *testing.T) {
	tests := []struct {
		height int64
		want   string
	}{
		{0, "00"},
		{1, "51"},
		{16, "60"},
		{17, "0111"},
		{127, "017f"},
		{128, "028000"},
		{255, "02ff00"},
		{256, "020001"},
		{32767, "02ff7f"},
		{32768, "03008000"},
		{65535, "03ffff00"},
		{8388607, "03ffff7f"},
		{8388608, "0400008000"},
		{2_100_000, "03200b20"},
		{2147483647, "04ffffff7f"},
		{-1, "4f"},
		{-2, "0182"},
		{-128, "028080"},
	}
	for _, tc := range tests {
		if got := hex.EncodeToString(BIP34HeightScript(tc.height)); got != tc.want {
			t.Errorf("BIP34HeightScript(%d) = %s, want %s", tc.height, got, tc.want)
		}
	}
}

// TestBIP34HeightScriptMatchesScriptNotation compares BIP34HeightScript
// with chain/script's assembler, which pushes decimal numbers as Core's
// CScript() << n does.
func TestBIP34HeightScriptMatchesScriptNotation(t *testing.T) {
	heights := []int64{-1000, -129, -2, -1}
	for h := int64(0); h < 70000; h++ {
		heights = append(heights, h)
	}
	for h := int64(1); h < 1<<32; h = h*3 + 1 {
		heights = append(heights, h, h-1, h+1)
	}
	for _, h := range heights {
		want, err := script.ParseShortForm(strconv.FormatInt(h, 10))
		if err != nil {
			t.Fatalf("ParseShortForm(%d): %v", h, err)
		}
		if got := BIP34HeightScript(h); !bytes.Equal(got, want) {
			t.Fatalf("BIP34HeightScript(%d) = %x, script notation gives %x", h, got, want)
		}
	}
}

func TestCheckCoinbaseHeight(t *testing.T) {
	withScript := func(s string) *wire.Tx {
		b, _ := hex.DecodeString(s)
		tx := coinbaseTx(0)
		tx.TxIn[0].SignatureScript = b
		return tx
	}
	tests := []struct {
		name   string
		tx     *wire.Tx
		height int64
		kind   ErrorKind
	}{
		{"height 1 as OP_1", withScript("51ab"), 1, 0},
		{"height 1 as a push", withScript("0101"), 1, ErrBadCoinbaseHeight},
		{"height 128", withScript("028000cafe"), 128, 0},
		{"height 128 without sign byte", withScript("0180cafe"), 128, ErrBadCoinbaseHeight},
		{"height 128 non-minimal", withScript("03800000"), 128, ErrBadCoinbaseHeight},
		{"wrong height", withScript("028100"), 128, ErrBadCoinbaseHeight},
		{"script shorter than the height", withScript("0280"), 128, ErrBadCoinbaseHeight},
		{"exactly the height", withScript("03200b20"), 2_100_000, 0},
		{"nil", nil, 5, ErrBadCoinbaseHeight},
		{"no inputs", &wire.Tx{}, 5, ErrBadCoinbaseHeight},
	}
	for _, tc := range tests {
		wantKind(t, tc.name, CheckCoinbaseHeight(tc.tx, tc.height), tc.kind)
	}
}

func TestIsFinalTx(t *testing.T) {
	mk := func(lockTime uint32, seqs ...uint32) *wire.Tx {
		tx := &wire.Tx{LockTime: lockTime}
		for _, s := range seqs {
			tx.TxIn = append(tx.TxIn, &wire.TxIn{Sequence: s})
		}
		return tx
	}
	const final = wire.MaxTxInSequenceNum
	tests := []struct {
		name         string
		tx           *wire.Tx
		height, time int64
		want         bool
	}{
		{"lock time 0", mk(0, 0), 1, 0, true},
		{"height lock passed", mk(99, 0), 100, 0, true},
		{"height lock at the height", mk(100, 0), 100, 0, false},
		{"height lock at the height, final sequences", mk(100, final, final), 100, 0, true},
		{"height lock, one non-final sequence", mk(100, final, 5), 100, 0, false},
		{"height lock ignores time", mk(100, 0), 50, 1 << 40, false},
		{"time lock passed", mk(LockTimeThreshold+10, 0), 1, LockTimeThreshold + 11, true},
		{"time lock at the time", mk(LockTimeThreshold+10, 0), 1, LockTimeThreshold + 10, false},
		{"time lock ignores height", mk(LockTimeThreshold, 0), 1 << 40, LockTimeThreshold, false},
		{"largest height lock", mk(LockTimeThreshold-1, 0), LockTimeThreshold, 0, true},
		{"no inputs", mk(100), 100, 0, true},
		{"nil", nil, 1, 1, false},
	}
	for _, tc := range tests {
		if got := IsFinalTx(tc.tx, tc.height, tc.time); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestSequenceLocks(t *testing.T) {
	mk := func(version int32, seqs ...uint32) *wire.Tx {
		tx := &wire.Tx{Version: version, TxOut: []*wire.TxOut{{Value: 1}}}
		for i, s := range seqs {
			tx.TxIn = append(tx.TxIn, &wire.TxIn{PreviousOutPoint: outpoint(byte(i), 0), Sequence: s})
		}
		return tx
	}
	secs := func(units uint32) uint32 { return SequenceLockTimeIsSeconds | units }
	coin := SequenceLockInput{Height: 100, PrevMedianTime: 1_000_000}
	tests := []struct {
		name   string
		tx     *wire.Tx
		inputs []SequenceLockInput
		want   SequenceLock
		kind   ErrorKind
	}{
		{"version 1 is not enforced", mk(1, 10), []SequenceLockInput{coin}, SequenceLock{-1, -1}, 0},
		{"disabled", mk(2, SequenceLockTimeDisabled|10), []SequenceLockInput{coin}, SequenceLock{-1, -1}, 0},
		{"final sequence is disabled", mk(2, 0xffffffff), []SequenceLockInput{coin}, SequenceLock{-1, -1}, 0},
		{"10 blocks", mk(2, 10), []SequenceLockInput{coin}, SequenceLock{109, -1}, 0},
		{"0 blocks", mk(2, 0), []SequenceLockInput{coin}, SequenceLock{99, -1}, 0},
		{"unused bits ignored", mk(2, 0x7fbf0000|10), []SequenceLockInput{coin}, SequenceLock{109, -1}, 0},
		{"2 units of 512 s", mk(2, secs(2)), []SequenceLockInput{coin}, SequenceLock{-1, 1_000_000 + 1024 - 1}, 0},
		{"largest of several", mk(2, 5, secs(1), 20, secs(3)),
			[]SequenceLockInput{coin, coin, {Height: 90, PrevMedianTime: 5}, {Height: 1, PrevMedianTime: 2_000_000}},
			SequenceLock{109, 2_000_000 + 3*512 - 1}, 0},
		{"coinbase", coinbaseTx(3), nil, SequenceLock{-1, -1}, 0},
		{"inputs missing", mk(2, 10, 10), []SequenceLockInput{coin}, SequenceLock{-1, -1}, ErrMissingOrSpent},
		{"nil", nil, nil, SequenceLock{-1, -1}, ErrMalformed},
	}
	for _, tc := range tests {
		got, err := CalcSequenceLock(tc.tx, tc.inputs)
		wantKind(t, tc.name, err, tc.kind)
		if got != tc.want {
			t.Errorf("%s: lock %+v, want %+v", tc.name, got, tc.want)
		}
	}

	active := []struct {
		lock         SequenceLock
		height, time int64
		want         bool
	}{
		{SequenceLock{-1, -1}, 0, 0, true},
		{SequenceLock{109, -1}, 109, 0, false},
		{SequenceLock{109, -1}, 110, 0, true},
		{SequenceLock{-1, 2023}, 5, 2023, false},
		{SequenceLock{-1, 2023}, 5, 2024, true},
		{SequenceLock{109, 2023}, 110, 2023, false},
		{SequenceLock{109, 2023}, 109, 2024, false},
		{SequenceLock{109, 2023}, 110, 2024, true},
	}
	for _, tc := range active {
		if got := SequenceLockActive(tc.lock, tc.height, tc.time); got != tc.want {
			t.Errorf("SequenceLockActive(%+v, %d, %d) = %v", tc.lock, tc.height, tc.time, got)
		}
	}

	tx := mk(2, 10)
	wantKind(t, "CheckSequenceLock not met", CheckSequenceLock(tx, []SequenceLockInput{coin}, 109, 0), ErrSequenceLockNotMet)
	wantKind(t, "CheckSequenceLock met", CheckSequenceLock(tx, []SequenceLockInput{coin}, 110, 0), 0)
	wantKind(t, "CheckSequenceLock bad inputs", CheckSequenceLock(tx, nil, 110, 0), ErrMissingOrSpent)
}

func TestCheckBlockHeaderContext(t *testing.T) {
	const mtp, now = GenesisTime + 1000, GenesisTime + 5000
	good := wire.BlockHeader{Version: 4, Bits: 0x1e00ffff, Timestamp: mtp + 1}
	tests := []struct {
		name   string
		mod    func(h *wire.BlockHeader)
		kind   ErrorKind
		reason string
	}{
		{"valid", func(h *wire.BlockHeader) {}, 0, ""},
		{"higher version", func(h *wire.BlockHeader) { h.Version = 0x20000000 }, 0, ""},
		{"wrong bits", func(h *wire.BlockHeader) { h.Bits = 0x1d00ffff }, ErrBadDiffBits, "bad-diffbits"},
		{"time at the median", func(h *wire.BlockHeader) { h.Timestamp = mtp }, ErrTimeTooOld, "time-too-old"},
		{"time at the future limit", func(h *wire.BlockHeader) { h.Timestamp = now + MaxFutureBlockTime }, 0, ""},
		{"time past the future limit", func(h *wire.BlockHeader) { h.Timestamp = now + MaxFutureBlockTime + 1 },
			ErrTimeTooNew, "time-too-new"},
		{"version 3", func(h *wire.BlockHeader) { h.Version = 3 }, ErrBadVersion, "bad-version(0x00000003)"},
		{"version 1", func(h *wire.BlockHeader) { h.Version = 1 }, ErrBadVersion, "bad-version(0x00000001)"},
		{"negative version", func(h *wire.BlockHeader) { h.Version = -1 }, ErrBadVersion, "bad-version(0xffffffff)"},
	}
	for _, tc := range tests {
		h := good
		tc.mod(&h)
		err := CheckBlockHeaderContext(&h, 0x1e00ffff, mtp, now)
		wantKind(t, tc.name, err, tc.kind)
		if re, ok := err.(*RuleError); ok && re.Reason != tc.reason {
			t.Errorf("%s: reason %q, want %q", tc.name, re.Reason, tc.reason)
		}
	}
	wantKind(t, "nil header", CheckBlockHeaderContext(nil, 0, 0, 0), ErrMalformed)
}

func TestCheckBlockContext(t *testing.T) {
	const mtp = GenesisTime + 1000
	locked := spendTx(outpoint(1, 0))
	locked.LockTime = 501
	locked.TxIn[0].Sequence = 0
	tests := []struct {
		name   string
		block  *wire.Block
		height int64
		kind   ErrorKind
	}{
		{"valid", &wire.Block{Transactions: []*wire.Tx{coinbaseTx(500), spendTx(outpoint(1, 0))}}, 500, 0},
		{"lock time reached", &wire.Block{Transactions: []*wire.Tx{coinbaseTx(502), locked}}, 502, 0},
		{"lock time not reached", &wire.Block{Transactions: []*wire.Tx{coinbaseTx(501), locked}}, 501, ErrNonFinalTx},
		{"wrong height", &wire.Block{Transactions: []*wire.Tx{coinbaseTx(499)}}, 500, ErrBadCoinbaseHeight},
		{"height 1", &wire.Block{Transactions: []*wire.Tx{coinbaseTx(1)}}, 1, 0},
		{"genesis is exempt", RegTestParams.GenesisBlock, 0, 0},
		{"empty", &wire.Block{}, 5, ErrMalformed},
		{"nil transaction", &wire.Block{Transactions: []*wire.Tx{nil}}, 5, ErrMalformed},
	}
	for _, tc := range tests {
		wantKind(t, tc.name, CheckBlockContext(tc.block, tc.height, mtp), tc.kind)
	}
}

func TestCheckTransactionInputs(t *testing.T) {
	tx := spendTx(outpoint(1, 0), outpoint(2, 0)) // pays 1,000
	coin := func(v int64) SpentCoin { return SpentCoin{Value: v, PkScript: []byte{0x51}, Height: 10} }
	cbCoin := func(v, h int64) SpentCoin { return SpentCoin{Value: v, Height: h, IsCoinBase: true} }
	tests := []struct {
		name   string
		tx     *wire.Tx
		coins  []SpentCoin
		height int64
		fee    int64
		kind   ErrorKind
		reason string
	}{
		{"fee 500", tx, []SpentCoin{coin(700), coin(800)}, 50, 500, 0, ""},
		{"fee 0", tx, []SpentCoin{coin(400), coin(600)}, 50, 0, 0, ""},
		{"inputs below outputs", tx, []SpentCoin{coin(400), coin(599)}, 50, 0, ErrSpendTooHigh, "bad-txns-in-belowout"},
		{"mature coinbase", tx, []SpentCoin{coin(1), cbCoin(5000, 10)}, 110, 4001, 0, ""},
		{"premature coinbase", tx, []SpentCoin{coin(1), cbCoin(5000, 10)}, 109, 0,
			ErrPrematureCoinbaseSpend, "bad-txns-premature-spend-of-coinbase"},
		{"negative input", tx, []SpentCoin{coin(-1), coin(5000)}, 50, 0,
			ErrInputValuesOutOfRange, "bad-txns-inputvalues-outofrange"},
		{"input above MaxMoney", tx, []SpentCoin{coin(MaxMoney + 1), coin(5000)}, 50, 0,
			ErrInputValuesOutOfRange, "bad-txns-inputvalues-outofrange"},
		{"input sum above MaxMoney", tx, []SpentCoin{coin(MaxMoney), coin(1)}, 50, 0,
			ErrInputValuesOutOfRange, "bad-txns-inputvalues-outofrange"},
		{"all the money", tx, []SpentCoin{coin(MaxMoney - 1), coin(1)}, 50, MaxMoney - 1000, 0, ""},
		{"missing coin", tx, []SpentCoin{coin(5000)}, 50, 0, ErrMissingOrSpent, "bad-txns-inputs-missingorspent"},
		{"coinbase", coinbaseTx(3), nil, 50, 0, ErrMalformed, "bad-txns-malformed"},
		{"nil", nil, nil, 50, 0, ErrMalformed, "bad-txns-malformed"},
	}
	for _, tc := range tests {
		fee, err := CheckTransactionInputs(tc.tx, tc.coins, tc.height)
		wantKind(t, tc.name, err, tc.kind)
		if re, ok := err.(*RuleError); ok && re.Reason != tc.reason {
			t.Errorf("%s: reason %q, want %q", tc.name, re.Reason, tc.reason)
		}
		if fee != tc.fee {
			t.Errorf("%s: fee %d, want %d", tc.name, fee, tc.fee)
		}
	}

	// An output out of range (a transaction that skipped
	// CheckTransactionSanity) is caught rather than overflowing.
	bad := spendTx(outpoint(1, 0))
	bad.TxOut = append(bad.TxOut, &wire.TxOut{Value: MaxMoney})
	_, err := CheckTransactionInputs(bad, []SpentCoin{coin(MaxMoney)}, 50)
	wantKind(t, "outputs above MaxMoney", err, ErrTxOutTotalTooLarge)
}

func TestCheckCoinbaseValue(t *testing.T) {
	cb := coinbaseTx(1) // pays 50 NDC
	cb.TxOut = append(cb.TxOut, &wire.TxOut{Value: 300, PkScript: []byte{0x6a}})
	tests := []struct {
		name          string
		tx            *wire.Tx
		subsidy, fees int64
		kind          ErrorKind
	}{
		{"exact", cb, 50 * Coin, 300, 0},
		{"less than allowed", cb, 50 * Coin, 1000, 0},
		{"one too many", cb, 50 * Coin, 299, ErrBadCoinbaseValue},
		{"no subsidy", cb, 0, 50 * Coin, ErrBadCoinbaseValue},
		{"fees above MaxMoney", cb, 50 * Coin, MaxMoney + 1, ErrFeeOutOfRange},
		{"negative fees", cb, 50 * Coin, -1, ErrFeeOutOfRange},
		{"fees sum overflowed", cb, 50 * Coin, -1 << 63, ErrFeeOutOfRange},
		{"nil", nil, 0, 0, ErrMalformed},
	}
	for _, tc := range tests {
		wantKind(t, tc.name, CheckCoinbaseValue(tc.tx, tc.subsidy, tc.fees), tc.kind)
	}
}
