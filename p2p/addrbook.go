package p2p

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"net/netip"
	"sync"
	"time"

	"github.com/nodecoin/nodecoin/internal/atomicfile"
)

// AddrBookFileName is the address book's file in the network directory.
const AddrBookFileName = "peers.json"

// Address book bounds.
const (
	// maxAddrBook is the most addresses the book keeps; a new one replaces
	// the stalest when it is full.
	maxAddrBook = 10_000
	// maxAddrFileSize bounds the address book file read at start.
	maxAddrFileSize = 8 << 20
	// addrHorizon: addresses not heard of for this long are forgotten.
	addrHorizon = 30 * 24 * time.Hour
)

// ErrAddrBookCorrupt means the address book file could not be decoded.
var ErrAddrBookCorrupt = errors.New("address book file is corrupt")

// knownAddr is one entry of the address book.
type knownAddr struct {
	addr        netip.AddrPort
	services    uint64
	lastSeen    time.Time // when a peer last told us of it (or we connected)
	lastTry     time.Time
	lastSuccess time.Time
	attempts    int // failed attempts since the last success
}

// addrBook is the set of peer addresses learned from addr messages and
// successful connections, safe for concurrent use (it takes its own lock).
type addrBook struct {
	mu    sync.Mutex
	addrs map[netip.AddrPort]*knownAddr
	dirty bool
}

func newAddrBook() *addrBook { return &addrBook{addrs: make(map[netip.AddrPort]*knownAddr)} }

// usableAddr reports whether a is worth keeping: a valid IP and a port,
// not unspecified or multicast.
func usableAddr(a netip.AddrPort) bool {
	ip := a.Addr()
	return a.IsValid() && a.Port() != 0 && !ip.IsUnspecified() && !ip.IsMulticast() && ip.Zone() == ""
}

// add records addresses heard of at their announced times (clamped to
// now), and returns how many were new.
func (b *addrBook) add(now time.Time, addrs ...knownAddr) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	added := 0
	for _, ka := range addrs {
		ka.addr = netip.AddrPortFrom(ka.addr.Addr().Unmap(), ka.addr.Port())
		if !usableAddr(ka.addr) {
			continue
		}
		if ka.lastSeen.After(now) || ka.lastSeen.IsZero() {
			ka.lastSeen = now
		}
		if now.Sub(ka.lastSeen) > addrHorizon {
			continue
		}
		if old := b.addrs[ka.addr]; old != nil {
			if ka.lastSeen.After(old.lastSeen) {
				old.lastSeen = ka.lastSeen
				b.dirty = true
			}
			old.services |= ka.services
			continue
		}
		if len(b.addrs) >= maxAddrBook {
			b.evictStalest()
		}
		k := ka
		b.addrs[k.addr] = &k
		b.dirty = true
		added++
	}
	return added
}

// evictStalest drops the address heard of longest ago. The caller holds mu.
func (b *addrBook) evictStalest() {
	var worst *knownAddr
	for _, ka := range b.addrs {
		if worst == nil || ka.lastSeen.Before(worst.lastSeen) {
			worst = ka
		}
	}
	if worst != nil {
		delete(b.addrs, worst.addr)
	}
}

// attempt records a connection attempt to a.
func (b *addrBook) attempt(a netip.AddrPort, now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if ka := b.addrs[a]; ka != nil {
		ka.lastTry = now
		ka.attempts++
		b.dirty = true
	}
}

// good records a successful handshake with a, adding it when new.
func (b *addrBook) good(a netip.AddrPort, services uint64, now time.Time) {
	b.add(now, knownAddr{addr: a, services: services, lastSeen: now})
	b.mu.Lock()
	defer b.mu.Unlock()
	if ka := b.addrs[netip.AddrPortFrom(a.Addr().Unmap(), a.Port())]; ka != nil {
		ka.lastSuccess, ka.attempts, ka.lastTry = now, 0, now
		b.dirty = true
	}
}

// pick returns up to n addresses to try, not in exclude and not tried in
// the last retry interval (which grows with failed attempts), chosen at
// random.
func (b *addrBook) pick(n int, now time.Time, exclude func(netip.AddrPort) bool) []netip.AddrPort {
	b.mu.Lock()
	defer b.mu.Unlock()
	var cands []netip.AddrPort
	for a, ka := range b.addrs {
		if exclude(a) {
			continue
		}
		wait := time.Minute << min(ka.attempts, 10)
		if !ka.lastTry.IsZero() && now.Sub(ka.lastTry) < wait {
			continue
		}
		cands = append(cands, a)
	}
	rand.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
	return cands[:min(n, len(cands))]
}

