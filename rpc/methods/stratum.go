package methods

import (
	"context"

	"github.com/nodecoin/nodecoin/miner/stratum"
	"github.com/nodecoin/nodecoin/rpc"
)

// StratumSource is what getstratuminfo reads; *stratum.Server satisfies
// it. Info takes the server's own locks.
type StratumSource interface {
	Info() stratum.Info
}

var _ StratumSource = (*stratum.Server)(nil)

// Stratum returns the method of the node's Stratum server,
// getstratuminfo (category "mining"), registered by the node when it runs
// the server (--stratum-addr). nodecoin's own: Bitcoin Core has no Stratum.
// The handler takes no lock of its own; src.Info takes the server's.
func Stratum(src StratumSource) []rpc.Method {
	return []rpc.Method{{
		Name:     "getstratuminfo",
		Category: "mining",
		Description: "Returns the figures of the node's Stratum server (nodecoin only; the server runs with --stratum-addr):\n" +
			"connections, share counts, blocks found, and each worker's hash rate, estimated from the difficulty of\n" +
			"its shares accepted in the last 10 minutes (2^32 hashes per unit of difficulty).",
		Result: `{                              (json object)
  "connections" : n,           (numeric) open Stratum connections
  "payout" : "str",            (string) "solo" or "pplns"
  "sharesaccepted" : n,        (numeric) shares accepted since start
  "accepteddifficulty" : n,    (numeric) sum of the accepted shares' difficulty
  "sharesrejected" : {         (json object) shares rejected since start, by reason
    "reason" : n,              (numeric) stale, duplicate, low-difficulty, unauthorized, not-subscribed, invalid, rate-limited
    ...
  },
  "blocksfound" : n,           (numeric) blocks found through Stratum (kept across restarts)
  "hashps" : n,                (numeric) the workers' estimated hash rate, hashes per second
  "workers" : [                (json array)
    {                          (json object)
      "name" : "str",          (string) ADDRESS or ADDRESS.name as authorized
      "address" : "str",       (string) the address it mines for
      "connections" : n,       (numeric) open connections it is authorized on
      "sharesaccepted" : n,    (numeric) its accepted shares
      "accepteddifficulty" : n, (numeric) their summed difficulty
      "hashps" : n,            (numeric) its estimated hash rate, hashes per second
      "lastshare" : n          (numeric) Unix time of its last accepted share, 0 if none
    },
    ...
  ]
}`,
		Examples: rpc.ExampleCLI("getstratuminfo", "") + rpc.ExampleRPC("getstratuminfo", ""),
		Handler: func(context.Context, rpc.Params) (any, error) {
			return src.Info(), nil
		},
	}}
}
