package methods

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/nodecoin/nodecoin/chain"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/mempool"
	"github.com/nodecoin/nodecoin/miner"
	"github.com/nodecoin/nodecoin/rpc"
)

// Long polling of getblocktemplate. Core answers a long poll when the tip
// changes, or when the mempool changed and a minute has passed (then every
// ten seconds); nodecoin waits longPollMempoolDelay for the mempool, and
// checks the tip at least every longPollCheck besides waking on the chain's
// notifications.
const (
	longPollMempoolDelay = 5 * time.Second
	longPollCheck        = time.Second
)

// templateRules are the rules getblocktemplate lists as active: nodecoin
// enforces BIP68/112/113 ("csv") from genesis and has no segwit or taproot,
// so Core's "!segwit" and "taproot" are left out.
var templateRules = []string{"csv"}

// tipWatch hands out a channel closed at the next change of the main chain,
// fed by the chain's notifications when the chain offers Subscribe. It
// subscribes on first use, so a Mining list never used for long polls adds
// no subscriber.
type tipWatch struct {
	once sync.Once
	mu   sync.Mutex
	ch   chan struct{} // nil without notifications
}

// changed returns a channel closed at the next chain change, or nil (a
// channel that never fires) when c cannot notify.
func (w *tipWatch) changed(c Chain) <-chan struct{} {
	w.once.Do(func() {
		s, ok := c.(interface {
			Subscribe(func(chain.Notification))
		})
		if !ok {
			return
		}
		w.mu.Lock()
		w.ch = make(chan struct{})
		w.mu.Unlock()
		s.Subscribe(func(chain.Notification) {
			w.mu.Lock()
			close(w.ch)
			w.ch = make(chan struct{})
			w.mu.Unlock()
		})
	})
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.ch
}

// templateRequest is getblocktemplate's template_request object.
type templateRequest struct {
	Mode         string   `json:"mode"`
	Rules        []string `json:"rules"`
	Capabilities []string `json:"capabilities"`
	LongPollID   *string  `json:"longpollid"`
	Data         *string  `json:"data"`
}

// templateTx is one transaction of a block template.
type templateTx struct {
	Data    string `json:"data"`
	TxID    string `json:"txid"`
	Hash    string `json:"hash"`
	Depends []int  `json:"depends"`
	Fee     int64  `json:"fee"`
	SigOps  int    `json:"sigops"`
	Weight  int64  `json:"weight"`
}

// blockTemplate is getblocktemplate's result, members in Core's order.
type blockTemplate struct {
	Capabilities      []string          `json:"capabilities"`
	Version           int32             `json:"version"`
	Rules             []string          `json:"rules"`
	VBAvailable       map[string]int    `json:"vbavailable"`
	VBRequired        int               `json:"vbrequired"`
	PreviousBlockHash string            `json:"previousblockhash"`
	Transactions      []templateTx      `json:"transactions"`
	CoinbaseAux       map[string]string `json:"coinbaseaux"`
	CoinbaseValue     int64             `json:"coinbasevalue"`
	LongPollID        string            `json:"longpollid"`
	Target            string            `json:"target"`
	MinTime           int64             `json:"mintime"`
	Mutable           []string          `json:"mutable"`
	NonceRange        string            `json:"noncerange"`
	SigOpLimit        int               `json:"sigoplimit"`
	SizeLimit         int               `json:"sizelimit"`
	WeightLimit       int               `json:"weightlimit"`
	CurTime           int64             `json:"curtime"`
	Bits              string            `json:"bits"`
	Height            int64             `json:"height"`
}

// poolSequence is the mempool's change counter, 0 without a pool.
func (m *mining) poolSequence() uint64 {
	if m.opts.Pool == nil {
		return 0
	}
	return m.opts.Pool.Sequence()
}

// longPollID is Core's longpollid: the tip's hash followed by the mempool's
// change counter in decimal.
func longPollID(tip wire.Hash, seq uint64) string {
	return tip.String() + strconv.FormatUint(seq, 10)
}

