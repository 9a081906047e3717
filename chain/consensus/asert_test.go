package consensus

import (
	"bufio"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// asertRun is one parsed vector file.
type asertRun struct {
	name       string
	anchor     ASERTParams
	iterations int
	rows       []asertRow
}

type asertRow struct {
	line   int
	height uint64
	time   int64
	bits   uint32
}

func parseASERTRun(t *testing.T, path string) asertRun {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	run := asertRun{name: filepath.Base(path), iterations: -1}
	seen := map[string]bool{}
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		switch {
		case text == "":
			continue
		case strings.HasPrefix(text, "##"):
			key, val, ok := strings.Cut(strings.TrimSpace(strings.TrimPrefix(text, "##")), ":")
			if !ok {
				t.Fatalf("%s:%d: bad header %q", path, line, text)
			}
			val = strings.TrimSpace(val)
			var err error
			switch key {
			case "anchor height":
				run.anchor.AnchorHeight, err = strconv.ParseUint(val, 10, 64)
			case "anchor ancestor time", "anchor parent time":
				run.anchor.AnchorParentTime, err = strconv.ParseInt(val, 10, 64)
				key = "anchor parent time"
			case "anchor nBits":
				var b uint64
				b, err = strconv.ParseUint(val, 0, 32)
				run.anchor.AnchorBits = uint32(b)
			case "iterations":
				run.iterations, err = strconv.Atoi(val)
			}
			if err != nil {
				t.Fatalf("%s:%d: %v", path, line, err)
			}
			seen[key] = true
		case strings.HasPrefix(text, "#"):
			continue
		default:
			fields := strings.Fields(text)
			if len(fields) != 4 {
				t.Fatalf("%s:%d: want 4 fields, got %q", path, line, text)
			}
			h, err1 := strconv.ParseUint(fields[1], 10, 64)
			tm, err2 := strconv.ParseInt(fields[2], 10, 64)
			b, err3 := strconv.ParseUint(fields[3], 0, 32)
			if err1 != nil || err2 != nil || err3 != nil {
				t.Fatalf("%s:%d: bad row %q", path, line, text)
			}
			run.rows = append(run.rows, asertRow{line: line, height: h, time: tm, bits: uint32(b)})
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"anchor height", "anchor parent time", "anchor nBits", "iterations"} {
		if !seen[k] {
			t.Fatalf("%s: header %q missing", path, k)
		}
	}
	return run
}

// TestASERTVectors reproduces every row of the published aserti3-2d test
// vectors with the specification's parameters.
func TestASERTVectors(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "asert", "run*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 12 {
		t.Fatalf("found %d vector files, want 12", len(files))
	}
	limit := powLimitFromBits(0x1d00ffff)
	checked, declared := 0, 0
	for _, path := range files {
		run := parseASERTRun(t, path)
		if len(run.rows) != run.iterations {
			t.Errorf("%s: %d rows, header declares %d", run.name, len(run.rows), run.iterations)
		}
		declared += run.iterations
		p := run.anchor
		p.TargetSpacing = 600
		p.HalfLife = 172800
		p.PowLimit = limit
		failures := 0
		for _, r := range run.rows {
			got := CalcASERTBits(&p, r.height, r.time)
			checked++
			if got != r.bits {
				failures++
				if failures <= 5 {
					t.Errorf("%s:%d: height %d time %d: bits %08x, want %08x", run.name, r.line, r.height, r.time, got, r.bits)
				}
			}
		}
		if failures > 5 {
			t.Errorf("%s: %d rows failed in all", run.name, failures)
		}
	}
	const minRows = 14000
	if checked < minRows || checked < declared {
		t.Fatalf("checked %d rows, want at least %d (declared %d)", checked, minRows, declared)
	}
	t.Logf("checked %d aserti3-2d vector rows in %d files", checked, len(files))
}

// TestASERTFactorFits checks the fixed-point 2^x approximation at the ends
// of its range: exact at 0, just under 2 at the top, monotonic.
func TestASERTFactor(t *testing.T) {
	p := &ASERTParams{TargetSpacing: 1, HalfLife: 65536, AnchorBits: 0x1d00ffff, PowLimit: nil}
	anchor, _, _ := CompactToBig(p.AnchorBits)
	prev := new(big.Int)
	// With half-life 65536 s, spacing 1 and anchor parent time 0, a block at
	// height 0 with time f+1 has exponent exactly f.
	for _, f := range []int64{0, 1, 2, 100, 32768, 65534, 65535, 65536} {
		got := CalcASERTTarget(p, 0, f+1)
		if got.Cmp(prev) < 0 {
			t.Errorf("frac %d: target decreased", f)
		}
		prev = got
		switch f {
		case 0:
			if got.Cmp(anchor) != 0 {
				t.Errorf("exponent 0: target %x, want anchor %x", got, anchor)
			}
		case 65536:
			if want := new(big.Int).Lsh(anchor, 1); got.Cmp(want) != 0 {
				t.Errorf("exponent 1.0: target %x, want %x", got, want)
			}
		case 65535:
			if two := new(big.Int).Lsh(anchor, 1); got.Cmp(two) >= 0 {
				t.Errorf("exponent just under 1.0: target %x not below 2x", got)
			}
		}
	}
}

