package blockfile

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"testing"

	"github.com/nodecoin/nodecoin/chain/consensus"
)

var magic = [4]byte{0xf7, 0x4e, 0x43, 0x03}

func record(t *testing.T, block []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := NewWriter(&buf, magic).WriteRaw(block); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// readAll reads records until an error, returning them and the error.
func readAll(data []byte) ([][]byte, error) {
	r := NewReader(bytes.NewReader(data), magic)
	var out [][]byte
	for {
		b, err := r.Next()
		if err != nil {
			return out, err
		}
		out = append(out, b)
	}
}

func TestReaderRoundTrip(t *testing.T) {
	genesis := consensus.RegTestParams.GenesisBlock
	var buf bytes.Buffer
	w := NewWriter(&buf, magic)
	for range 3 {
		if err := w.WriteBlock(genesis); err != nil {
			t.Fatal(err)
		}
	}
	raw := genesis.Serialize()
	if !bytes.Equal(buf.Bytes()[:4], magic[:]) || binary.LittleEndian.Uint32(buf.Bytes()[4:8]) != uint32(len(raw)) {
		t.Fatalf("record header %x", buf.Bytes()[:8])
	}
	recs, err := readAll(buf.Bytes())
	if err != io.EOF || len(recs) != 3 {
		t.Fatalf("%d records, %v", len(recs), err)
	}
	for _, r := range recs {
		if !bytes.Equal(r, raw) {
			t.Fatal("record differs from the block written")
		}
	}
}

func TestReaderErrors(t *testing.T) {
	block := consensus.RegTestParams.GenesisBlock.Serialize()
	good := record(t, block)
	badMagic := append([]byte(nil), good...)
	badMagic[0] = 0xf9
	tooBig := append([]byte(nil), good[:8]...)
	binary.LittleEndian.PutUint32(tooBig[4:], consensus.MaxBlockSize+1)
	tooSmall := record(t, block[:80])
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	tests := []struct {
		name    string
		data    []byte
		records int
		err     error
		offset  int64
	}{
		{"empty", nil, 0, io.EOF, 0},
		{"zero padding", cat(good, make([]byte, 100000)), 1, io.EOF, 0},
		{"short zero padding", cat(good, make([]byte, 3)), 1, io.EOF, 0},
		{"zeros then data", cat(good, make([]byte, 16), []byte{1}), 1, ErrBadMagic, int64(len(good))},
		{"truncated header", cat(good, good[:6]), 1, ErrTruncated, int64(len(good))},
		{"truncated block", cat(good, good[:len(good)-1]), 1, ErrTruncated, int64(len(good))},
		{"header only", cat(good, good[:8]), 1, ErrTruncated, int64(len(good))},
		{"wrong magic", cat(good, badMagic, good), 1, ErrBadMagic, int64(len(good))},
		{"too big", cat(good, tooBig), 1, ErrRecordSize, int64(len(good))},
		{"too small", cat(good, tooSmall), 1, ErrRecordSize, int64(len(good))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			recs, err := readAll(tc.data)
			if len(recs) != tc.records || !errors.Is(err, tc.err) {
				t.Fatalf("%d records, err %v; want %d, %v", len(recs), err, tc.records, tc.err)
			}
			var fe *FormatError
			if errors.As(err, &fe) && fe.Offset != tc.offset {
				t.Fatalf("offset %d, want %d (%v)", fe.Offset, tc.offset, err)
			}
		})
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, os.ErrPermission }

func TestReaderPassesReadErrors(t *testing.T) {
	_, err := NewReader(failingReader{}, magic).Next()
	var fe *FormatError
	if !errors.Is(err, os.ErrPermission) || errors.As(err, &fe) {
		t.Fatalf("err %v", err)
	}
}
