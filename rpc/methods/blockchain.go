package methods

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/nodecoin/nodecoin/chain"
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/rpc"
	"github.com/nodecoin/nodecoin/rpc/corejson"
)

// maxTipAge is how far behind the clock the tip may be for the node to
// consider itself caught up (Core's DEFAULT_MAX_TIP_AGE, 24 hours).
const maxTipAge = 24 * time.Hour

// Blockchain returns the methods of the "blockchain" category:
// getblockchaininfo, getblockcount, getbestblockhash, getblockhash,
// getblock, getblockheader, getchaintips, getdifficulty, gettxout,
// gettxoutsetinfo, verifychain, invalidateblock and reconsiderblock.
func Blockchain(c Chain, opts Options) []rpc.Method {
	b := &blockchain{c: c, opts: opts}
	return []rpc.Method{
		b.getBlockchainInfo(), b.getBlockCount(), b.getBestBlockHash(), b.getBlockHash(), b.getBlock(),
		b.getBlockHeader(), b.getChainTips(), b.getDifficulty(), b.getTxOut(), b.getTxOutSetInfo(),
		b.verifyChain(), b.invalidateBlock(), b.reconsiderBlock(),
	}
}

type blockchain struct {
	c    Chain
	opts Options
	// caughtUp latches once the node has left initial block download, as
	// Core's IsInitialBlockDownload does.
	caughtUp atomic.Bool
}

// initialBlockDownload reports Core's IsInitialBlockDownload: true while
// the tip is older than maxTipAge or the chain is catching up with its
// known headers (chain.BestState.CatchingUp), until it is false once
// (nodecoin has no minimum chain work setting, Core's other condition).
func (b *blockchain) initialBlockDownload(best chain.BestState) bool {
	if b.caughtUp.Load() {
		return false
	}
	if b.opts.now().Sub(time.Unix(int64(best.Time), 0)) > maxTipAge || best.CatchingUp() {
		return true
	}
	b.caughtUp.Store(true)
	return false
}

// verificationProgress estimates how far the node has verified the chain
// by time: the share of the time from the genesis block to now that the
// tip covers (1 once the tip is within an hour of the clock), and while
// headers past the tip are known (a download in progress) at most the
// share of the known headers whose blocks are connected.
func (b *blockchain) verificationProgress(best chain.BestState) float64 {
	byHeaders := 1.0
	if best.HeadersHeight > best.Height && best.HeadersHeight > 0 {
		byHeaders = float64(best.Height) / float64(best.HeadersHeight)
	}
	genesis := int64(b.c.Params().GenesisBlock.Header.Timestamp)
	now := b.opts.now().Unix()
	tip := int64(best.Time)
	if now-tip < 3600 || now <= genesis {
		return byHeaders
	}
	return min(byHeaders, max(0, float64(tip-genesis)/float64(now-genesis)))
}

// blockchainInfo is getblockchaininfo's result.
type blockchainInfo struct {
	Chain                string  `json:"chain"`
	Blocks               int32   `json:"blocks"`
	Headers              int32   `json:"headers"`
	BestBlockHash        string  `json:"bestblockhash"`
	Difficulty           float64 `json:"difficulty"`
	Time                 uint32  `json:"time"`
	MedianTime           uint32  `json:"mediantime"`
	VerificationProgress float64 `json:"verificationprogress"`
	InitialBlockDownload bool    `json:"initialblockdownload"`
	ChainWork            string  `json:"chainwork"`
	SizeOnDisk           int64   `json:"size_on_disk"`
	Pruned               bool    `json:"pruned"`
	Warnings             string  `json:"warnings"`
}

