package wallet

import (
	"bytes"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/nodecoin/nodecoin/chain/address"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/script"
	"github.com/nodecoin/nodecoin/chain/wire"
)

// fundedWallet is a test wallet with a chain that pays it, and every output
// it may spend, for verification.
type fundedWallet struct {
	w     *Wallet
	c     testChain
	prev  map[wire.OutPoint]*wire.TxOut
	nFund byte
}

func newFundedWallet(t *testing.T, amounts ...int64) *fundedWallet {
	t.Helper()
	w, _ := newTestWallet(t, 5)
	f := &fundedWallet{w: w, prev: make(map[wire.OutPoint]*wire.TxOut)}
	connectNext(t, w, &f.c, foreignScript(1)) // genesis, not ours
	if len(amounts) > 0 {
		f.fund(t, amounts...)
	}
	return f
}

// fund confirms a transaction from a foreign coin paying each amount to a
// fresh receiving address of the wallet.
func (f *fundedWallet) fund(t *testing.T, amounts ...int64) *wire.Tx {
	t.Helper()
	f.nFund++
	tx := spendTx([]wire.OutPoint{{Hash: wire.Hash{0xaa, f.nFund}}})
	for _, v := range amounts {
		a, err := f.w.NextReceive()
		if err != nil {
			t.Fatal(err)
		}
		tx.TxOut = append(tx.TxOut, &wire.TxOut{Value: v, PkScript: a.ScriptPubKey()})
	}
	f.record(tx)
	connectNext(t, f.w, &f.c, foreignScript(1), tx)
	return tx
}

func (f *fundedWallet) record(tx *wire.Tx) {
	id := tx.TxHash()
	for i, o := range tx.TxOut {
		f.prev[wire.OutPoint{Hash: id, Index: uint32(i)}] = o
	}
}

// accept is what the caller does after the mempool takes tx.
func (f *fundedWallet) accept(t *testing.T, tx *wire.Tx) {
	t.Helper()
	f.record(tx)
	if err := f.w.ProcessMempoolTx(tx); err != nil {
		t.Fatal(err)
	}
}

// check verifies every input of tx under the standard flags, that the fee
// is in − out and at least rate × size, and that no output is dust.
func (f *fundedWallet) check(t *testing.T, tx *wire.Tx, fee, rate int64) {
	t.Helper()
	var in, out int64
	for i, txin := range tx.TxIn {
		p := f.prev[txin.PreviousOutPoint]
		if p == nil {
			t.Fatalf("input %d spends unknown %s", i, txin.PreviousOutPoint)
		}
		if err := script.VerifyInput(tx, i, p.PkScript, script.StandardVerifyFlags, nil); err != nil {
			t.Fatalf("input %d does not verify: %v", i, err)
		}
		in += p.Value
	}
	for i, o := range tx.TxOut {
		if o.Value < DustThreshold(o.PkScript) {
			t.Errorf("output %d is dust: %d", i, o.Value)
		}
		out += o.Value
	}
	if in-out != fee {
		t.Errorf("fee %d, but inputs − outputs = %d", fee, in-out)
	}
	if size := int64(tx.SerializeSize()); fee < feeFor(rate, size) {
		t.Errorf("fee %d below rate %d × %d bytes", fee, rate, size)
	}
}

func foreignAddr(t *testing.T, tag byte) address.Address {
	t.Helper()
	a, err := address.NewAddressPubKeyHash(bytes.Repeat([]byte{tag}, 20), consensus.RegTestParams.AddressPrefixes())
	if err != nil {
		t.Fatal(err)
	}
	return a
}

type rcpt struct {
	tag    byte
	amount int64
	sffo   bool
}

