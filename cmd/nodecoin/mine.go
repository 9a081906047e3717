package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"time"

	"github.com/nodecoin/nodecoin/chain/address"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/internal/conffile"
	"github.com/nodecoin/nodecoin/miner/rpcminer"
	"github.com/nodecoin/nodecoin/rpc"
	"github.com/spf13/cobra"
)

// newMineCmd builds `nodecoin mine`, a CPU miner working for a running node
// over JSON-RPC.
func newMineCmd() *cobra.Command {
	var (
		network, dataDir, confFile string
		rpcAddr, rpcUser, rpcPass  string
		payTo                      string
		threads, seconds           int
		bench                      bool
	)
	cmd := &cobra.Command{
		Use:   "mine [flags]",
		Short: "Mine blocks for a running node over JSON-RPC",
		Long: `Mine blocks for a running node over JSON-RPC: getblocktemplate, grind
the header on --threads threads, submitblock. A long poll restarts the work
as soon as the node's tip or mempool changes. The blocks pay --address, or
else a new address of the node's wallet. The miner waits for the node when
it is down or restarts, and stops cleanly on SIGINT or SIGTERM.

Found blocks and the hash rate (every 5 s) are printed to stdout; errors and
waits for the node to stderr.

Credentials and settings are found as by "nodecoin cli": --rpc-user and
--rpc-password, else the cookie file <datadir>/<network>/.cookie (re-read
when the node restarts); network, rpc-addr, rpc-user and rpc-password may
come from <datadir>/nodecoin.conf (or --conf FILE).

With --bench, no node is used: a dummy header is ground for --seconds
seconds and the last line printed is "hashrate N H/s threads=T".`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
			fail := func(err error) error {
				fmt.Fprintln(stderr, "error:", err)
				return &exitError{1}
			}
			if threads <= 0 {
				return fail(fmt.Errorf("--threads %d: must be positive", threads))
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if bench {
				if seconds <= 0 {
					return fail(fmt.Errorf("--seconds %d: must be positive", seconds))
				}
				if _, err := rpcminer.Bench(ctx, threads, time.Duration(seconds)*time.Second, stdout); err != nil {
					return fail(err)
				}
				return nil
			}
			params, err := resolveRPCSettings(cmd.Flags(), &dataDir, confFile, &network, &rpcAddr, &rpcUser, &rpcPass)
			if err != nil {
				return fail(err)
			}
			var script []byte
			if payTo != "" {
				a, err := address.Decode(payTo, params.AddressPrefixes())
				if err != nil {
					return fail(fmt.Errorf("--address: %w", err))
				}
				script = a.ScriptPubKey()
				fmt.Fprintf(stdout, "mining to %s\n", a)
			}
			client := &authClient{addr: rpcAddr, user: rpcUser, pass: rpcPass}
			if rpcUser == "" {
				client.cookie = filepath.Join(dataDir, params.Name, rpc.CookieFileName)
			}
			m := rpcminer.New(rpcminer.Config{
				Client: client, NodeAddr: rpcAddr, PayTo: script, Prefixes: params.AddressPrefixes(),
				Threads: threads, Out: stdout, Err: stderr,
			})
			fmt.Fprintf(stdout, "mining for the %s node at %s on %d threads\n", params.Name, rpcAddr, threads)
			if err := m.Run(ctx); err != nil {
				return fail(err)
			}
			fmt.Fprintf(stdout, "stopped; %d blocks accepted\n", len(m.Found()))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&network, "network", consensus.MainNetName, "network: main, test or regtest")
	f.StringVar(&dataDir, "datadir", "", "data directory (default ~/.nodecoin)")
	f.StringVar(&confFile, "conf", "", "configuration `FILE` (default <datadir>/"+conffile.FileName+")")
	addRPCFlags(f, &rpcAddr, &rpcUser, &rpcPass)
	f.IntVar(&threads, "threads", runtime.NumCPU(), "grinding threads")
	f.StringVar(&payTo, "address", "", "payout `ADDR` (default: a new address of the node's wallet)")
	f.BoolVar(&bench, "bench", false, "measure the hash rate on a dummy header, without a node")
	f.IntVar(&seconds, "seconds", 10, "duration of --bench in seconds")
	return cmd
}

// authClient is an RPC client whose credentials are fixed, or else read
// from the cookie file before a call and again after a call that failed to
// connect or to log in (the node restarted with a new cookie).
type authClient struct {
	addr, cookie string

	mu         sync.Mutex
	user, pass string
	cookieErr  error
}

// Call calls method on the node, as rpc.Client.Call.
func (c *authClient) Call(ctx context.Context, method string, params any) (json.RawMessage, error) {
	c.mu.Lock()
	if c.cookie != "" && c.user == "" {
		if c.user, c.pass, c.cookieErr = rpc.ReadCookie(c.cookie); c.cookieErr != nil {
			c.cookieErr = fmt.Errorf("%w (%s); no --rpc-user/--rpc-password given", c.cookieErr, c.cookie)
		}
	}
	cl := &rpc.Client{Addr: c.addr, User: c.user, Password: c.pass}
	cookieErr := c.cookieErr
	c.mu.Unlock()
	res, err := cl.Call(ctx, method, params)
	_, connErr := errors.AsType[*rpc.ConnectError](err)
	if c.cookie != "" && (connErr || errors.Is(err, rpc.ErrUnauthorized)) {
		c.mu.Lock()
		c.user, c.pass = "", ""
		c.mu.Unlock()
	}
	if errors.Is(err, rpc.ErrUnauthorized) && cookieErr != nil {
		return nil, fmt.Errorf("%w: %w", err, cookieErr)
	}
	return res, err
}