func (b *blockchain) getBlockchainInfo() rpc.Method {
	return rpc.Method{
		Name:        "getblockchaininfo",
		Category:    "blockchain",
		Description: "Returns an object containing various state info regarding blockchain processing.",
		Result: `{                                         (json object)
  "chain" : "str",                         (string) current network name (main, test, regtest)
  "blocks" : n,                            (numeric) the height of the most-work fully-validated chain. The genesis block has height 0
  "headers" : n,                           (numeric) the current number of headers we have validated
  "bestblockhash" : "str",                 (string) the hash of the currently best block
  "difficulty" : n,                        (numeric) the current difficulty
  "time" : xxx,                            (numeric) The block time expressed in UNIX epoch time
  "mediantime" : xxx,                      (numeric) The median block time expressed in UNIX epoch time
  "verificationprogress" : n,              (numeric) estimate of verification progress [0..1] (nodecoin: by block time)
  "initialblockdownload" : true|false,     (boolean) (debug information) estimate of whether this node is in Initial Block Download mode
  "chainwork" : "hex",                     (string) total amount of work in active chain, in hexadecimal
  "size_on_disk" : n,                      (numeric) the estimated size of the block and undo files on disk
  "pruned" : true|false,                   (boolean) if the blocks are subject to pruning (nodecoin: always false)
  "warnings" : "str"                       (string) any network and blockchain warnings
}`,
		Examples: rpc.ExampleCLI("getblockchaininfo", "") + rpc.ExampleRPC("getblockchaininfo", ""),
		Handler: func(context.Context, rpc.Params) (any, error) {
			best := b.c.Best()
			return blockchainInfo{Chain: b.c.Params().Name, Blocks: best.Height, Headers: max(best.HeadersHeight, best.Height),
				BestBlockHash: best.Hash.String(), Difficulty: chain.Difficulty(best.Bits), Time: best.Time,
				MedianTime: best.MedianTime, VerificationProgress: b.verificationProgress(best),
				InitialBlockDownload: b.initialBlockDownload(best), ChainWork: fmt.Sprintf("%064x", best.ChainWork),
				SizeOnDisk: b.c.SizeOnDisk()}, nil
		},
	}
}

func (b *blockchain) getBlockCount() rpc.Method {
	return rpc.Method{
		Name:     "getblockcount",
		Category: "blockchain",
		Description: "Returns the height of the most-work fully-validated chain.\n" +
			"The genesis block has height 0.",
		Result:   "n    (numeric) The current block count",
		Examples: rpc.ExampleCLI("getblockcount", "") + rpc.ExampleRPC("getblockcount", ""),
		Handler: func(context.Context, rpc.Params) (any, error) {
			return b.c.Best().Height, nil
		},
	}
}

func (b *blockchain) getBestBlockHash() rpc.Method {
	return rpc.Method{
		Name:        "getbestblockhash",
		Category:    "blockchain",
		Description: "Returns the hash of the best (tip) block in the most-work fully-validated chain.",
		Result:      `"hex"    (string) the block hash, hex-encoded`,
		Examples:    rpc.ExampleCLI("getbestblockhash", "") + rpc.ExampleRPC("getbestblockhash", ""),
		Handler: func(context.Context, rpc.Params) (any, error) {
			return b.c.Best().Hash.String(), nil
		},
	}
}

func (b *blockchain) getBlockHash() rpc.Method {
	return rpc.Method{
		Name:        "getblockhash",
		Category:    "blockchain",
		Args:        []rpc.Arg{{Name: "height", Type: rpc.TypeNumber, Description: "The height index"}},
		Description: "Returns hash of block in best-block-chain at height provided.",
		Result:      `"hex"    (string) The block hash`,
		Examples:    rpc.ExampleCLI("getblockhash", "1000") + rpc.ExampleRPC("getblockhash", "1000"),
		Handler: func(_ context.Context, p rpc.Params) (any, error) {
			height, err := p.Int(0)
			if err != nil {
				return nil, err
			}
			errRange := rpc.NewError(rpc.CodeInvalidParameter, "Block height out of range")
			if height < 0 || height > int64(b.c.Best().Height) {
				return nil, errRange
			}
			h, err := b.c.BlockHashAt(int32(height))
			if errors.Is(err, chain.ErrBlockNotFound) {
				return nil, errRange // the tip moved back meanwhile
			}
			if err != nil {
				return nil, fmt.Errorf("block hash at %d: %w", height, err)
			}
			return h.String(), nil
		},
	}
}

const blockResultFields = `  "hash" : "hex",                 (string) the block hash (same as provided)
  "confirmations" : n,            (numeric) The number of confirmations, or -1 if the block is not on the main chain
  "height" : n,                   (numeric) The block height or index
  "version" : n,                  (numeric) The block version
  "versionHex" : "hex",           (string) The block version formatted in hexadecimal
  "merkleroot" : "hex",           (string) The merkle root
  "time" : xxx,                   (numeric) The block time expressed in UNIX epoch time
  "mediantime" : xxx,             (numeric) The median block time expressed in UNIX epoch time
  "nonce" : n,                    (numeric) The nonce
  "bits" : "hex",                 (string) The bits
  "difficulty" : n,               (numeric) The difficulty
  "chainwork" : "hex",            (string) Expected number of hashes required to produce the chain up to this block (in hex)
  "nTx" : n,                      (numeric) The number of transactions in the block
  "previousblockhash" : "hex",    (string, optional) The hash of the previous block (if available)
  "nextblockhash" : "hex",        (string, optional) The hash of the next block (if available)
`

