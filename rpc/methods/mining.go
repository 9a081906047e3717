package methods

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"sync"
	"sync/atomic"

	"github.com/nodecoin/nodecoin/chain"
	"github.com/nodecoin/nodecoin/chain/address"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/mempool"
	"github.com/nodecoin/nodecoin/miner"
	"github.com/nodecoin/nodecoin/rpc"
)

// Defaults of the mining methods (Core's).
const (
	// defaultMaxTries is generatetoaddress's default maxtries.
	defaultMaxTries = 1_000_000
	// defaultHashPSBlocks is getnetworkhashps's default window.
	defaultHashPSBlocks = 120
)

// errRegtestOnly answers the generating methods on main and test, as Core
// answered its regtest-only `generate`.
var errRegtestOnly = rpc.NewError(rpc.CodeMethodNotFound, "This method can only be used on regtest")

// Mining returns the methods of the "mining" category (getblocktemplate,
// getmininginfo, getnetworkhashps, submitblock) and of the "generating" category
// (generatetoaddress, generateblock). The generating methods work on
// regtest only, as DESIGN.md requires (Core allows them on every network);
// elsewhere they answer -32601 "This method can only be used on regtest".
func Mining(c Chain, opts Options) []rpc.Method {
	m := &mining{c: c, opts: opts}
	return []rpc.Method{m.getBlockTemplate(), m.getMiningInfo(), m.getNetworkHashPS(), m.submitBlock(),
		m.generateToAddress(), m.generateBlock()}
}

type mining struct {
	c    Chain
	opts Options
	// genMu serialises block generation, so that concurrent calls extend
	// each other's blocks rather than compete for the same height.
	genMu sync.Mutex
	// extraNonce makes every generated coinbase unique, so a block
	// regenerated after invalidateblock differs from the invalidated one.
	extraNonce atomic.Uint64
	// tips wakes getblocktemplate's long polls on chain changes.
	tips tipWatch
}

// networkHashPS estimates the hashes per second over the lookup blocks
// before the block at height (the tip when height is -1 or beyond it) as
// Core's GetNetworkHashPS: the work they add over the span of their
// timestamps. lookup ≤ 0 means the default window (nodecoin retargets every
// block, so Core's "since the last difficulty change" would be one block).
func networkHashPS(c Chain, lookup, height int64) (float64, error) {
	best := c.Best()
	if height < -1 || height > int64(best.Height) {
		return 0, rpc.NewError(rpc.CodeInvalidParameter, "Block does not exist at specified height")
	}
	if height < 0 {
		height = int64(best.Height)
	}
	if height == 0 {
		return 0, nil
	}
	if lookup <= 0 {
		lookup = defaultHashPSBlocks
	}
	lookup = min(lookup, height)
	hash, err := c.BlockHashAt(int32(height))
	if err != nil {
		return 0, fmt.Errorf("block at height %d: %w", height, err)
	}
	top, err := c.BlockInfo(hash)
	if err != nil {
		return 0, fmt.Errorf("block %s: %w", hash, err)
	}
	minTime, maxTime := int64(top.Header.Timestamp), int64(top.Header.Timestamp)
	cur := top
	for range lookup {
		if cur.Previous == nil {
			break
		}
		if cur, err = c.BlockInfo(*cur.Previous); err != nil {
			return 0, fmt.Errorf("block %s: %w", *top.Previous, err)
		}
		t := int64(cur.Header.Timestamp)
		minTime, maxTime = min(minTime, t), max(maxTime, t)
	}
	if minTime == maxTime {
		return 0, nil
	}
	work, _ := new(big.Float).SetInt(new(big.Int).Sub(top.ChainWork, cur.ChainWork)).Float64()
	return work / float64(maxTime-minTime), nil
}

func (m *mining) getNetworkHashPS() rpc.Method {
	return rpc.Method{
		Name:     "getnetworkhashps",
		Category: "mining",
		Args: []rpc.Arg{
			{Name: "nblocks", Type: rpc.TypeNumber, Optional: true, Default: "120",
				Description: "The number of previous blocks to calculate estimate from, or -1 (any value ≤ 0) for the default of 120 " +
					"(nodecoin's difficulty changes every block, so Core's \"blocks since last difficulty change\" does not apply)."},
			{Name: "height", Type: rpc.TypeNumber, Optional: true, Default: "-1",
				Description: "To estimate at the time of the given height."},
		},
		Description: "Returns the estimated network hashes per second based on the last n blocks.\n" +
			"Pass in [blocks] to override # of blocks, -1 specifies the default window.\n" +
			"Pass in [height] to estimate the network speed at the time when a certain block was found.",
		Result:   "n    (numeric) Hashes per second estimated",
		Examples: rpc.ExampleCLI("getnetworkhashps", "") + rpc.ExampleRPC("getnetworkhashps", ""),
		Handler: func(_ context.Context, p rpc.Params) (any, error) {
			lookup, err := p.OptionalInt(0, defaultHashPSBlocks)
			if err != nil {
				return nil, err
			}
			height, err := p.OptionalInt(1, -1)
			if err != nil {
				return nil, err
			}
			return networkHashPS(m.c, lookup, height)
		},
	}
}

