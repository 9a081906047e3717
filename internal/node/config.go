package node

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"

	"github.com/nodecoin/nodecoin/chain"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/mempool"
)

// MinCacheMiB is the smallest coin cache budget accepted (--dbcache), as
// Bitcoin Core's minimum -dbcache.
const MinCacheMiB = 4

// Config configures a Node. The zero values of Network, CacheMiB and
// LogOutput take their defaults; DataDir is required (DefaultDataDir gives
// the usual one).
type Config struct {
	// Network is "main", "test" or "regtest"; empty means main.
	Network string
	// DataDir is the data directory; network N keeps its data in
	// DataDir/N.
	DataDir string
	// CacheMiB is the coin cache budget in MiB (--dbcache); 0 means
	// chain.DefaultCacheMiB.
	CacheMiB int
	// TxIndex keeps the transaction index (--txindex).
	TxIndex bool
	// Wallet opens the node's wallet, <datadir>/<network>/wallet.dat
	// (created when absent), and registers the wallet RPC methods
	// (--wallet, on by default in the daemon command).
	Wallet bool
	// MaxMempoolMiB is the mempool's memory budget in MiB (--maxmempool);
	// 0 means 300.
	MaxMempoolMiB int
	// MinRelayFee is the lowest fee rate the mempool accepts, in base units
	// per 1,000 bytes (--min-relay-fee); 0 means 1,000.
	MinRelayFee int64
	// LoadBlocks are block files (Bitcoin Core's blk*.dat format) imported
	// at start, in order (--loadblock).
	LoadBlocks []string
	// LogLevel is the lowest level logged.
	LogLevel slog.Level
	// LogOutput receives the log; nil means os.Stderr.
	LogOutput io.Writer
	// RPCAddr is the JSON-RPC server's HOST:PORT (--rpc-addr); empty means
	// 127.0.0.1 and the network's RPC port. Port 0 picks a free port, which
	// the "RPC server listening" log line gives.
	RPCAddr string
	// MetricsAddr is the Prometheus metrics server's HOST:PORT
	// (--metrics-addr); empty means 127.0.0.1 and the network's metrics
	// port. Port 0 picks a free port, which the "metrics server listening"
	// log line gives.
	MetricsAddr string
	// RPCUser and RPCPassword are the RPC credentials (--rpc-user,
	// --rpc-password), both or neither; without them the node writes a
	// random cookie to <datadir>/<network>/.cookie.
	RPCUser, RPCPassword string
	// Mine mines blocks inside the node once it is ready (--mine), paying
	// MiningAddress, or else a new address of the node's wallet.
	Mine bool
	// Threads is the number of mining threads (--threads); 0 or less
	// means runtime.NumCPU().
	Threads int
	// MiningAddress is the address the mined blocks pay (--mining-address);
	// empty means a new receiving address of the wallet, which Wallet must
	// then open.
	MiningAddress string
	// StratumAddr is the Stratum server's HOST:PORT (--stratum-addr); empty
	// leaves the server off. A HOST without a port takes the network's
	// Stratum port (9635 main, 19635 test, 29635 regtest); port 0 picks a
	// free port, which the "stratum listening" log line gives.
	StratumAddr string
	// StratumMinDiff and StratumMaxDiff bound each connection's share
	// difficulty (--stratum-min-diff, --stratum-max-diff); 0 means
	// stratum.DefaultMinDifficulty and stratum.DefaultMaxDifficulty.
	StratumMinDiff, StratumMaxDiff float64
	// StratumPayout is "solo" (the default when empty) or "pplns"
	// (--stratum-payout).
	StratumPayout string
	// StratumPPLNSWindow is the number of last shares a PPLNS coinbase
	// pays (--stratum-pplns-window); 0 means stratum.DefaultPPLNSWindow.
	StratumPPLNSWindow int
	// StratumOperatorFee is the PPLNS operator fee in percent, paid to a
	// new address of the node's wallet (--stratum-operator-fee).
	StratumOperatorFee float64
	// Listen is the P2P listening HOST:PORT (--listen); empty means
	// 0.0.0.0 and the network's P2P port, or not listening when Connect
	// is given; "off" means not listening. Port 0 picks a free port,
	// which the "P2P listening" log line gives.
	Listen string
	// Connect are the only peers to connect to (--connect); AddNodes are
	// peers kept connected besides others (--addnode).
	Connect, AddNodes []string
	// MaxConnections bounds the peers (--maxconnections); 0 means 125.
	MaxConnections int
}

