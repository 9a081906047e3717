package stratum

import (
	"bytes"
	"maps"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/script"
	"github.com/nodecoin/nodecoin/chain/wire"
)

func p2pkh(seed byte) []byte {
	s, _ := script.PayToPubKeyHashScript(bytes.Repeat([]byte{seed}, 20))
	return s
}

// TestSplitPPLNS checks PPLNS payouts to the base unit; the expected
// figures were worked out with exact fractions by hand (see the comments).
func TestSplitPPLNS(t *testing.T) {
	a, b, c, d, op := p2pkh(1), p2pkh(2), p2pkh(3), p2pkh(4), p2pkh(9)
	share := func(s []byte, diff float64) ShareRecord { return ShareRecord{Difficulty: diff, Script: s} }
	type out struct {
		script []byte
		value  int64
	}
	cases := []struct {
		name      string
		value     int64
		shares    []ShareRecord
		carry     map[string]int64
		feePPM    int64
		maxPayees int
		want      []out
		wantCarry map[string]int64
	}{
		{
			// value 5,000,012,345; fee 1% = 50,000,123; pool 4,950,012,222;
			// weights 3 : 2 : 2^-22 of 5 + 2^-22; parts 2,970,007,191,
			// 1,980,004,794 and 236 (rounding leaves 1). c owes 236 + 100
			// < 546: carried. a is paid its carry of 50 from the operator's
			// output: 50,000,123 + 1 + 236 − 50 = 50,000,310.
			name:  "fee, rounding, sub-dust carried, carry paid",
			value: 5_000_012_345,
			shares: []ShareRecord{share(a, 1), share(b, 2), share(a, 1), share(c, math.Ldexp(1, -22)),
				share(a, 1)},
			carry:     map[string]int64{string(a): 50, string(c): 100, string(d): 300},
			feePPM:    10_000,
			want:      []out{{a, 2_970_007_241}, {b, 1_980_004_794}, {op, 50_000_310}},
			wantCarry: map[string]int64{string(c): 336, string(d): 300},
		},
		{
			// No fee: a's carry of 10,000 cannot be paid from an operator
			// output of 500 (b's sub-dust part): a carries 10,500, and the
			// operator output holds the whole 1,000.
			name:      "carry larger than the operator can pay",
			value:     1000,
			shares:    []ShareRecord{share(a, 1), share(b, 1)},
			carry:     map[string]int64{string(a): 10_000},
			want:      []out{{op, 1000}},
			wantCarry: map[string]int64{string(a): 10_500, string(b): 500},
		},
		{
			name:      "no shares: all to the operator",
			value:     5_000_000_000,
			feePPM:    20_000,
			want:      []out{{op, 5_000_000_000}},
			wantCarry: map[string]int64{},
		},
		{
			// 100% fee: the miners' parts are all zero and carried as zero.
			name:      "whole fee",
			value:     777,
			shares:    []ShareRecord{share(b, 4)},
			feePPM:    1_000_000,
			want:      []out{{op, 777}},
			wantCarry: map[string]int64{string(b): 0},
		},
		{
			// Equal thirds of 1,000,000 (no fee): 333,333 each, the
			// rounding's 1 to the operator.
			name:      "rounding",
			value:     1_000_000,
			shares:    []ShareRecord{share(c, 0.5), share(b, 0.5), share(a, 0.5)},
			want:      []out{{a, 333_333}, {b, 333_333}, {c, 333_333}, {op, 1}},
			wantCarry: map[string]int64{},
		},
		{
			// Two payees at most: c and b, owed the most, are paid; a's
			// 1,000,000 is carried and held by the operator's output.
			name:      "payee limit",
			value:     6_000_000,
			shares:    []ShareRecord{share(a, 1), share(b, 2), share(c, 3)},
			maxPayees: 2,
			want:      []out{{b, 2_000_000}, {c, 3_000_000}, {op, 1_000_000}},
			wantCarry: map[string]int64{string(a): 1_000_000},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := make(map[string]int64)
			for k, v := range tc.carry {
				before[k] = v
			}
			sp := SplitPPLNS(tc.value, tc.shares, tc.carry, tc.feePPM, op, DustLimit, tc.maxPayees)
			var sum int64
			for _, o := range sp.Outputs {
				sum += o.Value
			}
			if sum != tc.value {
				t.Errorf("outputs add up to %d, want %d", sum, tc.value)
			}
			if len(sp.Outputs) != len(tc.want) {
				t.Fatalf("%d outputs, want %d: %+v", len(sp.Outputs), len(tc.want), sp.Outputs)
			}
			for i, w := range tc.want {
				if !bytes.Equal(sp.Outputs[i].PkScript, w.script) || sp.Outputs[i].Value != w.value {
					t.Errorf("output %d: %d to %x, want %d to %x", i, sp.Outputs[i].Value, sp.Outputs[i].PkScript, w.value, w.script)
				}
			}
			for k, v := range tc.wantCarry {
				if sp.Carry[k] != v {
					t.Errorf("carry of %x: %d, want %d", k, sp.Carry[k], v)
				}
			}
			for k, v := range sp.Carry {
				if _, ok := tc.wantCarry[k]; !ok && v != 0 {
					t.Errorf("unexpected carry of %x: %d", k, v)
				}
			}
			for k, v := range before {
				if tc.carry[k] != v {
					t.Error("SplitPPLNS modified its carry argument")
				}
			}
		})
	}
}

