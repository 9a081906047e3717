package wallet

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/nodecoin/nodecoin/chain/wire"
)

// FileName is the name of the wallet file in the network's data directory.
const FileName = "wallet.dat"

// FileVersion is the version of the wallet file format this package writes
// and reads.
const FileVersion = 1

// maxPayload bounds the JSON payload a wallet file may declare (256 MiB).
const maxPayload = 256 << 20

var fileMagic = [8]byte{'N', 'D', 'C', 'W', 'A', 'L', 'L', 'T'}

const headerLen = len(fileMagic) + 4 + 4

// ErrCorruptFile reports a wallet file that is truncated, damaged, of an
// unknown version or otherwise not a valid wallet.
var ErrCorruptFile = errors.New("wallet file corrupt")

// fileData is the JSON payload of a wallet file.
type fileData struct {
	Network   string         `json:"network"`
	CoinType  uint32         `json:"coin_type"`
	GapLimit  int            `json:"gap_limit"`
	Created   int64          `json:"created"`
	KDF       *kdfParams     `json:"kdf,omitempty"`
	Seed      sealedSecret   `json:"seed"`
	Branches  []branchData   `json:"branches"`
	Imported  []importedData `json:"imported,omitempty"`
	Txs       []txData       `json:"txs,omitempty"`
	TipHeight int32          `json:"tip_height"`
	TipHash   wire.Hash      `json:"tip_hash"`
}

type branchData struct {
	PubKeys [][]byte `json:"pubkeys"`
	Next    uint32   `json:"next"`
	Used    []uint32 `json:"used,omitempty"`
}

type importedData struct {
	PubKey     []byte       `json:"pubkey"`
	Compressed bool         `json:"compressed"`
	Secret     sealedSecret `json:"secret"`
	Created    int64        `json:"created"`
}

type txData struct {
	Raw          []byte    `json:"raw"`
	Block        *BlockRef `json:"block,omitempty"`
	InMempool    bool      `json:"in_mempool,omitempty"`
	TimeReceived int64     `json:"time_received"`
}

// encodeFile serializes d: magic, version, payload length, JSON payload,
// SHA-256 of all that.
func encodeFile(d *fileData) ([]byte, error) {
	payload, err := json.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("encode wallet: %w", err)
	}
	b := make([]byte, 0, headerLen+len(payload)+sha256.Size)
	b = append(b, fileMagic[:]...)
	b = binary.LittleEndian.AppendUint32(b, FileVersion)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(payload)))
	b = append(b, payload...)
	sum := sha256.Sum256(b)
	clear(payload)
	return append(b, sum[:]...), nil
}

func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrCorruptFile, fmt.Sprintf(format, args...))
}

// decodeFile parses and checks a wallet file. Every failure wraps
// ErrCorruptFile; it never panics, whatever the input.
func decodeFile(b []byte) (*fileData, error) {
	if len(b) < headerLen+sha256.Size {
		return nil, corrupt("%d bytes is too short for a wallet file", len(b))
	}
	if !bytes.Equal(b[:len(fileMagic)], fileMagic[:]) {
		return nil, corrupt("not a nodecoin wallet file (bad magic)")
	}
	if v := binary.LittleEndian.Uint32(b[8:]); v != FileVersion {
		return nil, corrupt("unsupported file version %d (this program reads version %d)", v, FileVersion)
	}
	n := binary.LittleEndian.Uint32(b[12:])
	if n > maxPayload || uint64(len(b)) != uint64(headerLen)+uint64(n)+sha256.Size {
		return nil, corrupt("payload length %d does not match file size %d (truncated?)", n, len(b))
	}
	body := b[:headerLen+int(n)]
	sum := sha256.Sum256(body)
	if !bytes.Equal(sum[:], b[len(body):]) {
		return nil, corrupt("checksum mismatch")
	}
	dec := json.NewDecoder(bytes.NewReader(body[headerLen:]))
	dec.DisallowUnknownFields()
	var d fileData
	if err := dec.Decode(&d); err != nil {
		return nil, corrupt("payload: %v", err)
	}
	if dec.More() {
		return nil, corrupt("trailing data after payload")
	}
	if err := d.validate(); err != nil {
		return nil, err
	}
	return &d, nil
}

