package methods

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/nodecoin/nodecoin/miner/stratum"
	"github.com/nodecoin/nodecoin/rpc"
)

type fixedStratum stratum.Info

func (f fixedStratum) Info() stratum.Info { return stratum.Info(f) }

// TestGetStratumInfo checks the method's result shape and help.
func TestGetStratumInfo(t *testing.T) {
	ms := Stratum(fixedStratum{Connections: 2, Payout: "pplns", SharesAccepted: 5, AcceptedDifficulty: 0.5,
		SharesRejected: map[string]uint64{stratum.ReasonStale: 1}, BlocksFound: 1, HashRate: 7.5,
		Workers: []stratum.WorkerInfo{{Name: "n1.a", Address: "n1", Connections: 1, SharesAccepted: 5, HashRate: 7.5, LastShare: 9}}})
	if len(ms) != 1 || ms[0].Name != "getstratuminfo" {
		t.Fatalf("methods %+v", ms)
	}
	res, err := ms[0].Handler(context.Background(), rpc.Params{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(res)
	for _, want := range []string{`"connections":2`, `"payout":"pplns"`, `"sharesaccepted":5`, `"sharesrejected":{"stale":1}`,
		`"blocksfound":1`, `"hashps":7.5`, `"workers":[{"name":"n1.a","address":"n1","connections":1,"sharesaccepted":5,"accepteddifficulty":0,"hashps":7.5,"lastshare":9}]`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("result %s lacks %s", b, want)
		}
	}
	if h := ms[0].Help(); !strings.HasPrefix(h, "getstratuminfo") || !strings.Contains(h, "> nodecoin cli getstratuminfo") {
		t.Errorf("help:\n%s", h)
	}
}
