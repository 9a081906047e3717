package main

import (
	"errors"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/nodecoin/nodecoin/chain"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/internal/node"
	"github.com/spf13/cobra"
)

// newDaemonCmd builds `nodecoin daemon`, which runs a full node until
// SIGINT or SIGTERM.
func newDaemonCmd() *cobra.Command {
	var (
		network, dataDir, logLevel string
		cacheMiB                   int
		txIndex                    bool
		loadBlocks                 []string
	)
	cmd := &cobra.Command{
		Use:   "daemon",
		Short: "Run a nodecoin full node",
		Long: `Run a nodecoin full node until SIGINT or SIGTERM, which shut it down cleanly
(a second signal during shutdown kills it at once).

The data of network N lives in <datadir>/N/, the chain database in
<datadir>/N/chain/. --loadblock imports blocks at start from a file in Bitcoin
Core's blk*.dat format (network magic, u32 little-endian size, block), as
Bitcoin Core's -loadblock; it may be given several times.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			level, err := node.ParseLogLevel(logLevel)
			if err != nil {
				return err
			}
			if dataDir == "" {
				if cmd.Flags().Changed("datadir") {
					return errors.New("--datadir is empty")
				}
				if dataDir, err = node.DefaultDataDir(); err != nil {
					return err
				}
			}
			n, err := node.New(node.Config{Network: network, DataDir: dataDir, CacheMiB: cacheMiB,
				TxIndex: txIndex, LoadBlocks: loadBlocks, LogLevel: level, LogOutput: cmd.ErrOrStderr()})
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
	f.IntVar(&cacheMiB, "dbcache", chain.DefaultCacheMiB, "coin cache size in MiB")
	f.BoolVar(&txIndex, "txindex", true, "keep an index of every confirmed transaction (--txindex=false turns it off)")
	f.StringArrayVar(&loadBlocks, "loadblock", nil, "import blocks from `FILE` (blk*.dat format) at start; repeatable")
	f.StringVar(&logLevel, "log-level", "info", "lowest level logged: debug, info, warn or error")
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