// TestSplitPPLNSConserves checks on random windows that the outputs add up
// to the value and no carried balance goes negative.
func TestSplitPPLNSConserves(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 300 {
		var shares []ShareRecord
		for range r.IntN(40) {
			shares = append(shares, ShareRecord{Difficulty: math.Ldexp(r.Float64()+0.01, r.IntN(30)-20), Script: p2pkh(byte(r.IntN(8)))})
		}
		carry := map[string]int64{}
		for range r.IntN(5) {
			carry[string(p2pkh(byte(r.IntN(8))))] = r.Int64N(2000)
		}
		value := r.Int64N(6_000_000_000)
		maxPayees := 1 + r.IntN(6)
		sp := SplitPPLNS(value, shares, carry, r.Int64N(50_000), p2pkh(99), DustLimit, maxPayees)
		if payees := len(sp.Outputs) - 1; payees > maxPayees {
			t.Fatalf("case %d: %d payees, at most %d", i, payees, maxPayees)
		}
		var sum int64
		for _, o := range sp.Outputs {
			sum += o.Value
			if o.Value < 0 {
				t.Fatalf("case %d: negative output", i)
			}
		}
		if sum != value {
			t.Fatalf("case %d: outputs %d, value %d", i, sum, value)
		}
		for k, v := range sp.Carry {
			if v < 0 || (v >= DustLimit && carry[k] < v && v-carry[k] >= DustLimit) {
				// A balance grows only by sub-dust parts or an unaffordable carry.
				if v < 0 {
					t.Fatalf("case %d: negative carry %d", i, v)
				}
			}
		}
	}
}

