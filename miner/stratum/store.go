package stratum

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/nodecoin/nodecoin/chain/wire"

	"github.com/syndtr/goleveldb/leveldb"
	"github.com/syndtr/goleveldb/leveldb/opt"
	"github.com/syndtr/goleveldb/leveldb/util"
)

// Share store schema (LevelDB, one-byte key prefixes).
const (
	// keyVersion holds the schema version, a u32.
	keyVersion = 'V'
	// prefixShare + seq (u64 big-endian) holds a share record.
	prefixShare = 's'
	// prefixCarry + output script holds a carried balance, an i64.
	prefixCarry = 'c'
	// keyBlocks holds the number of blocks found, a u64.
	keyBlocks = 'b'
	// prefixUndo + seq (u64 big-endian) + block hash holds the carried
	// balances as they were before that PPLNS block's payout (encodeCarry),
	// restored if the block leaves the main chain.
	prefixUndo = 'u'
	// prefixPending + block hash marks a solved block handed to the chain
	// whose payout is not recorded yet: a flag byte (1 when PPLNS carried
	// balances follow, as encodeCarry). A crash between the chain storing
	// the block and BlockFound leaves it, and the next start settles it.
	prefixPending = 'p'
	// maxUndo is how many found blocks keep their undo record: a
	// reorganisation deeper than this many of the pool's own blocks
	// leaves the carried balances as they are.
	maxUndo = 100
	// storeSchema is the schema version written.
	storeSchema = 1
	// shareRecordVersion is the first byte of a share record.
	shareRecordVersion = 1
	// maxRecordField bounds a record's script and worker name.
	maxRecordField = 255
)

// ErrBadRecord means a stored share record does not decode.
var ErrBadRecord = errors.New("bad share record")

// ShareRecord is one accepted share as the PPLNS window counts it.
type ShareRecord struct {
	// Time is when the share was accepted, Unix seconds.
	Time int64
	// Difficulty is the share's credited difficulty.
	Difficulty float64
	// Script is the output script of the address the worker mines for.
	Script []byte
	// Worker is the worker's name, ADDRESS or ADDRESS.name.
	Worker string
}

// Encode returns the record's stored form: a version byte (1), the time
// (i64 little-endian), the difficulty (IEEE 754 bits, u64 little-endian),
// then the script and the worker name, each after a one-byte length. It
// fails when the script or the name is longer than 255 bytes or the
// difficulty is not a positive finite number. It uses no lock.
func (r *ShareRecord) Encode() ([]byte, error) {
	if len(r.Script) > maxRecordField || len(r.Worker) > maxRecordField {
		return nil, fmt.Errorf("%w: field longer than %d bytes", ErrBadRecord, maxRecordField)
	}
	if !(r.Difficulty > 0) || math.IsInf(r.Difficulty, 0) {
		return nil, fmt.Errorf("%w: difficulty %v", ErrBadRecord, r.Difficulty)
	}
	b := make([]byte, 0, 19+len(r.Script)+len(r.Worker))
	b = append(b, shareRecordVersion)
	b = binary.LittleEndian.AppendUint64(b, uint64(r.Time))
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(r.Difficulty))
	b = append(b, byte(len(r.Script)))
	b = append(b, r.Script...)
	b = append(b, byte(len(r.Worker)))
	b = append(b, r.Worker...)
	return b, nil
}

// DecodeShareRecord decodes a record written by Encode, refusing another
// version, a difficulty that is not a positive finite number, lengths
// beyond the input and trailing bytes. It never panics and allocates no
// more than the input's size. It uses no shared state and no lock.
func DecodeShareRecord(b []byte) (ShareRecord, error) {
	var r ShareRecord
	if len(b) < 19 || b[0] != shareRecordVersion {
		return r, fmt.Errorf("%w: short or of an unknown version", ErrBadRecord)
	}
	r.Time = int64(binary.LittleEndian.Uint64(b[1:]))
	r.Difficulty = math.Float64frombits(binary.LittleEndian.Uint64(b[9:]))
	if !(r.Difficulty > 0) || math.IsInf(r.Difficulty, 0) {
		return ShareRecord{}, fmt.Errorf("%w: difficulty %v", ErrBadRecord, r.Difficulty)
	}
	rest := b[17:]
	n := int(rest[0])
	if len(rest) < 1+n+1 {
		return ShareRecord{}, fmt.Errorf("%w: script beyond the record", ErrBadRecord)
	}
	r.Script = append([]byte(nil), rest[1:1+n]...)
	rest = rest[1+n:]
	m := int(rest[0])
	if len(rest) != 1+m {
		return ShareRecord{}, fmt.Errorf("%w: worker name length %d, %d bytes left", ErrBadRecord, m, len(rest)-1)
	}
	r.Worker = string(rest[1:])
	return r, nil
}