func (b *blockchain) getBlock() rpc.Method {
	return rpc.Method{
		Name:     "getblock",
		Category: "blockchain",
		Args: []rpc.Arg{
			{Name: "blockhash", Type: rpc.TypeString, Description: "The block hash"},
			{Name: "verbosity|verbose", Type: rpc.TypeAny, Optional: true, Default: "1", HelpType: "numeric",
				Description: "0 for hex-encoded data, 1 for a JSON object, 2 for JSON object with transaction data (true and false are taken as 1 and 0)"},
		},
		Description: "If verbosity is 0, returns a string that is serialized, hex-encoded data for block 'hash'.\n" +
			"If verbosity is 1, returns an Object with information about block <hash>.\n" +
			"If verbosity is 2 (or more), returns an Object with information about block <hash> and information about each transaction.\n" +
			"(nodecoin keeps no spent-output data for RPC: verbosity 3 is answered as 2, without \"fee\" and \"prevout\".)",
		Result: `Result (for verbosity = 0):
"hex"    (string) A string that is serialized, hex-encoded data for block 'hash'

Result (for verbosity = 1):
{                                 (json object)
` + blockResultFields + `  "strippedsize" : n,             (numeric) The block size excluding witness data
  "size" : n,                     (numeric) The block size
  "weight" : n,                   (numeric) The block weight as defined in BIP 141
  "tx" : [                        (json array) The transaction ids
    "hex",                        (string) The transaction id
    ...
  ]
}

Result (for verbosity = 2):
{                                 (json object)
  ...,                            Same output as verbosity = 1
  "tx" : [                        (json array)
    {                             (json object)
      ...                         The transactions in the format of the getrawtransaction RPC
    },
    ...
  ]
}`,
		Examples: rpc.ExampleCLI("getblock", `"00000000c937983704a73af28acdec37b049d214adbda81d7e2a3dd146f6ed09"`) +
			rpc.ExampleRPC("getblock", `"00000000c937983704a73af28acdec37b049d214adbda81d7e2a3dd146f6ed09"`),
		Handler: func(_ context.Context, p rpc.Params) (any, error) {
			h, err := parseHash(p, 0, "blockhash")
			if err != nil {
				return nil, err
			}
			verbosity, err := p.Verbosity(1, 1, true)
			if err != nil {
				return nil, err
			}
			info, err := blockInfo(b.c, h)
			if err != nil {
				return nil, err
			}
			if !info.HaveData {
				return nil, errBlockNotAvailable
			}
			raw, err := b.c.BlockBytes(h)
			if err != nil {
				return nil, fmt.Errorf("read block %s: %w", h, err)
			}
			if verbosity <= 0 {
				return hex.EncodeToString(raw), nil
			}
			blk, err := wire.DecodeBlock(raw)
			if err != nil {
				return nil, fmt.Errorf("decode stored block %s: %w", h, err)
			}
			return corejson.NewBlock(blk, len(raw), blockContext(info, len(blk.Transactions)),
				b.c.Params().AddressPrefixes(), verbosity >= 2), nil
		},
	}
}

// numTx returns the transaction count of a stored block, read from its
// encoding (0 when the block's data is not stored, as Core's nTx).
func numTx(c Chain, info chain.BlockInfo) (int, error) {
	if !info.HaveData {
		return 0, nil
	}
	raw, err := c.BlockBytes(info.Hash)
	if err != nil {
		return 0, fmt.Errorf("read block %s: %w", info.Hash, err)
	}
	if len(raw) < wire.HeaderSize {
		return 0, fmt.Errorf("stored block %s is %d bytes", info.Hash, len(raw))
	}
	n, _, err := wire.ReadCompactSize(raw[wire.HeaderSize:])
	if err != nil {
		return 0, fmt.Errorf("stored block %s: %w", info.Hash, err)
	}
	return int(n), nil
}

