package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/internal/conffile"
	"github.com/nodecoin/nodecoin/internal/node"
	"github.com/nodecoin/nodecoin/rpc"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// exitError ends the program with a status code, its message already
// printed.
type exitError struct{ code int }

func (e *exitError) Error() string { return "exit status " + strconv.Itoa(e.code) }

// addRPCFlags adds the flags that locate and authenticate to the RPC
// server, shared by daemon, cli and mine.
func addRPCFlags(f *pflag.FlagSet, addr, user, password *string) {
	f.StringVar(addr, "rpc-addr", "", "JSON-RPC `HOST:PORT` (default 127.0.0.1:<network's RPC port>)")
	f.StringVar(user, "rpc-user", "", "JSON-RPC user name (with --rpc-password; default: the cookie file)")
	f.StringVar(password, "rpc-password", "", "JSON-RPC password (with --rpc-user)")
}

// cliConfigKeys are the configuration-file settings cli uses; the file's
// other settings are the daemon's.
var cliConfigKeys = map[string]bool{"network": true, "rpc-addr": true, "rpc-user": true, "rpc-password": true}

// newCLICmd builds `nodecoin cli`, a JSON-RPC client in the manner of
// bitcoin-cli.
func newCLICmd() *cobra.Command {
	var (
		network, dataDir, confFile string
		rpcAddr, rpcUser, rpcPass  string
		named                      bool
	)
	cmd := &cobra.Command{
		Use:   "cli [flags] METHOD [ARG...]",
		Short: "Call a running node over JSON-RPC",
		Long: `Call METHOD on a running node over JSON-RPC, as bitcoin-cli does.

Each ARG is passed as a JSON value when it parses as one (1000, true, null,
{"a":1}, [1,2], "quoted"), else as a string; with --named, ARGs of the form
key=value are named parameters (others stay positional). A string result is
printed bare, null prints nothing, and anything else as JSON indented by two
spaces. An error reply prints "error code: N" and "error message:" with the
message to stderr, and the exit status is the absolute value of the code (as
bitcoin-cli); other failures exit with 1.

Without --rpc-user and --rpc-password, the credentials are read from the
cookie file the daemon writes, <datadir>/<network>/.cookie. The settings
network, rpc-addr, rpc-user and rpc-password may also come from
<datadir>/nodecoin.conf (or --conf FILE).

"nodecoin cli help" lists the methods; "nodecoin cli help METHOD" explains one.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			stderr := cmd.ErrOrStderr()
			fail := func(err error) error {
				fmt.Fprintln(stderr, "error:", err)
				return &exitError{1}
			}
			params, err := resolveRPCSettings(cmd.Flags(), &dataDir, confFile, &network, &rpcAddr, &rpcUser, &rpcPass)
			if err != nil {
				return fail(err)
			}
			var cookieErr error
			if rpcUser == "" {
				cookie := filepath.Join(dataDir, params.Name, rpc.CookieFileName)
				// Like bitcoin-cli, try the call without credentials when the
				// cookie is missing: a stopped node is the likelier cause,
				// and the connection error says so.
				if rpcUser, rpcPass, cookieErr = rpc.ReadCookie(cookie); cookieErr != nil {
					cookieErr = fmt.Errorf("%w (%s); no --rpc-user/--rpc-password given", cookieErr, cookie)
				}
			}
			callParams, err := cliParams(args[1:], named)
			if err != nil {
				return fail(err)
			}
			client := &rpc.Client{Addr: rpcAddr, User: rpcUser, Password: rpcPass}
			result, err := client.Call(cmd.Context(), args[0], callParams)
			var rpcErr *rpc.Error
			var connErr *rpc.ConnectError
			switch {
			case errors.As(err, &rpcErr):
				fmt.Fprintf(stderr, "error code: %d\nerror message:\n%s\n", rpcErr.Code, rpcErr.Message)
				code := rpcErr.Code
				if code < 0 {
					code = -code
				}
				return &exitError{code}
			case errors.As(err, &connErr):
				return fail(fmt.Errorf("%w\n\nMake sure the node is running (nodecoin daemon --network %s) and that you are connecting to the correct RPC port", err, params.Name))
			case errors.Is(err, rpc.ErrUnauthorized) && cookieErr != nil:
				return fail(cookieErr)
			case err != nil:
				return fail(err)
			}
			return printResult(cmd.OutOrStdout(), result)
		},
	}
	f := cmd.Flags()
	f.SetInterspersed(false) // arguments after METHOD may start with '-' (negative numbers)
	f.StringVar(&network, "network", consensus.MainNetName, "network: main, test or regtest")
	f.StringVar(&dataDir, "datadir", "", "data directory (default ~/.nodecoin)")
	f.StringVar(&confFile, "conf", "", "configuration `FILE` (default <datadir>/"+conffile.FileName+")")
	addRPCFlags(f, &rpcAddr, &rpcUser, &rpcPass)
	f.BoolVar(&named, "named", false, "pass key=value arguments as named parameters")
	return cmd
}

// cliValue is an argument as JSON: itself when it is a JSON value, else a
// JSON string of it.
func cliValue(arg string) json.RawMessage {
	if json.Valid([]byte(arg)) {
		return json.RawMessage(arg)
	}
	s, _ := json.Marshal(arg)
	return s
}

// cliParams converts the command-line arguments to the call's parameters:
// a positional array, or with named an object whose leftover positional
// arguments go in "args" (as bitcoin-cli -named).
func cliParams(args []string, named bool) (any, error) {
	if !named {
		out := make([]json.RawMessage, len(args))
		for i, a := range args {
			out[i] = cliValue(a)
		}
		return out, nil
	}
	var buf bytes.Buffer
	buf.WriteByte('{')
	seen := map[string]bool{}
	var positional []json.RawMessage
	for _, a := range args {
		k, v, ok := strings.Cut(a, "=")
		if !ok {
			positional = append(positional, cliValue(a))
			continue
		}
		if seen[k] {
			return nil, fmt.Errorf("parameter %s specified multiple times", k)
		}
		seen[k] = true
		if buf.Len() > 1 {
			buf.WriteByte(',')
		}
		key, _ := json.Marshal(k)
		buf.Write(key)
		buf.WriteByte(':')
		buf.Write(cliValue(v))
	}
	if len(positional) > 0 {
		if buf.Len() > 1 {
			buf.WriteByte(',')
		}
		p, _ := json.Marshal(positional)
		buf.WriteString(`"args":`)
		buf.Write(p)
	}
	buf.WriteByte('}')
	return json.RawMessage(buf.Bytes()), nil
}

// printResult prints a result as bitcoin-cli: a string bare, null not at
// all, anything else as JSON indented by two spaces.
func printResult(w io.Writer, result json.RawMessage) error {
	var out []byte
	switch result[0] {
	case 'n':
		return nil
	case '"':
		var s string
		if err := json.Unmarshal(result, &s); err != nil {
			return fmt.Errorf("decode result: %w", err)
		}
		out = []byte(s)
	default:
		var b bytes.Buffer
		if err := json.Indent(&b, result, "", "  "); err != nil {
			return fmt.Errorf("decode result: %w", err)
		}
		out = b.Bytes()
	}
	_, err := fmt.Fprintf(w, "%s\n", out)
	return err
}

// resolveRPCSettings settles what cli and mine need to reach a node: the
// data dir (default ~/.nodecoin), the settings of the configuration file,
// the network's parameters, the RPC address (default 127.0.0.1 and the
// network's RPC port), and credentials given both or neither.
func resolveRPCSettings(flags *pflag.FlagSet, dataDir *string, confFile string, network, rpcAddr, rpcUser, rpcPass *string) (*consensus.Params, error) {
	if *dataDir == "" {
		if flags.Changed("datadir") {
			return nil, errors.New("--datadir is empty")
		}
		d, err := node.DefaultDataDir()
		if err != nil {
			return nil, err
		}
		*dataDir = d
	}
	if err := applyConfigFile(flags, *dataDir, confFile, network, cliConfigKeys); err != nil {
		return nil, err
	}
	params, err := consensus.ParamsForNetwork(*network)
	if err != nil {
		return nil, err
	}
	if *rpcAddr == "" {
		*rpcAddr = net.JoinHostPort("127.0.0.1", strconv.Itoa(int(params.RPCPort)))
	}
	if (*rpcUser == "") != (*rpcPass == "") {
		return nil, errors.New("--rpc-user and --rpc-password go together: give both, or neither to use the cookie file")
	}
	return params, nil
}