// sample returns up to n random addresses for a getaddr answer.
func (b *addrBook) sample(n int) []knownAddr {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]knownAddr, 0, min(n, len(b.addrs)))
	for _, ka := range b.addrs { // map order is random enough for a sample
		if len(out) == n {
			break
		}
		out = append(out, *ka)
	}
	return out
}

// size returns the number of addresses known.
func (b *addrBook) size() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.addrs)
}

// addrFile is the address book's JSON file format.
type addrFile struct {
	Version   int             `json:"version"`
	Addresses []addrFileEntry `json:"addresses"`
}

type addrFileEntry struct {
	Addr        string `json:"addr"`
	Services    uint64 `json:"services"`
	LastSeen    int64  `json:"last_seen"`
	LastTry     int64  `json:"last_try,omitempty"`
	LastSuccess int64  `json:"last_success,omitempty"`
	Attempts    int    `json:"attempts,omitempty"`
}

func unixOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

func timeOrZero(s int64) time.Time {
	if s == 0 {
		return time.Time{}
	}
	return time.Unix(s, 0)
}

// encodeAddrBook returns the file form of addrs.
func encodeAddrBook(addrs []knownAddr) []byte {
	f := addrFile{Version: 1, Addresses: make([]addrFileEntry, 0, len(addrs))}
	for _, ka := range addrs {
		f.Addresses = append(f.Addresses, addrFileEntry{Addr: ka.addr.String(), Services: ka.services,
			LastSeen: unixOrZero(ka.lastSeen), LastTry: unixOrZero(ka.lastTry),
			LastSuccess: unixOrZero(ka.lastSuccess), Attempts: ka.attempts})
	}
	out, _ := json.Marshal(f) // cannot fail: plain types
	return append(out, '\n')
}

// decodeAddrBook decodes an address book file, refusing unknown versions,
// unparsable addresses, negative attempt counts and more than maxAddrBook
// entries, with errors wrapping ErrAddrBookCorrupt.
func decodeAddrBook(data []byte) ([]knownAddr, error) {
	var f addrFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrAddrBookCorrupt, err)
	}
	if f.Version != 1 {
		return nil, fmt.Errorf("%w: version %d", ErrAddrBookCorrupt, f.Version)
	}
	if len(f.Addresses) > maxAddrBook {
		return nil, fmt.Errorf("%w: %d entries, limit %d", ErrAddrBookCorrupt, len(f.Addresses), maxAddrBook)
	}
	out := make([]knownAddr, 0, len(f.Addresses))
	for i, e := range f.Addresses {
		a, err := netip.ParseAddrPort(e.Addr)
		if err != nil || e.Attempts < 0 {
			return nil, fmt.Errorf("%w: entry %d: %q", ErrAddrBookCorrupt, i, e.Addr)
		}
		out = append(out, knownAddr{addr: a, services: e.Services, lastSeen: timeOrZero(e.LastSeen),
			lastTry: timeOrZero(e.LastTry), lastSuccess: timeOrZero(e.LastSuccess), attempts: e.Attempts})
	}
	return out, nil
}

// load reads the address book from path; a missing file is an empty book.
func (b *addrBook) load(path string, now time.Time) error {
	data, err := readBounded(path, maxAddrFileSize)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read address book: %w", err)
	}
	addrs, err := decodeAddrBook(data)
	if err != nil {
		return fmt.Errorf("address book %s: %w", path, err)
	}
	b.add(now, addrs...)
	b.mu.Lock()
	for _, ka := range addrs {
		if k := b.addrs[ka.addr]; k != nil {
			k.lastTry, k.lastSuccess, k.attempts = ka.lastTry, ka.lastSuccess, ka.attempts
		}
	}
	b.dirty = false
	b.mu.Unlock()
	return nil
}

// save writes the address book to path atomically when it changed.
func (b *addrBook) save(path string) error {
	b.mu.Lock()
	if !b.dirty {
		b.mu.Unlock()
		return nil
	}
	addrs := make([]knownAddr, 0, len(b.addrs))
	for _, ka := range b.addrs {
		addrs = append(addrs, *ka)
	}
	b.dirty = false
	b.mu.Unlock()
	if err := atomicfile.WriteBytes(path, 0o600, encodeAddrBook(addrs)); err != nil {
		b.mu.Lock()
		b.dirty = true
		b.mu.Unlock()
		return fmt.Errorf("save address book: %w", err)
	}
	return nil
}
