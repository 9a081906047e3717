package node

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/nodecoin/nodecoin/chain"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/internal/node/blockfile"
)

// importProgressInterval is how often a long import logs its progress.
const importProgressInterval = 5 * time.Second

// importStats counts what became of the records of one block file.
type importStats struct {
	records    int // records read
	accepted   int // blocks stored (in the main chain or not)
	duplicates int // blocks already known
	orphans    int // blocks held until their parent arrives
	invalid    int // blocks rejected by a consensus rule or undecodable
}

// importBlockFiles imports each file in turn, as Bitcoin Core's -loadblock:
// every block goes through ProcessBlock; duplicates and invalid blocks are
// counted (the latter logged) and skipped; a malformed file stops its own
// import with an error line, and the next file follows. It returns an
// error only when the chain fails (storage), and nil when ctx is
// cancelled.
func (n *Node) importBlockFiles(ctx context.Context, ch *chain.Chain, files []*os.File) error {
	if len(files) == 0 {
		return nil
	}
	for _, f := range files {
		if ctx.Err() != nil {
			break
		}
		if err := n.importBlockFile(ctx, ch, f); err != nil {
			return err
		}
	}
	best := ch.Best()
	if ctx.Err() != nil {
		n.importLog.Info("block import interrupted", "height", best.Height, "tip", best.Hash)
		return nil
	}
	n.importLog.Info("block import finished", "files", len(files), "height", best.Height, "tip", best.Hash)
	return nil
}

// importBlockFile imports the blocks of one file.
func (n *Node) importBlockFile(ctx context.Context, ch *chain.Chain, f *os.File) error {
	log := n.importLog.With("file", f.Name())
	var size int64
	if fi, err := f.Stat(); err == nil {
		size = fi.Size()
	}
	log.Info("importing blocks", "bytes", size)
	r := blockfile.NewReader(f, n.params.Magic)
	var st importStats
	lastLog := time.Now()
	for ctx.Err() == nil {
		if time.Since(lastLog) >= importProgressInterval {
			best := ch.Best()
			log.Info("import progress", "records", st.records, "offset", r.Offset(),
				"progress_pct", fmt.Sprintf("%.1f", 100*float64(r.Offset())/float64(max(size, 1))),
				"height", best.Height, "tip", best.Hash)
			lastLog = time.Now()
		}
		off := r.Offset()
		raw, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var ferr *blockfile.FormatError
		if errors.As(err, &ferr) {
			log.Error("stopped importing block file: it is malformed past this point", "err", err,
				"records_read", st.records)
			break
		}
		if err != nil {
			// A read error of the file, not of the chain: like a
			// malformed file, it ends this file's import only.
			log.Error("stopped importing block file: read error", "offset", off, "err", err)
			break
		}
		st.records++
		if err := n.importBlock(ch, raw, off, &st, log); err != nil {
			return fmt.Errorf("import %s: %w", f.Name(), err)
		}
	}
	best := ch.Best()
	level := slog.LevelInfo
	if ctx.Err() != nil {
		level = slog.LevelWarn
	}
	log.Log(ctx, level, "imported block file", "records", st.records, "accepted", st.accepted,
		"duplicates", st.duplicates, "orphans", st.orphans, "invalid", st.invalid,
		"interrupted", ctx.Err() != nil, "height", best.Height, "tip", best.Hash)
	return nil
}

// importBlock decodes and processes one record, counting the outcome in
// st. It returns an error only for a failure of the chain itself.
func (n *Node) importBlock(ch *chain.Chain, raw []byte, off int64, st *importStats, log *slog.Logger) error {
	b, err := wire.DecodeBlock(raw)
	if err != nil {
		st.invalid++
		log.Warn("skipped undecodable block record", "offset", off, "err", err)
		return nil
	}
	res, err := ch.ProcessBlock(b)
	switch {
	case err == nil && res.Orphan:
		st.orphans++
	case err == nil:
		st.accepted++
	case errors.Is(err, chain.ErrDuplicateBlock):
		st.duplicates++
	case errors.Is(err, context.Canceled):
		// Shutting down: the chain stopped between blocks, consistently.
	case errors.Is(err, chain.ErrKnownInvalid):
		st.invalid++
		log.Debug("skipped block known to be invalid", "offset", off, "hash", res.Hash)
	default:
		if _, ok := consensus.IsRuleError(err); !ok {
			return fmt.Errorf("block %s at offset %d: %w", res.Hash, off, err)
		}
		st.invalid++
		log.Warn("skipped invalid block", "offset", off, "hash", res.Hash, "err", err)
	}
	return nil
}
