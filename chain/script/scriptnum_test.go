package script

import (
	"bytes"
	"encoding/hex"
	"testing"
)

func TestScriptNumEncoding(t *testing.T) {
	tests := []struct {
		n    ScriptNum
		want string
	}{
		{0, ""},
		{1, "01"},
		{-1, "81"},
		{16, "10"},
		{127, "7f"},
		{128, "8000"},
		{-128, "8080"},
		{255, "ff00"},
		{256, "0001"},
		{-255, "ff80"},
		{32767, "ff7f"},
		{32768, "008000"},
		{2147483647, "ffffff7f"},
		{-2147483647, "ffffffff"},
		{2147483648, "0000008000"},
		{-2147483648, "0000008080"},
		{4294967295, "ffffffff00"},
		{1 << 39, "000000008000"},
	}
	for _, tc := range tests {
		got := hex.EncodeToString(tc.n.Bytes())
		if got != tc.want {
			t.Errorf("ScriptNum(%d).Bytes() = %s, want %s", tc.n, got, tc.want)
		}
		raw, _ := hex.DecodeString(tc.want)
		back, err := MakeScriptNum(raw, true, 8)
		if err != nil || back != tc.n {
			t.Errorf("MakeScriptNum(%s) = %d, %v; want %d", tc.want, back, err, tc.n)
		}
	}
}

func TestMakeScriptNum(t *testing.T) {
	tests := []struct {
		in      string
		minimal bool
		maxLen  int
		want    ScriptNum
		wantErr bool
	}{
		{"", true, 4, 0, false},
		{"00", false, 4, 0, false},
		{"00", true, 4, 0, true},
		{"80", false, 4, 0, false}, // negative zero
		{"80", true, 4, 0, true},
		{"0100", false, 4, 1, false},
		{"0100", true, 4, 0, true},
		{"ff00", true, 4, 255, false},  // 0x00 needed for the sign
		{"ff80", true, 4, -255, false}, // sign byte needed
		{"7f80", true, 4, 0, true},     // could be ff
		{"ffffff7f", true, 4, 2147483647, false},
		{"ffffffff7f", true, 4, 0, true}, // 5 bytes over the default limit
		{"ffffffff7f", true, 5, 549755813887, false},
		{"0000000080", true, 5, -0, true},
		{"000000000000", false, 5, 0, true},
	}
	for _, tc := range tests {
		b, _ := hex.DecodeString(tc.in)
		got, err := MakeScriptNum(b, tc.minimal, tc.maxLen)
		if (err != nil) != tc.wantErr {
			t.Errorf("MakeScriptNum(%s, %v, %d) error %v, want error %v", tc.in, tc.minimal, tc.maxLen, err, tc.wantErr)
			continue
		}
		if err != nil {
			if GetErrorCode(err) != ErrUnknown {
				t.Errorf("MakeScriptNum(%s): code %v, want UNKNOWN_ERROR as in Core", tc.in, GetErrorCode(err))
			}
			continue
		}
		if got != tc.want {
			t.Errorf("MakeScriptNum(%s) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

func TestScriptNumInt32(t *testing.T) {
	tests := []struct {
		n    ScriptNum
		want int32
	}{
		{0, 0}, {-5, -5}, {1 << 31, 1<<31 - 1}, {-(1 << 31) - 1, -1 << 31}, {1 << 40, 1<<31 - 1},
	}
	for _, tc := range tests {
		if got := tc.n.Int32(); got != tc.want {
			t.Errorf("ScriptNum(%d).Int32() = %d, want %d", tc.n, got, tc.want)
		}
	}
}

func TestAsBool(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"", false}, {"00", false}, {"0000", false}, {"80", false}, {"000080", false},
		{"01", true}, {"8000", true}, {"0080000000", true}, {"81", true}, {"0001", true},
	}
	for _, tc := range tests {
		b, _ := hex.DecodeString(tc.in)
		if got := asBool(b); got != tc.want {
			t.Errorf("asBool(%s) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestCheckMinimalPush(t *testing.T) {
	tests := []struct {
		data []byte
		op   byte
		want bool
	}{
		{nil, OP_0, true},
		{nil, OP_PUSHDATA1, false},
		{[]byte{5}, OP_5, false}, // checked only for push opcodes: 0x01 push of 5 is not minimal
		{[]byte{5}, 1, false},
		{[]byte{0x81}, 1, false},
		{[]byte{0x80}, 1, true},
		{[]byte{0}, 1, true},
		{bytes.Repeat([]byte{1}, 75), 75, true},
		{bytes.Repeat([]byte{1}, 75), OP_PUSHDATA1, false},
		{bytes.Repeat([]byte{1}, 76), OP_PUSHDATA1, true},
		{bytes.Repeat([]byte{1}, 255), OP_PUSHDATA2, false},
		{bytes.Repeat([]byte{1}, 256), OP_PUSHDATA2, true},
		{bytes.Repeat([]byte{1}, 256), OP_PUSHDATA4, false},
	}
	for i, tc := range tests {
		if got := checkMinimalPush(tc.data, tc.op); got != tc.want {
			t.Errorf("case %d: checkMinimalPush(%d bytes, 0x%02x) = %v, want %v", i, len(tc.data), tc.op, got, tc.want)
		}
	}
}
