package chain

import (
	"crypto/sha256"
	"sync"
	"sync/atomic"

	"github.com/nodecoin/nodecoin/chain/wire"
)

// SigCache remembers signatures already verified, so a transaction checked
// when it entered the mempool is not checked again when its block arrives.
// Entries are keyed by a hash of (signature hash, signature, public key);
// when full, an arbitrary entry makes room. Safe for concurrent use.
type SigCache struct {
	mu      sync.RWMutex
	entries map[[32]byte]struct{}
	max     int
	hits    atomic.Uint64
}

// NewSigCache returns a cache holding at most maxEntries signatures.
func NewSigCache(maxEntries int) *SigCache {
	return &SigCache{entries: make(map[[32]byte]struct{}, min(maxEntries, 1<<16)), max: maxEntries}
}

func sigCacheKey(sigHash wire.Hash, sig, pubKey []byte) [32]byte {
	h := sha256.New()
	h.Write(sigHash[:])
	h.Write([]byte{byte(len(sig))})
	h.Write(sig)
	h.Write(pubKey)
	var k [32]byte
	h.Sum(k[:0])
	return k
}

// Exists reports whether the signature was verified before.
func (c *SigCache) Exists(sigHash wire.Hash, sig, pubKey []byte) bool {
	k := sigCacheKey(sigHash, sig, pubKey)
	c.mu.RLock()
	_, ok := c.entries[k]
	c.mu.RUnlock()
	if ok {
		c.hits.Add(1)
	}
	return ok
}

// Hits returns how many lookups found their signature, since creation.
func (c *SigCache) Hits() uint64 { return c.hits.Load() }

// Add records a verified signature.
func (c *SigCache) Add(sigHash wire.Hash, sig, pubKey []byte) {
	if c.max <= 0 {
		return
	}
	k := sigCacheKey(sigHash, sig, pubKey)
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= c.max {
		for victim := range c.entries { // map order is random enough
			delete(c.entries, victim)
			break
		}
	}
	c.entries[k] = struct{}{}
}

// Len returns the number of cached signatures.
func (c *SigCache) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.entries)
}

// Clear forgets every cached signature.
func (c *SigCache) Clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.entries)
}
