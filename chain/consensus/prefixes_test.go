package consensus

import (
	"testing"

	"github.com/nodecoin/nodecoin/chain/address"
)

func TestAddressPrefixesPerNetwork(t *testing.T) {
	tests := []struct {
		p     *Params
		first byte
	}{{MainNetParams, 'N'}, {TestNetParams, 'n'}, {RegTestParams, 'n'}}
	for _, tc := range tests {
		for _, fill := range []byte{0x00, 0x5a, 0xff} {
			h := make([]byte, 20)
			for i := range h {
				h[i] = fill
			}
			a, err := address.NewAddressPubKeyHash(h, tc.p.AddressPrefixes())
			if err != nil {
				t.Fatal(err)
			}
			if s := a.String(); s[0] != tc.first {
				t.Errorf("%s: address %s does not start with %c", tc.p.Name, s, tc.first)
			}
			back, err := address.Decode(a.String(), tc.p.AddressPrefixes())
			if err != nil || back.String() != a.String() {
				t.Errorf("%s: decode %s: %v", tc.p.Name, a, err)
			}
		}
	}
	main, _ := address.NewAddressPubKeyHash(make([]byte, 20), MainNetParams.AddressPrefixes())
	if _, err := address.Decode(main.String(), TestNetParams.AddressPrefixes()); err == nil {
		t.Error("test network accepted a main address")
	}
}
