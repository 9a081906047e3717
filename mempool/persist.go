package mempool

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"time"

	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/internal/atomicfile"
)

// The pool file (mempool.dat): the magic, a u32 format version, a u32 count
// of entries, each as u32 length, the serialized transaction, i64 entry time
// (Unix seconds) and i64 fee delta; then a u32 count of fee deltas of
// transactions not in the pool, each a txid and an i64; then SHA-256 of all
// the preceding bytes. Integers are little-endian.
const (
	dumpMagic   = "NDCMEMPL"
	dumpVersion = 1
)

// ErrCorruptDump means the pool file does not decode: wrong magic, version,
// checksum, length or contents. Nothing is loaded from such a file.
var ErrCorruptDump = errors.New("corrupt mempool file")

type dumpEntry struct {
	tx    *wire.Tx
	time  int64
	delta int64
}

type dump struct {
	entries []dumpEntry
	deltas  map[wire.Hash]int64
}

func encodeDump(d *dump) []byte {
	b := []byte(dumpMagic)
	b = binary.LittleEndian.AppendUint32(b, dumpVersion)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(d.entries)))
	for _, e := range d.entries {
		b = binary.LittleEndian.AppendUint32(b, uint32(e.tx.SerializeSize()))
		b = e.tx.AppendTo(b)
		b = binary.LittleEndian.AppendUint64(b, uint64(e.time))
		b = binary.LittleEndian.AppendUint64(b, uint64(e.delta))
	}
	b = binary.LittleEndian.AppendUint32(b, uint32(len(d.deltas)))
	for id, v := range d.deltas {
		b = append(b, id[:]...)
		b = binary.LittleEndian.AppendUint64(b, uint64(v))
	}
	sum := sha256.Sum256(b)
	return append(b, sum[:]...)
}

// decodeDump parses a pool file, refusing anything but an exact, intact
// encoding. It never allocates more than a small multiple of len(b).
func decodeDump(b []byte) (*dump, error) {
	const minLen = len(dumpMagic) + 4 + 4 + 4 + sha256.Size
	if len(b) < minLen {
		return nil, fmt.Errorf("%w: %d bytes is too short", ErrCorruptDump, len(b))
	}
	if string(b[:len(dumpMagic)]) != dumpMagic {
		return nil, fmt.Errorf("%w: bad magic", ErrCorruptDump)
	}
	body, sum := b[:len(b)-sha256.Size], b[len(b)-sha256.Size:]
	if want := sha256.Sum256(body); !bytes.Equal(sum, want[:]) {
		return nil, fmt.Errorf("%w: checksum mismatch", ErrCorruptDump)
	}
	r := body[len(dumpMagic):]
	u32 := func() (uint32, bool) {
		if len(r) < 4 {
			return 0, false
		}
		v := binary.LittleEndian.Uint32(r)
		r = r[4:]
		return v, true
	}
	u64 := func() (uint64, bool) {
		if len(r) < 8 {
			return 0, false
		}
		v := binary.LittleEndian.Uint64(r)
		r = r[8:]
		return v, true
	}
	v, _ := u32()
	if v != dumpVersion {
		return nil, fmt.Errorf("%w: unsupported version %d", ErrCorruptDump, v)
	}
	n, ok := u32()
	if !ok {
		return nil, fmt.Errorf("%w: truncated", ErrCorruptDump)
	}
	// Each entry takes at least 4 + MinTxSize + 16 bytes.
	if uint64(n) > uint64(len(r))/(4+wire.MinTxSize+16) {
		return nil, fmt.Errorf("%w: %d entries cannot fit", ErrCorruptDump, n)
	}
	d := &dump{entries: make([]dumpEntry, 0, n), deltas: make(map[wire.Hash]int64)}
	for i := uint32(0); i < n; i++ {
		l, ok := u32()
		if !ok || uint64(l) > uint64(len(r)) {
			return nil, fmt.Errorf("%w: entry %d truncated", ErrCorruptDump, i)
		}
		tx, err := wire.DecodeTx(r[:l])
		if err != nil {
			return nil, fmt.Errorf("%w: entry %d: %w", ErrCorruptDump, i, err)
		}
		r = r[l:]
		t, ok1 := u64()
		delta, ok2 := u64()
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("%w: entry %d truncated", ErrCorruptDump, i)
		}
		d.entries = append(d.entries, dumpEntry{tx: tx, time: int64(t), delta: int64(delta)})
	}
	m, ok := u32()
	if !ok || uint64(m) > uint64(len(r))/40 {
		return nil, fmt.Errorf("%w: bad fee delta count", ErrCorruptDump)
	}
	for i := uint32(0); i < m; i++ {
		var id wire.Hash
		copy(id[:], r[:32])
		r = r[32:]
		v, _ := u64()
		d.deltas[id] = int64(v)
	}
	if len(r) != 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes", ErrCorruptDump, len(r))
	}
	return d, nil
}