// TestVardiffConvergence simulates miners of several hash rates on a fake
// clock: the difficulty must settle near one share per 10 s (within the
// dead band and the noise of 30-share windows) and stay within bounds.
func TestVardiffConvergence(t *testing.T) {
	cfg := VardiffConfig{Min: 0.001, Max: 1e6}
	for _, tc := range []struct {
		name     string
		hashrate float64 // hashes per second
		start    float64
	}{
		{"CPU miner from the minimum", 5e6, 0.001},
		{"CPU miner from far above", 5e6, 1000},
		{"ASIC from the minimum", 1e14, 0.001},
		{"slow miner clamped at the minimum", 1e3, 1},
		{"huge miner clamped at the maximum", 1e18, 0.001},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(7, 11))
			now := time.Unix(1_800_000_000, 0)
			v := NewVardiff(cfg, tc.start, now)
			ideal := min(max(tc.hashrate*10/(1<<32), cfg.Min), cfg.Max)
			next := now
			var samples []float64
			for step := 0; step < 20_000; step++ {
				d := v.Difficulty()
				mean := d * (1 << 32) / tc.hashrate // seconds per share
				if next.Equal(now) {
					next = now.Add(time.Duration(-math.Log(1-r.Float64()) * mean * float64(time.Second)))
				}
				tick := now.Add(10 * time.Second) // the server's housekeeping
				if next.Before(tick) {
					now = next
					v.Share(now)
					next = now
					if v.Difficulty() != d { // a new difficulty: new expectations
						next = now
					}
				} else {
					now = tick
					if _, changed := v.Check(now); changed {
						next = now
					}
				}
				if d := v.Difficulty(); d < cfg.Min || d > cfg.Max {
					t.Fatalf("difficulty %v out of bounds", d)
				}
				if step >= 15_000 {
					samples = append(samples, v.Difficulty())
				}
			}
			var logSum float64
			for _, d := range samples {
				logSum += math.Log(d / ideal)
			}
			ratio := math.Exp(logSum / float64(len(samples)))
			if ratio < 1/1.6 || ratio > 1.6 {
				t.Errorf("settled at %.4g × the ideal %.4g", ratio, ideal)
			}
		})
	}
}

// TestVardiffSteps checks single re-evaluations: none before 30 shares or
// 60 s, at most ×4 a step, none within the dead band, quartering when no
// share came.
func TestVardiffSteps(t *testing.T) {
	t0 := time.Unix(1_800_000_000, 0)
	cfg := VardiffConfig{Min: 0.01, Max: 100}
	cases := []struct {
		name    string
		shares  int
		elapsed time.Duration
		want    float64
	}{
		{"29 shares in 10 s: not yet", 29, 10 * time.Second, 1},
		{"7 shares in 60 s: within the dead band", 7, 60 * time.Second, 1},
		{"12 shares in 60 s: doubled", 12, 60 * time.Second, 2},
		{"30 shares in 50 s: ×4 at most", 30, 50 * time.Second, 4},
		{"30 shares in 1 s: ×4 at most", 30, time.Second, 4},
		{"6 shares in 60 s: on target", 6, 60 * time.Second, 1},
		{"3 shares in 60 s: halved", 3, 60 * time.Second, 0.5},
		{"no share in 60 s: quartered", 0, 60 * time.Second, 0.25},
		{"no share in 59 s: not yet", 0, 59 * time.Second, 1},
	}
	for _, tc := range cases {
		v := NewVardiff(cfg, 1, t0)
		for i := 0; i < tc.shares-1; i++ {
			v.Share(t0.Add(tc.elapsed * time.Duration(i) / time.Duration(tc.shares)))
		}
		if tc.shares > 0 {
			v.Share(t0.Add(tc.elapsed))
		} else {
			v.Check(t0.Add(tc.elapsed))
		}
		if got := v.Difficulty(); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("%s: difficulty %v, want %v", tc.name, got, tc.want)
		}
	}
	v := NewVardiff(cfg, 1000, t0)
	if v.Difficulty() != 100 || v.Set(0.0001, t0) != 0.01 {
		t.Error("difficulty not clamped to the bounds")
	}
}

// TestVardiffChangeSendsCleanJob: when a connection's shares come too
// fast, the new difficulty is sent, followed by a clean job of it.
func TestVardiffChangeSendsCleanJob(t *testing.T) {
	cfg := testConfig()
	cfg.Vardiff.RetargetShares = 3
	cfg.Vardiff.ShareInterval = time.Hour
	s := startServer(t, cfg)
	c := ready(t, s, 20)
	first := c.diff
	for i := range 3 {
		sh := c.mine(c.lastJob(), uint32(i), 0, diffTarget(c.diff), true, 0)
		if _, serr := c.submit(sh, false); serr != nil {
			t.Fatal(serr)
		}
	}
	c.waitFor("mining.set_difficulty")
	c.waitFor("mining.notify")
	if c.diff != first*4 || !c.lastJob().Clean {
		t.Errorf("difficulty %v after 3 fast shares at %v; clean %v", c.diff, first, c.lastJob().Clean)
	}
	// Shares of the new job are checked against the new difficulty.
	sh := c.mine(c.lastJob(), 50, 0, ShareTarget(c.diff), false, 0)
	if hashValue(sh.hash).Cmp(ShareTarget(first)) <= 0 {
		if _, serr := c.submit(sh, false); serr == nil || serr.Code != CodeLowDifficulty {
			t.Errorf("share below the new difficulty: %v, want code 23", serr)
		}
	}
}