func TestSelectCoins(t *testing.T) {
	tests := []struct {
		name                      string
		vals                      []int64
		target, window, changeGol int64
		bnb                       bool
		wantOK, wantChangeless    bool
		want                      []int64 // chosen values, sorted
	}{
		{"bnb exact pair", []int64{5, 4, 3, 2}, 7, 0, 1, true, true, true, []int64{2, 5}},
		{"bnb within window", []int64{50, 31, 20}, 50, 2, 1, true, true, true, []int64{50}},
		{"bnb least excess", []int64{12, 11, 9}, 20, 3, 100, true, true, true, []int64{9, 11}},
		{"lowest larger", []int64{10, 6, 3}, 4, 0, 1, true, true, false, []int64{6}},
		{"largest first", []int64{3, 3, 3}, 5, 0, 2, true, true, false, []int64{3, 3, 3}},
		{"no viable change: least excess", []int64{4, 3, 2}, 5, 0, 10, false, true, true, []int64{2, 3}},
		{"insufficient", []int64{1, 2}, 4, 0, 1, true, false, false, nil},
		{"empty", nil, 1, 0, 1, true, false, false, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sel, ok := selectCoins(tc.vals, tc.target, tc.window, tc.changeGol, tc.bnb)
			if ok != tc.wantOK {
				t.Fatalf("ok %v, want %v", ok, tc.wantOK)
			}
			if !ok {
				return
			}
			var got []int64
			for _, i := range sel.idx {
				got = append(got, tc.vals[i])
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) || sel.changeless != tc.wantChangeless {
				t.Errorf("chose %v changeless %v, want %v changeless %v", got, sel.changeless, tc.want, tc.wantChangeless)
			}
		})
	}
}

func TestSelectBnBManyCoins(t *testing.T) {
	// 400 coins of distinct values; the search is bounded and any result
	// lies in the window.
	var vals []int64
	for i := range 400 {
		vals = append(vals, int64(1000+i*7919%100003))
	}
	slices.SortFunc(vals, func(a, b int64) int { return int(b - a) })
	target := int64(1_234_567)
	sel, ok := selectBnB(vals, target, 50)
	if !ok {
		t.Skip("no solution within the try limit (allowed)")
	}
	var sum int64
	for _, i := range sel {
		sum += vals[i]
	}
	if sum < target || sum > target+50 {
		t.Fatalf("sum %d outside [%d, %d]", sum, target, target+50)
	}
}

