package p2p

import (
	"net/netip"
	"testing"
	"time"
)

func FuzzDecodeBanList(f *testing.F) {
	now := time.Unix(1_800_000_000, 0)
	f.Add(encodeBanList([]Ban{{Addr: netip.MustParseAddr("192.0.2.1"), Created: now, Until: now.Add(time.Hour), Reason: "r"}}))
	f.Add([]byte(`{"version":1,"banned":[]}`))
	f.Add([]byte(`{"version":1,"banned":[{"address":"::1","ban_created":-5,"banned_until":9e18}]}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		bans, err := decodeBanList(data)
		if err != nil {
			return
		}
		// What decodes re-encodes to the same bans.
		again, err := decodeBanList(encodeBanList(bans))
		if err != nil || len(again) != len(bans) {
			t.Fatalf("round trip: %v, %d of %d", err, len(again), len(bans))
		}
		for i := range bans {
			if again[i].Addr != bans[i].Addr || !again[i].Until.Equal(bans[i].Until) {
				t.Fatalf("entry %d: %+v became %+v", i, bans[i], again[i])
			}
		}
	})
}

func FuzzDecodeAddrBook(f *testing.F) {
	now := time.Unix(1_800_000_000, 0)
	f.Add(encodeAddrBook([]knownAddr{{addr: netip.MustParseAddrPort("192.0.2.1:9633"), services: 1, lastSeen: now, attempts: 2}}))
	f.Add([]byte(`{"version":1,"addresses":[{"addr":"[::1]:1","last_seen":0}]}`))
	f.Add([]byte(`{"version":1,"addresses":[{"addr":"1.2.3.4:5","attempts":-1}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		addrs, err := decodeAddrBook(data)
		if err != nil {
			return
		}
		b := newAddrBook()
		b.add(now, addrs...)
		if b.size() > len(addrs) || b.size() > maxAddrBook {
			t.Fatalf("book of %d from %d entries", b.size(), len(addrs))
		}
		if _, err := decodeAddrBook(encodeAddrBook(addrs)); err != nil {
			t.Fatalf("round trip: %v", err)
		}
	})
}
