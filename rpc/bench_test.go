package rpc

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
)

// benchClients is the number of concurrent keep-alive clients.
const benchClients = 32

var benchBody = []byte(`{"jsonrpc":"1.0","id":1,"method":"getblockcount","params":[]}`)

// benchLoopback serves h on a loopback port and runs b.N POSTs of
// benchBody from benchClients keep-alive clients, checking each reply.
func benchLoopback(b *testing.B, h http.Handler, want []byte) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: benchClients, MaxConnsPerHost: benchClients}}
	url := "http://" + ln.Addr().String() + "/"
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for range benchClients {
		wg.Go(func() {
			for next.Add(1) <= int64(b.N) {
				req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(benchBody))
				req.SetBasicAuth(testUser, testPass)
				resp, err := client.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				got, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if !bytes.Equal(got, want) {
					b.Errorf("reply %q", got)
					return
				}
			}
		})
	}
	wg.Wait()
}

var benchReply = []byte(`{"result":42,"error":null,"id":1}` + "\n")

// BenchmarkRPCGetBlockCount measures a trivial call through the whole
// server (auth, limits, decoding, dispatch, encoding) over loopback.
func BenchmarkRPCGetBlockCount(b *testing.B) {
	s := newTestServer(b, Config{})
	benchLoopback(b, s, benchReply)
}

// BenchmarkHTTPBare is its baseline: a bare net/http handler that reads
// the body and writes the same reply bytes.
func BenchmarkHTTPBare(b *testing.B) {
	benchLoopback(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header()["Content-Type"] = []string{"application/json"}
		w.Write(benchReply)
	}), benchReply)
}
