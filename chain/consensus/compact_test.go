package consensus

import (
	"math/big"
	"testing"

	"github.com/nodecoin/nodecoin/chain/wire"
)

func hexBig(t *testing.T, s string) *big.Int {
	t.Helper()
	n, ok := new(big.Int).SetString(s, 16)
	if !ok {
		t.Fatalf("bad hex %q", s)
	}
	return n
}

// TestCompactToBig covers the compact cases of Bitcoin Core's
// arith_uint256 tests, plus the overflow boundaries.
func TestCompactToBig(t *testing.T) {
	tests := []struct {
		bits          uint32
		target        string // hex
		negative      bool
		overflow      bool
		compact       uint32 // BigToCompact of the (signed) target
		compactSigned bool   // re-encode with the sign
	}{
		{0x00000000, "0", false, false, 0, false},
		{0x00123456, "0", false, false, 0, false},
		{0x01003456, "0", false, false, 0, false},
		{0x02000056, "0", false, false, 0, false},
		{0x03000000, "0", false, false, 0, false},
		{0x04000000, "0", false, false, 0, false},
		{0x00923456, "0", false, false, 0, false},
		{0x01803456, "0", false, false, 0, false},
		{0x02800056, "0", false, false, 0, false},
		{0x03800000, "0", false, false, 0, false},
		{0x04800000, "0", false, false, 0, false},
		{0x01123456, "12", false, false, 0x01120000, false},
		{0x01fedcba, "7e", true, false, 0x01fe0000, true},
		{0x02123456, "1234", false, false, 0x02123400, false},
		{0x03123456, "123456", false, false, 0x03123456, false},
		{0x04123456, "12345600", false, false, 0x04123456, false},
		{0x04923456, "12345600", true, false, 0x04923456, true},
		{0x05009234, "92340000", false, false, 0x05009234, false},
		{0x20123456, "1234560000000000000000000000000000000000000000000000000000000000", false, false, 0x20123456, false},
		{0x1d00ffff, "ffff0000000000000000000000000000000000000000000000000000", false, false, 0x1d00ffff, false},
		{0x1e00ffff, "ffff000000000000000000000000000000000000000000000000000000", false, false, 0x1e00ffff, false},
		{0x207fffff, "7fffff0000000000000000000000000000000000000000000000000000000000", false, false, 0x207fffff, false},
		{0x2100ffff, "ffff" + zeros(60), false, false, 0x2100ffff, false},
		{0x22000001, "1" + zeros(62), false, false, 0x20010000, false},
		{0x21010000, "0", false, true, 0, false},
		{0x220000ff, "ff" + zeros(62), false, false, 0x2100ff00, false},
		{0x22000100, "0", false, true, 0, false},
		{0x23000001, "0", false, true, 0, false},
		{0xff123456, "0", false, true, 0, false},
	}
	for _, tc := range tests {
		got, neg, ovf := CompactToBig(tc.bits)
		if neg != tc.negative || ovf != tc.overflow {
			t.Errorf("CompactToBig(%08x): negative %v overflow %v, want %v %v", tc.bits, neg, ovf, tc.negative, tc.overflow)
		}
		if tc.overflow {
			continue // the value of an overflowed target is meaningless
		}
		if want := hexBig(t, tc.target); got.Cmp(want) != 0 {
			t.Errorf("CompactToBig(%08x) = %x, want %x", tc.bits, got, want)
		}
		n := new(big.Int).Set(got)
		if tc.compactSigned {
			n.Neg(n)
		}
		if c := BigToCompact(n); c != tc.compact {
			t.Errorf("BigToCompact(%x) = %08x, want %08x", n, c, tc.compact)
		}
	}
}

func zeros(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = '0'
	}
	return string(b)
}

func TestBigToCompact(t *testing.T) {
	tests := []struct {
		hex  string
		neg  bool
		want uint32
	}{
		{"0", false, 0},
		{"80", false, 0x02008000}, // Core: SetHex("80").GetCompact()
		{"7f", false, 0x017f0000},
		{"ff", false, 0x0200ff00},
		{"ffff", false, 0x0300ffff},
		{"800000", false, 0x04008000},
		{"7fffff", false, 0x037fffff},
		{"12345678", false, 0x04123456}, // truncated to three bytes
		{"80", true, 0x02808000},
		{"1", true, 0x01810000},
	}
	for _, tc := range tests {
		n := hexBig(t, tc.hex)
		if tc.neg {
			n.Neg(n)
		}
		if got := BigToCompact(n); got != tc.want {
			t.Errorf("BigToCompact(%s%s) = %08x, want %08x", map[bool]string{true: "-"}[tc.neg], tc.hex, got, tc.want)
		}
	}
	// 2^256 does not fit in 256 bits; like arith_uint256 it truncates to 0.
	if got := BigToCompact(oneLsh256); got != 0 {
		t.Errorf("BigToCompact(2^256) = %08x, want 0", got)
	}
	if got := BigToCompact(nil); got != 0 {
		t.Errorf("BigToCompact(nil) = %08x, want 0", got)
	}
	// Round trip of every normalised mantissa width at every size.
	for size := uint32(1); size <= 32; size++ {
		for _, m := range []uint32{0x010000, 0x012345, 0x7fffff, 0x000080, 0x00ffff} {
			bits := size<<24 | m
			tgt, neg, ovf := CompactToBig(bits)
			if neg || ovf || tgt.Sign() == 0 {
				continue
			}
			again, _, _ := CompactToBig(BigToCompact(tgt))
			if again.Cmp(tgt) != 0 {
				t.Errorf("round trip of %08x: %x became %x", bits, tgt, again)
			}
		}
	}
}