func (b *blockchain) getBlockHeader() rpc.Method {
	return rpc.Method{
		Name:     "getblockheader",
		Category: "blockchain",
		Args: []rpc.Arg{
			{Name: "blockhash", Type: rpc.TypeString, Description: "The block hash"},
			{Name: "verbose", Type: rpc.TypeBool, Optional: true, Default: "true",
				Description: "true for a json object, false for the hex-encoded data"},
		},
		Description: "If verbose is false, returns a string that is serialized, hex-encoded data for blockheader 'hash'.\n" +
			"If verbose is true, returns an Object with information about blockheader <hash>.",
		Result: `Result (for verbose = true):
{                                 (json object)
` + blockResultFields + `}

Result (for verbose=false):
"hex"    (string) A string that is serialized, hex-encoded data for block 'hash'`,
		Examples: rpc.ExampleCLI("getblockheader", `"00000000c937983704a73af28acdec37b049d214adbda81d7e2a3dd146f6ed09"`) +
			rpc.ExampleRPC("getblockheader", `"00000000c937983704a73af28acdec37b049d214adbda81d7e2a3dd146f6ed09"`),
		Handler: func(_ context.Context, p rpc.Params) (any, error) {
			h, err := parseHash(p, 0, "blockhash")
			if err != nil {
				return nil, err
			}
			verbose, err := p.OptionalBool(1, true)
			if err != nil {
				return nil, err
			}
			info, err := blockInfo(b.c, h)
			if err != nil {
				return nil, err
			}
			if !verbose {
				raw := info.Header.Bytes()
				return hex.EncodeToString(raw[:]), nil
			}
			n, err := numTx(b.c, info)
			if err != nil {
				return nil, err
			}
			return corejson.NewHeader(&info.Header, blockContext(info, n)), nil
		},
	}
}

// chainTip is one entry of getchaintips.
type chainTip struct {
	Height    int32  `json:"height"`
	Hash      string `json:"hash"`
	BranchLen int32  `json:"branchlen"`
	Status    string `json:"status"`
}

func (b *blockchain) getChainTips() rpc.Method {
	return rpc.Method{
		Name:        "getchaintips",
		Category:    "blockchain",
		Description: "Return information about all known tips in the block tree, including the main chain as well as orphaned branches.",
		Result: `[                        (json array)
  {                      (json object)
    "height" : n,        (numeric) height of the chain tip
    "hash" : "hex",      (string) block hash of the tip
    "branchlen" : n,     (numeric) zero for main chain, otherwise length of branch connecting the tip to the main chain
    "status" : "str"     (string) status of the chain, "active" for the main chain
                         Possible values for status:
                         1.  "invalid"               This branch contains at least one invalid block
                         2.  "headers-only"          Not all blocks for this branch are available, but the headers are valid
                         3.  "valid-headers"         All blocks are available for this branch, but they were never fully validated
                         4.  "valid-fork"            This branch is not part of the active chain, but is fully validated
                         5.  "active"                This is the tip of the active main chain, which is certainly valid
  },
  ...
]`,
		Examples: rpc.ExampleCLI("getchaintips", "") + rpc.ExampleRPC("getchaintips", ""),
		Handler: func(context.Context, rpc.Params) (any, error) {
			tips := b.c.ChainTips()
			out := make([]chainTip, len(tips))
			for i, t := range tips {
				out[i] = chainTip{Height: t.Height, Hash: t.Hash.String(), BranchLen: t.BranchLen, Status: string(t.Status)}
			}
			return out, nil
		},
	}
}

func (b *blockchain) getDifficulty() rpc.Method {
	return rpc.Method{
		Name:        "getdifficulty",
		Category:    "blockchain",
		Description: "Returns the proof-of-work difficulty as a multiple of the minimum difficulty.",
		Result:      "n    (numeric) the proof-of-work difficulty as a multiple of the minimum difficulty.",
		Examples:    rpc.ExampleCLI("getdifficulty", "") + rpc.ExampleRPC("getdifficulty", ""),
		Handler: func(context.Context, rpc.Params) (any, error) {
			return chain.Difficulty(b.c.Best().Bits), nil
		},
	}
}

// txOut is gettxout's result.
type txOut struct {
	BestBlock     string                `json:"bestblock"`
	Confirmations int32                 `json:"confirmations"`
	Value         corejson.Amount       `json:"value"`
	ScriptPubKey  corejson.ScriptPubKey `json:"scriptPubKey"`
	Coinbase      bool                  `json:"coinbase"`
}

