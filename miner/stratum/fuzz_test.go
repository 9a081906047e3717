package stratum

import (
	"bytes"
	"testing"
)

// FuzzParseRequest feeds arbitrary lines to the request parser: it must
// never panic, and what it accepts has at most 16 parameters and an id
// that is a number, a string or null.
func FuzzParseRequest(f *testing.F) {
	for _, s := range []string{
		`{"id":1,"method":"mining.subscribe","params":["cpuminer/2.5"]}`,
		`{"id":"a","method":"mining.submit","params":["n1.w","1f","00000001","5f5e1000","deadbeef","00002000"]}`,
		`{"id":null,"method":"mining.extranonce.subscribe","params":null}`,
		`{"method":"mining.configure","params":[["version-rolling"],{"version-rolling.mask":"ffffffff"}]}`,
		`{"id":2,"method":"x","params":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17]}`,
		`{"id":[1],"method":"x"}`, `{"id":1,"method":7}`, `{"id":1,"method":"x","params":{}}`,
		`{"id":1,"method":"x"} {"id":2}`, `[]`, `null`, ``, `{`, "\xff\xfe",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		req, err := ParseRequest(line)
		if err != nil {
			return
		}
		if len(req.Params) > maxParams {
			t.Fatalf("%d params accepted", len(req.Params))
		}
		if len(req.ID) == 0 {
			t.Fatal("empty id")
		}
		switch req.ID[0] {
		case '"', 'n', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		default:
			t.Fatalf("id %s accepted", req.ID)
		}
	})
}

// FuzzDecodeShareRecord feeds arbitrary bytes to the share record decoder:
// it must never panic, and what it accepts encodes back to the same bytes.
func FuzzDecodeShareRecord(f *testing.F) {
	good, _ := (&ShareRecord{Time: 1_800_000_000, Difficulty: 0.125, Script: p2pkh(1), Worker: "n1.rig"}).Encode()
	empty, _ := (&ShareRecord{Difficulty: 1}).Encode()
	f.Add(good)
	f.Add(empty)
	f.Add(good[:len(good)-1])
	f.Add(append(append([]byte(nil), good...), 0))
	f.Add([]byte{1})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := DecodeShareRecord(b)
		if err != nil {
			return
		}
		again, err := r.Encode()
		if err != nil {
			t.Fatalf("decoded record does not encode: %v", err)
		}
		if !bytes.Equal(again, b) {
			t.Fatalf("round trip %x → %x", b, again)
		}
	})
}