func TestHashToBig(t *testing.T) {
	h, err := wire.NewHashFromStr("000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f")
	if err != nil {
		t.Fatal(err)
	}
	want := hexBig(t, "19d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f")
	if got := HashToBig(h); got.Cmp(want) != 0 {
		t.Errorf("HashToBig = %x, want %x", got, want)
	}
	if back := BigToHash(want); back != h {
		t.Errorf("BigToHash = %s, want %s", back, h)
	}
}

func TestCalcWork(t *testing.T) {
	tests := []struct {
		bits uint32
		want string // hex
	}{
		{0x1d00ffff, "100010001"}, // Bitcoin's genesis chain work
		{0x207fffff, "2"},         // regtest
		{0x1e00ffff, "1000100"},   // 2^256 / (0xffff·2^216 + 1)
		{0x00000000, "0"},         // zero target
		{0x04923456, "0"},         // negative
		{0xff123456, "0"},         // overflow
		{0x01010000, "8000000000000000000000000000000000000000000000000000000000000000"},
	}
	for _, tc := range tests {
		if got := CalcWork(tc.bits); got.Cmp(hexBig(t, tc.want)) != 0 {
			t.Errorf("CalcWork(%08x) = %x, want %s", tc.bits, got, tc.want)
		}
	}
}

func TestCheckProofOfWork(t *testing.T) {
	limit := powLimitFromBits(0x1d00ffff)
	genesis, _ := wire.NewHashFromStr("000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f")
	target, _, _ := CompactToBig(0x1d00ffff)
	atTarget := BigToHash(target)
	aboveTarget := BigToHash(new(big.Int).Add(target, big.NewInt(1)))
	tests := []struct {
		name  string
		hash  wire.Hash
		bits  uint32
		limit *big.Int
		kind  ErrorKind // 0: valid
	}{
		{"bitcoin genesis", genesis, 0x1d00ffff, limit, 0},
		{"hash equal to target", atTarget, 0x1d00ffff, limit, 0},
		{"hash one above target", aboveTarget, 0x1d00ffff, limit, ErrHighHash},
		{"harder bits", genesis, 0x1b0404cb, limit, ErrHighHash},
		{"target above limit", genesis, 0x1d01ffff, limit, ErrBadTarget},
		{"no limit", genesis, 0x1d01ffff, nil, 0},
		{"negative target", genesis, 0x1d80ffff, limit, ErrBadTarget},
		{"zero target", genesis, 0x1d000000, limit, ErrBadTarget},
		{"overflowed target", genesis, 0xff00ffff, nil, ErrBadTarget},
	}
	for _, tc := range tests {
		err := CheckProofOfWork(tc.hash, tc.bits, tc.limit)
		kind, ok := IsRuleError(err)
		switch {
		case tc.kind == 0 && err != nil:
			t.Errorf("%s: unexpected error %v", tc.name, err)
		case tc.kind != 0 && (!ok || kind != tc.kind):
			t.Errorf("%s: got %v, want kind %v", tc.name, err, tc.kind)
		case tc.kind != 0 && err.(*RuleError).Reason != "high-hash":
			t.Errorf("%s: reason %q, want high-hash", tc.name, err.(*RuleError).Reason)
		}
	}
}

func TestSolveHeader(t *testing.T) {
	h := wire.BlockHeader{Version: 4, Timestamp: GenesisTime, Bits: 0x207fffff, Nonce: 12345}
	if !SolveHeader(&h, RegTestParams.PowLimit) {
		t.Fatal("SolveHeader failed on regtest bits")
	}
	if err := CheckProofOfWork(h.BlockHash(), h.Bits, RegTestParams.PowLimit); err != nil {
		t.Fatalf("solved header fails proof of work: %v", err)
	}
	// The nonce is the first that works: every smaller one fails.
	for n := uint32(0); n < h.Nonce; n++ {
		c := h
		c.Nonce = n
		if CheckProofOfWork(c.BlockHash(), c.Bits, nil) == nil {
			t.Fatalf("nonce %d also works, SolveHeader chose %d", n, h.Nonce)
		}
	}
	for _, bits := range []uint32{0x207fffff, 0x1d80ffff, 0x1d000000} {
		bad := wire.BlockHeader{Bits: bits, Nonce: 77}
		limit := MainNetParams.PowLimit
		if SolveHeader(&bad, limit) {
			t.Errorf("SolveHeader accepted bits %08x under the main limit", bits)
		}
		if bad.Nonce != 77 {
			t.Errorf("SolveHeader changed the nonce on failure")
		}
	}
	if SolveHeader(nil, nil) {
		t.Error("SolveHeader(nil) = true")
	}
}

func TestHashAtMost(t *testing.T) {
	var h, tgt [32]byte
	if !hashAtMost(&h, &tgt) {
		t.Error("zero <= zero failed")
	}
	h[0] = 1 // least significant byte of the hash
	if hashAtMost(&h, &tgt) {
		t.Error("1 <= 0")
	}
	tgt[31] = 1 // least significant byte of the big-endian target
	if !hashAtMost(&h, &tgt) {
		t.Error("1 <= 1 failed")
	}
	h[31] = 1 // most significant byte of the hash
	tgt[0] = 0
	if hashAtMost(&h, &tgt) {
		t.Error("2^248+1 <= 1")
	}
}