// miningInfo is getmininginfo's result.
type miningInfo struct {
	Blocks        int32   `json:"blocks"`
	Difficulty    float64 `json:"difficulty"`
	NetworkHashPS float64 `json:"networkhashps"`
	PooledTx      int     `json:"pooledtx"`
	Chain         string  `json:"chain"`
	Warnings      string  `json:"warnings"`
}

func (m *mining) getMiningInfo() rpc.Method {
	return rpc.Method{
		Name:        "getmininginfo",
		Category:    "mining",
		Description: "Returns a json object containing mining-related information.",
		Result: `{                              (json object)
  "blocks" : n,                (numeric) The current block
  "difficulty" : n,            (numeric) The current difficulty
  "networkhashps" : n,         (numeric) The network hashes per second (over the last 120 blocks)
  "pooledtx" : n,              (numeric) The size of the mempool
  "chain" : "str",             (string) current network name (main, test, regtest)
  "warnings" : "str"           (string) any network and blockchain warnings
}`,
		Examples: rpc.ExampleCLI("getmininginfo", "") + rpc.ExampleRPC("getmininginfo", ""),
		Handler: func(context.Context, rpc.Params) (any, error) {
			best := m.c.Best()
			hps, err := networkHashPS(m.c, defaultHashPSBlocks, -1)
			if err != nil {
				return nil, err
			}
			pooled := 0
			if m.opts.Pool != nil {
				pooled = m.opts.Pool.Info().Size
			}
			return miningInfo{Blocks: best.Height, Difficulty: chain.Difficulty(best.Bits), NetworkHashPS: hps,
				PooledTx: pooled, Chain: m.c.Params().Name, Warnings: ""}, nil
		},
	}
}

// submitResult turns ProcessBlock's outcome into submitblock's BIP22
// answer: null when the block joined the main chain, "duplicate",
// "duplicate-invalid", "inconclusive" (valid so far but not in the main
// chain: a side branch, or an orphan held until its parent arrives), or
// the reject reason.
func submitResult(res chain.ProcessResult, err error) (any, error) {
	var re *consensus.RuleError
	switch {
	case errors.Is(err, chain.ErrKnownInvalid):
		return "duplicate-invalid", nil
	case errors.Is(err, chain.ErrDuplicateBlock):
		return "duplicate", nil
	case errors.As(err, &re):
		return re.Reason, nil
	case err != nil:
		return nil, fmt.Errorf("process block %s: %w", res.Hash, err)
	case !res.MainChain:
		return "inconclusive", nil
	}
	return nil, nil
}

func (m *mining) submitBlock() rpc.Method {
	return rpc.Method{
		Name:     "submitblock",
		Category: "mining",
		Args: []rpc.Arg{
			{Name: "hexdata", Type: rpc.TypeString, Description: "the hex-encoded block data to submit"},
			{Name: "dummy", Type: rpc.TypeAny, Optional: true, Default: "ignored", HelpType: "string",
				Description: "dummy value, for compatibility with BIP22. This value is ignored."},
		},
		Description: "Attempts to submit new block to network.\n" +
			"See https://en.bitcoin.it/wiki/BIP_0022 for full specification.\n" +
			"(nodecoin keeps a block whose parent is unknown and answers \"inconclusive\" for it, where Core answers \"prev-blk-not-found\".)",
		Result: `Result (If the block was accepted):
null    (json null)

Result (Otherwise):
"str"    (string) According to BIP22: "duplicate", "duplicate-invalid", "inconclusive" or the reject reason`,
		Examples: rpc.ExampleCLI("submitblock", `"mydata"`) + rpc.ExampleRPC("submitblock", `"mydata"`),
		Handler: func(_ context.Context, p rpc.Params) (any, error) {
			s, err := p.String(0)
			if err != nil {
				return nil, err
			}
			errDecode := rpc.NewError(rpc.CodeDeserialization, "Block decode failed")
			raw, err := hex.DecodeString(s)
			if err != nil {
				return nil, errDecode
			}
			blk, err := wire.DecodeBlock(raw)
			if err != nil {
				return nil, errDecode
			}
			if len(blk.Transactions) == 0 || !blk.Transactions[0].IsCoinBase() {
				return nil, rpc.NewError(rpc.CodeDeserialization, "Block does not start with a coinbase")
			}
			return submitResult(m.c.ProcessBlock(blk))
		},
	}
}

