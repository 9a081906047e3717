package methods

import (
	"context"
	"encoding/json"
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/nodecoin/nodecoin/p2p"
	"github.com/nodecoin/nodecoin/rpc"
)

// fakeNet is a P2P server of fixed peers that records what it is told.
type fakeNet struct {
	peers  []p2p.PeerInfo
	added  map[string]bool
	bans   map[netip.Addr]time.Time
	pinged int
	last   string
}

func newFakeNet() *fakeNet {
	return &fakeNet{added: map[string]bool{}, bans: map[netip.Addr]time.Time{}, peers: []p2p.PeerInfo{
		{ID: 1, Addr: "192.0.2.1:9633", Inbound: true, Services: 1, Version: 70016, UserAgent: "/nodecoin:0.1.0/",
			StartingHeight: 7, BytesSent: 10, BytesRecv: 20, PingTime: 1500 * time.Microsecond, ConnTime: time.Unix(1000, 0)},
		{ID: 2, Addr: "192.0.2.2:9633", Manual: true, Services: 1, Version: 70015},
	}}
}

func (f *fakeNet) Peers() []p2p.PeerInfo       { return f.peers }
func (f *fakeNet) ConnectionCount() (int, int) { return 1, 1 }
func (f *fakeNet) Totals() (uint64, uint64)    { return 300, 400 }
func (f *fakeNet) UserAgent() string           { return "/nodecoin:0.1.0/" }
func (f *fakeNet) LocalServices() uint64       { return 1 }
func (f *fakeNet) Listening() bool             { return true }
func (f *fakeNet) Ping()                       { f.pinged++ }
func (f *fakeNet) ClearBanned()                { clear(f.bans) }
func (f *fakeNet) Banned(ip netip.Addr) bool   { _, ok := f.bans[ip]; return ok }
func (f *fakeNet) DisconnectNode(a string, id uint64) error {
	for _, p := range f.peers {
		if (a != "" && p.Addr == a) || (a == "" && p.ID == id) {
			f.last = p.Addr
			return nil
		}
	}
	return p2p.ErrPeerNotFound
}
func (f *fakeNet) AddNode(addr, cmd string) error {
	switch cmd {
	case "add":
		if f.added[addr] {
			return p2p.ErrAlreadyAdded
		}
		f.added[addr] = true
	case "remove":
		if !f.added[addr] {
			return p2p.ErrNotAdded
		}
		delete(f.added, addr)
	}
	return nil
}
func (f *fakeNet) SetBan(ip netip.Addr, add bool, until time.Time) bool {
	if !add {
		_, ok := f.bans[ip]
		delete(f.bans, ip)
		return ok
	}
	f.bans[ip] = until
	return true
}
func (f *fakeNet) ListBanned() []p2p.Ban {
	var out []p2p.Ban
	for a, u := range f.bans {
		out = append(out, p2p.Ban{Addr: a, Created: u.Add(-time.Hour), Until: u})
	}
	return out
}

func callNet(t *testing.T, ms map[string]rpc.Method, name string, params ...string) (any, error) {
	t.Helper()
	m, ok := ms[name]
	if !ok {
		t.Fatalf("no method %s", name)
	}
	return m.Handler(context.Background(), rpc.NewParams(m.Args, params...))
}

func TestNetworkMethods(t *testing.T) {
	f := newFakeNet()
	ms := make(map[string]rpc.Method)
	for _, m := range Network(f, 2000) {
		ms[m.Name] = m
	}
	res, err := callNet(t, ms, "getpeerinfo")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(res)
	var peers []map[string]any
	json.Unmarshal(b, &peers)
	if len(peers) != 2 || peers[0]["services"] != "0000000000000001" || peers[0]["connection_type"] != "inbound" ||
		peers[0]["pingtime"] != 0.0015 || peers[1]["connection_type"] != "manual" || peers[1]["pingtime"] != nil ||
		peers[0]["subver"] != "/nodecoin:0.1.0/" || peers[0]["conntime"] != 1000.0 {
		t.Fatalf("getpeerinfo %s", b)
	}
	if res, _ := callNet(t, ms, "getconnectioncount"); res != 2 {
		t.Fatalf("getconnectioncount %v", res)
	}
	res, _ = callNet(t, ms, "getnetworkinfo")
	if ni := res.(networkInfo); ni.ProtocolVersion != 70016 || ni.LocalServices != "0000000000000001" || ni.ConnectionsIn != 1 ||
		ni.Version != 100 || ni.RelayFee != 2000 {
		t.Fatalf("getnetworkinfo %+v", ni)
	}
	res, _ = callNet(t, ms, "getnettotals")
	if nt := res.(netTotals); nt.TotalBytesRecv != 300 || nt.TotalBytesSent != 400 {
		t.Fatalf("getnettotals %+v", nt)
	}
	callNet(t, ms, "ping")
	if f.pinged != 1 {
		t.Fatal("ping not sent")
	}

	tests := []struct {
		method string
		params []string
		code   int // 0: success
	}{
		{"addnode", []string{`"192.0.2.9:9633"`, `"add"`}, 0},
		{"addnode", []string{`"192.0.2.9:9633"`, `"add"`}, -23},
		{"addnode", []string{`"192.0.2.9:9633"`, `"remove"`}, 0},
		{"addnode", []string{`"192.0.2.9:9633"`, `"remove"`}, -24},
		{"addnode", []string{`"192.0.2.9:9633"`, `"frobnicate"`}, rpc.CodeMisc},
		{"disconnectnode", []string{`"192.0.2.2:9633"`}, 0},
		{"disconnectnode", []string{`""`, `1`}, 0},
		{"disconnectnode", []string{`"192.0.2.7:1"`}, -29},
		{"disconnectnode", []string{`"192.0.2.2:9633"`, `2`}, rpc.CodeInvalidParams},
		{"setban", []string{`"192.0.2.5"`, `"add"`}, 0},
		{"setban", []string{`"192.0.2.5/32"`, `"add"`}, -23},
		{"setban", []string{`"192.0.2.0/24"`, `"add"`}, -30},
		{"setban", []string{`"not an ip"`, `"add"`}, -30},
		{"setban", []string{`"192.0.2.6"`, `"add"`, `100`, `true`}, rpc.CodeInvalidParameter},
		{"setban", []string{`"192.0.2.6"`, `"add"`, `3600`}, 0},
		{"setban", []string{`"192.0.2.5"`, `"remove"`}, 0},
		{"setban", []string{`"192.0.2.5"`, `"remove"`}, -30},
	}
	for _, tc := range tests {
		_, err := callNet(t, ms, tc.method, tc.params...)
		var re *rpc.Error
		switch {
		case tc.code == 0 && err != nil:
			t.Errorf("%s %v: %v", tc.method, tc.params, err)
		case tc.code != 0 && (!errors.As(err, &re) || re.Code != tc.code):
			t.Errorf("%s %v: %v, want code %d", tc.method, tc.params, err, tc.code)
		}
	}
	res, _ = callNet(t, ms, "listbanned")
	list := res.([]bannedEntry)
	if len(list) != 1 || list[0].Address != "192.0.2.6/32" || list[0].BanDuration != 3600 {
		t.Fatalf("listbanned %+v", list)
	}
	callNet(t, ms, "clearbanned")
	if res, _ := callNet(t, ms, "listbanned"); len(res.([]bannedEntry)) != 0 {
		t.Fatal("clearbanned left bans")
	}
}