// template builds a block template on the current tip. The mempool
// counter is read before the transactions are selected, so a change made
// while building ends the next long poll rather than being missed; a tip
// that moved while the pool was read is retried.
func (m *mining) template() *blockTemplate {
	var (
		best chain.BestState
		seq  uint64
		sel  []*mempool.MiningTx
	)
	for range 3 {
		best = m.c.Best()
		seq = m.poolSequence()
		sel = m.selectPoolTxs(nil)
		if m.c.Best().Hash == best.Hash {
			break
		}
	}
	p := m.c.Params()
	height := int64(best.Height) + 1
	index := make(map[wire.Hash]int, len(sel))
	txs := make([]templateTx, 0, len(sel))
	fees := int64(0)
	for i, mt := range sel {
		index[mt.TxID] = i + 1
		deps := []int{}
		for _, d := range mt.Depends {
			if n, ok := index[d]; ok {
				deps = append(deps, n)
			}
		}
		id := mt.TxID.String()
		txs = append(txs, templateTx{Data: hex.EncodeToString(mt.Tx.Serialize()), TxID: id, Hash: id,
			Depends: deps, Fee: mt.Fee, SigOps: mt.SigOps, Weight: 4 * mt.Size})
		fees += mt.Fee
	}
	bits := consensus.NextRequiredBits(p, int64(best.Height), int64(best.Time))
	target, _, _ := consensus.CompactToBig(bits)
	minTime := int64(best.MedianTime) + 1
	return &blockTemplate{
		Capabilities:      []string{"proposal"},
		Version:           miner.BlockVersion,
		Rules:             templateRules,
		VBAvailable:       map[string]int{},
		VBRequired:        0,
		PreviousBlockHash: best.Hash.String(),
		Transactions:      txs,
		CoinbaseAux:       map[string]string{},
		CoinbaseValue:     consensus.CalcBlockSubsidy(height, p) + fees,
		LongPollID:        longPollID(best.Hash, seq),
		Target:            fmt.Sprintf("%064x", target),
		MinTime:           minTime,
		Mutable:           []string{"time", "transactions", "prevblock"},
		NonceRange:        "00000000ffffffff",
		SigOpLimit:        consensus.MaxBlockSigOps,
		SizeLimit:         consensus.MaxBlockSize,
		WeightLimit:       4 * consensus.MaxBlockSize,
		CurTime:           max(m.opts.now().Unix(), minTime),
		Bits:              fmt.Sprintf("%08x", bits),
		Height:            height,
	}
}

// waitLongPoll blocks while the longpollid id is current: until the tip is
// no longer the one it names, or longPollMempoolDelay has passed and the
// mempool counter differs from the one it names, or ctx is done (an
// error). An id that does not parse names no tip, so it returns at once.
func (m *mining) waitLongPoll(ctx context.Context, id string) error {
	if len(id) < 2*wire.HashSize {
		return nil
	}
	tip, err := wire.NewHashFromStr(id[:2*wire.HashSize])
	if err != nil {
		return nil
	}
	// As Core's LocaleIndependentAtoi, a bad counter counts as 0.
	seq, _ := strconv.ParseUint(id[2*wire.HashSize:], 10, 64)
	start := time.Now()
	timer := time.NewTimer(longPollCheck)
	defer timer.Stop()
	for {
		changed := m.tips.changed(m.c) // before Best, so no change is missed
		if m.c.Best().Hash != tip {
			return nil
		}
		if time.Since(start) >= longPollMempoolDelay && m.poolSequence() != seq {
			return nil
		}
		timer.Reset(longPollCheck)
		select {
		case <-ctx.Done():
			return fmt.Errorf("long poll interrupted: %w", ctx.Err())
		case <-changed:
		case <-timer.C:
		}
	}
}

// proposalResult checks a BIP23 block proposal as far as nodecoin can
// without connecting it: the answers for known blocks and for a parent
// other than the tip as Core's, then the header's bits, time and version
// against the tip, the context-free block checks (CheckBlockSanity, which
// includes the proof of work, unlike Core's TestBlockValidity) and the
// transactions' finality and the coinbase's BIP34 height. It answers nil
// (null) when they pass, or the reject reason; inputs, scripts and the
// coinbase's value are not checked.
func (m *mining) proposalResult(data string) (any, error) {
	errDecode := rpc.NewError(rpc.CodeDeserialization, "Block decode failed")
	raw, err := hex.DecodeString(data)
	if err != nil {
		return nil, errDecode
	}
	blk, err := wire.DecodeBlock(raw)
	if err != nil {
		return nil, errDecode
	}
	hash := blk.BlockHash()
	info, err := m.c.BlockInfo(hash)
	switch {
	case err == nil && info.Invalid:
		return "duplicate-invalid", nil
	case err == nil && info.HaveData:
		if info.Confirmations > 0 {
			return "duplicate", nil
		}
		return "duplicate-inconclusive", nil
	case err != nil && !errors.Is(err, chain.ErrBlockNotFound):
		return nil, fmt.Errorf("block %s: %w", hash, err)
	}
	best := m.c.Best()
	if blk.Header.PrevBlock != best.Hash {
		return "inconclusive-not-best-prevblk", nil
	}
	p := m.c.Params()
	bits := consensus.NextRequiredBits(p, int64(best.Height), int64(best.Time))
	err = consensus.CheckBlockHeaderContext(&blk.Header, bits, int64(best.MedianTime), m.opts.now().Unix())
	if err == nil {
		err = consensus.CheckBlockSanity(blk, p.PowLimit)
	}
	if err == nil {
		err = consensus.CheckBlockContext(blk, int64(best.Height)+1, int64(best.MedianTime))
	}
	var re *consensus.RuleError
	if errors.As(err, &re) {
		return re.Reason, nil
	}
	if err != nil {
		return nil, fmt.Errorf("check proposal %s: %w", hash, err)
	}
	return nil, nil
}

