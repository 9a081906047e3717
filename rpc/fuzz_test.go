package rpc

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
)

// FuzzHandle feeds arbitrary bodies to the request decoder and dispatcher:
// it must never panic, must answer valid JSON (or nothing, for 204) and a
// known status.
func FuzzHandle(f *testing.F) {
	for _, seed := range []string{
		`{"method":"getblockcount","params":[],"id":1}`,
		`{"jsonrpc":"2.0","method":"getblock","params":{"blockhash":"ab","verbose":true},"id":"x"}`,
		`{"jsonrpc":"2.0","method":"getblock","params":{"args":["ab"],"verbosity":0}}`,
		`[{"method":"getblockhash","params":[1]},5,{"jsonrpc":"2.0","method":"nope"}]`,
		`[]`, `{`, `42`, `"x"`, `{"method":1}`, `{"jsonrpc":"\u0032.0","method":"help","id":null}`,
		`{"method":"help","params":["getblock"],"id":[1,{"a" : 2}]}`,
		`{"method":"getblockhash","params":[1e400]}`,
	} {
		f.Add([]byte(seed))
	}
	s := newTestServer(f, Config{})
	f.Fuzz(func(t *testing.T, body []byte) {
		status, reply := s.handle(context.Background(), body)
		switch status {
		case http.StatusOK, http.StatusNoContent, http.StatusBadRequest, http.StatusNotFound, http.StatusInternalServerError:
		default:
			t.Fatalf("status %d", status)
		}
		if (status == http.StatusNoContent) != (reply == nil) {
			t.Fatalf("status %d with reply %q", status, reply)
		}
		if reply != nil && !json.Valid(reply) {
			t.Fatalf("invalid JSON reply %q", reply)
		}
	})
}
