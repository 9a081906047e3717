package chain

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/syndtr/goleveldb/leveldb"
	"github.com/syndtr/goleveldb/leveldb/opt"
	"github.com/syndtr/goleveldb/leveldb/util"
)

// SchemaVersion is the version of the on-disk layout this code reads and
// writes. A data dir with another version is refused, never guessed at.
const SchemaVersion = 1

// Key prefixes of the chain database. ARCHITECTURE.md documents the schema.
const (
	prefixSchema  = 'V' // 'V' → schema version, u32 LE
	prefixNetwork = 'N' // 'N' → network name
	prefixIndex   = 'B' // 'B' hash → indexRecord
	prefixBlock   = 'D' // 'D' hash → serialized block
	prefixUndo    = 'R' // 'R' hash → blockUndo
	prefixCoin    = 'U' // 'U' txid index(u32 BE) → Coin
	prefixTip     = 'T' // 'T' → hash of the block the coin set is at
	prefixFlush   = 'F' // 'F' → old tip ‖ new tip while a flush is being written
	prefixTxIndex = 'X' // 'X' txid → txLocation
	prefixTxIdxOn = 'x' // 'x' → present while the tx index is complete
)

// ErrSchema means the data dir belongs to another network or another schema
// version of nodecoin.
var ErrSchema = errors.New("incompatible data directory")

func hashKey(prefix byte, h wire.Hash) []byte {
	return append([]byte{prefix}, h[:]...)
}

func coinKey(op wire.OutPoint) []byte {
	k := make([]byte, 1+wire.HashSize+4)
	k[0] = prefixCoin
	copy(k[1:], op.Hash[:])
	binary.BigEndian.PutUint32(k[1+wire.HashSize:], op.Index)
	return k
}

// store is the chain's LevelDB database. Writes that must be atomic go
// through a leveldb.Batch; store methods never hold locks of their own.
type store struct {
	db *leveldb.DB
}

// openStore opens (creating if absent) the database in dir for the named
// network, checking the schema version and network recorded in it.
func openStore(dir, network string, cacheMiB int) (*store, error) {
	o := &opt.Options{
		BlockCacheCapacity: max(8, cacheMiB/8) * opt.MiB,
		WriteBuffer:        32 * opt.MiB,
	}
	db, err := leveldb.OpenFile(dir, o)
	if err != nil {
		return nil, fmt.Errorf("open chain database %s: %w", dir, err)
	}
	s := &store{db: db}
	if err := s.checkSchema(network); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

func (s *store) checkSchema(network string) error {
	v, err := s.db.Get([]byte{prefixSchema}, nil)
	if errors.Is(err, leveldb.ErrNotFound) {
		// A database with no schema key must be empty: a new data dir.
		it := s.db.NewIterator(nil, nil)
		nonEmpty := it.Next()
		it.Release()
		if nonEmpty {
			return fmt.Errorf("chain database has data but no schema version: %w", ErrSchema)
		}
		b := new(leveldb.Batch)
		b.Put([]byte{prefixSchema}, binary.LittleEndian.AppendUint32(nil, SchemaVersion))
		b.Put([]byte{prefixNetwork}, []byte(network))
		return s.db.Write(b, &opt.WriteOptions{Sync: true})
	}
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if len(v) != 4 || binary.LittleEndian.Uint32(v) != SchemaVersion {
		return fmt.Errorf("chain database schema version %x, this nodecoin reads version %d: %w", v, SchemaVersion, ErrSchema)
	}
	n, err := s.db.Get([]byte{prefixNetwork}, nil)
	if err != nil {
		return fmt.Errorf("read network name: %w", err)
	}
	if string(n) != network {
		return fmt.Errorf("chain database is for network %q, not %q: %w", n, network, ErrSchema)
	}
	return nil
}

func (s *store) close() error { return s.db.Close() }

// get returns the value at key, or nil with no error when it is absent.
func (s *store) get(key []byte) ([]byte, error) {
	v, err := s.db.Get(key, nil)
	if errors.Is(err, leveldb.ErrNotFound) {
		return nil, nil
	}
	return v, err
}

// write applies a batch atomically; sync makes it durable before returning
// (and, LevelDB's log being sequential, every earlier write with it).
func (s *store) write(b *leveldb.Batch, sync bool) error {
	return s.db.Write(b, &opt.WriteOptions{Sync: sync})
}

// forEachIndexRecord calls fn for every stored block index record.
func (s *store) forEachIndexRecord(fn func(hash wire.Hash, r indexRecord) error) error {
	it := s.db.NewIterator(util.BytesPrefix([]byte{prefixIndex}), nil)
	defer it.Release()
	for it.Next() {
		k := it.Key()
		if len(k) != 1+wire.HashSize {
			return corrupt("block index key", "%d bytes", len(k))
		}
		r, err := decodeIndexRecord(it.Value())
		if err != nil {
			return err
		}
		var h wire.Hash
		copy(h[:], k[1:])
		if err := fn(h, r); err != nil {
			return err
		}
	}
	return it.Error()
}

func (s *store) coin(op wire.OutPoint) (*Coin, error) {
	v, err := s.get(coinKey(op))
	if err != nil || v == nil {
		return nil, err
	}
	c, err := decodeCoin(v)
	if err != nil {
		return nil, fmt.Errorf("coin %s: %w", op, err)
	}
	return &c, nil
}

func (s *store) blockBytes(h wire.Hash) ([]byte, error) {
	return s.get(hashKey(prefixBlock, h))
}

func (s *store) undo(h wire.Hash) (blockUndo, error) {
	v, err := s.get(hashKey(prefixUndo, h))
	if err != nil {
		return blockUndo{}, err
	}
	if v == nil {
		return blockUndo{}, fmt.Errorf("undo data of block %s: %w", h, leveldb.ErrNotFound)
	}
	return decodeBlockUndo(v)
}

func (s *store) tip() (wire.Hash, bool, error) {
	v, err := s.get([]byte{prefixTip})
	if err != nil || v == nil {
		return wire.Hash{}, false, err
	}
	if len(v) != wire.HashSize {
		return wire.Hash{}, false, corrupt("tip record", "%d bytes", len(v))
	}
	var h wire.Hash
	copy(h[:], v)
	return h, true, nil
}

// flushMarker returns the tips of an interrupted flush: the coin set was
// being moved from old to new when the node stopped.
func (s *store) flushMarker() (old, new wire.Hash, ok bool, err error) {
	v, err := s.get([]byte{prefixFlush})
	if err != nil || v == nil {
		return old, new, false, err
	}
	if len(v) != 2*wire.HashSize {
		return old, new, false, corrupt("flush marker", "%d bytes", len(v))
	}
	copy(old[:], v)
	copy(new[:], v[wire.HashSize:])
	return old, new, true, nil
}