func TestCreateTransaction(t *testing.T) {
	const rate = 1000
	// Sizes at 1000/kvB: 1 in 1 out 192 bytes, 1 in 2 out 226, 2 in 1 out 340.
	tests := []struct {
		name       string
		coins      []int64
		recips     []rcpt
		feeRate    int64
		wantErr    error
		wantIns    []int64 // values of the spent coins, sorted
		wantOuts   int
		wantFee    int64 // -1: not checked
		wantChange bool
		wantValues map[byte]int64 // recipient tag → amount received
	}{
		{name: "exact match single coin, no change", coins: []int64{coin, 5 * coin},
			recips: []rcpt{{2, coin - 192 - 50, false}}, feeRate: rate,
			wantIns: []int64{coin}, wantOuts: 1, wantFee: 242, wantValues: map[byte]int64{2: coin - 242}},
		{name: "exact match two coins, no change", coins: []int64{30_000_000, 40_000_000, 2 * coin},
			recips: []rcpt{{2, 70_000_000 - 340 - 10, false}}, feeRate: rate,
			wantIns: []int64{30_000_000, 40_000_000}, wantOuts: 1, wantFee: 350},
		{name: "change above dust", coins: []int64{10 * coin},
			recips: []rcpt{{2, 3 * coin, false}}, feeRate: rate,
			wantIns: []int64{10 * coin}, wantOuts: 2, wantFee: 226, wantChange: true, wantValues: map[byte]int64{2: 3 * coin}},
		{name: "change below dust dropped into fee", coins: []int64{coin},
			recips: []rcpt{{2, coin - 192 - 400, false}}, feeRate: rate,
			wantIns: []int64{coin}, wantOuts: 1, wantFee: 592},
		{name: "largest first with change", coins: []int64{coin, coin, coin, coin / 10},
			recips: []rcpt{{2, 25 * coin / 10, false}}, feeRate: rate,
			wantIns: []int64{coin, coin, coin}, wantOuts: 2, wantFee: 10 + 3*148 + 2*34, wantChange: true},
		{name: "two recipients", coins: []int64{10 * coin},
			recips: []rcpt{{2, coin, false}, {3, 2 * coin, false}}, feeRate: rate,
			wantIns: []int64{10 * coin}, wantOuts: 3, wantFee: 260, wantChange: true, wantValues: map[byte]int64{2: coin, 3: 2 * coin}},
		{name: "fallback fee rate", coins: []int64{10 * coin},
			recips:  []rcpt{{2, 3 * coin, false}},
			wantIns: []int64{10 * coin}, wantOuts: 2, wantFee: 226 * FallbackFeeRate / 1000, wantChange: true},
		{name: "subtract fee, whole balance", coins: []int64{coin},
			recips: []rcpt{{2, coin, true}}, feeRate: rate,
			wantIns: []int64{coin}, wantOuts: 1, wantFee: 192, wantValues: map[byte]int64{2: coin - 192}},
		{name: "subtract fee split between two", coins: []int64{coin},
			recips: []rcpt{{2, coin / 2, true}, {3, coin / 2, true}}, feeRate: rate,
			wantIns: []int64{coin}, wantOuts: 2, wantFee: 226, wantValues: map[byte]int64{2: coin/2 - 113, 3: coin/2 - 113}},
		{name: "subtract fee odd split, first pays remainder", coins: []int64{coin},
			recips: []rcpt{{2, coin / 2, true}, {3, coin / 2, true}}, feeRate: 1005,
			wantIns: []int64{coin}, wantOuts: 2, wantFee: 227, wantValues: map[byte]int64{2: coin/2 - 114, 3: coin/2 - 113}},
		{name: "subtract fee from one of two, with change", coins: []int64{2 * coin},
			recips: []rcpt{{2, coin / 2, true}, {3, coin * 3 / 10, false}}, feeRate: rate,
			wantIns: []int64{2 * coin}, wantOuts: 3, wantFee: 260, wantChange: true,
			wantValues: map[byte]int64{2: coin/2 - 260, 3: coin * 3 / 10}},
		{name: "subtract fee larger than amount", coins: []int64{coin},
			recips: []rcpt{{2, 600, true}}, feeRate: rate, wantErr: ErrAmountTooSmallForFee},
		{name: "insufficient funds", coins: []int64{coin},
			recips: []rcpt{{2, 2 * coin, false}}, feeRate: rate, wantErr: ErrInsufficientFunds},
		{name: "no room for the fee", coins: []int64{coin},
			recips: []rcpt{{2, coin, false}}, feeRate: rate, wantErr: ErrInsufficientFunds},
		{name: "empty wallet", recips: []rcpt{{2, coin, false}}, feeRate: rate, wantErr: ErrInsufficientFunds},
		{name: "dust amount", coins: []int64{coin}, recips: []rcpt{{2, 545, false}}, feeRate: rate, wantErr: ErrAmountTooSmall},
		{name: "zero amount", coins: []int64{coin}, recips: []rcpt{{2, 0, false}}, feeRate: rate, wantErr: ErrAmountTooSmall},
		{name: "negative amount", coins: []int64{coin}, recips: []rcpt{{2, -1, false}}, feeRate: rate, wantErr: ErrAmountTooSmall},
		{name: "no recipients", coins: []int64{coin}, feeRate: rate, wantErr: ErrNoRecipients},
		{name: "fee rate below relay minimum", coins: []int64{coin}, recips: []rcpt{{2, coin / 2, false}}, feeRate: 999, wantErr: ErrFeeRateTooLow},
		{name: "fee above maximum", coins: []int64{10 * coin}, recips: []rcpt{{2, coin, false}}, feeRate: 50_000_000, wantErr: ErrFeeTooHigh},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFundedWallet(t, tc.coins...)
			var rs []Recipient
			for _, r := range tc.recips {
				rs = append(rs, Recipient{Address: foreignAddr(t, r.tag), Amount: r.amount, SubtractFee: r.sffo})
			}
			tx, fee, err := f.w.CreateTransaction(rs, SendOptions{FeeRate: tc.feeRate, Replaceable: true})
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			rate := tc.feeRate
			if rate == 0 {
				rate = FallbackFeeRate
			}
			f.check(t, tx, fee, rate)
			if tc.wantFee >= 0 && fee != tc.wantFee {
				t.Errorf("fee %d, want %d", fee, tc.wantFee)
			}
			var ins []int64
			for _, in := range tx.TxIn {
				ins = append(ins, f.prev[in.PreviousOutPoint].Value)
				if in.Sequence != SequenceReplaceable {
					t.Errorf("sequence %x", in.Sequence)
				}
			}
			slices.Sort(ins)
			if !slices.Equal(ins, tc.wantIns) {
				t.Errorf("spent %v, want %v", ins, tc.wantIns)
			}
			if len(tx.TxOut) != tc.wantOuts {
				t.Errorf("%d outputs, want %d", len(tx.TxOut), tc.wantOuts)
			}
			changes := 0
			for _, o := range tx.TxOut {
				f.w.mu.Lock()
				isChange := f.w.isChange(o.PkScript)
				f.w.mu.Unlock()
				if isChange {
					changes++
					if o.Value < 546 {
						t.Errorf("dust change %d", o.Value)
					}
				}
			}
			if (changes == 1) != tc.wantChange || changes > 1 {
				t.Errorf("%d change outputs, want change %v", changes, tc.wantChange)
			}
			for tag, want := range tc.wantValues {
				pk := foreignScript(tag)
				found := false
				for _, o := range tx.TxOut {
					if bytes.Equal(o.PkScript, pk) {
						found = true
						if o.Value != want {
							t.Errorf("recipient %d got %d, want %d", tag, o.Value, want)
						}
					}
				}
				if !found {
					t.Errorf("recipient %d not paid", tag)
				}
			}
		})
	}
}

