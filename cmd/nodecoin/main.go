// Command nodecoin is the nodecoin full node, miner and RPC client.
//
//	nodecoin version              # print the version
//	nodecoin cli getblockcount    # call a running node over JSON-RPC
//
// See README.md for the other commands.
package main

import (
	"errors"
	"fmt"
	"os"
)

func main() {
	if err := newRootCmd().Execute(); err != nil {
		if e, ok := errors.AsType[*exitError](err); ok {
			os.Exit(e.code)
		}
		fmt.Fprintln(os.Stderr, "nodecoin:", err)
		os.Exit(1)
	}
}