// ErrNoMiningAddress means mining was asked for with neither a payout
// address nor a wallet to take one from.
var ErrNoMiningAddress = errors.New("--mine needs an address to pay the blocks to: give --mining-address ADDR, or run with the wallet (--wallet) to mine to a new address of it")

// DefaultDataDir returns ~/.nodecoin.
func DefaultDataDir() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("find the default data directory: %w", err)
	}
	return filepath.Join(home, ".nodecoin"), nil
}

// ParseLogLevel parses a --log-level value: debug, info, warn or error.
func ParseLogLevel(s string) (slog.Level, error) {
	switch s {
	case "debug":
		return slog.LevelDebug, nil
	case "info":
		return slog.LevelInfo, nil
	case "warn":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("unknown log level %q (want debug, info, warn or error)", s)
}

// resolve checks cfg, fills in its defaults and returns the network's
// parameters.
func (cfg *Config) resolve() (*consensus.Params, error) {
	if cfg.Network == "" {
		cfg.Network = consensus.MainNetName
	}
	params, err := consensus.ParamsForNetwork(cfg.Network)
	if err != nil {
		return nil, err
	}
	if cfg.DataDir == "" {
		return nil, errors.New("no data directory given")
	}
	abs, err := filepath.Abs(cfg.DataDir)
	if err != nil {
		return nil, fmt.Errorf("data directory %s: %w", cfg.DataDir, err)
	}
	cfg.DataDir = abs
	if cfg.CacheMiB == 0 {
		cfg.CacheMiB = chain.DefaultCacheMiB
	}
	if cfg.MaxMempoolMiB == 0 {
		cfg.MaxMempoolMiB = mempool.DefaultMaxBytes >> 20
	}
	if cfg.MaxMempoolMiB < 5 {
		return nil, fmt.Errorf("mempool of %d MiB is below the minimum of 5 MiB", cfg.MaxMempoolMiB)
	}
	if cfg.MinRelayFee == 0 {
		cfg.MinRelayFee = mempool.DefaultMinRelayFee
	}
	if cfg.MinRelayFee < 0 {
		return nil, fmt.Errorf("minimum relay fee %d is negative", cfg.MinRelayFee)
	}
	if cfg.CacheMiB < MinCacheMiB {
		return nil, fmt.Errorf("coin cache of %d MiB is below the minimum of %d MiB", cfg.CacheMiB, MinCacheMiB)
	}
	if cfg.LogOutput == nil {
		cfg.LogOutput = os.Stderr
	}
	if (cfg.RPCUser == "") != (cfg.RPCPassword == "") {
		return nil, errors.New("--rpc-user and --rpc-password go together: give both, or neither to use the cookie file")
	}
	if cfg.RPCAddr == "" {
		cfg.RPCAddr = net.JoinHostPort("127.0.0.1", strconv.Itoa(int(params.RPCPort)))
	}
	if _, _, err := net.SplitHostPort(cfg.RPCAddr); err != nil {
		return nil, fmt.Errorf("RPC address %q: %w", cfg.RPCAddr, err)
	}
	if cfg.Mine && cfg.MiningAddress == "" && !cfg.Wallet {
		return nil, ErrNoMiningAddress
	}
	if err := cfg.resolveStratum(params); err != nil {
		return nil, err
	}
	if cfg.MetricsAddr == "" {
		cfg.MetricsAddr = net.JoinHostPort("127.0.0.1", strconv.Itoa(int(params.MetricsPort)))
	}
	if _, _, err := net.SplitHostPort(cfg.MetricsAddr); err != nil {
		return nil, fmt.Errorf("metrics address %q: %w", cfg.MetricsAddr, err)
	}
	if err := cfg.resolveP2P(params.P2PPort); err != nil {
		return nil, err
	}
	return params, nil
}