func (b *blockchain) getTxOut() rpc.Method {
	return rpc.Method{
		Name:     "gettxout",
		Category: "blockchain",
		Args: []rpc.Arg{
			{Name: "txid", Type: rpc.TypeString, Description: "The transaction id"},
			{Name: "n", Type: rpc.TypeNumber, Description: "vout number"},
			{Name: "include_mempool", Type: rpc.TypeBool, Optional: true, Default: "true",
				Description: "Whether to include the mempool. Note that an unspent output that is spent in the mempool won't appear."},
		},
		Description: "Returns details about an unspent transaction output.",
		Result: `Result (If the UTXO was not found):
null    (json null)

Result (Otherwise):
{                             (json object)
  "bestblock" : "hex",        (string) The hash of the block at the tip of the chain
  "confirmations" : n,        (numeric) The number of confirmations
  "value" : n,                (numeric) The transaction value in NDC
  "scriptPubKey" : {          (json object)
    "asm" : "str",            (string) Disassembly of the public key script
    "desc" : "str",           (string) Inferred descriptor for the output
    "hex" : "hex",            (string) The raw public key script bytes, hex-encoded
    "type" : "str",           (string) The type, eg pubkeyhash
    "address" : "str"         (string, optional) The address (only if a well-defined address exists)
  },
  "coinbase" : true|false     (boolean) Coinbase or not
}`,
		Examples: rpc.ExampleCLI("gettxout", `"txid" 1`) + rpc.ExampleRPC("gettxout", `"txid", 1`),
		Handler: func(_ context.Context, p rpc.Params) (any, error) {
			txid, err := parseHash(p, 0, "txid")
			if err != nil {
				return nil, err
			}
			n, err := p.Int(1)
			if err != nil {
				return nil, err
			}
			if n < 0 || n > 0xffffffff {
				return nil, rpc.NewError(rpc.CodeMisc, "JSON integer out of range")
			}
			withPool, err := p.OptionalBool(2, true)
			if err != nil {
				return nil, err
			}
			op := wire.OutPoint{Hash: txid, Index: uint32(n)}
			pool := b.opts.Pool
			if withPool && pool != nil {
				// Core's CCoinsViewMemPool: spent by a pool transaction is
				// gone; created by one is there, unconfirmed.
				if pool.Spender(op) != nil {
					return nil, nil
				}
				if tx := pool.Tx(txid); tx != nil {
					if int(op.Index) >= len(tx.TxOut) {
						return nil, nil
					}
					out := tx.TxOut[op.Index]
					return txOut{BestBlock: b.c.Best().Hash.String(), Confirmations: 0, Value: corejson.Amount(out.Value),
						ScriptPubKey: corejson.NewScriptPubKey(out.PkScript, b.c.Params().AddressPrefixes())}, nil
				}
			}
			coin, err := b.c.Coin(op)
			if err != nil {
				return nil, fmt.Errorf("look up coin %s:%d: %w", txid, n, err)
			}
			if coin == nil {
				return nil, nil
			}
			best := b.c.Best()
			return txOut{BestBlock: best.Hash.String(), Confirmations: max(best.Height-coin.Height+1, 1),
				Value: corejson.Amount(coin.Value), ScriptPubKey: corejson.NewScriptPubKey(coin.PkScript, b.c.Params().AddressPrefixes()),
				Coinbase: coin.Coinbase}, nil
		},
	}
}

// CoinSetDigestName is the name of gettxoutsetinfo's digest, its
// hash_type and its result field. nodecoin's digest is SHA-256 over the
// coin set as the chain stores it (each outpoint, then its stored coin, in
// outpoint order), which is not Core's hash_serialized_3 or muhash, so it
// carries a name of its own.
const CoinSetDigestName = "coinset_sha256"

// txOutSetInfo is gettxoutsetinfo's result.
type txOutSetInfo struct {
	Height      int32           `json:"height"`
	BestBlock   string          `json:"bestblock"`
	TxOuts      int64           `json:"txouts"`
	Digest      string          `json:"coinset_sha256,omitempty"`
	TotalAmount corejson.Amount `json:"total_amount"`
	DiskSize    int64           `json:"disk_size"`
}