func (m *mining) getBlockTemplate() rpc.Method {
	return rpc.Method{
		Name:     "getblocktemplate",
		Category: "mining",
		Args: []rpc.Arg{
			{Name: "template_request", Type: rpc.TypeObject, Optional: true, Default: "{}",
				Description: "Format of the template: {\"mode\": \"template\"|\"proposal\", \"rules\": [...], " +
					"\"capabilities\": [...], \"longpollid\": \"str\", \"data\": \"hex\" (proposal mode)}.\n" +
					"Any rules are accepted; nodecoin does not require \"segwit\" (Core does)."},
		},
		Description: "If the request parameters include a 'mode' key, that is used to explicitly select between the default 'template' request or a 'proposal'.\n" +
			"It returns data needed to construct a block to work on.\n" +
			"For full specification, see BIPs 22, 23, 9, and 145:\n" +
			"    https://github.com/bitcoin/bips/blob/master/bip-0022.mediawiki\n" +
			"    https://github.com/bitcoin/bips/blob/master/bip-0023.mediawiki\n" +
			"Differences from Bitcoin Core: templates are served without peers and during initial block download\n" +
			"(no -9 \"not connected\" or -10 errors); rules lists only \"csv\" (no segwit or taproot), so there is no\n" +
			"default_witness_commitment, and sigops count signature operations against a sigoplimit of 20000 (no 4x cost);\n" +
			"a long poll also returns when the mempool changed and 5 seconds passed (Core: a minute).\n" +
			"Proposals are checked without their inputs (header, context-free and BIP34/finality checks, proof of work included).",
		Result: `Result (If the proposal was accepted with mode=='proposal'):
null    (json null)

Result (If the proposal was not accepted with mode=='proposal'):
"str"    (string) According to BIP22

Result (Otherwise):
{                                   (json object)
  "capabilities" : [ "str", ... ],  (json array) specific client side supported features
  "version" : n,                    (numeric) The preferred block version
  "rules" : [ "str", ... ],         (json array) specific block rules that are to be enforced
  "vbavailable" : { },              (json object) set of pending, supported versionbit (BIP 9) softfork deployments
  "vbrequired" : n,                 (numeric) bit mask of versionbits the server requires set in submissions
  "previousblockhash" : "str",      (string) The hash of current highest block
  "transactions" : [                (json array) contents of non-coinbase transactions that should be included in the next block
    {                               (json object)
      "data" : "hex",               (string) transaction data encoded in hexadecimal (byte-for-byte)
      "txid" : "hex",               (string) transaction id encoded in little-endian hexadecimal
      "hash" : "hex",               (string) hash encoded in little-endian hexadecimal (same as txid: no witness)
      "depends" : [ n, ... ],       (json array) 1-based indexes of the transactions in this list this one depends on
      "fee" : n,                    (numeric) difference in value between transaction inputs and outputs (in base units)
      "sigops" : n,                 (numeric) signature operations, counted against sigoplimit
      "weight" : n                  (numeric) total transaction weight, as counted for purposes of block limits
    },
    ...
  ],
  "coinbaseaux" : { },              (json object) data that should be included in the coinbase's scriptSig content
  "coinbasevalue" : n,              (numeric) maximum allowable input to coinbase transaction, including the generation award and transaction fees (in base units)
  "longpollid" : "str",             (string) an id to include with a request to longpoll on an update to this template
  "target" : "str",                 (string) The hash target
  "mintime" : xxx,                  (numeric) The minimum timestamp appropriate for the next block time, expressed in UNIX epoch time
  "mutable" : [ "str", ... ],       (json array) list of ways the block template may be changed
  "noncerange" : "hex",             (string) A range of valid nonces
  "sigoplimit" : n,                 (numeric) limit of sigops in blocks
  "sizelimit" : n,                  (numeric) limit of block size
  "weightlimit" : n,                (numeric) limit of block weight
  "curtime" : xxx,                  (numeric) current timestamp in UNIX epoch time
  "bits" : "str",                   (string) compressed target of next block
  "height" : n                      (numeric) The height of the next block
}`,
		Examples: rpc.ExampleCLI("getblocktemplate", `'{"rules": ["segwit"]}'`) +
			rpc.ExampleRPC("getblocktemplate", `{"rules": ["segwit"]}`),
		Handler: func(ctx context.Context, p rpc.Params) (any, error) {
			var req templateRequest
			if !p.IsNull(0) {
				if err := p.Decode(0, &req); err != nil {
					return nil, err
				}
			}
			switch req.Mode {
			case "", "template":
			case "proposal":
				if req.Data == nil {
					return nil, rpc.NewError(rpc.CodeType, "Missing data String key for proposal")
				}
				return m.proposalResult(*req.Data)
			default:
				return nil, rpc.NewError(rpc.CodeInvalidParameter, "Invalid mode")
			}
			if req.LongPollID != nil {
				if err := m.waitLongPoll(ctx, *req.LongPollID); err != nil {
					return nil, err
				}
			}
			return m.template(), nil
		},
	}
}
