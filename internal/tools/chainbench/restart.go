package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nodecoin/nodecoin/chain"
	"github.com/syndtr/goleveldb/leveldb"
)

// openReps is how many times each open is timed; the fastest counts, as
// benchratio keeps the best of repeated runs: on a shared machine the slow
// runs are the disturbed ones.
const openReps = 10

// timeChainOpen returns the shortest of openReps timings of chain.Open on
// dir, from the call to the chain being ready (Open returning). Each
// opened chain is closed (untimed) before the next attempt.
func timeChainOpen(dir string, log *slog.Logger) (time.Duration, error) {
	best := time.Duration(0)
	for i := 0; i < openReps; i++ {
		start := time.Now()
		ch, err := chain.Open(context.Background(), chainConfig(dir, log))
		d := time.Since(start)
		if err != nil {
			return 0, fmt.Errorf("open chain %s: %w", dir, err)
		}
		if err := ch.Close(); err != nil {
			return 0, fmt.Errorf("close chain %s: %w", dir, err)
		}
		if i == 0 || d < best {
			best = d
		}
	}
	return best, nil
}

// timeLevelDBOpen returns the shortest of openReps timings of opening and
// closing the LevelDB database in dir with goleveldb's default options.
func timeLevelDBOpen(dir string) (time.Duration, error) {
	best := time.Duration(0)
	for i := 0; i < openReps; i++ {
		start := time.Now()
		db, err := leveldb.OpenFile(dir, nil)
		if err != nil {
			return 0, fmt.Errorf("open LevelDB %s: %w", dir, err)
		}
		err = db.Close()
		d := time.Since(start)
		if err != nil {
			return 0, fmt.Errorf("close LevelDB %s: %w", dir, err)
		}
		if i == 0 || d < best {
			best = d
		}
	}
	return best, nil
}

// restartStats are figure 2's timings for one data dir.
type restartStats struct {
	ChainOpen, LevelDBOpen time.Duration
}

// timeRestart times chain.Open and the bare LevelDB open on dir.
func timeRestart(dir string, log *slog.Logger) (restartStats, error) {
	c, err := timeChainOpen(dir, log)
	if err != nil {
		return restartStats{}, err
	}
	l, err := timeLevelDBOpen(dir)
	if err != nil {
		return restartStats{}, err
	}
	if c <= 0 || l <= 0 {
		return restartStats{}, errors.New("an open took no measurable time")
	}
	return restartStats{ChainOpen: c, LevelDBOpen: l}, nil
}