func (b *blockchain) getTxOutSetInfo() rpc.Method {
	return rpc.Method{
		Name:     "gettxoutsetinfo",
		Category: "blockchain",
		Args: []rpc.Arg{{Name: "hash_type", Type: rpc.TypeString, Optional: true, Default: CoinSetDigestName,
			Description: "Which UTXO set hash should be calculated. Options: '" + CoinSetDigestName + "', 'none'. " +
				"(Core's 'hash_serialized_3' and 'muhash' are not available.)"}},
		Description: "Returns statistics about the unspent transaction output set.\n" +
			"Note this call may take some time: it flushes the coin cache and walks the whole set.\n" +
			"nodecoin differs from Core: the digest is '" + CoinSetDigestName + "' (SHA-256 over every outpoint and its stored coin, " +
			"in outpoint order) instead of 'hash_serialized_3', and there is no 'bogosize' or 'transactions'.",
		Result: `{                                 (json object)
  "height" : n,                   (numeric) The block height (index) of the returned statistics
  "bestblock" : "hex",            (string) The hash of the block at which these statistics are calculated
  "txouts" : n,                   (numeric) The number of unspent transaction outputs
  "` + CoinSetDigestName + `" : "hex",       (string, optional) SHA-256 of the coin set in outpoint order (only when hash_type is '` + CoinSetDigestName + `')
  "total_amount" : n,             (numeric) The total amount of coins in the UTXO set
  "disk_size" : n                 (numeric) The estimated size of the chain database on disk
}`,
		Examples: rpc.ExampleCLI("gettxoutsetinfo", "") + rpc.ExampleCLI("gettxoutsetinfo", `"none"`) +
			rpc.ExampleRPC("gettxoutsetinfo", ""),
		Handler: func(_ context.Context, p rpc.Params) (any, error) {
			hashType, err := p.OptionalString(0, CoinSetDigestName)
			if err != nil {
				return nil, err
			}
			if hashType != CoinSetDigestName && hashType != "none" {
				return nil, rpc.Errorf(rpc.CodeInvalidParameter, "%s is not a valid hash_type", hashType)
			}
			info, err := b.c.CoinSetInfo()
			if err != nil {
				return nil, fmt.Errorf("unable to read UTXO set: %w", err)
			}
			out := txOutSetInfo{Height: info.Height, BestBlock: info.BestBlock.String(), TxOuts: info.Coins,
				TotalAmount: corejson.Amount(info.Total), DiskSize: b.c.SizeOnDisk()}
			if hashType == CoinSetDigestName {
				out.Digest = hex.EncodeToString(info.Digest[:])
			}
			return out, nil
		},
	}
}

// blockHashArg is the "blockhash" argument of invalidateblock and
// reconsiderblock.
var blockHashArg = []rpc.Arg{{Name: "blockhash", Type: rpc.TypeString, Description: "the hash of the block to mark as invalid"}}

func (b *blockchain) invalidateBlock() rpc.Method {
	return rpc.Method{
		Name:        "invalidateblock",
		Category:    "blockchain",
		Args:        blockHashArg,
		Description: "Permanently marks a block as invalid, as if it violated a consensus rule.",
		Result:      "null    (json null)",
		Examples:    rpc.ExampleCLI("invalidateblock", `"blockhash"`) + rpc.ExampleRPC("invalidateblock", `"blockhash"`),
		Handler: func(_ context.Context, p rpc.Params) (any, error) {
			return nil, b.markBlock(p, b.c.InvalidateBlock)
		},
	}
}

func (b *blockchain) reconsiderBlock() rpc.Method {
	return rpc.Method{
		Name:     "reconsiderblock",
		Category: "blockchain",
		Args:     []rpc.Arg{{Name: "blockhash", Type: rpc.TypeString, Description: "the hash of the block to reconsider"}},
		Description: "Removes invalidity status of a block, its ancestors and its descendants, reconsider them for activation.\n" +
			"This can be used to undo the effects of invalidateblock.",
		Result:   "null    (json null)",
		Examples: rpc.ExampleCLI("reconsiderblock", `"blockhash"`) + rpc.ExampleRPC("reconsiderblock", `"blockhash"`),
		Handler: func(_ context.Context, p rpc.Params) (any, error) {
			return nil, b.markBlock(p, b.c.ReconsiderBlock)
		},
	}
}

// markBlock runs invalidateblock's or reconsiderblock's chain operation on
// the block named by parameter 0.
func (b *blockchain) markBlock(p rpc.Params, op func(wire.Hash) error) error {
	h, err := parseHash(p, 0, "blockhash")
	if err != nil {
		return err
	}
	if _, err := blockInfo(b.c, h); err != nil {
		return err
	}
	if err := op(h); err != nil {
		if errors.Is(err, chain.ErrBlockNotFound) {
			return errBlockNotFound
		}
		return rpc.NewError(rpc.CodeDatabase, err.Error())
	}
	return nil
}