// validate checks the payload's internal consistency, so that the rest of
// the package can rely on it.
func (d *fileData) validate() error {
	if d.Network == "" {
		return corrupt("no network")
	}
	if d.GapLimit < 1 || d.GapLimit > MaxGapLimit {
		return corrupt("gap limit %d", d.GapLimit)
	}
	if d.KDF != nil {
		if err := d.KDF.validate(); err != nil {
			return corrupt("kdf: %v", err)
		}
	}
	if err := checkSecret(&d.Seed, d.KDF != nil, MinSeedLen, MaxSeedLen); err != nil {
		return corrupt("seed: %v", err)
	}
	if len(d.Branches) != 2 {
		return corrupt("%d key branches, want 2", len(d.Branches))
	}
	for bi, br := range d.Branches {
		if len(br.PubKeys) > maxPoolKeys {
			return corrupt("branch %d: %d keys", bi, len(br.PubKeys))
		}
		for i, pk := range br.PubKeys {
			if len(pk) != 33 {
				return corrupt("branch %d key %d: %d-byte public key", bi, i, len(pk))
			}
			if _, err := btcec.ParsePubKey(pk); err != nil {
				return corrupt("branch %d key %d: %v", bi, i, err)
			}
		}
		if int64(br.Next) > int64(len(br.PubKeys)) {
			return corrupt("branch %d: next index %d beyond %d keys", bi, br.Next, len(br.PubKeys))
		}
		for _, u := range br.Used {
			if int64(u) >= int64(len(br.PubKeys)) {
				return corrupt("branch %d: used index %d beyond %d keys", bi, u, len(br.PubKeys))
			}
		}
	}
	for i, im := range d.Imported {
		if _, err := btcec.ParsePubKey(im.PubKey); err != nil {
			return corrupt("imported key %d: %v", i, err)
		}
		if want := 33; !im.Compressed {
			want = 65
			if len(im.PubKey) != want {
				return corrupt("imported key %d: %d-byte uncompressed key", i, len(im.PubKey))
			}
		} else if len(im.PubKey) != want {
			return corrupt("imported key %d: %d-byte compressed key", i, len(im.PubKey))
		}
		if err := checkSecret(&im.Secret, d.KDF != nil, 32, 32); err != nil {
			return corrupt("imported key %d: %v", i, err)
		}
	}
	seen := make(map[wire.Hash]bool, len(d.Txs))
	for i, t := range d.Txs {
		tx, err := wire.DecodeTx(t.Raw)
		if err != nil {
			return corrupt("transaction %d: %v", i, err)
		}
		id := tx.TxHash()
		if seen[id] {
			return corrupt("transaction %s twice", id)
		}
		seen[id] = true
		if t.Block != nil && t.Block.Height < 0 {
			return corrupt("transaction %s: height %d", id, t.Block.Height)
		}
	}
	return nil
}

func checkSecret(s *sealedSecret, encrypted bool, minLen, maxLen int) error {
	if encrypted {
		if s.Plain != nil || s.Sealed == nil {
			return errors.New("expected an encrypted secret")
		}
		if len(s.Nonce) != 24 {
			return fmt.Errorf("nonce of %d bytes", len(s.Nonce))
		}
		if n := len(s.Sealed) - 16; n < minLen || n > maxLen {
			return fmt.Errorf("sealed secret of %d bytes", len(s.Sealed))
		}
		return nil
	}
	if s.Sealed != nil || s.Nonce != nil {
		return errors.New("unexpected encrypted secret in an unencrypted wallet")
	}
	if len(s.Plain) < minLen || len(s.Plain) > maxLen {
		return fmt.Errorf("secret of %d bytes", len(s.Plain))
	}
	return nil
}