// Store keeps the share accounting in LevelDB: the last Window accepted
// shares, the balances carried forward (amounts too small to pay yet) and
// the number of blocks found. Its methods are safe for concurrent use;
// they take the store's own lock.
type Store struct {
	db     *leveldb.DB
	window int

	mu     sync.Mutex
	shares []ShareRecord // the last window shares, oldest first
	next   uint64        // sequence number of the next share
	carry  map[string]int64
	blocks uint64
	undo   [][]byte // keys of the undo records, oldest first
}

// PendingBlock is a solved block whose outcome was not recorded: the
// process stopped between handing it to the chain and BlockFound or
// BlockAbandoned.
type PendingBlock struct {
	Hash wire.Hash
	// Carry is the carried balances the block's payout leaves (PPLNS), or
	// nil (solo).
	Carry map[string]int64
}

// OpenStore opens (creating when absent) the share store in dir, keeping
// the last window shares (window ≥ 1). Records beyond the window, left by
// a larger window before, are deleted. No lock is involved.
func OpenStore(dir string, window int) (*Store, error) {
	if window < 1 {
		return nil, fmt.Errorf("share window of %d shares: want at least 1", window)
	}
	db, err := leveldb.OpenFile(dir, &opt.Options{})
	if err != nil {
		return nil, fmt.Errorf("open share store %s: %w", dir, err)
	}
	s := &Store{db: db, window: window, carry: make(map[string]int64)}
	if err := s.load(); err != nil {
		db.Close()
		return nil, fmt.Errorf("share store %s: %w", dir, err)
	}
	return s, nil
}

func (s *Store) load() error {
	v, err := s.db.Get([]byte{keyVersion}, nil)
	switch {
	case errors.Is(err, leveldb.ErrNotFound):
		if err := s.db.Put([]byte{keyVersion}, binary.LittleEndian.AppendUint32(nil, storeSchema), nil); err != nil {
			return err
		}
	case err != nil:
		return err
	case len(v) != 4 || binary.LittleEndian.Uint32(v) != storeSchema:
		return fmt.Errorf("schema %x, want %d", v, storeSchema)
	}
	if v, err := s.db.Get([]byte{keyBlocks}, nil); err == nil && len(v) == 8 {
		s.blocks = binary.LittleEndian.Uint64(v)
	} else if err != nil && !errors.Is(err, leveldb.ErrNotFound) {
		return err
	}
	it := s.db.NewIterator(util.BytesPrefix([]byte{prefixCarry}), nil)
	for it.Next() {
		if len(it.Value()) == 8 {
			s.carry[string(it.Key()[1:])] = int64(binary.LittleEndian.Uint64(it.Value()))
		}
	}
	it.Release()
	if err := it.Error(); err != nil {
		return err
	}
	it = s.db.NewIterator(util.BytesPrefix([]byte{prefixUndo}), nil)
	for it.Next() {
		if len(it.Key()) == 1+8+32 {
			s.undo = append(s.undo, append([]byte(nil), it.Key()...))
		}
	}
	it.Release()
	if err := it.Error(); err != nil {
		return err
	}
	// The newest window records, read backwards; older ones are deleted.
	it = s.db.NewIterator(util.BytesPrefix([]byte{prefixShare}), nil)
	defer it.Release()
	var recs []ShareRecord
	batch := new(leveldb.Batch)
	for ok := it.Last(); ok; ok = it.Prev() {
		if len(it.Key()) != 9 {
			continue
		}
		seq := binary.BigEndian.Uint64(it.Key()[1:])
		if s.next == 0 {
			s.next = seq + 1
		}
		if len(recs) >= s.window {
			batch.Delete(append([]byte(nil), it.Key()...))
			continue
		}
		r, err := DecodeShareRecord(it.Value())
		if err != nil {
			return fmt.Errorf("share %d: %w", seq, err)
		}
		recs = append(recs, r)
	}
	if err := it.Error(); err != nil {
		return err
	}
	for i, j := 0, len(recs)-1; i < j; i, j = i+1, j-1 {
		recs[i], recs[j] = recs[j], recs[i]
	}
	s.shares = recs
	return s.db.Write(batch, nil)
}

