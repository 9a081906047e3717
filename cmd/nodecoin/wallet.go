package main

import (
	"bufio"
	"errors"
	"io"

	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/internal/atomicfile"
	"github.com/nodecoin/nodecoin/internal/node"
	"github.com/spf13/cobra"
)

// newWalletCmd builds `nodecoin wallet`, the group of offline wallet tasks.
func newWalletCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "wallet",
		Short: "Offline wallet tasks (the daemon must not be running on the data directory)",
		Long: `Offline tasks on the wallet file <datadir>/<network>/wallet.dat. They take the
data directory's lock, so they refuse to run while a daemon uses it; a
running daemon answers the same questions over RPC (nodecoin cli ...).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newExportIncomeCmd())
	return cmd
}

// newExportIncomeCmd builds `nodecoin wallet export-income`.
func newExportIncomeCmd() *cobra.Command {
	var network, dataDir, csvPath string
	cmd := &cobra.Command{
		Use:   "export-income --csv FILE",
		Short: "Write the wallet's mining income records as CSV",
		Long: `Write one CSV row per coinbase transaction that paid the wallet, by height,
after the header row

    height,block_hash,time_utc,amount_ndc,status,running_total_ndc

with the block time in RFC 3339 UTC, amounts in NDC with eight decimals,
the status "immature" (fewer than 100 confirmations), "mature" or
"orphaned" (the block left the main chain; its block_hash is empty and it
does not count in the running total). Maturity is counted against the last
block the wallet saw. --csv - writes to standard output; a file is written
atomically. The listminingrewards RPC gives the same records from a running
daemon.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if csvPath == "" {
				return errors.New("--csv FILE is required (- for standard output)")
			}
			var err error
			if dataDir == "" {
				if cmd.Flags().Changed("datadir") {
					return errors.New("--datadir is empty")
				}
				if dataDir, err = node.DefaultDataDir(); err != nil {
					return err
				}
			}
			if csvPath == "-" {
				out := bufio.NewWriter(cmd.OutOrStdout())
				if err := node.ExportIncome(network, dataDir, out); err != nil {
					return err
				}
				return out.Flush()
			}
			return atomicfile.Write(csvPath, 0o644, func(w io.Writer) error { return node.ExportIncome(network, dataDir, w) })
		},
	}
	f := cmd.Flags()
	f.StringVar(&network, "network", consensus.MainNetName, "network: main, test or regtest")
	f.StringVar(&dataDir, "datadir", "", "data directory (default ~/.nodecoin)")
	f.StringVar(&csvPath, "csv", "", "write the CSV to `FILE` (- for standard output)")
	return cmd
}