func TestCreateTransactionLocked(t *testing.T) {
	f := newFundedWallet(t, coin)
	if err := f.w.EncryptWallet([]byte("pass")); err != nil {
		t.Fatal(err)
	}
	_, _, err := f.w.CreateTransaction([]Recipient{{Address: foreignAddr(t, 2), Amount: coin / 2}}, SendOptions{FeeRate: 1000})
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("locked wallet: err %v, want ErrLocked", err)
	}
	if err := f.w.Unlock([]byte("pass"), time.Minute); err != nil {
		t.Fatal(err)
	}
	tx, fee, err := f.w.CreateTransaction([]Recipient{{Address: foreignAddr(t, 2), Amount: coin / 2}}, SendOptions{FeeRate: 1000})
	if err != nil {
		t.Fatalf("unlocked: %v", err)
	}
	f.check(t, tx, fee, 1000)
}

func TestCreateTransactionCoinEligibility(t *testing.T) {
	f := newFundedWallet(t, coin)
	send := func(amount int64, minConf int) (*wire.Tx, int64, error) {
		return f.w.CreateTransaction([]Recipient{{Address: foreignAddr(t, 2), Amount: amount}},
			SendOptions{FeeRate: 1000, Replaceable: true, MinConf: minConf})
	}
	tx1, fee1, err := send(30_000_000, 1)
	if err != nil {
		t.Fatal(err)
	}
	f.check(t, tx1, fee1, 1000)
	f.accept(t, tx1)

	// An unconfirmed payment from someone else is never spent.
	recv, _ := f.w.NextReceive()
	pay := spendTx([]wire.OutPoint{{Hash: wire.Hash{0xbb}}}, &wire.TxOut{Value: 5 * coin, PkScript: recv.ScriptPubKey()})
	f.accept(t, pay)

	// Own unconfirmed change is spendable at MinConf 0 and 1, not at 2.
	if _, _, err := send(coin, 1); !errors.Is(err, ErrInsufficientFunds) {
		t.Fatalf("spent untrusted coins: %v", err)
	}
	if _, _, err := send(50_000_000, 2); !errors.Is(err, ErrInsufficientFunds) {
		t.Fatalf("MinConf 2 spent unconfirmed change: %v", err)
	}
	for _, mc := range []int{0, 1} {
		tx2, fee2, err := send(50_000_000, mc)
		if err != nil {
			t.Fatalf("MinConf %d: %v", mc, err)
		}
		f.check(t, tx2, fee2, 1000)
		if tx2.TxIn[0].PreviousOutPoint.Hash != tx1.TxHash() {
			t.Errorf("MinConf %d: did not spend the change", mc)
		}
	}

	// Confirmed coins come first: with a new confirmed coin, it is spent
	// instead of the unconfirmed change.
	f.fund(t, 2*coin)
	tx3, _, err := send(50_000_000, 1)
	if err != nil {
		t.Fatal(err)
	}
	if tx3.TxIn[0].PreviousOutPoint.Hash == tx1.TxHash() || len(tx3.TxIn) != 1 {
		t.Errorf("spent unconfirmed change while a confirmed coin suffices")
	}
}