func shareKey(seq uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte{prefixShare}, seq)
}

// AddShare records an accepted share, dropping the oldest beyond the
// window. It takes the store's lock.
func (s *Store) AddShare(r ShareRecord) error {
	v, err := r.Encode()
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	batch := new(leveldb.Batch)
	batch.Put(shareKey(s.next), v)
	if s.next >= uint64(s.window) {
		batch.Delete(shareKey(s.next - uint64(s.window)))
	}
	if err := s.db.Write(batch, nil); err != nil {
		return fmt.Errorf("record share: %w", err)
	}
	s.next++
	s.shares = append(s.shares, r)
	if len(s.shares) > s.window {
		// Keep the slice from growing: copy down once it holds two windows.
		s.shares = s.shares[len(s.shares)-s.window:]
		if cap(s.shares) > 2*s.window {
			s.shares = append([]ShareRecord(nil), s.shares...)
		}
	}
	return nil
}

// Window returns a copy of the last window shares, oldest first. It
// takes the store's lock.
func (s *Store) Window() []ShareRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]ShareRecord(nil), s.shares...)
}

// Carry returns a copy of the carried balances by output script. It
// takes the store's lock.
func (s *Store) Carry() map[string]int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int64, len(s.carry))
	for k, v := range s.carry {
		out[k] = v
	}
	return out
}

// BlocksFound returns the number of blocks found, as BlockFound counted.
// It takes the store's lock.
func (s *Store) BlocksFound() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.blocks
}

// BlockPending records that the solved block with the given hash is about
// to be handed to the chain, with the carried balances its payout would
// leave (nil for solo). BlockFound or BlockAbandoned clears it. The write
// is not synced: it is on the way to the chain's block, so it costs a
// write to the database's log and no disk flush, and a killed process's
// log survives it. It takes no lock (the database is safe for concurrent
// use).
func (s *Store) BlockPending(hash wire.Hash, carry map[string]int64) error {
	v := []byte{0}
	if carry != nil {
		v = append([]byte{1}, encodeCarry(carry)...)
	}
	if err := s.db.Put(pendingKey(hash), v, nil); err != nil {
		return fmt.Errorf("record block pending: %w", err)
	}
	return nil
}

// BlockAbandoned clears the pending record of a block the chain did not
// take into its main chain. It takes no lock.
func (s *Store) BlockAbandoned(hash wire.Hash) error {
	if err := s.db.Delete(pendingKey(hash), nil); err != nil {
		return fmt.Errorf("clear block pending: %w", err)
	}
	return nil
}

// Pending returns the blocks left pending by a process that stopped
// before recording their outcome. It takes the store's lock.
func (s *Store) Pending() ([]PendingBlock, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it := s.db.NewIterator(util.BytesPrefix([]byte{prefixPending}), nil)
	defer it.Release()
	var out []PendingBlock
	for it.Next() {
		k, v := it.Key(), it.Value()
		if len(k) != 1+32 || len(v) < 1 {
			return nil, fmt.Errorf("%w: pending block record %x", ErrBadRecord, k)
		}
		pb := PendingBlock{Hash: wire.Hash(k[1:])}
		if v[0] == 1 {
			carry, err := decodeCarry(v[1:])
			if err != nil {
				return nil, fmt.Errorf("pending block %s: %w", pb.Hash, err)
			}
			pb.Carry = carry
		}
		out = append(out, pb)
	}
	return out, it.Error()
}

func pendingKey(hash wire.Hash) []byte { return append([]byte{prefixPending}, hash[:]...) }

// BlockFound counts the block found with the given hash and, when carry
// is not nil (PPLNS), replaces the carried balances with it (the balances
// after the block's payout), keeping the balances before it for
// BlockDisconnected, and clears its pending record, in one synced write.
// It takes the store's lock.
func (s *Store) BlockFound(hash wire.Hash, carry map[string]int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	batch := new(leveldb.Batch)
	var undoKey []byte
	prune := 0
	if carry != nil {
		undoKey = binary.BigEndian.AppendUint64([]byte{prefixUndo}, s.blocks)
		undoKey = append(undoKey, hash[:]...)
		batch.Put(undoKey, encodeCarry(s.carry))
		prune = max(0, len(s.undo)+1-maxUndo)
		for _, k := range s.undo[:prune] {
			batch.Delete(k)
		}
		s.putCarry(batch, carry)
	}
	batch.Put([]byte{keyBlocks}, binary.LittleEndian.AppendUint64(nil, s.blocks+1))
	batch.Delete(pendingKey(hash))
	if err := s.db.Write(batch, &opt.WriteOptions{Sync: true}); err != nil {
		return fmt.Errorf("record block found: %w", err)
	}
	s.blocks++
	if carry != nil {
		s.undo = append(s.undo[prune:], undoKey)
		s.setCarry(carry)
	}
	return nil
}

