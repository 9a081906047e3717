package rpc

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const testUser, testPass = "alice", "secret"

// newTestServer returns a server with test methods: echo (returns its
// params), add (two numbers), fail (an *Error), boom (a plain error), and
// the control methods.
func newTestServer(t testing.TB, cfg Config) *Server {
	t.Helper()
	if cfg.Password == "" {
		cfg.User, cfg.Password = testUser, testPass
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	err = s.Register(
		Method{Name: "getblockcount", Category: "blockchain", Description: "Returns the height.",
			Result:  "n    (numeric) The current block count",
			Handler: func(context.Context, Params) (any, error) { return 42, nil }},
		Method{Name: "getblockhash", Category: "blockchain", Description: "Returns a hash.",
			Args: []Arg{{Name: "height", Type: TypeNumber, Description: "The height index"}},
			Handler: func(_ context.Context, p Params) (any, error) {
				h, err := p.Int(0)
				if err != nil {
					return nil, err
				}
				if h < 0 {
					return nil, NewError(CodeInvalidParameter, "Block height out of range")
				}
				return "hash", nil
			}},
		Method{Name: "getblock", Category: "blockchain", Description: "Returns a block.",
			Args: []Arg{{Name: "blockhash", Type: TypeString}, {Name: "verbosity|verbose", Type: TypeAny, Optional: true, Default: "1"}},
			Handler: func(_ context.Context, p Params) (any, error) {
				h, _ := p.String(0)
				v, err := p.Verbosity(1, 1, true)
				if err != nil {
					return nil, err
				}
				return map[string]any{"hash": h, "verbosity": v, "n": p.Len()}, nil
			}},
		Method{Name: "boom", Category: "hidden", Description: "Fails.",
			Handler: func(context.Context, Params) (any, error) { return nil, errors.New("disk on fire") }},
		Method{Name: "panic", Category: "hidden", Description: "Panics.",
			Handler: func(context.Context, Params) (any, error) { panic("bug") }},
		Method{Name: "slow", Category: "hidden", Description: "Waits.",
			Handler: func(ctx context.Context, _ Params) (any, error) {
				select {
				case <-time.After(500 * time.Millisecond):
				case <-ctx.Done():
				}
				return true, nil
			}},
	)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Register(ControlMethods(time.Now().Add(-3*time.Second), func() {})...); err != nil {
		t.Fatal(err)
	}
	return s
}

type reply struct {
	status int
	header http.Header
	body   string
}

// post sends body to the server's handler with the test credentials (or
// auth, when not nil: "" for none).
func post(t *testing.T, s http.Handler, body string, auth ...string) reply {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	if len(auth) == 0 {
		req.SetBasicAuth(testUser, testPass)
	} else if auth[0] != "" {
		req.Header.Set("Authorization", auth[0])
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return reply{rec.Code, rec.Header(), rec.Body.String()}
}

func TestProtocol(t *testing.T) {
	s := newTestServer(t, Config{})
	cases := []struct {
		name, body string
		status     int
		want       string
	}{
		{"1.0 no version", `{"method":"getblockcount","params":[],"id":1}`, 200,
			`{"result":42,"error":null,"id":1}`},
		{"1.1 string id", `{"version":"1.1","method":"getblockcount","id":"abc"}`, 200,
			`{"result":42,"error":null,"id":"abc"}`},
		{"jsonrpc 1.0", `{"jsonrpc":"1.0","method":"getblockcount","id":null}`, 200,
			`{"result":42,"error":null,"id":null}`},
		{"1.x no id", `{"method":"getblockcount"}`, 200,
			`{"result":42,"error":null,"id":null}`},
		{"2.0", `{"jsonrpc":"2.0","method":"getblockcount","id":7}`, 200,
			`{"jsonrpc":"2.0","result":42,"id":7}`},
		{"2.0 null id", `{"jsonrpc":"2.0","method":"getblockcount","id":null}`, 200,
			`{"jsonrpc":"2.0","result":42,"id":null}`},
		{"id kept compact", `{"method":"getblockcount","id":[1, {"a": 2}]}`, 200,
			`{"result":42,"error":null,"id":[1,{"a":2}]}`},
		{"1.x unknown method", `{"method":"nope","id":1}`, 404,
			`{"result":null,"error":{"code":-32601,"message":"Method not found"},"id":1}`},
		{"2.0 unknown method", `{"jsonrpc":"2.0","method":"nope","id":1}`, 200,
			`{"jsonrpc":"2.0","error":{"code":-32601,"message":"Method not found"},"id":1}`},
		{"malformed", `{"method":`, 500,
			`{"result":null,"error":{"code":-32700,"message":"Parse error"},"id":null}`},
		{"top level scalar", `42`, 500,
			`{"result":null,"error":{"code":-32700,"message":"Top-level object parse error"},"id":null}`},
		{"missing method", `{"id":3}`, 400,
			`{"result":null,"error":{"code":-32600,"message":"Missing method"},"id":3}`},
		{"2.0 missing method", `{"jsonrpc":"2.0","id":3}`, 400,
			`{"jsonrpc":"2.0","error":{"code":-32600,"message":"Missing method"},"id":3}`},
		{"method not string", `{"method":1,"id":3}`, 400,
			`{"result":null,"error":{"code":-32600,"message":"Method must be a string"},"id":3}`},
		{"bad params", `{"method":"getblockcount","params":5,"id":3}`, 400,
			`{"result":null,"error":{"code":-32600,"message":"Params must be an array or object"},"id":3}`},
		{"bad version", `{"jsonrpc":"3.0","method":"getblockcount","id":3}`, 400,
			`{"result":null,"error":{"code":-32600,"message":"JSON-RPC version not supported"},"id":3}`},
		{"version not string", `{"jsonrpc":2,"method":"getblockcount","id":3}`, 400,
			`{"result":null,"error":{"code":-32600,"message":"jsonrpc field must be a string"},"id":3}`},
		{"handler *Error", `{"method":"getblockhash","params":[-1],"id":1}`, 500,
			`{"result":null,"error":{"code":-8,"message":"Block height out of range"},"id":1}`},
		{"2.0 handler *Error", `{"jsonrpc":"2.0","method":"getblockhash","params":[-1],"id":1}`, 200,
			`{"jsonrpc":"2.0","error":{"code":-8,"message":"Block height out of range"},"id":1}`},
		{"plain error is misc", `{"method":"boom","id":1}`, 500,
			`{"result":null,"error":{"code":-1,"message":"disk on fire"},"id":1}`},
		{"panic is internal", `{"method":"panic","id":1}`, 500,
			`{"result":null,"error":{"code":-32603,"message":"Internal error"},"id":1}`},
		{"type error", `{"method":"getblockhash","params":["10"],"id":1}`, 500,
			`{"result":null,"error":{"code":-3,"message":"Wrong type passed:\n{\n    \"Position 1 (height)\": \"JSON value of type string is not of expected type number\"\n}"},"id":1}`},
		{"not an integer", `{"method":"getblockhash","params":[1.5],"id":1}`, 500,
			`{"result":null,"error":{"code":-1,"message":"JSON integer out of range"},"id":1}`},
		{"named params", `{"method":"getblock","params":{"blockhash":"ab","verbose":false},"id":1}`, 200,
			`{"result":{"hash":"ab","n":2,"verbosity":0},"error":null,"id":1}`},
		{"named params hole", `{"method":"getblock","params":{"blockhash":"ab"},"id":1}`, 200,
			`{"result":{"hash":"ab","n":1,"verbosity":1},"error":null,"id":1}`},
		{"named and args", `{"method":"getblock","params":{"args":["ab"],"verbosity":2},"id":1}`, 200,
			`{"result":{"hash":"ab","n":2,"verbosity":2},"error":null,"id":1}`},
		{"unknown named", `{"method":"getblock","params":{"blockhash":"ab","x":1},"id":1}`, 500,
			`{"result":null,"error":{"code":-8,"message":"Unknown named parameter x"},"id":1}`},
		{"duplicate named", `{"method":"getblock","params":{"blockhash":"ab","blockhash":"cd"},"id":1}`, 500,
			`{"result":null,"error":{"code":-8,"message":"Parameter blockhash specified multiple times"},"id":1}`},
		{"verbosity true", `{"method":"getblock","params":["ab",true],"id":1}`, 200,
			`{"result":{"hash":"ab","n":2,"verbosity":1},"error":null,"id":1}`},
		{"keys are case-sensitive", `{"Method":"getblockcount","id":1}`, 400,
			`{"result":null,"error":{"code":-32600,"message":"Missing method"},"id":1}`},
		{"help unknown", `{"method":"help","params":["nosuch"],"id":1}`, 200,
			`{"result":"help: unknown command: nosuch","error":null,"id":1}`},
		{"empty batch", `[]`, 200, `[]`},
		{"batch", `[{"method":"getblockcount","id":1},{"jsonrpc":"2.0","method":"nope","id":"b"},5,{"jsonrpc":"2.0","method":"getblockcount"}]`, 200,
			`[{"result":42,"error":null,"id":1},{"jsonrpc":"2.0","error":{"code":-32601,"message":"Method not found"},"id":"b"},{"result":null,"error":{"code":-32600,"message":"Invalid Request object"},"id":null}]`},
		{"uptime", `{"method":"uptime","id":1}`, 200, `{"result":3,"error":null,"id":1}`},
		{"stop", `{"method":"stop","id":1}`, 200, `{"result":"nodecoin stopping","error":null,"id":1}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := post(t, s, c.body)
			if r.status != c.status || r.body != c.want+"\n" {
				t.Errorf("got %d %s\nwant %d %s", r.status, r.body, c.status, c.want)
			}
			if ct := r.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
}

func TestNotifications(t *testing.T) {
	s := newTestServer(t, Config{})
	for _, body := range []string{
		`{"jsonrpc":"2.0","method":"getblockcount"}`,
		`{"jsonrpc":"2.0","method":"nope"}`,
		`[{"jsonrpc":"2.0","method":"getblockcount"}]`,
	} {
		if r := post(t, s, body); r.status != http.StatusNoContent || r.body != "" {
			t.Errorf("%s: got %d %q, want 204 and no body", body, r.status, r.body)
		}
	}
}

func TestAuthAndHTTP(t *testing.T) {
	s := newTestServer(t, Config{})
	body := `{"method":"getblockcount","id":1}`
	for name, auth := range map[string]string{
		"none":       "",
		"wrong":      "Basic " + b64("alice:wrong"),
		"wrong user": "Basic " + b64("bob:secret"),
		"no colon":   "Basic " + b64("alicesecret"),
		"not basic":  "Bearer x",
		"bad base64": "Basic !!!",
	} {
		start := time.Now()
		r := post(t, s, body, auth)
		if r.status != 401 || r.body != "" || r.header.Get("WWW-Authenticate") != `Basic realm="jsonrpc"` {
			t.Errorf("%s: got %d %q %v", name, r.status, r.body, r.header)
		}
		if took := time.Since(start); name != "none" && took < AuthFailureDelay {
			t.Errorf("%s: 401 after %v, want the %v delay", name, took, AuthFailureDelay)
		}
	}
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.SetBasicAuth(testUser, testPass)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != 405 || rec.Body.String() != "JSONRPC server handles only POST requests" {
		t.Errorf("GET: %d %q", rec.Code, rec.Body)
	}
	// Any or no Content-Type, and the wallet path.
	for _, ct := range []string{"", "text/plain", "application/json-rpc"} {
		req := httptest.NewRequest(http.MethodPost, "/wallet/w1", strings.NewReader(body))
		req.SetBasicAuth(testUser, testPass)
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != 200 {
			t.Errorf("Content-Type %q: %d", ct, rec.Code)
		}
	}
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestOversizedBody(t *testing.T) {
	s := newTestServer(t, Config{})
	big := `{"method":"getblockcount","params":["` + strings.Repeat("a", MaxBodyBytes) + `"],"id":1}`
	if r := post(t, s, big); r.status != http.StatusRequestEntityTooLarge {
		t.Errorf("got %d, want 413", r.status)
	}
}

func TestBatchLimit(t *testing.T) {
	s := newTestServer(t, Config{MaxBatch: 2})
	r := post(t, s, `[{"method":"getblockcount"},{"method":"getblockcount"},{"method":"getblockcount"}]`)
	if r.status != 400 || !strings.Contains(r.body, `"code":-32600`) {
		t.Errorf("got %d %s", r.status, r.body)
	}
}

func TestWarmup(t *testing.T) {
	s := newTestServer(t, Config{})
	s.SetWarmup("Loading block index…")
	if r := post(t, s, `{"method":"uptime","id":1}`); r.status != 500 ||
		r.body != `{"result":null,"error":{"code":-28,"message":"Loading block index…"},"id":1}`+"\n" {
		t.Errorf("warm-up: %d %s", r.status, r.body)
	}
	s.WarmupFinished()
	if r := post(t, s, `{"method":"uptime","id":1}`); r.status != 200 {
		t.Errorf("after warm-up: %d %s", r.status, r.body)
	}
}

func TestArgCountGivesHelp(t *testing.T) {
	s := newTestServer(t, Config{})
	for _, body := range []string{
		`{"method":"getblockhash","params":[],"id":1}`,
		`{"method":"getblockhash","params":[1,2],"id":1}`,
	} {
		r := post(t, s, body)
		var rep struct{ Error *Error }
		json.Unmarshal([]byte(r.body), &rep)
		if r.status != 500 || rep.Error == nil || rep.Error.Code != CodeMisc ||
			!strings.HasPrefix(rep.Error.Message, "getblockhash height\n\nReturns a hash.\n\nArguments:\n1. height    (numeric, required) The height index") {
			t.Errorf("%s: %d %s", body, r.status, r.body)
		}
	}
}

func TestHelp(t *testing.T) {
	s := newTestServer(t, Config{})
	want := "== Blockchain ==\ngetblock \"blockhash\" ( verbosity )\ngetblockcount\ngetblockhash height\n\n" +
		"== Control ==\nhelp ( \"command\" )\nstop\nuptime"
	if got := s.reg.helpText(""); got != want {
		t.Errorf("help:\n%s\nwant:\n%s", got, want)
	}
	wantOne := "getblockcount\n\nReturns the height.\n\nResult:\nn    (numeric) The current block count"
	if got := s.reg.helpText("getblockcount"); got != wantOne {
		t.Errorf("help getblockcount:\n%q\nwant:\n%q", got, wantOne)
	}
	if got := s.reg.helpText("help"); !strings.Contains(got, "1. command    (string, optional, default=all commands) The command to get help on") {
		t.Errorf("help help:\n%s", got)
	}
	if err := s.Register(Method{Name: "uptime", Category: "control", Handler: s.reg.lookup("uptime").Handler}); err == nil {
		t.Error("duplicate registration accepted")
	}
}

func TestObserver(t *testing.T) {
	var mu sync.Mutex
	var got []string
	s := newTestServer(t, Config{OnRequest: func(method string, code int, d time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, method+":"+strconv.Itoa(code))
	}})
	post(t, s, `[{"method":"getblockcount"},{"method":"nope"},{"method":"getblockhash","params":[-1]}]`)
	post(t, s, `{`)
	want := "getblockcount:0 :-32601 getblockhash:-8 :-32700"
	if strings.Join(got, " ") != want {
		t.Errorf("observed %q, want %q", strings.Join(got, " "), want)
	}
}

// TestConcurrencyLimit fills the threads and the queue with slow calls on a
// real listener: the next request gets 503, and the others all succeed.
func TestConcurrencyLimit(t *testing.T) {
	s := newTestServer(t, Config{Threads: 2, WorkQueue: 2})
	srv := httptest.NewServer(s)
	defer srv.Close()
	call := func(method string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(`{"method":"`+method+`","id":1}`))
		req.SetBasicAuth(testUser, testPass)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Error(err)
			return 0, ""
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if code, body := call("slow"); code != 200 {
				t.Errorf("slow call: %d %s", code, body)
			}
		})
	}
	deadline := time.Now().Add(2 * time.Second)
	for s.admitted.Load() < 4 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if code, body := call("getblockcount"); code != 503 || body != "Work queue depth exceeded" {
		t.Errorf("over the limit: %d %q", code, body)
	}
	wg.Wait()
	if code, _ := call("getblockcount"); code != 200 {
		t.Errorf("after the burst: %d", code)
	}
}

func TestClient(t *testing.T) {
	s := newTestServer(t, Config{})
	srv := httptest.NewServer(s)
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	c := &Client{Addr: addr, User: testUser, Password: testPass}
	res, err := c.Call(context.Background(), "getblockhash", []any{5})
	if err != nil || string(res) != `"hash"` {
		t.Errorf("call: %s %v", res, err)
	}
	_, err = c.Call(context.Background(), "getblockhash", []any{-1})
	if e, ok := errors.AsType[*Error](err); !ok || e.Code != CodeInvalidParameter {
		t.Errorf("error reply: %v", err)
	}
	bad := &Client{Addr: addr, User: testUser, Password: "x"}
	if _, err := bad.Call(context.Background(), "uptime", nil); !errors.Is(err, ErrUnauthorized) {
		t.Errorf("bad password: %v", err)
	}
	srv.Close()
	if _, err := c.Call(context.Background(), "uptime", nil); !isConnectError(err) {
		t.Errorf("stopped server: %v", err)
	}
}

func isConnectError(err error) bool {
	_, ok := errors.AsType[*ConnectError](err)
	return ok
}
