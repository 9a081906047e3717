package main

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"syscall"

	"github.com/nodecoin/nodecoin/chain"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/internal/conffile"
	"github.com/nodecoin/nodecoin/internal/node"
	"github.com/nodecoin/nodecoin/mempool"
	"github.com/nodecoin/nodecoin/miner/stratum"
	"github.com/nodecoin/nodecoin/p2p"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// newDaemonCmd builds `nodecoin daemon`, which runs a full node until
// SIGINT or SIGTERM.
func newDaemonCmd() *cobra.Command {
	var (
		network, dataDir, logLevel string
		confFile                   string
		cacheMiB                   int
		txIndex, useWallet         bool
		loadBlocks                 []string
		rpcAddr, rpcUser, rpcPass  string
		metricsAddr                string
		maxMempool                 int
		minRelayFee                int64
		mine                       bool
		threads                    int
		miningAddress              string
		stratumAddr, stratumPayout string
		stratumMinDiff             float64
		stratumMaxDiff             float64
		stratumWindow              int
		stratumFee                 float64
		listen                     string
		connect, addNodes          []string
		maxConnections             int
	)
	cmd := &cobra.Command{
		Use:   "daemon",
		Short: "Run a nodecoin full node",
		Long: `Run a nodecoin full node until SIGINT or SIGTERM, which shut it down cleanly
(a second signal during shutdown kills it at once).

The data of network N lives in <datadir>/N/, the chain database in
<datadir>/N/chain/. --loadblock imports blocks at start from a file in Bitcoin
Core's blk*.dat format (network magic, u32 little-endian size, block), as
Bitcoin Core's -loadblock; it may be given several times.

Settings may also come from <datadir>/nodecoin.conf (or --conf FILE), in the
format of bitcoin.conf: key=value lines named like the flags (dbcache=500,
txindex=0, network=regtest), # comments, and [main], [test] or [regtest]
sections for one network. The command line wins over the file.

The JSON-RPC server listens on --rpc-addr (default 127.0.0.1 and the
network's RPC port: 9632 main, 19632 test, 29632 regtest) and speaks
Bitcoin Core's JSON-RPC. Clients authenticate with --rpc-user and
--rpc-password, or else with the random cookie the daemon writes to
<datadir>/N/.cookie (mode 0600, removed at exit), which "nodecoin cli"
reads. The "stop" RPC shuts the node down as SIGTERM does.

The wallet lives in <datadir>/N/wallet.dat; a new one is created at the
first start (its first receiving address is logged) and it catches up
with blocks connected while it was not running. --wallet=false runs the
node without it and without the wallet RPC methods.

--mine mines blocks inside the node once it is ready, on --threads threads
(default: every core), paying --mining-address, or else a new receiving
address of the wallet; with --wallet=false an address must be given. Blocks
found and the hash rate (every 10 s) are logged with subsystem=miner.

The node accepts P2P peers on --listen (default 0.0.0.0 and the network's
P2P port: 9633 main, 19633 test, 29633 regtest; not at all with --connect
unless --listen is given; "off" to not listen).
--connect HOST:PORT (repeatable) connects to those peers only, reconnecting
with back-off; --addnode HOST:PORT keeps those peers connected and fills the
other outbound slots (8 at most) from the address book learned from peers
(<datadir>/N/peers.json). --maxconnections bounds all connections (default
125). Misbehaving peers are banned for 24 hours (<datadir>/N/banlist.json).

Prometheus metrics are served without authentication on
http://<metrics-addr>/metrics (--metrics-addr, default 127.0.0.1 and the
network's metrics port: 9634 main, 19634 test, 29634 regtest).

--stratum-addr HOST[:PORT] serves Stratum v1 to pool miners (cpuminer,
cgminer, bfgminer, ASICs) on that address (off unless given; a HOST
alone takes the network's Stratum port: 9635 main, 19635 test, 29635
regtest). Miners authorize as ADDRESS or ADDRESS.workername, a nodecoin
address of the network. Each connection's share difficulty follows its
hash rate (about one share per 10 s) within --stratum-min-diff and
--stratum-max-diff. --stratum-payout solo (default) pays a block to the
address of the worker whose connection found it; pplns pays the
addresses behind the last --stratum-pplns-window shares in proportion to
their difficulty, after --stratum-operator-fee percent to a new address
of the node's wallet; amounts below 546 base units are carried forward.
Shares are recorded in <datadir>/N/stratum/ (LevelDB); the RPC
getstratuminfo and the nodecoin_stratum_* metrics report the server.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if dataDir == "" {
				if cmd.Flags().Changed("datadir") {
					return errors.New("--datadir is empty")
				}
				if dataDir, err = node.DefaultDataDir(); err != nil {
					return err
				}
			}
			if err := applyConfigFile(cmd.Flags(), dataDir, confFile, &network, nil); err != nil {
				return err
			}
			level, err := node.ParseLogLevel(logLevel)
			if err != nil {
				return err
			}
			n, err := node.New(node.Config{Network: network, DataDir: dataDir, CacheMiB: cacheMiB,
				TxIndex: txIndex, Wallet: useWallet, LoadBlocks: loadBlocks, LogLevel: level, LogOutput: cmd.ErrOrStderr(),
				RPCAddr: rpcAddr, RPCUser: rpcUser, RPCPassword: rpcPass, MetricsAddr: metricsAddr,
				MaxMempoolMiB: maxMempool, MinRelayFee: minRelayFee,
				Mine: mine, Threads: threads, MiningAddress: miningAddress,
				StratumAddr: stratumAddr, StratumMinDiff: stratumMinDiff, StratumMaxDiff: stratumMaxDiff,
				StratumPayout: stratumPayout, StratumPPLNSWindow: stratumWindow, StratumOperatorFee: stratumFee,
				Listen: listen, Connect: connect, AddNodes: addNodes, MaxConnections: maxConnections})
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			go func() {
				// Once shutdown begins, a second signal takes Go's
				// default action: exit at once.
				<-ctx.Done()
				stop()
			}()
			setMemoryLimit(cacheMiB)
			return n.Run(ctx)
		},
	}
	f := cmd.Flags()
	f.StringVar(&network, "network", consensus.MainNetName, "network: main, test or regtest")
	f.StringVar(&dataDir, "datadir", "", "data directory (default ~/.nodecoin)")
	f.StringVar(&confFile, "conf", "", "configuration `FILE` (default <datadir>/"+conffile.FileName+")")
	f.IntVar(&cacheMiB, "dbcache", chain.DefaultCacheMiB, "coin cache size in MiB")
	f.BoolVar(&txIndex, "txindex", true, "keep an index of every confirmed transaction (--txindex=false turns it off)")
	f.BoolVar(&useWallet, "wallet", true,
		"open the wallet <datadir>/<network>/wallet.dat, creating it when absent, and serve the wallet RPC methods (--wallet=false turns it off)")
	f.IntVar(&maxMempool, "maxmempool", mempool.DefaultMaxBytes>>20, "mempool memory budget in MiB")
	f.Int64Var(&minRelayFee, "min-relay-fee", mempool.DefaultMinRelayFee,
		"lowest fee rate relayed and accepted into the mempool, in base units per 1,000 bytes")
	f.StringArrayVar(&loadBlocks, "loadblock", nil, "import blocks from `FILE` (blk*.dat format) at start; repeatable")
	f.StringVar(&logLevel, "log-level", "info", "lowest level logged: debug, info, warn or error")
	addRPCFlags(f, &rpcAddr, &rpcUser, &rpcPass)
	f.StringVar(&metricsAddr, "metrics-addr", "",
		"serve Prometheus metrics at /metrics on `HOST:PORT` (default 127.0.0.1:<network's metrics port>)")
	f.StringVar(&listen, "listen", "",
		"accept P2P peers on `HOST:PORT` (default 0.0.0.0:<network's P2P port>, none with --connect; \"off\" to not listen)")
	f.StringArrayVar(&connect, "connect", nil, "connect only to the peer `HOST:PORT`, kept connected; repeatable")
	f.StringArrayVar(&addNodes, "addnode", nil,
		"keep the peer `HOST:PORT` connected, besides peers from the address book; repeatable")
	f.IntVar(&maxConnections, "maxconnections", p2p.DefaultMaxConnections,
		"most P2P connections, inbound and outbound (at most 8 outbound)")
	f.BoolVar(&mine, "mine", false, "mine blocks in the node (see --threads, --mining-address)")
	f.IntVar(&threads, "threads", runtime.NumCPU(), "number of mining threads, with --mine")
	f.StringVar(&miningAddress, "mining-address", "",
		"pay mined blocks to `ADDR` (default: a new address of the node's wallet), with --mine")
	f.StringVar(&stratumAddr, "stratum-addr", "",
		"serve Stratum v1 to pool miners on `HOST[:PORT]` (off unless given; default port 9635 main, 19635 test, 29635 regtest)")
	f.Float64Var(&stratumMinDiff, "stratum-min-diff", stratum.DefaultMinDifficulty, "lowest share difficulty of a Stratum connection")
	f.Float64Var(&stratumMaxDiff, "stratum-max-diff", stratum.DefaultMaxDifficulty, "highest share difficulty of a Stratum connection")
	f.StringVar(&stratumPayout, "stratum-payout", "solo",
		"whom Stratum blocks pay: solo (the finder's address) or pplns (the last --stratum-pplns-window shares)")
	f.IntVar(&stratumWindow, "stratum-pplns-window", stratum.DefaultPPLNSWindow, "number of last shares a PPLNS block pays (`N`)")
	f.Float64Var(&stratumFee, "stratum-operator-fee", stratum.DefaultOperatorFeePercent,
		"PPLNS operator fee in `PERCENT` of each block, paid to a new address of the node's wallet")
	return cmd
}

// memoryHeadroomMiB is what the daemon may use beyond its coin cache: the
// database's own buffers, blocks in flight and the runtime.
const memoryHeadroomMiB = 350

// setMemoryLimit tells the Go runtime to collect garbage harder as the
// process nears --dbcache plus headroom, so the heap does not grow to twice
// the live data before a collection. GOMEMLIMIT, when set, takes precedence.
func setMemoryLimit(cacheMiB int) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	if cacheMiB == 0 {
		cacheMiB = chain.DefaultCacheMiB
	}
	debug.SetMemoryLimit(int64(cacheMiB+memoryHeadroomMiB) << 20)
}

// applyConfigFile reads the configuration file (the --conf file, which must
// exist, or <dataDir>/nodecoin.conf, which need not) and applies it to the
// flags not given on the command line. The network is resolved first, since
// it selects the file's section. With only set, other keys of the file are
// ignored (the cli reads just its own); without, every key must be a flag.
func applyConfigFile(flags *pflag.FlagSet, dataDir, confFile string, network *string, only map[string]bool) error {
	explicit := confFile != ""
	if !explicit {
		confFile = filepath.Join(dataDir, conffile.FileName)
	}
	sections := []string{consensus.MainNetName, consensus.TestNetName, consensus.RegTestNetName}
	settings, err := conffile.Load(confFile, !explicit, sections)
	if err != nil {
		return err
	}
	if v, ok := conffile.Lookup(settings, "network"); ok && !flags.Changed("network") {
		*network = v
	}
	if only != nil {
		settings = slices.DeleteFunc(settings, func(s conffile.Setting) bool { return !only[s.Key] })
	}
	if err := conffile.Apply(flags, settings, *network, "datadir", "conf"); err != nil {
		return fmt.Errorf("configuration file %s: %w", confFile, err)
	}
	return nil
}