// TestStorePersists checks the share window, carried balances and blocks
// found across reopening, and a smaller window on reopening.
func TestStorePersists(t *testing.T) {
	dir := t.TempDir()
	st, err := OpenStore(dir, 5)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 8 {
		if err := st.AddShare(ShareRecord{Time: int64(i), Difficulty: float64(i + 1), Script: p2pkh(byte(i)), Worker: "w"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.BlockFound(wire.Hash{1}, map[string]int64{"x": 5, "y": 0}); err != nil {
		t.Fatal(err)
	}
	if err := st.BlockFound(wire.Hash{2}, nil); err != nil { // solo: carry untouched
		t.Fatal(err)
	}
	st.Close()

	st, err = OpenStore(dir, 5)
	if err != nil {
		t.Fatal(err)
	}
	w := st.Window()
	if len(w) != 5 || w[0].Time != 3 || w[4].Time != 7 || w[4].Difficulty != 8 || !bytes.Equal(w[4].Script, p2pkh(7)) {
		t.Fatalf("window after reopening: %+v", w)
	}
	if c := st.Carry(); len(c) != 1 || c["x"] != 5 {
		t.Errorf("carry %v", c)
	}
	if st.BlocksFound() != 2 {
		t.Errorf("blocks found %d", st.BlocksFound())
	}
	if err := st.AddShare(ShareRecord{Time: 8, Difficulty: 1, Script: p2pkh(8)}); err != nil {
		t.Fatal(err)
	}
	st.Close()

	st, err = OpenStore(dir, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if w := st.Window(); len(w) != 2 || w[0].Time != 7 || w[1].Time != 8 {
		t.Fatalf("window of 2 after reopening: %+v", w)
	}
	if _, err := OpenStore(t.TempDir(), 0); err == nil {
		t.Error("window of 0 accepted")
	}
}

// TestPPLNSServerPaysWindow runs the server in PPLNS mode: shares of two
// workers are recorded, a refreshed job's coinbase pays them in proportion
// and the operator its fee, and a block found commits the carried
// balances.
func TestPPLNSServerPaysWindow(t *testing.T) {
	fc := newFakeChain()
	st, err := OpenStore(t.TempDir(), 100)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cfg := testConfig()
	cfg.Chain, cfg.Store = fc, st
	cfg.Payout, cfg.OperatorFeePPM, cfg.OperatorScript = PPLNS, 20_000, p2pkh(9)
	cfg.RefreshInterval = 200 * time.Millisecond
	s := startServer(t, cfg)
	m1, m2 := ready(t, s, 21), ready(t, s, 22)
	for i := range 2 {
		sh := m1.mine(m1.lastJob(), uint32(i), 0, diffTarget(testDiff), true, 0)
		if _, serr := m1.submit(sh, false); serr != nil {
			t.Fatal(serr)
		}
	}
	sh := m2.mine(m2.lastJob(), 0, 0, diffTarget(testDiff), true, 0)
	if _, serr := m2.submit(sh, false); serr != nil {
		t.Fatal(serr)
	}
	// Wait for a refreshed job built after the shares.
	var cb *wire.Tx
	for range 20 {
		m1.waitFor("mining.notify")
		cb = coinbaseOf(t, m1.lastJob(), m1.en1)
		if len(cb.TxOut) == 3 {
			break
		}
	}
	if len(cb.TxOut) != 3 {
		t.Fatalf("PPLNS coinbase outputs %d, want 3", len(cb.TxOut))
	}
	want := SplitPPLNS(cb.TxOut[0].Value+cb.TxOut[1].Value+cb.TxOut[2].Value, st.Window(), nil, 20_000, p2pkh(9), DustLimit, 0)
	for i, o := range want.Outputs {
		if cb.TxOut[i].Value != o.Value || !bytes.Equal(cb.TxOut[i].PkScript, o.PkScript) {
			t.Errorf("output %d: %d to %x, want %d to %x", i, cb.TxOut[i].Value, cb.TxOut[i].PkScript, o.Value, o.PkScript)
		}
	}
	a1, a2 := mustScript(t, testAddress(t, 21)), mustScript(t, testAddress(t, 22))
	v1, v2 := valueTo(cb, a1), valueTo(cb, a2)
	if v1 == 0 || v2 == 0 || v1 < 2*v2-1 || v1 > 2*v2+1 {
		t.Errorf("two shares against one paid %d and %d", v1, v2)
	}
	if op := valueTo(cb, p2pkh(9)); op < (v1+v2+op)*2/100 {
		t.Errorf("operator fee %d of %d", op, v1+v2+op)
	}
	// Both miners get the same outputs.
	for range 20 {
		if len(coinbaseOf(t, m2.lastJob(), m2.en1).TxOut) == 3 {
			break
		}
		m2.waitFor("mining.notify")
	}
	cb2 := coinbaseOf(t, m2.lastJob(), m2.en1)
	for i := range cb2.TxOut {
		if i >= len(cb.TxOut) || cb2.TxOut[i].Value != cb.TxOut[i].Value || !bytes.Equal(cb2.TxOut[i].PkScript, cb.TxOut[i].PkScript) {
			t.Errorf("second miner's coinbase output %d differs", i)
		}
	}
}

func coinbaseOf(t *testing.T, j jobParams, en1 []byte) *wire.Tx {
	t.Helper()
	raw := mustHex(t, j.Coinb1)
	raw = append(append(raw, en1...), 0, 0, 0, 0)
	tx, err := wire.DecodeTx(append(raw, mustHex(t, j.Coinb2)...))
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

func valueTo(tx *wire.Tx, s []byte) int64 {
	for _, o := range tx.TxOut {
		if bytes.Equal(o.PkScript, s) {
			return o.Value
		}
	}
	return 0
}

// TestVardiffCap: the difficulty drops to the network's when above it,
// never below the minimum.
func TestVardiffCap(t *testing.T) {
	t0 := time.Unix(1_800_000_000, 0)
	for _, tc := range []struct{ start, cap, want float64 }{
		{100, 10, 10},
		{5, 10, 5},
		{100, 0.0001, 0.01},
	} {
		v := NewVardiff(VardiffConfig{Min: 0.01, Max: 1000}, tc.start, t0)
		v.Cap(tc.cap)
		if v.Difficulty() != tc.want {
			t.Errorf("start %v cap %v: %v, want %v", tc.start, tc.cap, v.Difficulty(), tc.want)
		}
	}
}

// TestWorkerHashRate checks the estimate from accepted share difficulty:
// 2^32 hashes per unit over the window, since the worker was first seen
// when that is later, and only the shares of the last 10 minutes.
func TestWorkerHashRate(t *testing.T) {
	t0 := time.Unix(1_800_000_000, 0)
	st := newStats(0)
	st.workerSeen("a", "n1", t0)
	// 60 shares of difficulty 2, one every 10 s, over 600 s.
	for i := range 60 {
		st.accepted("a", 2, t0.Add(time.Duration(i+1)*10*time.Second))
	}
	in := st.info(t0.Add(600*time.Second), Solo)
	want := 60 * 2 * float64(1<<32) / 600
	if len(in.Workers) != 1 || math.Abs(in.Workers[0].HashRate-want) > want*1e-9 {
		t.Fatalf("hash rate %+v, want %v", in.Workers, want)
	}
	// 5 minutes later only the shares of the last 10 minutes count.
	in = st.info(t0.Add(900*time.Second), Solo)
	want = 30 * 2 * float64(1<<32) / 600
	if math.Abs(in.Workers[0].HashRate-want) > want*1e-9 {
		t.Errorf("hash rate %v after 5 idle minutes, want %v", in.Workers[0].HashRate, want)
	}
	// A worker of more shares than the ring holds: the span is the ring's.
	st.workerSeen("b", "n2", t0)
	for i := range 1000 {
		st.accepted("b", 1, t0.Add(time.Duration(i+1)*100*time.Millisecond))
	}
	in = st.info(t0.Add(100*time.Second), Solo)
	want = float64(workerSamples-1) * float64(1<<32) / (float64(workerSamples-1) * 0.1)
	if b := in.Workers[1]; b.Name != "b" || math.Abs(b.HashRate-want) > want*1e-6 {
		t.Errorf("hash rate of a busy worker %v, want %v", b.HashRate, want)
	}
	if in.HashRate != in.Workers[0].HashRate+in.Workers[1].HashRate || in.SharesAccepted != 1060 {
		t.Errorf("totals %+v", in)
	}
	// Disconnected and idle for an hour: forgotten.
	st.workersGone([]string{"a", "b"})
	if in := st.info(t0.Add(2*time.Hour), Solo); len(in.Workers) != 0 {
		t.Errorf("idle workers kept: %+v", in.Workers)
	}
}

// TestPPLNSBlockCommitsCarry finds a block in PPLNS mode: the carried
// balances of its coinbase's split are stored with the block count.
func TestPPLNSBlockCommitsCarry(t *testing.T) {
	fc := newFakeChain()
	st, err := OpenStore(t.TempDir(), 100)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// A window where a tiny share's part is below dust.
	st.AddShare(ShareRecord{Time: 1, Difficulty: 1, Script: p2pkh(30)})
	st.AddShare(ShareRecord{Time: 1, Difficulty: 1e-9, Script: p2pkh(31)})
	cfg := testConfig()
	cfg.Chain, cfg.Store = fc, st
	cfg.Payout, cfg.OperatorFeePPM, cfg.OperatorScript = PPLNS, 10_000, p2pkh(9)
	s := startServer(t, cfg)
	c := ready(t, s, 32)
	cb := coinbaseOf(t, c.lastJob(), c.en1)
	var total int64
	for _, o := range cb.TxOut {
		total += o.Value
	}
	want := SplitPPLNS(total, st.Window(), st.Carry(), 10_000, p2pkh(9), DustLimit, 0)
	netT, _, _ := consensus.CompactToBig(testBits)
	sh := c.mine(c.lastJob(), 5, 0, netT, true, 0)
	if _, serr := c.submit(sh, false); serr != nil {
		t.Fatal(serr)
	}
	if len(fc.found()) != 1 || st.BlocksFound() != 1 {
		t.Fatalf("blocks %d, stored count %d", len(fc.found()), st.BlocksFound())
	}
	carry := st.Carry()
	if len(carry) != 1 || carry[string(p2pkh(31))] != want.Carry[string(p2pkh(31))] || carry[string(p2pkh(31))] == 0 {
		t.Errorf("carry after the block %v, want %v", carry, want.Carry)
	}
	// The block leaves the main chain: what it paid is owed again, so the
	// balances are those from before it (none), and the next job's
	// coinbase is split from them.
	fc.disconnect(fc.found()[0].BlockHash())
	if carry := st.Carry(); len(carry) != 0 {
		t.Errorf("carry after the block was disconnected %v, want none", carry)
	}
}

// TestStoreUndoesDisconnectedPayouts pays three PPLNS blocks, reopens the
// store, disconnects the last two (tip first, as a reorganisation does):
// the carried balances go back to what they were after the first block.
// A block the store did not pay, or one disconnected twice, changes
// nothing; the undo records stay bounded.
func TestStoreUndoesDisconnectedPayouts(t *testing.T) {
	dir := t.TempDir()
	st, err := OpenStore(dir, 10)
	if err != nil {
		t.Fatal(err)
	}
	carries := []map[string]int64{{"a": 100}, {"a": 0, "b": 7}, {"b": 9, "c": 300}}
	for i, c := range carries {
		if err := st.BlockFound(wire.Hash{byte(i + 1)}, c); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	if st, err = OpenStore(dir, 10); err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, c := range []struct {
		hash   byte
		undone bool
		want   map[string]int64
	}{
		{3, true, map[string]int64{"b": 7}},
		{3, false, map[string]int64{"b": 7}},
		{9, false, map[string]int64{"b": 7}},
		{2, true, map[string]int64{"a": 100}},
	} {
		undone, err := st.BlockDisconnected(wire.Hash{c.hash})
		if err != nil || undone != c.undone {
			t.Fatalf("disconnect %d: %v %v, want %v", c.hash, undone, err, c.undone)
		}
		if got := st.Carry(); !maps.Equal(got, c.want) {
			t.Fatalf("after disconnecting %d: carry %v, want %v", c.hash, got, c.want)
		}
	}
	for i := range maxUndo + 5 {
		if err := st.BlockFound(wire.Hash{0xee, byte(i)}, map[string]int64{"z": int64(i + 1)}); err != nil {
			t.Fatal(err)
		}
	}
	if len(st.undo) != maxUndo {
		t.Errorf("%d undo records kept, want %d", len(st.undo), maxUndo)
	}
	if undone, _ := st.BlockDisconnected(wire.Hash{0xee, 0}); undone {
		t.Error("an undo record beyond the bound was kept")
	}
}

// FuzzDecodeCarry feeds arbitrary bytes to the undo records' decoder: no
// panic, and never more balances than the bytes can hold.
func FuzzDecodeCarry(f *testing.F) {
	f.Add(encodeCarry(map[string]int64{"a": 1, "bb": -2}))
	f.Add(encodeCarry(nil))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff})
	f.Add([]byte{1, 0, 0, 0, 5, 'a'})
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := decodeCarry(b)
		if err != nil {
			return
		}
		if len(c) > len(b)/9 {
			t.Fatalf("%d balances from %d bytes", len(c), len(b))
		}
	})
}

// TestPendingBlocksSettledAtStart leaves two blocks pending, as a crash
// between handing them to the chain and recording their payout would: the
// one the chain holds on its main chain is counted with its carried
// balances when a server starts on the store, the other is forgotten.
func TestPendingBlocksSettledAtStart(t *testing.T) {
	fc := newFakeChain()
	st, err := OpenStore(t.TempDir(), 10)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	stored := &wire.Block{Header: wire.BlockHeader{Version: 4, Nonce: 1}}
	lost := &wire.Block{Header: wire.BlockHeader{Version: 4, Nonce: 2}}
	if err := st.BlockPending(stored.BlockHash(), map[string]int64{"x": 5}); err != nil {
		t.Fatal(err)
	}
	if err := st.BlockPending(lost.BlockHash(), map[string]int64{"y": 9}); err != nil {
		t.Fatal(err)
	}
	fc.ProcessBlock(stored)
	cfg := testConfig()
	cfg.Chain, cfg.Store = fc, st
	s := startServer(t, cfg)
	if st.BlocksFound() != 1 || !maps.Equal(st.Carry(), map[string]int64{"x": 5}) {
		t.Fatalf("after settling: %d blocks, carry %v; want 1 and x:5", st.BlocksFound(), st.Carry())
	}
	if p, err := st.Pending(); err != nil || len(p) != 0 {
		t.Fatalf("still pending: %v %v", p, err)
	}
	if got := s.Info().BlocksFound; got != 1 {
		t.Errorf("getstratuminfo counts %d blocks, want 1", got)
	}
}