func TestCreateTransactionChangeAddresses(t *testing.T) {
	f := newFundedWallet(t, 10*coin)
	tx1, _, err := f.w.CreateTransaction([]Recipient{{Address: foreignAddr(t, 2), Amount: coin}}, SendOptions{FeeRate: 1000})
	if err != nil {
		t.Fatal(err)
	}
	f.accept(t, tx1)
	tx2, _, err := f.w.CreateTransaction([]Recipient{{Address: foreignAddr(t, 2), Amount: coin}}, SendOptions{FeeRate: 1000})
	if err != nil {
		t.Fatal(err)
	}
	changeScript := func(tx *wire.Tx) []byte {
		for _, o := range tx.TxOut {
			if f.w.IsMine(o.PkScript) {
				return o.PkScript
			}
		}
		t.Fatal("no change")
		return nil
	}
	if bytes.Equal(changeScript(tx1), changeScript(tx2)) {
		t.Error("change address reused")
	}
	if b := f.w.Balances(); b.Trusted != 10*coin-coin-226 {
		t.Errorf("trusted balance after send %d", b.Trusted)
	}
}

// sendForBump makes and accepts a transaction of one coin to a foreign
// address with the given change at 1000/kvB (1 in, 2 out: fee 226).
func sendForBump(t *testing.T, f *fundedWallet, coinValue, change int64, replaceable bool) *wire.Tx {
	t.Helper()
	tx, fee, err := f.w.CreateTransaction([]Recipient{{Address: foreignAddr(t, 2), Amount: coinValue - 226 - change}},
		SendOptions{FeeRate: 1000, Replaceable: replaceable})
	if err != nil {
		t.Fatal(err)
	}
	if fee != 226 || len(tx.TxOut) != 2 {
		t.Fatalf("setup: fee %d, %d outputs", fee, len(tx.TxOut))
	}
	f.accept(t, tx)
	return tx
}

func TestBumpFee(t *testing.T) {
	f := newFundedWallet(t, coin)
	orig := sendForBump(t, f, coin, 30_000_000, true)
	oldSize := int64(orig.SerializeSize())
	oldRate := feeRateOf(226, oldSize)

	if _, _, _, err := f.w.BumpFee(orig.TxHash(), oldRate+IncrementalRelayFeeRate-1); !errors.Is(err, ErrFeeRateTooLow) {
		t.Fatalf("rate below old + incremental: %v", err)
	}
	if _, _, _, err := f.w.BumpFee(wire.Hash{0x42}, 0); !errors.Is(err, ErrTxNotFound) {
		t.Fatalf("unknown txid: %v", err)
	}

	tests := []struct {
		name    string
		rate    int64
		minRate int64
	}{
		{"default rate", 0, oldRate + IncrementalRelayFeeRate},
		{"explicit rate", 7000, 7000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			repl, oldFee, newFee, err := f.w.BumpFee(orig.TxHash(), tc.rate)
			if err != nil {
				t.Fatal(err)
			}
			size := int64(repl.SerializeSize())
			if oldFee != 226 {
				t.Errorf("old fee %d", oldFee)
			}
			if newFee-oldFee < feeFor(IncrementalRelayFeeRate, size) {
				t.Errorf("fee raised by %d, BIP125 minimum %d", newFee-oldFee, feeFor(IncrementalRelayFeeRate, size))
			}
			if r := feeRateOf(newFee, size); r < tc.minRate {
				t.Errorf("new rate %d below %d", r, tc.minRate)
			}
			f.check(t, repl, newFee, tc.minRate)
			if len(repl.TxIn) != 1 || repl.TxIn[0].PreviousOutPoint != orig.TxIn[0].PreviousOutPoint || repl.TxIn[0].Sequence != SequenceReplaceable {
				t.Errorf("replacement inputs changed")
			}
			for i, o := range orig.TxOut {
				if f.w.IsMine(o.PkScript) {
					if repl.TxOut[i].Value != o.Value-(newFee-oldFee) {
						t.Errorf("change %d, want %d", repl.TxOut[i].Value, o.Value-(newFee-oldFee))
					}
				} else if repl.TxOut[i].Value != o.Value {
					t.Errorf("payment changed")
				}
			}
		})
	}

	// After the mempool takes a replacement, the original cannot be bumped
	// again.
	repl, _, _, err := f.w.BumpFee(orig.TxHash(), 0)
	if err != nil {
		t.Fatal(err)
	}
	f.accept(t, repl)
	if err := f.w.RemoveMempoolTx(orig.TxHash()); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := f.w.BumpFee(orig.TxHash(), 0); !errors.Is(err, ErrAlreadyBumped) {
		t.Fatalf("bump of a replaced tx: %v", err)
	}
	if _, _, _, err := f.w.BumpFee(repl.TxHash(), 0); err != nil {
		t.Fatalf("bump of the replacement: %v", err)
	}
}

