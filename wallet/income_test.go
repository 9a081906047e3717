package wallet

import (
	"bytes"
	"encoding/csv"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nodecoin/nodecoin/chain/consensus"
)

func TestMiningRewardsAndCSV(t *testing.T) {
	w, _ := newTestWallet(t, 5)
	a, err := w.NextReceive()
	if err != nil {
		t.Fatal(err)
	}
	mine := a.ScriptPubKey()
	c := &testChain{}
	connect := func(cb []byte) {
		t.Helper()
		b, h := c.add(cb)
		if err := w.ProcessBlockConnected(b, h); err != nil {
			t.Fatal(err)
		}
	}
	connect(foreignScript(1)) // height 0: not the wallet's
	connect(mine)             // 1
	connect(mine)             // 2
	if got := w.MiningRewards(); len(got) != 2 || got[0].Status != RewardImmature || got[1].RunningTotal != 100*coin {
		t.Fatalf("rewards after 3 blocks: %+v", got)
	}
	// Height 1 matures when it has CoinbaseMaturity confirmations: at tip
	// 1+99 = 100, when height 2 has 99.
	for len(c.blocks) <= 1+consensus.CoinbaseMaturity-1 {
		connect(foreignScript(2))
	}
	got := w.MiningRewards()
	if len(got) != 2 || got[0].Status != RewardMature || got[1].Status != RewardImmature {
		t.Fatalf("rewards at tip 100: %+v", got)
	}
	if b := w.Balances(); b.Trusted != 50*coin || b.Immature != 50*coin {
		t.Fatalf("balances at tip 100: %+v", b)
	}
	connect(mine) // 101
	got = w.MiningRewards()
	if len(got) != 3 {
		t.Fatalf("%d rewards, want 3", len(got))
	}
	if got[0].Height != 1 || got[1].Status != RewardMature || got[2].Status != RewardImmature || got[2].Height != 101 {
		t.Fatalf("rewards: %+v", got)
	}
	if got[0].BlockHash != c.blocks[1].BlockHash() || !got[0].Time.Equal(time.Unix(int64(c.blocks[1].Header.Timestamp), 0)) {
		t.Fatalf("reward 0 block: %+v", got[0])
	}
	if got[0].Time.Location() != time.UTC {
		t.Fatalf("time not in UTC: %v", got[0].Time)
	}
	if got[2].RunningTotal != 150*coin || got[2].Amount != 50*coin {
		t.Fatalf("running total %d amount %d", got[2].RunningTotal, got[2].Amount)
	}

	// The tip block leaves the chain: its reward is orphaned and leaves the
	// running total, keeping its committed height.
	b, h := c.pop()
	if err := w.ProcessBlockDisconnected(b, h); err != nil {
		t.Fatal(err)
	}
	connect(foreignScript(3)) // a competing block 101
	got = w.MiningRewards()
	if len(got) != 3 || got[2].Status != RewardOrphaned || got[2].Height != 101 || !got[2].BlockHash.IsZero() ||
		got[2].RunningTotal != 100*coin {
		t.Fatalf("after reorg: %+v", got)
	}

	var buf bytes.Buffer
	if err := WriteIncomeCSV(&buf, got); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || strings.Join(rows[0], ",") != "height,block_hash,time_utc,amount_ndc,status,running_total_ndc" {
		t.Fatalf("CSV rows: %q", rows)
	}
	want := []string{"1", c.blocks[1].BlockHash().String(),
		time.Unix(int64(c.blocks[1].Header.Timestamp), 0).UTC().Format(time.RFC3339), "50.00000000", "mature", "50.00000000"}
	if strings.Join(rows[1], ",") != strings.Join(want, ",") {
		t.Fatalf("row 1 %q, want %q", rows[1], want)
	}
	if !strings.HasSuffix(rows[1][2], "Z") {
		t.Fatalf("time %q not UTC", rows[1][2])
	}
	if rows[3][1] != "" || rows[3][4] != "orphaned" || rows[3][5] != "100.00000000" {
		t.Fatalf("orphan row %q", rows[3])
	}
}

func TestWriteIncomeCSVEmptyAndError(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteIncomeCSV(&buf, nil); err != nil {
		t.Fatal(err)
	}
	if buf.String() != "height,block_hash,time_utc,amount_ndc,status,running_total_ndc\n" {
		t.Fatalf("empty CSV %q", buf.String())
	}
	if err := WriteIncomeCSV(failWriter{}, []Reward{{Height: 1}}); err == nil || !errors.Is(err, errWrite) {
		t.Fatalf("error %v, want wrapped errWrite", err)
	}
}

var errWrite = errors.New("disk full")

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errWrite }

func TestFormatCoinsAndCoinbaseHeight(t *testing.T) {
	for v, want := range map[int64]string{0: "0.00000000", 1: "0.00000001", 50 * coin: "50.00000000",
		-12_345: "-0.00012345", 2_100_000_000_000_000: "21000000.00000000"} {
		if got := FormatCoins(v); got != want {
			t.Errorf("FormatCoins(%d) = %q, want %q", v, got, want)
		}
	}
	for _, h := range []int32{0, 1, 16, 17, 127, 128, 255, 256, 70_000, 1 << 24} {
		tx := coinbaseTx(0)
		tx.TxIn[0].SignatureScript = append(consensus.BIP34HeightScript(int64(h)), 0xab, 0xcd)
		if got := coinbaseHeight(tx); got != h {
			t.Errorf("coinbaseHeight of %d = %d", h, got)
		}
	}
	tx := coinbaseTx(0)
	tx.TxIn[0].SignatureScript = []byte{0x4f}
	if got := coinbaseHeight(tx); got != -1 {
		t.Errorf("coinbaseHeight(OP_1NEGATE) = %d", got)
	}
}
