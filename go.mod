module github.com/nodecoin/nodecoin

go 1.26.8

require (
	github.com/btcsuite/btcd/btcec/v2 v2.5.0
	github.com/spf13/cobra v1.10.2
	github.com/syndtr/goleveldb v1.0.0
	golang.org/x/crypto v0.59.0
)

require (
	github.com/decred/dcrd/dcrec/secp256k1/v4 v4.4.0 // indirect
	github.com/golang/snappy v0.0.0-20180518054509-2e65f85255db // indirect
	github.com/inconshreveable/mousetrap v1.1.0 // indirect
	github.com/spf13/pflag v1.0.9 // indirect
)
