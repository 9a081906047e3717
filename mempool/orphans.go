package mempool

import (
	"math/rand/v2"
	"time"

	"github.com/nodecoin/nodecoin/chain/wire"
)

// orphan is a transaction whose inputs are not all known yet.
type orphan struct {
	tx      *wire.Tx
	txid    wire.Hash
	peer    PeerID
	expires time.Time
	idx     int // position in orphanPool.list
}

// orphanPool holds orphans, indexed by txid and by the outputs they spend,
// with a list for uniform random eviction.
type orphanPool struct {
	byID   map[wire.Hash]*orphan
	byPrev map[wire.OutPoint]map[*orphan]struct{}
	list   []*orphan
	sweep  time.Time // next expiry sweep
}

func (o *orphanPool) init() {
	o.byID = make(map[wire.Hash]*orphan)
	o.byPrev = make(map[wire.OutPoint]map[*orphan]struct{})
}

func (o *orphanPool) remove(or *orphan) {
	if _, ok := o.byID[or.txid]; !ok {
		return
	}
	delete(o.byID, or.txid)
	for _, in := range or.tx.TxIn {
		set := o.byPrev[in.PreviousOutPoint]
		delete(set, or)
		if len(set) == 0 {
			delete(o.byPrev, in.PreviousOutPoint)
		}
	}
	last := o.list[len(o.list)-1]
	o.list[or.idx] = last
	last.idx = or.idx
	o.list[len(o.list)-1] = nil
	o.list = o.list[:len(o.list)-1]
}

// AddOrphan keeps tx, whose inputs are missing, on behalf of peer until its
// parents arrive (Core's AddOrphanTx): transactions above MaxOrphanSize
// bytes are refused, expired orphans are swept, and a random orphan makes
// room when MaxOrphans are held. It reports whether tx was added. It takes
// the pool's lock.
func (p *Pool) AddOrphan(tx *wire.Tx, peer PeerID) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.addOrphan(tx, peer, p.cfg.Now())
}

func (p *Pool) addOrphan(tx *wire.Tx, peer PeerID, now time.Time) bool {
	o := &p.orphans
	txid := tx.TxHash()
	if _, ok := o.byID[txid]; ok {
		return false
	}
	if tx.SerializeSize() > p.cfg.MaxOrphanSize {
		p.log.Debug("orphan too large", "txid", txid, "size", tx.SerializeSize())
		return false
	}
	p.expireOrphans(now)
	for len(o.list) >= p.cfg.MaxOrphans {
		o.remove(o.list[rand.IntN(len(o.list))])
	}
	or := &orphan{tx: tx, txid: txid, peer: peer, expires: now.Add(p.cfg.OrphanExpiry), idx: len(o.list)}
	o.byID[txid] = or
	o.list = append(o.list, or)
	for _, in := range tx.TxIn {
		set := o.byPrev[in.PreviousOutPoint]
		if set == nil {
			set = make(map[*orphan]struct{})
			o.byPrev[in.PreviousOutPoint] = set
		}
		set[or] = struct{}{}
	}
	p.log.Debug("orphan added", "txid", txid, "peer", peer, "orphans", len(o.list))
	return true
}

// expireOrphans drops orphans past their expiry, at most once a fifth of
// the expiry period (Core sweeps every 5 of 20 minutes).
func (p *Pool) expireOrphans(now time.Time) {
	o := &p.orphans
	if now.Before(o.sweep) {
		return
	}
	o.sweep = now.Add(p.cfg.OrphanExpiry / 4)
	for i := len(o.list) - 1; i >= 0; i-- {
		if i < len(o.list) && !now.Before(o.list[i].expires) {
			o.remove(o.list[i])
		}
	}
}

// RemoveOrphansForPeer drops every orphan peer sent (the peer disconnected)
// and returns how many. It takes the pool's lock.
func (p *Pool) RemoveOrphansForPeer(peer PeerID) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for i := len(p.orphans.list) - 1; i >= 0; i-- {
		if i < len(p.orphans.list) && p.orphans.list[i].peer == peer {
			p.orphans.remove(p.orphans.list[i])
			n++
		}
	}
	return n
}

// OrphanCount returns the number of orphans held. It takes the pool's lock.
func (p *Pool) OrphanCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.orphans.list)
}

// HaveOrphan reports whether an orphan with txid is held. It takes the
// pool's lock.
func (p *Pool) HaveOrphan(txid wire.Hash) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, ok := p.orphans.byID[txid]
	return ok
}

// processOrphans retries, breadth first, the orphans spending outputs of
// accepted transactions starting with tx; those accepted are returned in
// order, those refused for any reason but missing inputs are dropped.
// Called with mu held.
func (p *Pool) processOrphans(tx *wire.Tx, now time.Time) []*wire.Tx {
	o := &p.orphans
	if len(o.list) == 0 {
		return nil
	}
	var accepted []*wire.Tx
	queue := []*wire.Tx{tx}
	for len(queue) > 0 {
		parent := queue[0]
		queue = queue[1:]
		parentID := parent.TxHash()
		for i := range parent.TxOut {
			set := o.byPrev[wire.OutPoint{Hash: parentID, Index: uint32(i)}]
			cands := make([]*orphan, 0, len(set))
			for or := range set {
				cands = append(cands, or)
			}
			for _, or := range cands {
				if _, ok := o.byID[or.txid]; !ok {
					continue
				}
				_, err := p.accept(or.tx, acceptArgs{AcceptOptions: AcceptOptions{Peer: or.peer}}, now)
				if err == nil {
					o.remove(or)
					accepted = append(accepted, or.tx)
					queue = append(queue, or.tx)
					continue
				}
				if re, ok := IsReject(err); ok && re.Orphan {
					continue // still waiting for another parent
				}
				o.remove(or)
			}
		}
	}
	return accepted
}

// removeOrphansForBlock drops orphans the block includes or conflicts with
// (Core's EraseForBlock).
func (p *Pool) removeOrphansForBlock(txs []*wire.Tx) {
	o := &p.orphans
	if len(o.list) == 0 {
		return
	}
	for _, tx := range txs {
		if or, ok := o.byID[tx.TxHash()]; ok {
			o.remove(or)
		}
		for _, in := range tx.TxIn {
			for or := range o.byPrev[in.PreviousOutPoint] {
				o.remove(or)
			}
		}
	}
}
