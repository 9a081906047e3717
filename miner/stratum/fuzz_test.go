package stratum

import (
	"bytes"
	"encoding/json"
	"net"
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

// FuzzSessionLine feeds arbitrary request lines to a subscribed and
// authorized connection's handler (every method's parameter decoding):
// it must never panic, and a malformed line must be answered.
func FuzzSessionLine(f *testing.F) {
	for _, s := range []string{
		`{"id":1,"method":"mining.submit","params":["W","1","00000001","5f5e1000","deadbeef","00002000"]}`,
		`{"id":1,"method":"mining.submit","params":["W","2","zz","5f5e1000","deadbeef"]}`,
		`{"id":2,"method":"mining.configure","params":[["version-rolling","minimum-difficulty","x"],{"version-rolling.mask":"ffffffff","minimum-difficulty.value":1e308}]}`,
		`{"id":2,"method":"mining.configure","params":[["version-rolling"],{"version-rolling.mask":7}]}`,
		`{"id":3,"method":"mining.suggest_difficulty","params":["1e-300"]}`,
		`{"id":3,"method":"mining.suggest_difficulty","params":[-1]}`,
		`{"id":4,"method":"mining.subscribe","params":[null,{"a":1}]}`,
		`{"id":5,"method":"mining.authorize","params":[12,"x"]}`,
		`{"id":6,"method":"mining.extranonce.subscribe"}`,
		`{"id":7,"method":"client.get_version","params":[]}`,
		`{"id":null,"method":"mining.submit","params":[]}`,
		"{\"id\":1e999,\"method\":\"mining.authorize\",\"params\":[\"\\u0000\"]}",
	} {
		f.Add([]byte(s))
	}
	fc := newFakeChain()
	st, err := OpenStore(f.TempDir(), 100)
	if err != nil {
		f.Fatal(err)
	}
	defer st.Close()
	s, err := New(Config{Chain: fc, Store: st, Logger: quiet, Vardiff: VardiffConfig{Min: testDiff, Max: 1}, MaxMalformed: 1 << 30})
	if err != nil {
		f.Fatal(err)
	}
	s.refresh(true)
	f.Fuzz(func(t *testing.T, line []byte) {
		srv, cli := net.Pipe()
		defer cli.Close()
		c := newConn(s, srv)
		defer c.kill()
		c.subscribe(nil)
		defer func() { s.closed(c, c.en1, c.sid, true) }()
		worker := testAddress(t, 1)
		c.authorize([]json.RawMessage{json.RawMessage(`"` + worker + `"`)})
		c.sendJob(s.current(), true)
		c.mu.Lock()
		jobID := c.jobOrder[0]
		c.mu.Unlock()
		line = bytes.ReplaceAll(line, []byte(`"W"`), []byte(`"`+worker+`"`))
		line = bytes.ReplaceAll(line, []byte(`"1","0000`), []byte(`"`+jobID+`","0000`))
		c.handle(line)
		if _, err := ParseRequest(line); err != nil && len(c.out) == 0 {
			t.Fatal("malformed line not answered")
		}
	})
}