// regtestOnly checks that the chain is regtest's.
func (m *mining) regtestOnly() error {
	if m.c.Params().Name != consensus.RegTestNetName {
		return errRegtestOnly
	}
	return nil
}

// solve grinds the header for at most *tries hashes, taking the hashes
// used from *tries; it stops early when ctx is done.
func solve(ctx context.Context, h *wire.BlockHeader, tries *uint64) (bool, error) {
	found, err := miner.SolveContext(ctx, h, tries)
	if err != nil {
		return false, fmt.Errorf("generation interrupted: %w", err)
	}
	return found, nil
}

// generate builds, solves and submits one block paying payTo and holding
// txs; it returns the block, or nil when maxTries ran out.
func (m *mining) generate(ctx context.Context, payTo []byte, txs []*wire.Tx, tries *uint64, submit bool) (*wire.Block, error) {
	blk, err := miner.BuildBlock(m.c, payTo, txs, m.extraNonce.Add(1), m.opts.now())
	if errors.Is(err, miner.ErrMissingInput) {
		return nil, rpc.Errorf(rpc.CodeVerify, "TestBlockValidity failed: bad-txns-inputs-missingorspent, %v", err)
	}
	if err != nil {
		return nil, fmt.Errorf("build block: %w", err)
	}
	ok, err := solve(ctx, &blk.Header, tries)
	if err != nil || !ok {
		return nil, err
	}
	if !submit {
		if err := consensus.CheckBlockSanity(blk, m.c.Params().PowLimit); err != nil {
			return nil, rpc.Errorf(rpc.CodeVerify, "TestBlockValidity failed: %v", err)
		}
		return blk, nil
	}
	res, err := m.c.ProcessBlock(blk)
	var re *consensus.RuleError
	if errors.As(err, &re) {
		return nil, rpc.Errorf(rpc.CodeVerify, "TestBlockValidity failed: %s", re.Error())
	}
	if err != nil {
		return nil, rpc.Errorf(rpc.CodeInternal, "ProcessNewBlock, block not accepted: %v", err)
	}
	if !res.MainChain {
		return nil, rpc.NewError(rpc.CodeInternal, "ProcessNewBlock, block not accepted")
	}
	return blk, nil
}

func (m *mining) generateToAddress() rpc.Method {
	return rpc.Method{
		Name:     "generatetoaddress",
		Category: "generating",
		Args: []rpc.Arg{
			{Name: "nblocks", Type: rpc.TypeNumber, Description: "How many blocks are generated."},
			{Name: "address", Type: rpc.TypeString, Description: "The address to send the newly generated coins to."},
			{Name: "maxtries", Type: rpc.TypeNumber, Optional: true, Default: "1000000", Description: "How many iterations to try."},
		},
		Description: "Mine blocks immediately to a specified address (before the RPC call returns). Regtest only in nodecoin.\n" +
			"Each block takes the mempool's transactions in mining order (best package fee rate first, parents before children)\n" +
			"while they fit in 1,000,000 bytes and 20,000 signature operations, less room kept for the coinbase.",
		Result: `[           (json array) hashes of blocks generated
  "hex",    (string) blockhash
  ...
]`,
		Examples: "Generate 11 blocks to myaddress\n" + rpc.ExampleCLI("generatetoaddress", "11 \"myaddress\""),
		Handler: func(ctx context.Context, p rpc.Params) (any, error) {
			if err := m.regtestOnly(); err != nil {
				return nil, err
			}
			n, err := p.Int(0)
			if err != nil {
				return nil, err
			}
			s, err := p.String(1)
			if err != nil {
				return nil, err
			}
			tries, err := p.OptionalInt(2, defaultMaxTries)
			if err != nil {
				return nil, err
			}
			addr, err := address.Decode(s, m.c.Params().AddressPrefixes())
			if err != nil {
				return nil, rpc.NewError(rpc.CodeInvalidAddressOrKey, "Error: Invalid address")
			}
			left := uint64(max(tries, 0))
			m.genMu.Lock()
			defer m.genMu.Unlock()
			hashes := []string{}
			mined := make(map[wire.Hash]bool)
			for range max(n, 0) {
				blk, err := m.generate(ctx, addr.ScriptPubKey(), m.poolTxs(mined), &left, true)
				if err != nil {
					return nil, err
				}
				if blk == nil {
					break // maxtries ran out, as Core: the blocks so far
				}
				for _, tx := range blk.Transactions[1:] {
					mined[tx.TxHash()] = true
				}
				hashes = append(hashes, blk.BlockHash().String())
			}
			return hashes, nil
		},
	}
}

// generatedBlock is generateblock's result.
type generatedBlock struct {
	Hash string `json:"hash"`
	Hex  string `json:"hex,omitempty"`
}

