package p2p

import (
	"errors"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nodecoin/nodecoin/internal/testutil"
)

func TestBanListExpiryAndPersistence(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	b := newBanList()
	a, c := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("2001:db8::1")
	b.add(Ban{Addr: a, Created: now, Until: now.Add(time.Hour), Reason: "invalid block"})
	b.add(Ban{Addr: netip.MustParseAddr("::ffff:192.0.2.9"), Created: now, Until: now.Add(time.Minute)})
	b.add(Ban{Addr: c, Created: now, Until: now.Add(48 * time.Hour)})
	if !b.banned(a, now) || !b.banned(netip.MustParseAddr("192.0.2.9"), now) || b.banned(netip.MustParseAddr("192.0.2.2"), now) {
		t.Fatal("banned() wrong")
	}
	// A ban covers one address: its neighbours are free.
	if b.banned(netip.MustParseAddr("192.0.2.0"), now) {
		t.Fatal("a ban covered a range")
	}
	path := filepath.Join(t.TempDir(), BanListFileName)
	if err := b.save(path, now); err != nil {
		t.Fatal(err)
	}
	later := now.Add(2 * time.Minute) // the one-minute ban has expired
	r := newBanList()
	if err := r.load(path, later); err != nil {
		t.Fatal(err)
	}
	got := r.list(later)
	if len(got) != 2 || got[0].Addr != a || got[0].Reason != "invalid block" || got[1].Addr != c {
		t.Fatalf("reloaded %+v", got)
	}
	if !r.remove(a) || r.remove(a) || r.banned(a, later) {
		t.Fatal("remove")
	}
	// No temporary files are left behind.
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("files %v", entries)
	}
}

func TestDecodeBanListRefusesCorruptFiles(t *testing.T) {
	tests := []struct {
		name, file string
	}{
		{"not json", "garbage"},
		{"truncated", `{"version":1,"banned":[`},
		{"unknown version", `{"version":2,"banned":[]}`},
		{"bad address", `{"version":1,"banned":[{"address":"300.1.1.1","ban_created":1,"banned_until":2}]}`},
		{"a range", `{"version":1,"banned":[{"address":"10.0.0.0/8","ban_created":1,"banned_until":2}]}`},
		{"ends before it starts", `{"version":1,"banned":[{"address":"10.0.0.1","ban_created":5,"banned_until":2}]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := decodeBanList([]byte(tc.file)); !errors.Is(err, ErrBanListCorrupt) {
				t.Fatalf("err %v", err)
			}
		})
	}
	bans, err := decodeBanList([]byte(`{"version":1,"banned":[{"address":"10.0.0.1","ban_created":1,"banned_until":2,"reason":"x"}]}`))
	if err != nil || len(bans) != 1 || bans[0].Addr.String() != "10.0.0.1" {
		t.Fatalf("%v %v", bans, err)
	}
}

func TestCorruptFilesDoNotStopTheServer(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, BanListFileName), []byte("{{{"), 0o600)
	os.WriteFile(filepath.Join(dir, AddrBookFileName), []byte(`{"version":1,"addresses":[{"addr":"nonsense"}]}`), 0o600)
	var log testutil.SyncBuffer
	n := startNode(t, nil, Config{DataDir: dir, Logger: slog.New(slog.NewTextHandler(&log, nil))})
	if len(n.srv.ListBanned()) != 0 || n.srv.KnownAddresses() != 0 {
		t.Fatal("corrupt files loaded")
	}
	if !strings.Contains(log.String(), "ban list not loaded") || !strings.Contains(log.String(), "address book not loaded") {
		t.Fatalf("no warnings logged:\n%s", log.String())
	}
}

func TestAddrBookBoundsAndBackoff(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	b := newAddrBook()
	ap := func(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }
	added := b.add(now,
		knownAddr{addr: ap("192.0.2.1:9633"), lastSeen: now.Add(-time.Hour)},
		knownAddr{addr: ap("192.0.2.1:9633")},                                          // duplicate
		knownAddr{addr: ap("0.0.0.0:9633")},                                            // unspecified
		knownAddr{addr: ap("192.0.2.2:0")},                                             // no port
		knownAddr{addr: ap("192.0.2.3:9633"), lastSeen: now.Add(-60 * 24 * time.Hour)}, // too old
		knownAddr{addr: ap("[2001:db8::5]:9633"), lastSeen: now.Add(time.Hour)},        // future: clamped
	)
	if added != 2 || b.size() != 2 {
		t.Fatalf("added %d, size %d", added, b.size())
	}
	none := func(netip.AddrPort) bool { return false }
	if got := b.pick(10, now, none); len(got) != 2 {
		t.Fatalf("pick %v", got)
	}
	b.attempt(ap("192.0.2.1:9633"), now)
	if got := b.pick(10, now.Add(30*time.Second), none); len(got) != 1 || got[0] != ap("[2001:db8::5]:9633") {
		t.Fatalf("pick after a failed attempt %v", got)
	}
	if got := b.pick(10, now.Add(3*time.Minute), none); len(got) != 2 {
		t.Fatalf("pick after the back-off %v", got)
	}
	for i := 0; i < maxAddrBook+50; i++ {
		b.add(now, knownAddr{addr: netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}), 9633)})
	}
	if b.size() != maxAddrBook {
		t.Fatalf("book grew to %d", b.size())
	}
	path := filepath.Join(t.TempDir(), AddrBookFileName)
	if err := b.save(path); err != nil {
		t.Fatal(err)
	}
	r := newAddrBook()
	if err := r.load(path, now); err != nil || r.size() != maxAddrBook {
		t.Fatalf("reloaded %d, %v", r.size(), err)
	}
}

func TestHashSetForgetsOldest(t *testing.T) {
	s := newHashSet(1000)
	h := func(i int) (x [32]byte) { x[0], x[1], x[2] = byte(i), byte(i>>8), 7; return x }
	if s.cur != nil || s.has(h(1)) {
		t.Fatal("an empty set holds memory or hashes")
	}
	for i := 1; i <= 3000; i++ {
		s.add(h(i))
		s.add(h(i)) // counted once
	}
	// The last 500 are always remembered; those of two generations ago
	// are forgotten (barring a one-in-a-million false positive each).
	for i := 2501; i <= 3000; i++ {
		if !s.has(h(i)) {
			t.Fatalf("recent hash %d forgotten", i)
		}
	}
	forgotten := 0
	for i := 1; i <= 1000; i++ {
		if !s.has(h(i)) {
			forgotten++
		}
	}
	if forgotten < 999 {
		t.Fatalf("only %d of the oldest 1,000 forgotten", forgotten)
	}
	for i := 5000; i < 6000; i++ {
		if s.has(h(i)) {
			t.Fatalf("hash %d never added is present", i)
		}
	}
	// A full set of 50,000 stays near 180 KB.
	big := newHashSet(knownInvCapacity)
	if bytes := 2 * big.bits / 8; bytes > 200_000 {
		t.Fatalf("a full known-inventory set takes %d bytes", bytes)
	}
}
