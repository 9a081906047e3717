package blockfile

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/nodecoin/nodecoin/chain/consensus"
)

// FuzzReader feeds arbitrary files to the reader: it must end every input
// with io.EOF or a *FormatError (never a panic), and each record it returns
// must re-encode to the bytes it was read from.
func FuzzReader(f *testing.F) {
	block := consensus.RegTestParams.GenesisBlock.Serialize()
	var good bytes.Buffer
	NewWriter(&good, magic).WriteRaw(block)
	f.Add(good.Bytes())
	f.Add(append(append([]byte(nil), good.Bytes()...), 0, 0, 0))
	f.Add(good.Bytes()[:10])
	f.Add([]byte{0xf7, 0x4e, 0x43, 0x03, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewReader(bytes.NewReader(data), magic)
		var consumed int
		for {
			rec, err := r.Next()
			if err != nil {
				var fe *FormatError
				if err != io.EOF && !errors.As(err, &fe) {
					t.Fatalf("error of unexpected type %T: %v", err, err)
				}
				return
			}
			var buf bytes.Buffer
			NewWriter(&buf, magic).WriteRaw(rec)
			if consumed+buf.Len() > len(data) || !bytes.Contains(data[consumed:], buf.Bytes()) {
				t.Fatal("record not found in the input it was read from")
			}
			consumed += buf.Len()
		}
	})
}
