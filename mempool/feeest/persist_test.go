package feeest

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"math"
	"strings"
	"testing"
)

// saved returns e's file.
func saved(t testing.TB, e *Estimator) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := e.Save(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// estimate is one EstimateSmartFee answer.
type estimate struct {
	rate   int64
	blocks int
	err    string
}

// allEstimates returns e's answers for every target in both modes.
func allEstimates(e *Estimator) []estimate {
	var out []estimate
	for target := 1; target <= MaxTarget; target++ {
		for _, conservative := range []bool{false, true} {
			rate, blocks, err := e.EstimateSmartFee(target, conservative)
			est := estimate{rate: rate, blocks: blocks}
			if err != nil {
				est.err = err.Error()
			}
			out = append(out, est)
		}
	}
	return out
}

// drainedMarket is twoSpeedMarket with every transaction confirmed, so that
// the whole state is in the counts Save writes.
func drainedMarket() *market {
	m := twoSpeedMarket()
	m.drain()
	return m
}

func TestSaveLoadRoundTrip(t *testing.T) {
	cases := []struct {
		name string
		m    *market
	}{
		{"empty", nil},
		{"two-speed market", drainedMarket()},
	}
	for _, c := range cases {
		e := New()
		if c.m != nil {
			e = c.m.e
		}
		file := saved(t, e)
		if len(file) != fileSize {
			t.Fatalf("%s: file of %d bytes, want %d", c.name, len(file), fileSize)
		}
		loaded := New()
		newMarket(loaded).run(5, flow{3000, 1, 50}) // replaced by Load
		if err := loaded.Load(bytes.NewReader(file)); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if len(loaded.txs) != 0 || loaded.best != e.best {
			t.Fatalf("%s: loaded %d tracked, best %d (want %d)", c.name, len(loaded.txs), loaded.best, e.best)
		}
		want, got := allEstimates(e), allEstimates(loaded)
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%s: estimate %d: %+v after load, %+v before", c.name, i, got[i], want[i])
			}
		}
		if !bytes.Equal(saved(t, loaded), file) {
			t.Fatalf("%s: saving the loaded estimator gives another file", c.name)
		}
		if c.m == nil {
			continue
		}
		if want[0].err != "" {
			t.Fatalf("%s: no estimate to compare: %s", c.name, want[0].err)
		}
		// Both go on identically: the height came back with the counts.
		c.m.run(30, flow{highRate, 2, 5})
		c.m.e = loaded
		c.m.height -= 30
		c.m.run(30, flow{highRate, 2, 5})
		if !bytes.Equal(saved(t, loaded), saved(t, e)) {
			t.Fatalf("%s: the loaded estimator diverges", c.name)
		}
	}
}

// resum replaces a file's checksum with the right one.
func resum(b []byte) []byte {
	sum := sha256.Sum256(b[:len(b)-sha256.Size])
	copy(b[len(b)-sha256.Size:], sum[:])
	return b
}

// setCount writes v as the first count of the file.
func setCount(b []byte, v float64) []byte {
	binary.LittleEndian.PutUint64(b[headerSize:], math.Float64bits(v))
	return resum(b)
}

// corruptions are damaged files and the error each must give.
var corruptions = []struct {
	name    string
	damage  func([]byte) []byte
	wantErr string
}{
	{"empty", func([]byte) []byte { return nil }, "truncated file: 0 bytes"},
	{"text", func([]byte) []byte { return []byte("# fee estimates, version 1\n") }, "bad magic"},
	{"short garbage", func([]byte) []byte { return []byte{0xff, 0} }, "bad magic"},
	{"magic only", func(b []byte) []byte { return b[:len(fileMagic)] }, "truncated file"},
	{"cut in header", func(b []byte) []byte { return b[:headerSize-1] }, "truncated file"},
	{"cut after header", func(b []byte) []byte { return b[:headerSize] }, "truncated file"},
	{"cut by half", func(b []byte) []byte { return b[:len(b)/2] }, "truncated file"},
	{"last byte missing", func(b []byte) []byte { return b[:len(b)-1] }, "truncated file"},
	{"trailing byte", func(b []byte) []byte { return append(b, 0) }, "trailing data"},
	{"version 2", func(b []byte) []byte { binary.LittleEndian.PutUint32(b[8:], 2); return resum(b) }, "unsupported file version 2"},
	{"other bucket layout", func(b []byte) []byte { binary.LittleEndian.PutUint32(b[12:], 189); return resum(b) }, "layout is 189 buckets"},
	{"flipped count bit", func(b []byte) []byte { b[headerSize+8*100+3] ^= 0x10; return b }, "checksum mismatch"},
	{"flipped height bit", func(b []byte) []byte { b[20] ^= 1; return b }, "checksum mismatch"},
	{"flipped checksum bit", func(b []byte) []byte { b[len(b)-1] ^= 0x80; return b }, "checksum mismatch"},
	{"negative count", func(b []byte) []byte { return setCount(b, -1) }, "invalid count -1"},
	{"NaN count", func(b []byte) []byte { return setCount(b, math.NaN()) }, "invalid count NaN"},
	{"infinite count", func(b []byte) []byte { return setCount(b, math.Inf(1)) }, "invalid count +Inf"},
	{"huge count", func(b []byte) []byte { return setCount(b, 1e300) }, "invalid count"},
	{"bad height", func(b []byte) []byte { binary.LittleEndian.PutUint32(b[20:], 0xfffffff0); return resum(b) }, "invalid last block height -16"},
}

// assertEmpty fails unless e is as New returns it.
func assertEmpty(t *testing.T, name string, e *Estimator) {
	t.Helper()
	if len(e.txs) != 0 || e.best != -1 || !bytes.Equal(saved(t, e), saved(t, New())) {
		t.Errorf("%s: estimator not empty after a failed load", name)
	}
	if _, _, err := e.EstimateSmartFee(10, false); !errors.Is(err, ErrInsufficientData) {
		t.Errorf("%s: estimate after a failed load: %v", name, err)
	}
}

func TestLoadRejectsCorruptFiles(t *testing.T) {
	good := saved(t, drainedMarket().e)
	for _, c := range corruptions {
		m := twoSpeedMarket() // a populated estimator with tracked transactions
		err := m.e.Load(bytes.NewReader(c.damage(bytes.Clone(good))))
		if err == nil || !strings.Contains(err.Error(), c.wantErr) || !strings.HasPrefix(err.Error(), "feeest: load: ") {
			t.Errorf("%s: got error %v, want one containing %q", c.name, err, c.wantErr)
		}
		assertEmpty(t, c.name, m.e)
	}
}

type failingIO struct{}

var errIO = errors.New("disk on fire")

func (failingIO) Read([]byte) (int, error)  { return 0, errIO }
func (failingIO) Write([]byte) (int, error) { return 0, errIO }

func TestIOErrors(t *testing.T) {
	e := twoSpeedMarket().e
	if err := e.Save(failingIO{}); !errors.Is(err, errIO) {
		t.Errorf("Save: %v, want the writer's error", err)
	}
	if err := e.Load(failingIO{}); !errors.Is(err, errIO) {
		t.Errorf("Load: %v, want the reader's error", err)
	}
	assertEmpty(t, "read error", e)
}
