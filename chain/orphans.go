package chain

import "github.com/nodecoin/nodecoin/chain/wire"

// orphanPool holds blocks whose parent is unknown, up to a fixed count,
// evicting the oldest first. The caller holds the chain's lock.
type orphanPool struct {
	limit    int
	blocks   map[wire.Hash]*wire.Block
	order    []wire.Hash // arrival order, oldest first
	byParent map[wire.Hash][]wire.Hash
}

func newOrphanPool(limit int) *orphanPool {
	return &orphanPool{limit: limit, blocks: make(map[wire.Hash]*wire.Block), byParent: make(map[wire.Hash][]wire.Hash)}
}

func (p *orphanPool) has(h wire.Hash) bool { _, ok := p.blocks[h]; return ok }

func (p *orphanPool) add(h wire.Hash, b *wire.Block) {
	if p.has(h) {
		return
	}
	for len(p.order) >= p.limit {
		p.remove(p.order[0])
	}
	p.blocks[h] = b
	p.order = append(p.order, h)
	parent := b.Header.PrevBlock
	p.byParent[parent] = append(p.byParent[parent], h)
}

func (p *orphanPool) remove(h wire.Hash) {
	b, ok := p.blocks[h]
	if !ok {
		return
	}
	delete(p.blocks, h)
	for i, o := range p.order {
		if o == h {
			p.order = append(p.order[:i], p.order[i+1:]...)
			break
		}
	}
	parent := b.Header.PrevBlock
	sib := p.byParent[parent]
	for i, s := range sib {
		if s == h {
			sib = append(sib[:i], sib[i+1:]...)
			break
		}
	}
	if len(sib) == 0 {
		delete(p.byParent, parent)
	} else {
		p.byParent[parent] = sib
	}
}

// takeChildren removes and returns the orphans whose parent is h.
func (p *orphanPool) takeChildren(h wire.Hash) []*wire.Block {
	var out []*wire.Block
	for _, c := range append([]wire.Hash(nil), p.byParent[h]...) {
		out = append(out, p.blocks[c])
		p.remove(c)
	}
	return out
}

func (p *orphanPool) len() int { return len(p.blocks) }