// Save writes every entry (transaction, entry time, fee delta) and the fee
// deltas of absent transactions to path, atomically: a temporary file in the
// same directory, synced, then renamed over path. Entries are written
// parents first. It takes the pool's lock while it snapshots the pool.
func (p *Pool) Save(path string) error {
	p.mu.Lock()
	d := &dump{deltas: make(map[wire.Hash]int64)}
	ordered := make([]*entry, 0, len(p.entries))
	for _, e := range p.entries {
		ordered = append(ordered, e)
	}
	sortTopological(ordered)
	for _, e := range ordered {
		d.entries = append(d.entries, dumpEntry{tx: e.tx, time: e.time.Unix(), delta: e.delta})
	}
	for id, v := range p.deltas {
		if _, ok := p.entries[id]; !ok {
			d.deltas[id] = v
		}
	}
	p.mu.Unlock()

	b := encodeDump(d)
	if err := atomicfile.WriteBytes(path, 0o600, b); err != nil {
		return fmt.Errorf("mempool: save: %w", err)
	}
	p.log.Info("mempool saved", "path", path, "transactions", len(d.entries), "bytes", len(b))
	return nil
}

// sortTopological orders entries so that every parent precedes its children
// (fewer ancestors first).
func sortTopological(es []*entry) {
	slices.SortStableFunc(es, func(a, b *entry) int {
		switch {
		case a.ancCount != b.ancCount:
			return int(a.ancCount - b.ancCount)
		case a.seq < b.seq:
			return -1
		case a.seq > b.seq:
			return 1
		}
		return 0
	})
}

// LoadStats counts what Load did with the file's transactions.
type LoadStats struct {
	Accepted      int
	Failed        int // refused by validation against the current tip
	Expired       int // older than the expiry
	AlreadyInPool int
}

// Load reads a file written by Save and accepts each transaction again,
// validated against the current tip with its original entry time and fee
// delta; refusals are counted, not errors. A missing file loads nothing
// and is not an error. A corrupt or truncated file gives an error wrapping
// ErrCorruptDump and loads nothing. Either way the pool counts as loaded
// afterwards (getmempoolinfo). It takes the pool's lock.
func (p *Pool) Load(path string) (LoadStats, error) {
	var st LoadStats
	b, err := os.ReadFile(path)
	if err != nil {
		p.mu.Lock()
		p.loaded = true
		p.mu.Unlock()
		if errors.Is(err, fs.ErrNotExist) {
			return st, nil
		}
		return st, fmt.Errorf("mempool: load: %w", err)
	}
	d, err := decodeDump(b)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.loaded = true
	if err != nil {
		return st, fmt.Errorf("mempool: load %s: %w", path, err)
	}
	for id, v := range d.deltas {
		p.deltas[id] += v
	}
	now := p.cfg.Now()
	for _, de := range d.entries {
		t := time.Unix(de.time, 0)
		txid := de.tx.TxHash()
		if de.delta != 0 {
			p.deltas[txid] += de.delta
		}
		if !t.After(now.Add(-p.cfg.Expiry)) {
			st.Expired++
			continue
		}
		if _, ok := p.entries[txid]; ok {
			st.AlreadyInPool++
			continue
		}
		if _, err := p.accept(de.tx, acceptArgs{entryTime: t}, now); err != nil {
			if _, ok := IsReject(err); !ok {
				return st, fmt.Errorf("mempool: load: %w", err)
			}
			st.Failed++
			continue
		}
		st.Accepted++
	}
	p.log.Info("mempool loaded", "path", path, "accepted", st.Accepted, "failed", st.Failed,
		"expired", st.Expired, "already", st.AlreadyInPool)
	return st, nil
}
