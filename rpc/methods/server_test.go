package methods

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/rpc"
)

// TestThroughServer registers every method with a real server and checks
// what the server checks before a handler runs (argument counts and JSON
// types), named parameters, and each method's help.
func TestThroughServer(t *testing.T) {
	f := newFixture(t, consensus.RegTestParams, true)
	srv, err := rpc.New(rpc.Config{User: "u", Password: "p"})
	if err != nil {
		t.Fatal(err)
	}
	all := make([]rpc.Method, 0, len(f.methods))
	for _, m := range f.methods {
		all = append(all, m)
	}
	if err := srv.Register(all...); err != nil {
		t.Fatal(err)
	}
	call := func(body string) (int, map[string]any) {
		t.Helper()
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		req.SetBasicAuth("u", "p")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		var reply map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &reply); err != nil {
			t.Fatalf("%s: reply %q: %v", body, rec.Body.String(), err)
		}
		return rec.Code, reply
	}
	errOf := func(reply map[string]any) (float64, string) {
		e, _ := reply["error"].(map[string]any)
		if e == nil {
			return 0, ""
		}
		return e["code"].(float64), e["message"].(string)
	}
	hashes := f.generate(1)

	status, reply := call(`{"id":1,"method":"getblockcount","params":[]}`)
	if status != 200 || reply["result"] != 1.0 || reply["error"] != nil {
		t.Fatalf("getblockcount: %d %v", status, reply)
	}
	status, reply = call(`{"id":1,"method":"getblock","params":{"blockhash":"` + hashes[0].String() + `","verbose":false}}`)
	if raw, _ := reply["result"].(string); status != 200 || len(raw) < 160 {
		t.Fatalf("getblock with named parameters: %d %v", status, reply)
	}
	for _, c := range []struct {
		body   string
		status int
		code   float64
		msg    string
	}{
		{`{"id":1,"method":"getblockhash","params":["1"]}`, 500, rpc.CodeType,
			"Wrong type passed:\n{\n    \"Position 1 (height)\": \"JSON value of type string is not of expected type number\"\n}"},
		{`{"id":1,"method":"getblockcount","params":[1]}`, 500, rpc.CodeMisc, "getblockcount\n\nReturns the height"},
		{`{"id":1,"method":"getblockhash","params":[]}`, 500, rpc.CodeMisc, "getblockhash height\n"},
		{`{"id":1,"method":"getblock","params":["` + hashes[0].String() + `",1,2]}`, 500, rpc.CodeMisc, "getblock \"blockhash\" ( verbosity )"},
		{`{"id":1,"method":"getblockhash","params":[5]}`, 500, rpc.CodeInvalidParameter, "Block height out of range"},
		{`{"id":1,"method":"getblock","params":["00"]}`, 500, rpc.CodeInvalidParameter, "blockhash must be of length 64 (not 2, for '00')"},
		{`{"id":1,"method":"gettxout","params":["` + hashes[0].String() + `","0"]}`, 500, rpc.CodeType, "Wrong type passed"},
		{`{"id":1,"method":"createrawtransaction","params":[{}, {}]}`, 500, rpc.CodeType, "Wrong type passed"},
		{`{"id":1,"method":"nosuchmethod","params":[]}`, 404, rpc.CodeMethodNotFound, "Method not found"},
	} {
		status, reply := call(c.body)
		code, msg := errOf(reply)
		if status != c.status || code != c.code || !strings.HasPrefix(msg, c.msg) {
			t.Errorf("%s: %d %v %q, want %d %v %q", c.body, status, code, msg, c.status, c.code, c.msg)
		}
	}

	// Every method's help: usage first, a description, a result and
	// examples; `help` lists the categories.
	for _, m := range all {
		_, reply := call(`{"id":1,"method":"help","params":["` + m.Name + `"]}`)
		help, _ := reply["result"].(string)
		if !strings.HasPrefix(help, m.Name) || m.Description == "" || m.Result == "" || !strings.Contains(help, "\nExamples:\n") || !strings.Contains(help, "> nodecoin cli "+m.Name) {
			t.Errorf("help %s:\n%s", m.Name, help)
		}
		for _, a := range m.Args {
			if a.Description == "" {
				t.Errorf("%s: argument %s has no description", m.Name, a.Name)
			}
		}
	}
	_, reply = call(`{"id":1,"method":"help","params":[]}`)
	help, _ := reply["result"].(string)
	for _, cat := range []string{"== Blockchain ==", "== Generating ==", "== Mining ==", "== Rawtransactions ==", "== Util =="} {
		if !strings.Contains(help, cat) {
			t.Errorf("help lacks %s:\n%s", cat, help)
		}
	}
}