// TestASERTExtremes checks that no input makes the calculation misbehave:
// far-off schedules clamp, and degenerate parameters do not panic.
func TestASERTExtremes(t *testing.T) {
	limit := powLimitFromBits(0x1d00ffff)
	base := ASERTParams{TargetSpacing: 600, HalfLife: 172800, PowLimit: limit, AnchorHeight: 1, AnchorBits: 0x1802aee8}
	tests := []struct {
		name   string
		mod    func(p *ASERTParams)
		height uint64
		time   int64
		want   uint32
	}{
		{"far behind schedule", nil, 2, 1 << 62, 0x1d00ffff},
		{"far ahead of schedule", nil, 1 << 62, 0, 0x01010000},
		{"min time", nil, 2, -1 << 63, 0x01010000},
		{"max time", nil, 2, 1<<63 - 1, 0x1d00ffff},
		{"zero half-life", func(p *ASERTParams) { p.HalfLife = 0 }, 5, 12345, 0x1802aee8},
		{"zero anchor", func(p *ASERTParams) { p.AnchorBits = 0 }, 5, 12345, 0x01010000},
		{"zero anchor, far behind", func(p *ASERTParams) { p.AnchorBits = 0 }, 2, 1 << 62, 0x01010000},
		{"nil limit, far behind", func(p *ASERTParams) { p.PowLimit = nil }, 2, 1 << 62, 0x2100ffff},
		{"one doubling", func(p *ASERTParams) { p.AnchorHeight = 0 }, 0, 600 + 172800, 0x18055dd0},
		{"one halving", func(p *ASERTParams) { p.AnchorHeight = 0 }, 0, 600 - 172800, 0x18015774},
	}
	for _, tc := range tests {
		p := base
		if tc.mod != nil {
			tc.mod(&p)
		}
		if got := CalcASERTBits(&p, tc.height, tc.time); got != tc.want {
			t.Errorf("%s: bits %08x, want %08x", tc.name, got, tc.want)
		}
	}
}

// TestASERTHeightDifference checks that only the height difference
// matters, also when the subtraction wraps around 2^64.
func TestASERTHeightDifference(t *testing.T) {
	mk := func(anchor uint64) *ASERTParams {
		return &ASERTParams{TargetSpacing: 600, HalfLife: 172800, PowLimit: powLimitFromBits(0x1d00ffff),
			AnchorHeight: anchor, AnchorParentTime: 1000, AnchorBits: 0x1802aee8}
	}
	tests := []struct {
		anchorA, heightA, anchorB, heightB uint64
	}{
		{10, 7, 1, 1<<64 - 2},          // difference -3, wrapping in B
		{0, 5, 1<<64 - 5, 0},           // difference 5, wrapping in B
		{1 << 63, 1<<63 + 9, 100, 109}, // difference 9 across 2^63
		{1<<64 - 1, 1<<64 - 1, 42, 42}, // difference 0
	}
	for _, tc := range tests {
		for _, tm := range []int64{-5000, 0, 1600, 99999} {
			a := CalcASERTBits(mk(tc.anchorA), tc.heightA, tm)
			b := CalcASERTBits(mk(tc.anchorB), tc.heightB, tm)
			if a != b {
				t.Errorf("anchor %d height %d: %08x; anchor %d height %d: %08x (time %d)",
					tc.anchorA, tc.heightA, a, tc.anchorB, tc.heightB, b, tm)
			}
		}
	}
}

// targetNear reports whether got is within 0.1% of want.
func targetNear(got, want *big.Int) bool {
	diff := new(big.Int).Sub(got, want)
	diff.Abs(diff).Mul(diff, big.NewInt(1000))
	return diff.Cmp(want) <= 0
}

func bitsTarget(bits uint32) *big.Int {
	t, _, _ := CompactToBig(bits)
	return t
}

