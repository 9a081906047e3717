package p2p

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/p2p/message"
)

func FuzzDecodeBanList(f *testing.F) {
	now := time.Unix(1_800_000_000, 0)
	f.Add(encodeBanList([]Ban{{Addr: netip.MustParseAddr("192.0.2.1"), Created: now, Until: now.Add(time.Hour), Reason: "r"}}))
	f.Add([]byte(`{"version":1,"banned":[]}`))
	f.Add([]byte(`{"version":1,"banned":[{"address":"::1","ban_created":-5,"banned_until":9e18}]}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		bans, err := decodeBanList(data)
		if err != nil {
			return
		}
		// What decodes re-encodes to the same bans.
		again, err := decodeBanList(encodeBanList(bans))
		if err != nil || len(again) != len(bans) {
			t.Fatalf("round trip: %v, %d of %d", err, len(again), len(bans))
		}
		for i := range bans {
			if again[i].Addr != bans[i].Addr || !again[i].Until.Equal(bans[i].Until) {
				t.Fatalf("entry %d: %+v became %+v", i, bans[i], again[i])
			}
		}
	})
}

func FuzzDecodeAddrBook(f *testing.F) {
	now := time.Unix(1_800_000_000, 0)
	f.Add(encodeAddrBook([]knownAddr{{addr: netip.MustParseAddrPort("192.0.2.1:9633"), services: 1, lastSeen: now, attempts: 2}}))
	f.Add([]byte(`{"version":1,"addresses":[{"addr":"[::1]:1","last_seen":0}]}`))
	f.Add([]byte(`{"version":1,"addresses":[{"addr":"1.2.3.4:5","attempts":-1}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		addrs, err := decodeAddrBook(data)
		if err != nil {
			return
		}
		b := newAddrBook()
		b.add(now, addrs...)
		if b.size() > len(addrs) || b.size() > maxAddrBook {
			t.Fatalf("book of %d from %d entries", b.size(), len(addrs))
		}
		if _, err := decodeAddrBook(encodeAddrBook(addrs)); err != nil {
			t.Fatalf("round trip: %v", err)
		}
	})
}

// fuzzCommands are the commands FuzzPeerMessages frames its payloads
// with: every message nodecoin models, one it ignores and one that does
// not exist.
var fuzzCommands = []string{
	message.CmdVersion, message.CmdVerAck, message.CmdPing, message.CmdPong, message.CmdAddr, message.CmdGetAddr,
	message.CmdInv, message.CmdGetData, message.CmdNotFound, message.CmdGetHeaders, message.CmdHeaders,
	message.CmdGetBlocks, message.CmdBlock, message.CmdTx, message.CmdMemPool, message.CmdSendHeaders,
	message.CmdFeeFilter, "sendcmpct", "bogus",
}

// fuzzFrames encodes messages in FuzzPeerMessages's input format: a command
// index byte, a little-endian u16 payload length, the payload.
func fuzzFrames(msgs ...message.Message) []byte {
	var b []byte
	for _, m := range msgs {
		i := slices.Index(fuzzCommands, m.Command())
		p := m.Encode()
		b = append(b, byte(i))
		b = binary.LittleEndian.AppendUint16(b, uint16(len(p)))
		b = append(b, p...)
	}
	return b
}

// FuzzPeerMessages sends a connected peer's node a sequence of well-framed
// messages with arbitrary payloads (at most 64 of them): the node must
// neither panic nor hang — it answers a ping after them or drops the
// peer — and must still take a new peer's handshake.
func FuzzPeerMessages(f *testing.F) {
	blocks := regtestBlocks(f, 3)
	n := startNode(f, blocks[:1], Config{})
	f.Add([]byte{})
	f.Add(fuzzFrames(&message.Inv{List: []message.InvVect{{Type: message.InvTypeTx, Hash: wire.Hash{1}}}}))
	f.Add(fuzzFrames(&message.GetHeaders{BlockLocator: message.BlockLocator{Version: 70016,
		Locator: []wire.Hash{consensus.RegTestParams.GenesisHash}}}))
	f.Add(fuzzFrames(&message.Headers{Headers: []wire.BlockHeader{blocks[2].Header}}, &message.Headers{Headers: []wire.BlockHeader{blocks[1].Header}}))
	f.Add(fuzzFrames(&message.Block{Block: blocks[1]}, &message.Block{Block: blocks[1]}))
	f.Add(fuzzFrames(&message.Version{ProtocolVersion: 70016}, &message.MemPool{}, &message.GetAddr{},
		&message.FeeFilter{FeeRate: 1 << 62}, &message.Addr{Addresses: []message.TimedNetAddress{timedAddr("192.0.2.1:9633", 1)}}))
	f.Add([]byte{13, 0xff, 0xff, 1, 2, 3})
	f.Fuzz(func(t *testing.T, data []byte) {
		s := dialScripted(t, n)
		s.handshake(message.ProtocolVersion)
		for count := 0; len(data) >= 3 && count < 64; count++ {
			cmd := fuzzCommands[int(data[0])%len(fuzzCommands)]
			size := min(int(binary.LittleEndian.Uint16(data[1:3])), len(data)-3)
			payload := data[3 : 3+size]
			data = data[3+size:]
			if err := message.WriteMessage(s.conn, consensus.RegTestParams.Magic, cmd, payload); err != nil {
				break // the node dropped the peer
			}
		}
		if err := s.send(&message.Ping{Nonce: 77}); err == nil {
			for {
				s.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
				cmd, payload, err := message.ReadMessage(s.conn, consensus.RegTestParams.Magic, nil)
				if errors.Is(err, os.ErrDeadlineExceeded) {
					t.Fatal("the node neither answered a ping nor dropped the peer")
				}
				if err != nil {
					break // dropped
				}
				if cmd == message.CmdPong {
					if m, err := message.DecodeMessage(cmd, payload); err == nil && m.(*message.Pong).Nonce == 77 {
						break
					}
				}
			}
		}
		s.conn.Close()
		q := dialScripted(t, n)
		q.handshake(message.ProtocolVersion)
		q.conn.Close()
	})
}
