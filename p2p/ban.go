package p2p

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/nodecoin/nodecoin/internal/atomicfile"
)

// BanListFileName is the ban list's file in the network directory.
const BanListFileName = "banlist.json"

// DefaultBanDuration is how long a misbehaving peer's address stays banned
// (Bitcoin Core's -bantime default).
const DefaultBanDuration = 24 * time.Hour

// maxBans bounds the ban list, so that a flood of bans (e.g. over RPC or
// from many hostile addresses) cannot grow it without limit; the entry
// that expires first makes room.
const maxBans = 10_000

// maxBanFileSize bounds the ban list file read at start.
const maxBanFileSize = 8 << 20

// ErrBanListCorrupt means the ban list file could not be decoded.
var ErrBanListCorrupt = errors.New("ban list file is corrupt")

// Ban is one banned address.
type Ban struct {
	// Addr is the banned address: a single IP, never a range.
	Addr netip.Addr
	// Created and Until bound the ban.
	Created, Until time.Time
	// Reason says why it was banned ("manually added" for RPC bans).
	Reason string
}

// banList is the set of banned addresses, safe for concurrent use. It
// takes its own lock.
type banList struct {
	mu   sync.Mutex
	bans map[netip.Addr]Ban
	// dirty: changed since the last save.
	dirty bool
}

func newBanList() *banList { return &banList{bans: make(map[netip.Addr]Ban)} }

// add bans a, replacing any ban of it, and reports whether it was new.
func (b *banList) add(ban Ban) bool {
	ban.Addr = ban.Addr.Unmap()
	b.mu.Lock()
	defer b.mu.Unlock()
	_, had := b.bans[ban.Addr]
	if !had && len(b.bans) >= maxBans {
		var first Ban
		for _, x := range b.bans {
			if first.Addr == (netip.Addr{}) || x.Until.Before(first.Until) {
				first = x
			}
		}
		delete(b.bans, first.Addr)
	}
	b.bans[ban.Addr] = ban
	b.dirty = true
	return !had
}

// remove lifts the ban of a and reports whether there was one.
func (b *banList) remove(a netip.Addr) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	_, ok := b.bans[a.Unmap()]
	delete(b.bans, a.Unmap())
	b.dirty = b.dirty || ok
	return ok
}

// clear lifts every ban.
func (b *banList) clear() {
	b.mu.Lock()
	defer b.mu.Unlock()
	clear(b.bans)
	b.dirty = true
}

// banned reports whether a is banned at now, dropping an expired ban.
func (b *banList) banned(a netip.Addr, now time.Time) bool {
	a = a.Unmap()
	b.mu.Lock()
	defer b.mu.Unlock()
	ban, ok := b.bans[a]
	if ok && !now.Before(ban.Until) {
		delete(b.bans, a)
		b.dirty = true
		return false
	}
	return ok
}

// list returns the bans in force at now, ordered by address.
func (b *banList) list(now time.Time) []Ban {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]Ban, 0, len(b.bans))
	for a, ban := range b.bans {
		if !now.Before(ban.Until) {
			delete(b.bans, a)
			b.dirty = true
			continue
		}
		out = append(out, ban)
	}
	slices.SortFunc(out, func(x, y Ban) int { return x.Addr.Compare(y.Addr) })
	return out
}

// banFile is the ban list's JSON file format.
type banFile struct {
	Version int            `json:"version"`
	Bans    []banFileEntry `json:"banned"`
}

type banFileEntry struct {
	Address string `json:"address"`
	Created int64  `json:"ban_created"`
	Until   int64  `json:"banned_until"`
	Reason  string `json:"reason,omitempty"`
}

// encodeBanList returns the file form of bans.
func encodeBanList(bans []Ban) []byte {
	f := banFile{Version: 1, Bans: make([]banFileEntry, 0, len(bans))}
	for _, b := range bans {
		f.Bans = append(f.Bans, banFileEntry{Address: b.Addr.String(), Created: b.Created.Unix(),
			Until: b.Until.Unix(), Reason: b.Reason})
	}
	out, _ := json.MarshalIndent(f, "", "  ") // cannot fail: plain types
	return append(out, '\n')
}

// decodeBanList decodes a ban list file. It refuses unknown versions,
// unparsable addresses, address ranges and more than maxBans entries, with
// errors wrapping ErrBanListCorrupt.
func decodeBanList(data []byte) ([]Ban, error) {
	var f banFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBanListCorrupt, err)
	}
	if f.Version != 1 {
		return nil, fmt.Errorf("%w: version %d", ErrBanListCorrupt, f.Version)
	}
	if len(f.Bans) > maxBans {
		return nil, fmt.Errorf("%w: %d entries, limit %d", ErrBanListCorrupt, len(f.Bans), maxBans)
	}
	out := make([]Ban, 0, len(f.Bans))
	for i, e := range f.Bans {
		a, err := netip.ParseAddr(e.Address)
		if err != nil || a.Zone() != "" {
			return nil, fmt.Errorf("%w: entry %d: address %q", ErrBanListCorrupt, i, e.Address)
		}
		if e.Until < e.Created {
			return nil, fmt.Errorf("%w: entry %d: ends before it starts", ErrBanListCorrupt, i)
		}
		out = append(out, Ban{Addr: a.Unmap(), Created: time.Unix(e.Created, 0), Until: time.Unix(e.Until, 0), Reason: e.Reason})
	}
	return out, nil
}

// load reads the ban list from path. A missing file is an empty list.
func (b *banList) load(path string, now time.Time) error {
	data, err := readBounded(path, maxBanFileSize)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read ban list: %w", err)
	}
	bans, err := decodeBanList(data)
	if err != nil {
		return fmt.Errorf("ban list %s: %w", path, err)
	}
	for _, ban := range bans {
		if now.Before(ban.Until) {
			b.add(ban)
		}
	}
	b.mu.Lock()
	b.dirty = false
	b.mu.Unlock()
	return nil
}

// save writes the ban list to path atomically when it changed.
func (b *banList) save(path string, now time.Time) error {
	b.mu.Lock()
	dirty := b.dirty
	b.mu.Unlock()
	if !dirty {
		return nil
	}
	if err := atomicfile.WriteBytes(path, 0o600, encodeBanList(b.list(now))); err != nil {
		return fmt.Errorf("save ban list: %w", err)
	}
	b.mu.Lock()
	b.dirty = false
	b.mu.Unlock()
	return nil
}

// readBounded reads a file of at most limit bytes.
func readBounded(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if fi.Size() > limit {
		return nil, fmt.Errorf("%s: %d bytes, limit %d", path, fi.Size(), limit)
	}
	data := make([]byte, fi.Size())
	if _, err := f.ReadAt(data, 0); err != nil && fi.Size() > 0 {
		return nil, err
	}
	return data, nil
}