func TestBumpFeeChange(t *testing.T) {
	// Change 700: a bump by 226 leaves 474, dust, so it goes to the fee.
	f := newFundedWallet(t, coin)
	orig := sendForBump(t, f, coin, 700, true)
	repl, oldFee, newFee, err := f.w.BumpFee(orig.TxHash(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(repl.TxOut) != 1 || newFee != oldFee+700 {
		t.Errorf("dust change kept: %d outputs, fees %d → %d", len(repl.TxOut), oldFee, newFee)
	}
	f.check(t, repl, newFee, feeRateOf(oldFee, int64(orig.SerializeSize()))+IncrementalRelayFeeRate)
	// At 5000/kvB the extra fee (904) exceeds the change.
	if _, _, _, err := f.w.BumpFee(orig.TxHash(), 5000); !errors.Is(err, ErrChangeTooSmall) {
		t.Fatalf("change too small: %v", err)
	}
}

func TestBumpFeeRefusals(t *testing.T) {
	t.Run("not replaceable", func(t *testing.T) {
		f := newFundedWallet(t, coin)
		tx := sendForBump(t, f, coin, coin/2, false)
		if _, _, _, err := f.w.BumpFee(tx.TxHash(), 0); !errors.Is(err, ErrNotReplaceable) {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("confirmed", func(t *testing.T) {
		f := newFundedWallet(t, coin)
		tx := sendForBump(t, f, coin, coin/2, true)
		connectNext(t, f.w, &f.c, foreignScript(1), tx)
		if _, _, _, err := f.w.BumpFee(tx.TxHash(), 0); !errors.Is(err, ErrTxConfirmed) {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("no change", func(t *testing.T) {
		f := newFundedWallet(t, coin)
		tx, _, err := f.w.CreateTransaction([]Recipient{{Address: foreignAddr(t, 2), Amount: coin, SubtractFee: true}},
			SendOptions{FeeRate: 1000, Replaceable: true})
		if err != nil {
			t.Fatal(err)
		}
		f.accept(t, tx)
		if _, _, _, err := f.w.BumpFee(tx.TxHash(), 0); !errors.Is(err, ErrNoChangeOutput) {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("descendant in wallet", func(t *testing.T) {
		f := newFundedWallet(t, coin)
		tx1 := sendForBump(t, f, coin, coin/2, true)
		tx2, _, err := f.w.CreateTransaction([]Recipient{{Address: foreignAddr(t, 3), Amount: coin / 4}},
			SendOptions{FeeRate: 1000, Replaceable: true})
		if err != nil {
			t.Fatal(err)
		}
		f.accept(t, tx2)
		if _, _, _, err := f.w.BumpFee(tx1.TxHash(), 0); !errors.Is(err, ErrHasDescendants) {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("foreign inputs", func(t *testing.T) {
		f := newFundedWallet(t, coin)
		ch, _ := f.w.NextChange()
		tx := spendTx([]wire.OutPoint{{Hash: wire.Hash{0xcc}}},
			&wire.TxOut{Value: coin, PkScript: foreignScript(4)}, &wire.TxOut{Value: coin, PkScript: ch.ScriptPubKey()})
		f.accept(t, tx)
		if _, _, _, err := f.w.BumpFee(tx.TxHash(), 0); !errors.Is(err, ErrForeignInputs) {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("locked", func(t *testing.T) {
		f := newFundedWallet(t, coin)
		tx := sendForBump(t, f, coin, coin/2, true)
		if err := f.w.EncryptWallet([]byte("pass")); err != nil {
			t.Fatal(err)
		}
		if _, _, _, err := f.w.BumpFee(tx.TxHash(), 0); !errors.Is(err, ErrLocked) {
			t.Fatalf("err %v", err)
		}
	})
}

func TestSignRawTransaction(t *testing.T) {
	f := newFundedWallet(t, coin, 2*coin)
	fundTx := f.c.blocks[len(f.c.blocks)-1].Transactions[1]
	own0 := wire.OutPoint{Hash: fundTx.TxHash(), Index: 0}
	own1 := wire.OutPoint{Hash: fundTx.TxHash(), Index: 1}
	foreign := wire.OutPoint{Hash: wire.Hash{0xdd}, Index: 7}
	// An output to a wallet key the tracker has not seen.
	addr, _ := f.w.NextReceive()
	untracked := wire.OutPoint{Hash: wire.Hash{0xde}, Index: 1}

	tests := []struct {
		name      string
		ins       []wire.OutPoint
		prevouts  map[wire.OutPoint][]byte
		wantOK    bool
		wantErrs  map[int]error // input index → reason
		wantCall  error
		verifyIdx map[int][]byte // inputs that must verify, with their scripts
	}{
		{name: "own inputs", ins: []wire.OutPoint{own0, own1}, wantOK: true,
			verifyIdx: map[int][]byte{0: fundTx.TxOut[0].PkScript, 1: fundTx.TxOut[1].PkScript}},
		{name: "missing prevout", ins: []wire.OutPoint{own0, foreign}, wantErrs: map[int]error{1: ErrInputNotFound},
			verifyIdx: map[int][]byte{0: fundTx.TxOut[0].PkScript}},
		{name: "foreign key", ins: []wire.OutPoint{foreign, own1}, prevouts: map[wire.OutPoint][]byte{foreign: foreignScript(5)},
			wantErrs: map[int]error{0: ErrCannotSign}, verifyIdx: map[int][]byte{1: fundTx.TxOut[1].PkScript}},
		{name: "given script of a wallet key", ins: []wire.OutPoint{untracked}, wantOK: true,
			prevouts:  map[wire.OutPoint][]byte{untracked: addr.ScriptPubKey()},
			verifyIdx: map[int][]byte{0: addr.ScriptPubKey()}},
		{name: "given script contradicts the wallet", ins: []wire.OutPoint{own0},
			prevouts: map[wire.OutPoint][]byte{own0: foreignScript(6)}, wantCall: ErrPrevoutMismatch},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tx := spendTx(tc.ins, &wire.TxOut{Value: coin / 2, PkScript: foreignScript(2)})
			ok, errs, err := f.w.SignRawTransaction(tx, tc.prevouts)
			if tc.wantCall != nil {
				if !errors.Is(err, tc.wantCall) {
					t.Fatalf("err %v, want %v", err, tc.wantCall)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ok != tc.wantOK || len(errs) != len(tc.wantErrs) {
				t.Fatalf("complete %v errors %v", ok, errs)
			}
			for _, e := range errs {
				if want := tc.wantErrs[e.Index]; want == nil || !errors.Is(e, want) || e.OutPoint != tc.ins[e.Index] {
					t.Errorf("input %d: %v (outpoint %s)", e.Index, e, e.OutPoint)
				}
			}
			for i, pk := range tc.verifyIdx {
				if err := script.VerifyInput(tx, i, pk, script.StandardVerifyFlags, nil); err != nil {
					t.Errorf("input %d does not verify: %v", i, err)
				}
			}
		})
	}

	if err := f.w.EncryptWallet([]byte("pass")); err != nil {
		t.Fatal(err)
	}
	tx := spendTx([]wire.OutPoint{own0}, &wire.TxOut{Value: coin / 2, PkScript: foreignScript(2)})
	if _, _, err := f.w.SignRawTransaction(tx, nil); !errors.Is(err, ErrLocked) {
		t.Fatalf("locked: %v", err)
	}
}
