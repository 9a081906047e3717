package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"time"

	"github.com/nodecoin/nodecoin/p2p/p2psim"
)

// quantile returns the q-quantile (nearest rank) of sorted values.
func quantile[T any](sorted []T, q float64) T {
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// simFigure is figure 2.
func simFigure(work string, n, blocks int) error {
	delays, hops, err := p2psim.Run(filepath.Join(work, "sim"), n, blocks, func(f string, a ...any) { fmt.Printf(f+"\n", a...) })
	if err != nil {
		return err
	}
	slices.Sort(delays)
	slices.Sort(hops)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	fmt.Printf("sim: %d blocks to %d nodes: arrival median %.1f ms, p99 %.1f ms, max %.1f ms; hops median %d, p99 %d, max %d\n",
		blocks, n, ms(quantile(delays, 0.5)), ms(quantile(delays, 0.99)), ms(delays[len(delays)-1]),
		quantile(hops, 0.5), quantile(hops, 0.99), hops[len(hops)-1])
	return nil
}