// TestNextRequiredBits exercises nodecoin's own use of ASERT: 60 s blocks,
// a 7,200 s half-life, anchored at genesis.
func TestNextRequiredBits(t *testing.T) {
	for _, p := range []*Params{MainNetParams, TestNetParams} {
		limit := p.PowLimit
		g := int64(GenesisTime)
		if got := NextRequiredBits(p, 0, g); got != p.PowLimitBits {
			t.Errorf("%s: block 1 bits %08x, want the limit %08x", p.Name, got, p.PowLimitBits)
		}

		// Steady 60 s blocks from genesis keep the limit.
		for h := int64(0); h <= 20000; h += 997 {
			if got := NextRequiredBits(p, h, g+60*h); got != p.PowLimitBits {
				t.Fatalf("%s: steady blocks, height %d: bits %08x, want %08x", p.Name, h+1, got, p.PowLimitBits)
			}
		}
		// Slow blocks cannot raise the target above the limit.
		if got := NextRequiredBits(p, 1000, g+600*1000); got != p.PowLimitBits {
			t.Errorf("%s: slow blocks: bits %08x, want the limit", p.Name, got)
		}

		// 30 s blocks for 480 blocks run 14,400 s (two half-lives) ahead of
		// schedule: a quarter of the limit.
		h := int64(480)
		tm := g + 30*h
		quarter := new(big.Int).Rsh(limit, 2)
		if got := bitsTarget(NextRequiredBits(p, h, tm)); !targetNear(got, quarter) {
			t.Fatalf("%s: after fast blocks target %x, want about %x", p.Name, got, quarter)
		}
		// Faster blocks shrink the target block by block.
		prev := bitsTarget(NextRequiredBits(p, 1, g+30))
		for hh := int64(2); hh <= 480; hh++ {
			cur := bitsTarget(NextRequiredBits(p, hh, g+30*hh))
			if cur.Cmp(prev) >= 0 {
				t.Fatalf("%s: height %d: 30 s block did not lower the target", p.Name, hh)
			}
			prev = cur
		}

		// Steady 60 s blocks from there keep the target exactly.
		want := NextRequiredBits(p, h, tm)
		for i := int64(1); i <= 1000; i++ {
			if got := NextRequiredBits(p, h+i, tm+60*i); got != want {
				t.Fatalf("%s: steady after fast, +%d blocks: bits %08x, want %08x", p.Name, i, got, want)
			}
		}

		// Blocks twice as slow (120 s) for 120 blocks fall a half-life
		// (7,200 s) behind the schedule: the target doubles.
		h2, tm2 := h+120, tm+120*120
		half := new(big.Int).Rsh(limit, 1)
		if got := bitsTarget(NextRequiredBits(p, h2, tm2)); !targetNear(got, half) {
			t.Errorf("%s: after a half-life of slow blocks target %x, want about %x", p.Name, got, half)
		}
		// Another 240 such blocks would quadruple it again, but it is capped
		// at the limit.
		if got := NextRequiredBits(p, h2+240, tm2+240*120); got != p.PowLimitBits {
			t.Errorf("%s: capped: bits %08x, want the limit %08x", p.Name, got, p.PowLimitBits)
		}
	}

	// Regtest never retargets.
	for _, tc := range []struct{ h, tm int64 }{{0, GenesisTime}, {100, GenesisTime + 1}, {5000, GenesisTime + 10_000_000}} {
		if got := NextRequiredBits(RegTestParams, tc.h, tc.tm); got != RegTestPowLimitBits {
			t.Errorf("regtest height %d: bits %08x, want %08x", tc.h, got, RegTestPowLimitBits)
		}
	}
}

// TestASERTDoublingBelowLimit checks the half-life directly with nodecoin's
// spacing and half-life and an anchor below the limit.
func TestASERTDoublingBelowLimit(t *testing.T) {
	p := &ASERTParams{TargetSpacing: 60, HalfLife: 7200, PowLimit: MainNetParams.PowLimit,
		AnchorHeight: 0, AnchorParentTime: 0, AnchorBits: 0x1c0ffff0}
	anchor := bitsTarget(p.AnchorBits)
	tests := []struct {
		name        string
		height      uint64
		time        int64
		num, den    int64 // expected target = anchor*num/den
		approximate bool
	}{
		{"on schedule", 100, 60 * 101, 1, 1, false},
		{"one half-life behind (120 s blocks)", 120, 60*121 + 7200, 2, 1, false},
		{"two half-lives behind", 240, 60*241 + 14400, 4, 1, false},
		{"one half-life ahead", 240, 60*241 - 7200, 1, 2, false},
		{"half a half-life behind", 60, 60*61 + 3600, 14142, 10000, true},
	}
	for _, tc := range tests {
		got := CalcASERTTarget(p, tc.height, tc.time)
		want := new(big.Int).Mul(anchor, big.NewInt(tc.num))
		want.Quo(want, big.NewInt(tc.den))
		if tc.approximate {
			if !targetNear(got, want) {
				t.Errorf("%s: target %x, want about %x", tc.name, got, want)
			}
		} else if got.Cmp(want) != 0 {
			t.Errorf("%s: target %x, want %x", tc.name, got, want)
		}
	}
}

func BenchmarkASERT(b *testing.B) {
	p := MainNetParams
	h, tm := int64(123456), int64(GenesisTime+123456*59)
	for b.Loop() {
		NextRequiredBits(p, h, tm)
	}
}