// BlockDisconnected undoes the payout of a found PPLNS block that left the
// main chain: the carried balances go back to what they were before it
// (disconnections come tip first, so several blocks undo in order). It
// reports whether hash was such a block. It takes the store's lock.
func (s *Store) BlockDisconnected(hash wire.Hash) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.undo, func(k []byte) bool { return bytes.Equal(k[9:], hash[:]) })
	if i < 0 {
		return false, nil
	}
	raw, err := s.db.Get(s.undo[i], nil)
	if err != nil {
		return false, fmt.Errorf("read the payout undo of block %s: %w", hash, err)
	}
	before, err := decodeCarry(raw)
	if err != nil {
		return false, fmt.Errorf("payout undo of block %s: %w", hash, err)
	}
	batch := new(leveldb.Batch)
	batch.Delete(s.undo[i])
	s.putCarry(batch, before)
	if err := s.db.Write(batch, &opt.WriteOptions{Sync: true}); err != nil {
		return false, fmt.Errorf("undo the payout of block %s: %w", hash, err)
	}
	s.undo = slices.Delete(s.undo, i, i+1)
	s.setCarry(before)
	return true, nil
}

// putCarry adds to batch the writes that make the stored carried
// balances carry. The caller holds the store's lock.
func (s *Store) putCarry(batch *leveldb.Batch, carry map[string]int64) {
	for k := range s.carry {
		if carry[k] == 0 {
			batch.Delete(append([]byte{prefixCarry}, k...))
		}
	}
	for k, v := range carry {
		if v != 0 {
			batch.Put(append([]byte{prefixCarry}, k...), binary.LittleEndian.AppendUint64(nil, uint64(v)))
		}
	}
}

// setCarry makes carry the balances in memory. The caller holds the
// store's lock.
func (s *Store) setCarry(carry map[string]int64) {
	s.carry = make(map[string]int64, len(carry))
	for k, v := range carry {
		if v != 0 {
			s.carry[k] = v
		}
	}
}

// encodeCarry serializes carried balances: their count (u32 little-endian),
// then for each a script (a one-byte length, then the bytes) and the
// amount (i64 little-endian), in the scripts' order. Zero balances are
// left out.
func encodeCarry(carry map[string]int64) []byte {
	keys := make([]string, 0, len(carry))
	for k, v := range carry {
		if v != 0 && len(k) <= maxRecordField {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	b := binary.LittleEndian.AppendUint32(nil, uint32(len(keys)))
	for _, k := range keys {
		b = append(b, byte(len(k)))
		b = append(b, k...)
		b = binary.LittleEndian.AppendUint64(b, uint64(carry[k]))
	}
	return b
}

// decodeCarry parses encodeCarry's form; truncated, trailing or
// inconsistent bytes are an ErrBadRecord.
func decodeCarry(b []byte) (map[string]int64, error) {
	if len(b) < 4 {
		return nil, fmt.Errorf("%w: carried balances of %d bytes", ErrBadRecord, len(b))
	}
	n := binary.LittleEndian.Uint32(b)
	b = b[4:]
	if uint64(n)*9 > uint64(len(b)) { // each entry takes at least 9 bytes
		return nil, fmt.Errorf("%w: %d carried balances in %d bytes", ErrBadRecord, n, len(b))
	}
	carry := make(map[string]int64, n)
	for range n {
		if len(b) < 1 || len(b) < 1+int(b[0])+8 {
			return nil, fmt.Errorf("%w: truncated carried balance", ErrBadRecord)
		}
		k := string(b[1 : 1+b[0]])
		b = b[1+int(b[0]):]
		carry[k] = int64(binary.LittleEndian.Uint64(b))
		b = b[8:]
	}
	if len(b) != 0 {
		return nil, fmt.Errorf("%w: %d bytes after the carried balances", ErrBadRecord, len(b))
	}
	return carry, nil
}

// Close closes the database; no other method may run during or after
// it.
func (s *Store) Close() error { return s.db.Close() }