func (m *mining) generateBlock() rpc.Method {
	return rpc.Method{
		Name:     "generateblock",
		Category: "generating",
		Args: []rpc.Arg{
			{Name: "output", Type: rpc.TypeString, Description: "The address to send the newly generated coins to (nodecoin takes addresses, not descriptors)."},
			{Name: "transactions", Type: rpc.TypeArray, Description: "An array of hex strings which are either txids or raw transactions.\n" +
				"Txids must reference transactions currently in the mempool.\n" +
				"All transactions must be valid and in valid order, otherwise the block will be rejected."},
			{Name: "submit", Type: rpc.TypeBool, Optional: true, Default: "true",
				Description: "Whether to submit the block before the RPC call returns or to return it as hex."},
		},
		Description: "Mine a set of ordered transactions to a specified address and return the block hash. Regtest only in nodecoin.",
		Result: `{                    (json object)
  "hash" : "hex",    (string) hash of generated block
  "hex" : "hex"      (string, optional) hex of generated block, only present when submit=false
}`,
		Examples: "Generate a block to myaddress, with txs rawtx and mempool_txid\n" +
			rpc.ExampleCLI("generateblock", `"myaddress" '["rawtx", "mempool_txid"]'`),
		Handler: func(ctx context.Context, p rpc.Params) (any, error) {
			if err := m.regtestOnly(); err != nil {
				return nil, err
			}
			s, err := p.String(0)
			if err != nil {
				return nil, err
			}
			var items []json.RawMessage
			if err := p.Decode(1, &items); err != nil {
				return nil, err
			}
			submit, err := p.OptionalBool(2, true)
			if err != nil {
				return nil, err
			}
			addr, err := address.Decode(s, m.c.Params().AddressPrefixes())
			if err != nil {
				return nil, rpc.NewError(rpc.CodeInvalidAddressOrKey, "Error: Invalid address or descriptor")
			}
			txs := make([]*wire.Tx, 0, len(items))
			for _, it := range items {
				if rpc.JSONType(it) != "string" {
					return nil, typeError(it, "string")
				}
				var str string
				json.Unmarshal(it, &str)
				tx, err := m.txOrID(str)
				if err != nil {
					return nil, err
				}
				txs = append(txs, tx)
			}
			tries := uint64(defaultMaxTries)
			m.genMu.Lock()
			defer m.genMu.Unlock()
			blk, err := m.generate(ctx, addr.ScriptPubKey(), txs, &tries, submit)
			if err != nil {
				return nil, err
			}
			if blk == nil {
				return nil, rpc.NewError(rpc.CodeMisc, "Failed to make block.")
			}
			out := generatedBlock{Hash: blk.BlockHash().String()}
			if !submit {
				out.Hex = hex.EncodeToString(blk.Serialize())
			}
			return out, nil
		},
	}
}

// txOrID decodes one of generateblock's transactions: a txid (64 hex
// digits) names a mempool transaction, anything else is a raw transaction
// in hex. Without a mempool every txid is unknown.
func (m *mining) txOrID(s string) (*wire.Tx, error) {
	if len(s) == 2*wire.HashSize {
		if h, err := wire.NewHashFromStr(s); err == nil {
			if m.opts.Pool == nil {
				return nil, rpc.NewError(rpc.CodeInvalidAddressOrKey, "Transaction not in mempool")
			}
			if tx := m.opts.Pool.Tx(h); tx != nil {
				return tx, nil
			}
			return nil, rpc.Errorf(rpc.CodeInvalidAddressOrKey, "Transaction %s not in mempool.", s)
		}
	}
	raw, err := hex.DecodeString(s)
	if err == nil {
		var tx *wire.Tx
		if tx, err = wire.DecodeTx(raw); err == nil {
			return tx, nil
		}
	}
	return nil, rpc.NewError(rpc.CodeDeserialization, "Transaction decode failed for "+s)
}

// poolTxs returns the mempool transactions for the next generated block:
// the transactions of selectPoolTxs.
func (m *mining) poolTxs(mined map[wire.Hash]bool) []*wire.Tx {
	var txs []*wire.Tx
	for _, mt := range m.selectPoolTxs(mined) {
		txs = append(txs, mt.Tx)
	}
	return txs
}

// selectPoolTxs returns the mempool entries for the next block (generated
// or offered by getblocktemplate): mempool.SelectForBlock of the pool's
// MiningOrder within mempool.DefaultBlockLimits. Transactions in mined (put in
// earlier blocks of the same call, in case the pool has not caught up with
// them) are left out.
func (m *mining) selectPoolTxs(mined map[wire.Hash]bool) []*mempool.MiningTx {
	if m.opts.Pool == nil {
		return nil
	}
	return mempool.SelectForBlock(m.opts.Pool.MiningOrder(), mempool.DefaultBlockLimits(), mined)
}
