package consensus

import (
	"fmt"
	"math/big"

	"github.com/nodecoin/nodecoin/chain/address"
	"github.com/nodecoin/nodecoin/chain/wire"
)

// Network names, as given to --network and used for data directories.
const (
	MainNetName    = "main"
	TestNetName    = "test"
	RegTestNetName = "regtest"
)

// Params are the parameters that distinguish one nodecoin network from
// another (DESIGN.md §2). The values returned by ParamsForNetwork and the
// package variables are shared: callers must not modify them.
type Params struct {
	// Name is the network's name: "main", "test" or "regtest".
	Name string
	// Magic is the four bytes that begin every P2P message, in wire order.
	Magic [4]byte

	// P2PPort is the default P2P listening port.
	P2PPort uint16
	// RPCPort is the default JSON-RPC port.
	RPCPort uint16
	// MetricsPort is the default Prometheus metrics port.
	MetricsPort uint16
	// StratumPort is the default Stratum mining port, when enabled.
	StratumPort uint16

	// PubKeyHashAddrID is the version byte of P2PKH addresses.
	PubKeyHashAddrID byte
	// ScriptHashAddrID is the version byte of P2SH addresses.
	ScriptHashAddrID byte
	// PrivateKeyID is the version byte of WIF-encoded private keys.
	PrivateKeyID byte

	// TargetSpacing is the ideal block interval in seconds.
	TargetSpacing int64
	// PowNoRetargeting disables the difficulty rule: every block requires
	// the proof-of-work limit (regtest).
	PowNoRetargeting bool
	// ASERTHalfLife is the half-life of the aserti3-2d rule in seconds.
	ASERTHalfLife int64
	// ASERTAnchorHeight is the height of the ASERT anchor block (genesis).
	ASERTAnchorHeight int64
	// ASERTAnchorParentTime is the timestamp taken for the anchor block's
	// parent: the genesis time minus one target spacing.
	ASERTAnchorParentTime int64
	// ASERTAnchorBits is the compact target of the anchor block, the
	// genesis bits.
	ASERTAnchorBits uint32

	// PowLimitBits is the compact form of the proof-of-work limit.
	PowLimitBits uint32
	// PowLimit is the highest (easiest) target a block may have.
	PowLimit *big.Int

	// SubsidyHalvingInterval is the number of blocks between halvings of
	// the block subsidy.
	SubsidyHalvingInterval int64
	// CoinbaseMaturity is the number of confirmations a coinbase output
	// needs before it can be spent.
	CoinbaseMaturity int64

	// GenesisBlock is the network's first block.
	GenesisBlock *wire.Block
	// GenesisHash is the hash of GenesisBlock.
	GenesisHash wire.Hash
}

// GenesisTime is the timestamp of every network's genesis block,
// 2026-11-26T00:00:00Z.
const GenesisTime = 1795651200

// Proof-of-work limits in compact form.
const (
	// MainPowLimitBits is the proof-of-work limit of main and test.
	MainPowLimitBits uint32 = 0x1e00ffff
	// RegTestPowLimitBits is the proof-of-work limit of regtest.
	RegTestPowLimitBits uint32 = 0x207fffff
)

// netSpec is what newParams needs beyond the values all networks share.
type netSpec struct {
	name                            string
	magic                           [4]byte
	p2p, rpc, metrics, stratum      uint16
	pubKeyHash, scriptHash, privKey byte
	noRetarget                      bool
	powLimitBits                    uint32
	halving                         int64
	genesisText                     string
	genesisNonce                    uint32
}

func newParams(s netSpec) *Params {
	const spacing = 60
	genesis := NewGenesisBlock(s.powLimitBits, s.genesisText, s.genesisNonce)
	return &Params{
		Name:                   s.name,
		Magic:                  s.magic,
		P2PPort:                s.p2p,
		RPCPort:                s.rpc,
		MetricsPort:            s.metrics,
		StratumPort:            s.stratum,
		PubKeyHashAddrID:       s.pubKeyHash,
		ScriptHashAddrID:       s.scriptHash,
		PrivateKeyID:           s.privKey,
		TargetSpacing:          spacing,
		PowNoRetargeting:       s.noRetarget,
		ASERTHalfLife:          7200,
		ASERTAnchorHeight:      0,
		ASERTAnchorParentTime:  GenesisTime - spacing,
		ASERTAnchorBits:        s.powLimitBits,
		PowLimitBits:           s.powLimitBits,
		PowLimit:               powLimitFromBits(s.powLimitBits),
		SubsidyHalvingInterval: s.halving,
		CoinbaseMaturity:       CoinbaseMaturity,
		GenesisBlock:           genesis,
		GenesisHash:            genesis.BlockHash(),
	}
}

// MainNetParams are the parameters of the main network.
var MainNetParams = newParams(netSpec{
	name:         MainNetName,
	magic:        [4]byte{0xf7, 0x4e, 0x43, 0x01},
	p2p:          9633,
	rpc:          9632,
	metrics:      9634,
	stratum:      9635,
	pubKeyHash:   0x35,
	scriptHash:   0x38,
	privKey:      0xb5,
	powLimitBits: MainPowLimitBits,
	halving:      2_100_000,
	genesisText:  mainGenesisText,
	genesisNonce: mainGenesisNonce,
})

// TestNetParams are the parameters of the public test network.
var TestNetParams = newParams(netSpec{
	name:         TestNetName,
	magic:        [4]byte{0xf7, 0x4e, 0x43, 0x02},
	p2p:          19633,
	rpc:          19632,
	metrics:      19634,
	stratum:      19635,
	pubKeyHash:   0x70,
	scriptHash:   0xc4,
	privKey:      0xf0,
	powLimitBits: MainPowLimitBits,
	halving:      2_100_000,
	genesisText:  testGenesisText,
	genesisNonce: testGenesisNonce,
})

// RegTestParams are the parameters of the regression-test network: trivial
// difficulty that never changes, and halvings every 150 blocks.
var RegTestParams = newParams(netSpec{
	name:         RegTestNetName,
	magic:        [4]byte{0xf7, 0x4e, 0x43, 0x03},
	p2p:          29633,
	rpc:          29632,
	metrics:      29634,
	stratum:      29635,
	pubKeyHash:   0x70,
	scriptHash:   0xc4,
	privKey:      0xf0,
	noRetarget:   true,
	powLimitBits: RegTestPowLimitBits,
	halving:      150,
	genesisText:  regTestGenesisText,
	genesisNonce: regTestGenesisNonce,
})

// ParamsForNetwork returns the parameters of the named network: "main",
// "test" or "regtest".
func ParamsForNetwork(name string) (*Params, error) {
	switch name {
	case MainNetName:
		return MainNetParams, nil
	case TestNetName:
		return TestNetParams, nil
	case RegTestNetName:
		return RegTestParams, nil
	}
	return nil, fmt.Errorf("unknown network %q (want %q, %q or %q)",
		name, MainNetName, TestNetName, RegTestNetName)
}

// AddressPrefixes returns the network's address and WIF version bytes in
// the form chain/address takes them.
func (p *Params) AddressPrefixes() address.Prefixes {
	return address.Prefixes{PubKeyHash: p.PubKeyHashAddrID, ScriptHash: p.ScriptHashAddrID, WIF: p.PrivateKeyID}
}
